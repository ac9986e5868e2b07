// Package dynamo implements store.State and store.Config on DynamoDB through
// aws-sdk-go-v2. It uses only the item API dynalite also serves (no
// transactions, PartiQL or TTL changes), so tests run against dynalite and
// production against AWS with the same code; the endpoint comes from the
// SDK's own settings (AWS_ENDPOINT_URL_DYNAMODB).
package dynamo

import (
	"context"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// API is the part of the DynamoDB client the stores use.
type API interface {
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// maxAttempts is the SDK retryer's limit when the configuration sets none:
// the SDK default of 3 gives up too early when a burst of Lambda instances
// throttles an on-demand table that is still scaling.
const maxAttempts = 8

// NewClient returns a DynamoDB client for cfg that counts its requests in
// counter (nil: no counting) and retries throttling up to maxAttempts.
func NewClient(cfg aws.Config, counter *Counter, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	opts := []func(*dynamodb.Options){func(o *dynamodb.Options) {
		if cfg.RetryMaxAttempts == 0 && cfg.Retryer == nil {
			o.RetryMaxAttempts = maxAttempts
		}
		if counter != nil {
			o.APIOptions = append(o.APIOptions, counter.middleware)
		}
	}}
	return dynamodb.NewFromConfig(cfg, append(opts, optFns...)...)
}

// Counter counts DynamoDB requests per operation, so the pipeline can report
// (and tests can bound) the calls each batch costs. Calls counts API calls
// as the code makes them; Attempts counts HTTP attempts including the SDK's
// retries. It is safe for concurrent use.
type Counter struct {
	mu       sync.Mutex
	calls    map[string]int64
	attempts map[string]int64
}

// NewCounter returns a zeroed counter.
func NewCounter() *Counter {
	return &Counter{calls: map[string]int64{}, attempts: map[string]int64{}}
}

func (c *Counter) middleware(stack *middleware.Stack) error {
	op := stack.ID() // the operation name, e.g. "BatchGetItem"
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("logwardenCountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.add(c.calls, op)
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	if err != nil {
		return err
	}
	// Added last in Finalize, after the retry middleware, so it runs once per attempt.
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("logwardenCountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.add(c.attempts, op)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

func (c *Counter) add(m map[string]int64, op string) {
	c.mu.Lock()
	m[op]++
	c.mu.Unlock()
}

// Calls returns a copy of the API calls per operation.
func (c *Counter) Calls() map[string]int64 { return c.snapshot(c.calls) }

// Attempts returns a copy of the HTTP attempts (calls plus retries) per operation.
func (c *Counter) Attempts() map[string]int64 { return c.snapshot(c.attempts) }

// Total is the number of API calls over all operations.
func (c *Counter) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.calls {
		n += v
	}
	return n
}

// Reset zeroes the counter, e.g. at the start of a batch.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]int64{}
	c.attempts = map[string]int64{}
}

// Operations lists the operations seen, sorted, for stable reports.
func (c *Counter) Operations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := make([]string, 0, len(c.calls))
	for op := range c.calls {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

func (c *Counter) snapshot(m map[string]int64) map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
