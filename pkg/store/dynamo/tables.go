package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/logwarden/logwarden/pkg/store"
)

// TablesAPI is what creating tables needs.
type TablesAPI interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// activeTimeout bounds the wait for a new table to become ACTIVE (AWS
// usually takes seconds for an on-demand table).
const activeTimeout = 5 * time.Minute

// CreateTables creates the state and threshold tables if they do not exist
// and waits until both are ACTIVE.
func CreateTables(ctx context.Context, api TablesAPI, stateTable, configTable string) error {
	if _, err := EnsureStateTable(ctx, api, stateTable); err != nil {
		return err
	}
	_, err := EnsureConfigTable(ctx, api, configTable)
	return err
}

// EnsureStateTable creates the state table (key pk S, on-demand) unless it
// exists, reporting whether it created it. TTL on expires_at is enabled by
// the deployment template, never here: dynalite cannot, and the processor
// must not need the permission.
func EnsureStateTable(ctx context.Context, api TablesAPI, name string) (bool, error) {
	return ensureTable(ctx, api, name, attrKey)
}

// EnsureConfigTable creates the threshold table (key id S, on-demand) unless
// it exists, reporting whether it created it.
func EnsureConfigTable(ctx context.Context, api TablesAPI, name string) (bool, error) {
	return ensureTable(ctx, api, name, store.KeyAttr)
}

func ensureTable(ctx context.Context, api TablesAPI, name, key string) (bool, error) {
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(key), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(key), KeyType: types.KeyTypeHash}},
	})
	var inUse *types.ResourceInUseException
	created := err == nil
	if err != nil && !errors.As(err, &inUse) {
		return false, fmt.Errorf("dynamodb CreateTable %s: %w", name, err)
	}
	out, err := dynamodb.NewTableExistsWaiter(api).WaitForOutput(ctx,
		&dynamodb.DescribeTableInput{TableName: aws.String(name)}, activeTimeout,
		func(o *dynamodb.TableExistsWaiterOptions) {
			o.MinDelay = 100 * time.Millisecond
			o.MaxDelay = 5 * time.Second
		})
	if err != nil {
		return created, fmt.Errorf("dynamodb table %s: wait for ACTIVE: %w", name, err)
	}
	if !created {
		if err := checkKeySchema(out.Table, key); err != nil {
			return false, fmt.Errorf("dynamodb table %s exists but %w", name, err)
		}
	}
	return created, nil
}

// checkKeySchema refuses an existing table logwarden could not use, rather
// than failing later on every write with a validation error.
func checkKeySchema(t *types.TableDescription, key string) error {
	if t == nil || len(t.KeySchema) != 1 || aws.ToString(t.KeySchema[0].AttributeName) != key || t.KeySchema[0].KeyType != types.KeyTypeHash {
		return fmt.Errorf("its key schema is not a single partition key %q (S)", key)
	}
	for _, d := range t.AttributeDefinitions {
		if aws.ToString(d.AttributeName) == key && d.AttributeType != types.ScalarAttributeTypeS {
			return fmt.Errorf("its key %q is of type %s, want S", key, d.AttributeType)
		}
	}
	return nil
}
