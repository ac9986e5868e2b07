package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
)

var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func newProc(st store.State) *Processor {
	return &Processor{Parser: logline.Default(), State: st, Thresholds: &ThresholdCache{}}
}

// reportBatch is one batch of n warm REPORT lines of fn, with unique ids.
func reportBatch(fn string, seq, n int, ms float64) *cwlogs.Batch {
	b := &cwlogs.Batch{MessageType: cwlogs.DataMessage, Owner: "123456789012", LogGroup: "/aws/lambda/" + fn,
		LogStream: "2026/03/02/[$LATEST]0123456789abcdef0123456789abcdef"}
	for i := 0; i < n; i++ {
		ts := t0.Add(time.Duration(seq*n+i) * time.Second)
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{
			ID:        fmt.Sprintf("%056d", seq*1000+i),
			Timestamp: ts.UnixMilli(),
			Message: fmt.Sprintf("REPORT RequestId: %08d-0000-4000-8000-000000000000\tDuration: %.2f ms\tBilled Duration: %.0f ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t\n",
				seq*1000+i, ms, ms+1),
		})
	}
	return b
}

// bruteBatch is n failed logins from one IP.
func bruteBatch(seq, n int) *cwlogs.Batch {
	b := &cwlogs.Batch{MessageType: cwlogs.DataMessage, LogGroup: "/aws/lambda/login", LogStream: "s"}
	for i := 0; i < n; i++ {
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{
			ID:        fmt.Sprintf("%056d", 900000+seq*100+i),
			Timestamp: t0.Add(time.Duration(seq*n+i) * time.Second).UnixMilli(),
			Message:   fmt.Sprintf(`{"level":"warn","msg":"login failed","user":"user%d","ip":"203.0.113.9"}`, i%3),
		})
	}
	return b
}

func warmCount(t *testing.T, st store.State, fn string) int {
	t.Helper()
	recs, err := st.Get(context.Background(), []string{detect.FunctionKey(fn)}, t0)
	require.NoError(t, err)
	v, err := detect.DescribeBaseline(recs[detect.FunctionKey(fn)].Data)
	require.NoError(t, err)
	return v.WarmCount + v.ColdStarts
}

func TestSameBatchTwiceCountsOnce(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	p := newProc(st)
	b := bruteBatch(0, 12)
	first, err := p.Process(ctx, b, t0)
	require.NoError(t, err)
	require.NotEmpty(t, first.Alerts, "12 failures from one IP in 12 s is a brute force")

	before, err := st.List(ctx, "", t0)
	require.NoError(t, err)
	again, err := p.Process(ctx, b, t0)
	require.NoError(t, err)
	require.Empty(t, again.Alerts, "a redelivered batch must not alert again")
	require.Zero(t, again.KeysWritten, "a redelivered batch must not change state")
	after, err := st.List(ctx, "", t0)
	require.NoError(t, err)
	require.Equal(t, before, after)
}

func TestConcurrentProcessorsLoseNoUpdate(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	const workers, batches, per = 8, 40, 5
	var wg sync.WaitGroup
	errs := make(chan error, batches)
	next := make(chan int, batches)
	for i := 0; i < batches; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newProc(st) // one per container
			p.MaxAttempts = 100
			for seq := range next {
				if _, err := p.Process(ctx, reportBatch("orders", seq, per, 100), t0); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, batches*per, warmCount(t, st, "orders"), "every REPORT of every batch is counted exactly once")
}

// racingState lets another writer update the same records just before the
// first Put, forcing the conflict path deterministically.
type racingState struct {
	store.State
	once  sync.Once
	other func()
}

func (r *racingState) Put(ctx context.Context, recs []store.Record, now time.Time) ([]string, error) {
	r.once.Do(r.other)
	return r.State.Put(ctx, recs, now)
}

func TestLostRaceIsRetriedAndItsAlertsComeFromFreshState(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	rs := &racingState{State: mem}
	rs.other = func() {
		_, err := newProc(mem).Process(ctx, reportBatch("orders", 1, 5, 100), t0)
		require.NoError(t, err)
	}
	res, err := newProc(rs).Process(ctx, reportBatch("orders", 2, 5, 100), t0)
	require.NoError(t, err)
	require.Positive(t, res.Conflicts)
	require.Equal(t, 2, res.Attempts)
	require.Equal(t, 10, warmCount(t, mem, "orders"))
}

type failingState struct{ store.State }

func (failingState) Get(context.Context, []string, time.Time) (map[string]store.Record, error) {
	return nil, errors.New("dynamodb: service unavailable")
}

func TestStoreFailureIsReturned(t *testing.T) {
	_, err := newProc(failingState{store.NewMemory()}).Process(context.Background(), reportBatch("orders", 0, 1, 100), t0)
	require.ErrorContains(t, err, "read state")
}

func TestControlMessagesAndOwnGroupAreSkipped(t *testing.T) {
	st := store.NewMemory()
	p := newProc(st)
	p.SkipLogGroups = map[string]bool{"/aws/lambda/logwarden-processor": true}
	ctl := &cwlogs.Batch{MessageType: cwlogs.ControlMessage, LogEvents: []cwlogs.LogEvent{{Message: "CWL CONTROL MESSAGE: Checking health of destination Firehose."}}}
	own := reportBatch("logwarden-processor", 0, 3, 100)
	for _, b := range []*cwlogs.Batch{ctl, own} {
		res, err := p.Process(context.Background(), b, t0)
		require.NoError(t, err)
		require.True(t, res.Skipped)
	}
	require.Zero(t, st.Calls.Get+st.Calls.Put)
}

func TestBatchIDDependsOnContent(t *testing.T) {
	a, b := reportBatch("orders", 0, 3, 100), reportBatch("orders", 0, 3, 100)
	require.Equal(t, BatchID(a), BatchID(b))
	b.LogStream = "other"
	require.NotEqual(t, BatchID(a), BatchID(b))
	c := reportBatch("orders", 1, 3, 100)
	require.NotEqual(t, BatchID(a), BatchID(c))
}

type countingConfig struct {
	store.Config
	calls int
	fail  bool
}

func (c *countingConfig) ListItems(ctx context.Context) ([]store.Item, error) {
	c.calls++
	if c.fail {
		return nil, errors.New("throttled")
	}
	return c.Config.ListItems(ctx)
}

func TestThresholdCacheReloadsAndKeepsLastGood(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	require.NoError(t, mem.PutItem(ctx, store.Item{ID: "function#orders", Attrs: map[string]any{"duration_ratio": 4.0}}))
	cfg := &countingConfig{Config: mem}
	var invalid []error
	c := &ThresholdCache{Config: cfg, AllowCIDRs: []string{"10.0.0.0/8"}, OnInvalid: func(err error) { invalid = append(invalid, err) }}

	th, err := c.For(ctx, "orders", "/aws/lambda/orders", t0)
	require.NoError(t, err)
	require.Equal(t, 4.0, th.DurationRatio)
	require.Contains(t, th.AllowCIDRs, "10.0.0.0/8")

	// An edit is seen after the reload interval, not before.
	require.NoError(t, mem.PutItem(ctx, store.Item{ID: "function#orders", Attrs: map[string]any{"duration_ratio": 5.0}}))
	th, _ = c.For(ctx, "orders", "/aws/lambda/orders", t0.Add(30*time.Second))
	require.Equal(t, 4.0, th.DurationRatio)
	th, _ = c.For(ctx, "orders", "/aws/lambda/orders", t0.Add(61*time.Second))
	require.Equal(t, 5.0, th.DurationRatio)
	require.Equal(t, 2, cfg.calls)

	// The table unreachable: keep the last good thresholds, say so.
	cfg.fail = true
	th, err = c.For(ctx, "orders", "/aws/lambda/orders", t0.Add(3*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 5.0, th.DurationRatio)
	require.Len(t, invalid, 1)

	// A bad item is reported and ignored; the others still apply.
	cfg.fail = false
	require.NoError(t, mem.PutItem(ctx, store.Item{ID: "function#billing", Attrs: map[string]any{"duration_ratio": 0.5}}))
	th, err = c.For(ctx, "orders", "/aws/lambda/orders", t0.Add(5*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 5.0, th.DurationRatio)
	require.Len(t, invalid, 2)
	require.ErrorContains(t, invalid[1], "function#billing")
}
