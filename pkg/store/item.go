package store

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrInvalidItem reports a threshold item a Config refuses to store.
var ErrInvalidItem = errors.New("store: invalid threshold item")

// KeyAttr is the threshold table's partition key; no attribute may use it.
const KeyAttr = "id"

// NormalizeItem returns a deep copy of it whose attribute values are only
// string, float64, bool, []string or map[string]any (of the same), the types
// a DynamoDB item maps to. Integers become float64 and []any of strings
// becomes []string, so every Config implementation hands back the same
// shapes it was given.
func NormalizeItem(it Item) (Item, error) {
	if it.ID == "" {
		return Item{}, fmt.Errorf("%w: empty id", ErrInvalidItem)
	}
	out := Item{ID: it.ID, Attrs: make(map[string]any, len(it.Attrs))}
	for k, v := range it.Attrs {
		if k == "" || k == KeyAttr {
			return Item{}, fmt.Errorf("%w: item %q: attribute name %q is not allowed", ErrInvalidItem, it.ID, k)
		}
		n, err := NormalizeValue(v)
		if err != nil {
			return Item{}, fmt.Errorf("item %q attribute %q: %w", it.ID, k, err)
		}
		out.Attrs[k] = n
	}
	return out, nil
}

// NormalizeValue converts one attribute value to the canonical types listed
// at NormalizeItem.
func NormalizeValue(v any) (any, error) {
	switch x := v.(type) {
	case string, bool:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %v is not a storable number", ErrInvalidItem, x)
		}
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case []string:
		return append([]string{}, x...), nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: list element %d is %T, only strings are allowed", ErrInvalidItem, i, e)
			}
			out[i] = s
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := NormalizeValue(e)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			out[k] = n
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: unsupported value type %T", ErrInvalidItem, v)
	}
}

// SortItems orders items by id, the order ListItems returns them in.
func SortItems(items []Item) {
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
}
