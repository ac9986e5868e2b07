package dynamo

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/logwarden/logwarden/pkg/store"
)

// Config is a store.Config on the threshold table keyed by id (S). The other
// attributes are the operators': they edit them in the console or with
// `aws dynamodb put-item`, so reading accepts every shape an operator is
// likely to write (SS or L for lists, N for numbers) and names the item and
// attribute when it cannot.
type Config struct {
	api   API
	table string
}

var _ store.Config = (*Config)(nil)

// NewConfig returns the threshold store on table.
func NewConfig(api API, table string) *Config { return &Config{api: api, table: table} }

// Table is the threshold table's name.
func (c *Config) Table() string { return c.table }

// ListItems implements store.Config with a paginated, consistent Scan.
func (c *Config) ListItems(ctx context.Context) ([]store.Item, error) {
	var items []store.Item
	pages := dynamodb.NewScanPaginator(c.api, &dynamodb.ScanInput{TableName: aws.String(c.table), ConsistentRead: aws.Bool(true)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamodb Scan %s: %w", c.table, err)
		}
		for _, av := range page.Items {
			it, err := decodeItem(av)
			if err != nil {
				return nil, fmt.Errorf("dynamodb Scan %s: %w", c.table, err)
			}
			items = append(items, it)
		}
	}
	store.SortItems(items)
	return items, nil
}

// GetItem implements store.Config.
func (c *Config) GetItem(ctx context.Context, id string) (store.Item, bool, error) {
	res, err := c.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(c.table),
		Key:            itemKey(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return store.Item{}, false, fmt.Errorf("dynamodb GetItem %s id %q: %w", c.table, id, err)
	}
	if res.Item == nil {
		return store.Item{}, false, nil
	}
	it, err := decodeItem(res.Item)
	if err != nil {
		return store.Item{}, false, fmt.Errorf("dynamodb GetItem %s: %w", c.table, err)
	}
	return it, true, nil
}

// PutItem implements store.Config; it replaces the whole item.
func (c *Config) PutItem(ctx context.Context, it store.Item) error {
	n, err := store.NormalizeItem(it)
	if err != nil {
		return err
	}
	av := itemKey(n.ID)
	for k, v := range n.Attrs {
		if av[k], err = marshalValue(v); err != nil {
			return fmt.Errorf("item %q attribute %q: %w", n.ID, k, err)
		}
	}
	if _, err := c.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.table), Item: av}); err != nil {
		return fmt.Errorf("dynamodb PutItem %s id %q: %w", c.table, n.ID, err)
	}
	return nil
}

// DeleteItem implements store.Config.
func (c *Config) DeleteItem(ctx context.Context, id string) error {
	_, err := c.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(c.table), Key: itemKey(id)})
	if err != nil {
		return fmt.Errorf("dynamodb DeleteItem %s id %q: %w", c.table, id, err)
	}
	return nil
}

func itemKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{store.KeyAttr: &types.AttributeValueMemberS{Value: id}}
}

func decodeItem(av map[string]types.AttributeValue) (store.Item, error) {
	id, ok := av[store.KeyAttr].(*types.AttributeValueMemberS)
	if !ok {
		return store.Item{}, fmt.Errorf("item without a string %s", store.KeyAttr)
	}
	it := store.Item{ID: id.Value, Attrs: make(map[string]any, len(av)-1)}
	for k, v := range av {
		if k == store.KeyAttr {
			continue
		}
		if _, null := v.(*types.AttributeValueMemberNULL); null {
			continue // an operator's way of unsetting; same as absent
		}
		val, err := unmarshalValue(v)
		if err != nil {
			return store.Item{}, fmt.Errorf("item %q attribute %q: %w", it.ID, k, err)
		}
		it.Attrs[k] = val
	}
	return it, nil
}

func marshalValue(v any) (types.AttributeValue, error) {
	switch x := v.(type) {
	case string:
		return &types.AttributeValueMemberS{Value: x}, nil
	case float64:
		return &types.AttributeValueMemberN{Value: strconv.FormatFloat(x, 'f', -1, 64)}, nil
	case bool:
		return &types.AttributeValueMemberBOOL{Value: x}, nil
	case []string:
		// L, not SS: it keeps order, allows duplicates and may be empty.
		l := make([]types.AttributeValue, len(x))
		for i, s := range x {
			l[i] = &types.AttributeValueMemberS{Value: s}
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	case map[string]any:
		m := make(map[string]types.AttributeValue, len(x))
		for k, e := range x {
			av, err := marshalValue(e)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			m[k] = av
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	default:
		return nil, fmt.Errorf("unsupported value type %T", v)
	}
}

func unmarshalValue(av types.AttributeValue) (any, error) {
	switch x := av.(type) {
	case *types.AttributeValueMemberS:
		return x.Value, nil
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(x.Value, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %q out of range", x.Value)
		}
		return f, nil
	case *types.AttributeValueMemberBOOL:
		return x.Value, nil
	case *types.AttributeValueMemberSS:
		return append([]string{}, x.Value...), nil
	case *types.AttributeValueMemberL:
		out := make([]string, len(x.Value))
		for i, e := range x.Value {
			s, ok := e.(*types.AttributeValueMemberS)
			if !ok {
				return nil, fmt.Errorf("list element %d is %s, only strings are allowed", i, typeName(e))
			}
			out[i] = s.Value
		}
		return out, nil
	case *types.AttributeValueMemberM:
		out := make(map[string]any, len(x.Value))
		for k, e := range x.Value {
			if _, null := e.(*types.AttributeValueMemberNULL); null {
				continue
			}
			v, err := unmarshalValue(e)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s values are not supported (use S, N, BOOL, SS, L of S or M)", typeName(av))
	}
}

// typeName is DynamoDB's name for an attribute value type, as operators see
// it in the console and the CLI.
func typeName(av types.AttributeValue) string {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		return "SS"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberBS:
		return "BS"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberM:
		return "M"
	default:
		return fmt.Sprintf("%T", av)
	}
}
