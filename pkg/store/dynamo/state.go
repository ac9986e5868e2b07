package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/logwarden/logwarden/internal/wait"
	"github.com/logwarden/logwarden/pkg/store"
)

// Attribute names of the state table; the deployment template declares the
// same key and TTL attribute.
const (
	attrKey     = "pk"
	attrVersion = "v"
	attrData    = "d"
	attrExpires = "expires_at"
)

const (
	// batchGetMax is BatchGetItem's per-call key limit.
	batchGetMax = 100
	// putConcurrency bounds the parallel conditional PutItems of one Put: a
	// batch touching 50 keys should not be 50 sequential round trips, nor
	// 50 connections at once.
	putConcurrency = 8
	// maxDataBytes keeps an item under DynamoDB's 400 KB limit, leaving room
	// for the key and the other attributes.
	maxDataBytes = 400*1024 - 2048
	// unprocessedRetries bounds the BatchGetItem retries of UnprocessedKeys
	// (returned when DynamoDB throttles part of a batch or hits 16 MB).
	unprocessedRetries = 8
)

// State is a store.State on a DynamoDB table keyed by pk (S).
type State struct {
	api   API
	table string
	// backoff is the first wait before retrying unprocessed keys; it doubles.
	backoff time.Duration
}

var _ store.State = (*State)(nil)

// NewState returns the state store on table.
func NewState(api API, table string) *State {
	return &State{api: api, table: table, backoff: 50 * time.Millisecond}
}

// Table is the state table's name.
func (s *State) Table() string { return s.table }

// Get implements store.State with consistent BatchGetItem reads, 100 keys a
// call, dropping expired items (TTL deletes them only eventually).
func (s *State) Get(ctx context.Context, keys []string, now time.Time) (map[string]store.Record, error) {
	uniq := dedupe(keys)
	out := make(map[string]store.Record, len(uniq))
	for start := 0; start < len(uniq); start += batchGetMax {
		chunk := uniq[start:min(start+batchGetMax, len(uniq))]
		if err := s.batchGet(ctx, chunk, now, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *State) batchGet(ctx context.Context, keys []string, now time.Time, out map[string]store.Record) error {
	req := make([]map[string]types.AttributeValue, len(keys))
	for i, k := range keys {
		req[i] = map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: k}}
	}
	delay := s.backoff
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt > unprocessedRetries {
			return fmt.Errorf("dynamodb BatchGetItem %s: %d keys still unprocessed after %d retries", s.table, len(req), unprocessedRetries)
		}
		if attempt > 0 {
			if err := wait.Sleep(ctx, delay); err != nil {
				return fmt.Errorf("dynamodb BatchGetItem %s: %w", s.table, err)
			}
			delay = min(2*delay, 5*time.Second)
		}
		res, err := s.api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			s.table: {Keys: req, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return fmt.Errorf("dynamodb BatchGetItem %s: %w", s.table, err)
		}
		for _, item := range res.Responses[s.table] {
			rec, expires, err := decodeRecord(item)
			if err != nil {
				return fmt.Errorf("dynamodb BatchGetItem %s: %w", s.table, err)
			}
			if store.LiveAt(expires, now) {
				out[rec.Key] = rec
			}
		}
		req = res.UnprocessedKeys[s.table].Keys
	}
	return nil
}

// Put implements store.State: one conditional PutItem per record, at most
// putConcurrency in flight.
func (s *State) Put(ctx context.Context, recs []store.Record, now time.Time) ([]string, error) {
	if err := store.CheckPut(recs); err != nil {
		return nil, err
	}
	var (
		mu        sync.Mutex
		conflicts []string
		failed    []string
		errs      []error
		wg        sync.WaitGroup
		sem       = make(chan struct{}, putConcurrency)
	)
	for _, rec := range recs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ok, err := s.put(ctx, rec, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
				failed = append(failed, rec.Key)
			case !ok:
				conflicts = append(conflicts, rec.Key)
			}
		}()
	}
	wg.Wait()
	sort.Strings(conflicts)
	if len(errs) > 0 {
		sort.Strings(failed)
		return conflicts, &store.PartialError{Failed: failed, Err: errors.Join(errs...)}
	}
	return conflicts, nil
}

// put writes one record; false means its condition failed.
func (s *State) put(ctx context.Context, rec store.Record, now time.Time) (bool, error) {
	if len(rec.Data) > maxDataBytes {
		return false, fmt.Errorf("dynamodb PutItem %s key %q: %d bytes of data exceed the %d byte item budget", s.table, rec.Key, len(rec.Data), maxDataBytes)
	}
	item := encodeRecord(rec.Key, rec.Version+1, rec.Data, store.ExpiresAt(rec.Expires))
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if rec.Version == 0 {
		absentOrExpired(in, now)
	} else {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": attrVersion}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": number(rec.Version)}
	}
	return s.conditionalPut(ctx, in, rec.Key)
}

// absentOrExpired sets the create condition: DynamoDB still returns expired
// items until TTL deletes them (up to days later), so an expired item
// counts as absent, as it does for readers.
func absentOrExpired(in *dynamodb.PutItemInput, now time.Time) {
	in.ConditionExpression = aws.String("attribute_not_exists(#pk) OR #exp <= :now")
	in.ExpressionAttributeNames = map[string]string{"#pk": attrKey, "#exp": attrExpires}
	in.ExpressionAttributeValues = map[string]types.AttributeValue{":now": number(now.Unix())}
}

func (s *State) conditionalPut(ctx context.Context, in *dynamodb.PutItemInput, key string) (bool, error) {
	_, err := s.api.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dynamodb PutItem %s key %q: %w", s.table, key, err)
	}
	return true, nil
}

// Claim implements store.State with a conditional PutItem.
func (s *State) Claim(ctx context.Context, key string, now, until time.Time) (bool, error) {
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: encodeRecord(key, 1, nil, store.ExpiresAt(until))}
	absentOrExpired(in, now)
	return s.conditionalPut(ctx, in, key)
}

// Delete implements store.State.
func (s *State) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: key}},
	})
	if err != nil {
		return fmt.Errorf("dynamodb DeleteItem %s key %q: %w", s.table, key, err)
	}
	return nil
}

// List implements store.State with a paginated, consistent Scan. It reads
// the whole table, so it is for the CLI only.
func (s *State) List(ctx context.Context, prefix string, now time.Time) ([]store.Record, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true)}
	if prefix != "" {
		in.FilterExpression = aws.String("begins_with(#pk, :p)")
		in.ExpressionAttributeNames = map[string]string{"#pk": attrKey}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: prefix}}
	}
	var out []store.Record
	pages := dynamodb.NewScanPaginator(s.api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamodb Scan %s prefix %q: %w", s.table, prefix, err)
		}
		for _, item := range page.Items {
			rec, expires, err := decodeRecord(item)
			if err != nil {
				return nil, fmt.Errorf("dynamodb Scan %s: %w", s.table, err)
			}
			if store.LiveAt(expires, now) && strings.HasPrefix(rec.Key, prefix) {
				out = append(out, rec)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func encodeRecord(key string, version int64, data []byte, expires int64) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		attrKey:     &types.AttributeValueMemberS{Value: key},
		attrVersion: number(version),
	}
	if len(data) > 0 {
		item[attrData] = &types.AttributeValueMemberB{Value: data}
	}
	if expires != 0 {
		item[attrExpires] = number(expires)
	}
	return item
}

func decodeRecord(item map[string]types.AttributeValue) (store.Record, int64, error) {
	k, ok := item[attrKey].(*types.AttributeValueMemberS)
	if !ok {
		return store.Record{}, 0, fmt.Errorf("item without a string %s", attrKey)
	}
	rec := store.Record{Key: k.Value}
	var err error
	if rec.Version, err = intAttr(item, attrVersion); err != nil {
		return store.Record{}, 0, fmt.Errorf("item %q: %w", k.Value, err)
	}
	expires, err := intAttr(item, attrExpires)
	if err != nil {
		return store.Record{}, 0, fmt.Errorf("item %q: %w", k.Value, err)
	}
	rec.Expires = store.ExpiryTime(expires)
	if d, ok := item[attrData].(*types.AttributeValueMemberB); ok {
		rec.Data = d.Value
	}
	return rec, expires, nil
}

// intAttr reads an optional N attribute (absent: 0).
func intAttr(item map[string]types.AttributeValue, name string) (int64, error) {
	av, ok := item[name]
	if !ok {
		return 0, nil
	}
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s is %T, want a number", name, av)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		// A TTL written by hand may carry a fraction; whole seconds suffice.
		f, ferr := strconv.ParseFloat(n.Value, 64)
		if ferr != nil {
			return 0, fmt.Errorf("attribute %s: %w", name, err)
		}
		v = int64(f)
	}
	return v, nil
}

func number(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func dedupe(keys []string) []string {
	seen := make(map[string]struct{}, len(keys))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if _, dup := seen[k]; !dup {
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}
