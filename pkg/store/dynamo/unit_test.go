package dynamo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/store"
)

// fakeAPI answers BatchGetItem from items, leaving the first `defer` keys
// of each of the first `throttled` calls unprocessed, as DynamoDB does when
// part of a batch is throttled.
type fakeAPI struct {
	API
	items     map[string]map[string]types.AttributeValue
	throttled int
	calls     []int // keys per call
	err       error
}

func (f *fakeAPI) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	var table string
	var req types.KeysAndAttributes
	for table, req = range in.RequestItems {
	}
	f.calls = append(f.calls, len(req.Keys))
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	keys := req.Keys
	if f.throttled > 0 {
		f.throttled--
		half := (len(keys) + 1) / 2
		out.UnprocessedKeys = map[string]types.KeysAndAttributes{table: {Keys: keys[:half]}}
		keys = keys[half:]
	}
	for _, k := range keys {
		if item, ok := f.items[k[attrKey].(*types.AttributeValueMemberS).Value]; ok {
			out.Responses[table] = append(out.Responses[table], item)
		}
	}
	return out, nil
}

func TestGetRetriesUnprocessedKeys(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	items := map[string]map[string]types.AttributeValue{}
	var keys []string
	for _, k := range []string{"a", "b", "c", "d", "expired"} {
		exp := int64(0)
		if k == "expired" {
			exp = now.Unix()
		}
		items[k] = encodeRecord(k, 3, []byte(k), exp)
		keys = append(keys, k)
	}
	f := &fakeAPI{items: items, throttled: 2}
	s := NewState(f, "t")
	s.backoff = time.Millisecond
	got, err := s.Get(context.Background(), append(keys, "missing", "a"), now)
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Equal(t, []byte("c"), got["c"].Data)
	require.Equal(t, int64(3), got["c"].Version)
	require.Equal(t, []int{6, 3, 2}, f.calls, "the duplicate key is sent once; unprocessed halves are retried")
}

func TestGetGivesUpOnPersistentThrottling(t *testing.T) {
	f := &fakeAPI{items: map[string]map[string]types.AttributeValue{}, throttled: 1000}
	s := NewState(f, "t")
	s.backoff = time.Microsecond
	_, err := s.Get(context.Background(), []string{"a", "b", "c", "d"}, time.Now())
	require.ErrorContains(t, err, "dynamodb BatchGetItem t:")
	require.ErrorContains(t, err, "still unprocessed")
}

func TestGetWrapsErrors(t *testing.T) {
	s := NewState(&fakeAPI{err: errors.New("boom")}, "state-table")
	_, err := s.Get(context.Background(), []string{"a"}, time.Now())
	require.EqualError(t, err, "dynamodb BatchGetItem state-table: boom")
}

func TestValueMapping(t *testing.T) {
	tests := []struct {
		name string
		av   types.AttributeValue
		want any
		err  string
	}{
		{"string", &types.AttributeValueMemberS{Value: "15m"}, "15m", ""},
		{"number", &types.AttributeValueMemberN{Value: "0.5"}, 0.5, ""},
		{"bool", &types.AttributeValueMemberBOOL{Value: true}, true, ""},
		{"string set", &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, []string{"a", "b"}, ""},
		{"list", &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}}}, []string{"x"}, ""},
		{"map", &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"timeout": &types.AttributeValueMemberS{Value: "1h"}, "n": &types.AttributeValueMemberNULL{Value: true},
		}}, map[string]any{"timeout": "1h"}, ""},
		{"list of numbers", &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "1"}}}, nil, "list element 0 is N"},
		{"binary", &types.AttributeValueMemberB{Value: []byte("x")}, nil, "B values are not supported"},
		{"huge number", &types.AttributeValueMemberN{Value: "1e400"}, nil, "out of range"},
	}
	for _, tc := range tests {
		got, err := unmarshalValue(tc.av)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
		back, err := marshalValue(got)
		require.NoError(t, err, tc.name)
		again, err := unmarshalValue(back)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, again, tc.name)
	}
}

// failingPuts fails the PutItem of chosen keys with a 500 and the
// condition of others, writing the rest.
type failingPuts struct {
	API
	fail, conflict map[string]bool
	written        []string
}

func (f *failingPuts) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	k := in.Item[attrKey].(*types.AttributeValueMemberS).Value
	switch {
	case f.fail[k]:
		return nil, errors.New("InternalServerError: injected")
	case f.conflict[k]:
		return nil, &types.ConditionalCheckFailedException{}
	}
	f.written = append(f.written, k)
	return &dynamodb.PutItemOutput{}, nil
}

// TestPutNamesTheKeysItCouldNotWrite pins that a Put whose writes partly
// fail says which keys failed (store.PartialError), so the pipeline can
// still send the alerts of the records that were written.
func TestPutNamesTheKeysItCouldNotWrite(t *testing.T) {
	api := &failingPuts{fail: map[string]bool{"user#a": true}, conflict: map[string]bool{"ip#b": true}}
	s := NewState(api, "t")
	conflicts, err := s.Put(context.Background(), []store.Record{{Key: "user#a"}, {Key: "ip#b"}, {Key: "fn#c"}, {Key: "tally#d"}}, time.Now())
	require.Equal(t, []string{"ip#b"}, conflicts)
	failed, partial := store.FailedKeys(err)
	require.True(t, partial, "%v", err)
	require.Equal(t, []string{"user#a"}, failed)
	require.ElementsMatch(t, []string{"fn#c", "tally#d"}, api.written)
	require.ErrorContains(t, err, "injected")
}
