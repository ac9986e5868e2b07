package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/dynamo"
	"github.com/logwarden/logwarden/pkg/store/storetest"
)

// client returns a DynamoDB client on the dynalite stand-in.
func client(t *testing.T, counter *dynamo.Counter) *dynamodb.Client {
	endpoint := testenv.Require(t, testenv.DynamoDB)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	return dynamo.NewClient(cfg, counter, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// tableName is unique per test so tests never see each other's items.
func tableName(t *testing.T, kind string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.NewReplacer("/", "-", " ", "-", "#", "-").Replace(t.Name())
	if len(name) > 180 {
		name = name[:180]
	}
	return "lw-" + kind + "-" + name + "-" + hex.EncodeToString(b)
}

func newState(t *testing.T, db *dynamodb.Client) *dynamo.State {
	name := tableName(t, "state")
	_, err := dynamo.EnsureStateTable(context.Background(), db, name)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}) })
	return dynamo.NewState(db, name)
}

func newConfig(t *testing.T, db *dynamodb.Client) *dynamo.Config {
	name := tableName(t, "config")
	_, err := dynamo.EnsureConfigTable(context.Background(), db, name)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}) })
	return dynamo.NewConfig(db, name)
}

func TestState(t *testing.T) {
	db := client(t, nil)
	storetest.Run(t, func(t *testing.T) store.State { return newState(t, db) })
}

func TestConfig(t *testing.T) {
	db := client(t, nil)
	storetest.RunConfig(t, func(t *testing.T) store.Config { return newConfig(t, db) })
}

// TestCallsPerBatch pins the cost contract: reads are batched (one call per
// 100 keys) and writes are one call per record, never per log line.
func TestCallsPerBatch(t *testing.T) {
	counter := dynamo.NewCounter()
	db := client(t, counter)
	s := newState(t, db)
	ctx := context.Background()

	recs := make([]store.Record, 150)
	keys := make([]string, 150)
	for i := range recs {
		keys[i] = "fn#" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + hex.EncodeToString([]byte{byte(i)})
		recs[i] = store.Record{Key: keys[i], Data: []byte{byte(i)}}
	}
	counter.Reset()
	_, err := s.Get(ctx, keys, storetest.Base)
	require.NoError(t, err)
	conflicts, err := s.Put(ctx, recs, storetest.Base)
	require.NoError(t, err)
	require.Empty(t, conflicts)
	require.Equal(t, map[string]int64{"BatchGetItem": 2, "PutItem": 150}, counter.Calls())
	require.Equal(t, int64(152), counter.Total())
	require.Equal(t, []string{"BatchGetItem", "PutItem"}, counter.Operations())
	require.GreaterOrEqual(t, counter.Attempts()["PutItem"], int64(150))
	t.Logf("DynamoDB calls for a 150-key read-modify-write batch: %v", counter.Calls())
}

func TestEnsureTableIsIdempotent(t *testing.T) {
	db := client(t, nil)
	ctx := context.Background()
	name := tableName(t, "state")
	t.Cleanup(func() { _, _ = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &name}) })

	created, err := dynamo.EnsureStateTable(ctx, db, name)
	require.NoError(t, err)
	require.True(t, created)
	created, err = dynamo.EnsureStateTable(ctx, db, name)
	require.NoError(t, err)
	require.False(t, created)

	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	require.NoError(t, err)
	require.Equal(t, types.BillingModePayPerRequest, desc.Table.BillingModeSummary.BillingMode)
	require.Equal(t, "pk", aws.ToString(desc.Table.KeySchema[0].AttributeName))

	_, err = dynamo.EnsureConfigTable(ctx, db, name)
	require.ErrorContains(t, err, `key schema is not a single partition key "id"`)
}

func TestCreateTables(t *testing.T) {
	db := client(t, nil)
	ctx := context.Background()
	st, cf := tableName(t, "state"), tableName(t, "config")
	t.Cleanup(func() {
		_, _ = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &st})
		_, _ = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &cf})
	})
	require.NoError(t, dynamo.CreateTables(ctx, db, st, cf))
	require.NoError(t, dynamo.CreateTables(ctx, db, st, cf), "second run is a no-op")
	c := dynamo.NewConfig(db, cf)
	require.NoError(t, c.PutItem(ctx, store.Item{ID: "defaults", Attrs: map[string]any{"memory_percent": 90.0}}))
}

// TestOperatorWrittenItems reads items shaped the way operators write them
// with the console or `aws dynamodb put-item`.
func TestOperatorWrittenItems(t *testing.T) {
	db := client(t, nil)
	c := newConfig(t, db)
	ctx := context.Background()
	put := func(item map[string]types.AttributeValue) {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.Table()), Item: item})
		require.NoError(t, err)
	}
	put(map[string]types.AttributeValue{
		"id":             &types.AttributeValueMemberS{Value: "function#api"},
		"memory_percent": &types.AttributeValueMemberN{Value: "85"},
		"allow_cidrs":    &types.AttributeValueMemberSS{Value: []string{"10.0.0.0/8"}},
		"muted_until":    &types.AttributeValueMemberNULL{Value: true},
	})
	it, ok, err := c.GetItem(ctx, "function#api")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, map[string]any{"memory_percent": 85.0, "allow_cidrs": []string{"10.0.0.0/8"}}, it.Attrs)

	put(map[string]types.AttributeValue{
		"id":    &types.AttributeValueMemberS{Value: "function#bad"},
		"ports": &types.AttributeValueMemberNS{Value: []string{"1"}},
	})
	_, err = c.ListItems(ctx)
	require.ErrorContains(t, err, `item "function#bad" attribute "ports": NS values are not supported`)
}
