package thresholds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/logwarden/logwarden/pkg/store"
)

// ParseFile reads the `--thresholds FILE` format: a JSON list of items, each
// an object with "id" and the attributes, exactly as they would be stored
// in DynamoDB:
//
//	[{"id": "defaults", "memory_percent": 85},
//	 {"id": "function#orders", "duration_ratio": 3, "cooldown_timeout": "48h"}]
//
// The items go through the same validation as DynamoDB items.
func ParseFile(data []byte, name string) ([]store.Item, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw []map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w: must be a JSON list of objects with an \"id\": %v", name, ErrInvalid, err)
	}
	items := make([]store.Item, 0, len(raw))
	for i, obj := range raw {
		id, _ := obj["id"].(string)
		if id == "" {
			return nil, fmt.Errorf("%s: %w: item %d has no string \"id\"", name, ErrInvalid, i)
		}
		it := store.Item{ID: id, Attrs: map[string]any{}}
		for k, v := range obj {
			if k != "id" {
				it.Attrs[k] = normalise(v)
			}
		}
		if err := Validate(it); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		items = append(items, it)
	}
	return items, nil
}

// LoadFile reads and parses a thresholds file.
func LoadFile(path string) ([]store.Item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read thresholds: %w", err)
	}
	return ParseFile(data, path)
}

// normalise maps JSON values onto the store.Item value types (string,
// float64, bool, []string); other shapes stay as they are and fail
// validation with a message naming the attribute.
func normalise(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return v
			}
			out = append(out, s)
		}
		return out
	}
	return v
}
