package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/batchgen"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

// countingState counts the DynamoDB requests a store.State makes, as the
// DynamoDB implementation issues them: a BatchGetItem per 100 keys read,
// one conditional PutItem per record written. Bytes are counted too, for
// capacity units: a read unit per 4 KB of each item read (strongly
// consistent), a write unit per 1 KB of each item written.
type countingState struct {
	store.State
	mu                    sync.Mutex
	reads, writes         int
	readUnits, writeUnits int
	largest               int
	largestKey            string
}

func (c *countingState) Get(ctx context.Context, keys []string, now time.Time) (map[string]store.Record, error) {
	got, err := c.State.Get(ctx, keys, now)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads += (len(keys) + 99) / 100
	for _, r := range got {
		c.readUnits += (len(r.Key) + len(r.Data) + 64 + 4095) / 4096
	}
	return got, err
}

func (c *countingState) Put(ctx context.Context, recs []store.Record, now time.Time) ([]string, error) {
	c.mu.Lock()
	c.writes += len(recs)
	for _, r := range recs {
		size := len(r.Key) + len(r.Data) + 64
		c.writeUnits += (size + 1023) / 1024
		if size > c.largest {
			c.largest, c.largestKey = size, r.Key
		}
	}
	c.mu.Unlock()
	return c.State.Put(ctx, recs, now)
}

// decodeMax is batchgen's max batch decoded, for a given seed and start.
func decodeMax(t testing.TB, seed uint64, startMs int64) *cwlogs.Batch {
	g := batchgen.Generate(batchgen.Options{Seed: seed, StartMs: startMs})
	var out []cwlogs.Batch
	errs := cwlogs.Decode("max", g.Document, cwlogs.Limits{}, func(b cwlogs.Batch) { out = append(out, b) })
	require.Empty(t, errs)
	require.Len(t, out, 1)
	return &out[0]
}

// reportOnly keeps a batch's REPORT lines only.
func reportOnly(b *cwlogs.Batch) *cwlogs.Batch {
	out := *b
	out.LogEvents = nil
	for _, ev := range b.LogEvents {
		if len(ev.Message) > 7 && ev.Message[:7] == "REPORT " {
			out.LogEvents = append(out.LogEvents, ev)
		}
	}
	return &out
}

// TestMaxBatchStoreRequests pins the DynamoDB requests of a max batch in
// steady state (the function's records exist): the auth-heavy mix within
// issue #9's 20 writes and 5 reads, a REPORT-only batch 1 read.
func TestMaxBatchStoreRequests(t *testing.T) {
	ctx := context.Background()
	c := &countingState{State: store.NewMemory()}
	p := newProc(c)
	start := int64(1718645035000)
	for i := range 3 { // warm up: the records exist, as in steady state
		_, err := p.Process(ctx, decodeMax(t, uint64(i+1), start+int64(i)*300_000), time.UnixMilli(start))
		require.NoError(t, err)
	}
	*c = countingState{State: c.State}
	res, err := p.Process(ctx, decodeMax(t, 9, start+900_000), time.UnixMilli(start))
	require.NoError(t, err)
	t.Logf("auth-heavy max batch: %d events, %d reads, %d writes, %d RCU, %d WCU, largest item %d B (%s)",
		res.Events, c.reads, c.writes, c.readUnits, c.writeUnits, c.largest, c.largestKey)
	require.LessOrEqual(t, c.reads, 5)
	require.LessOrEqual(t, c.writes, 20)

	*c = countingState{State: c.State}
	res, err = p.Process(ctx, reportOnly(decodeMax(t, 10, start+1_200_000)), time.UnixMilli(start))
	require.NoError(t, err)
	t.Logf("REPORT-only batch: %d events, %d reads, %d writes, %d RCU, %d WCU", res.Events, c.reads, c.writes, c.readUnits, c.writeUnits)
	require.Equal(t, 1, c.reads)
	require.Equal(t, 2, c.writes, "the function record and the stream's seen record")
}

// TestMaxBatchStoreRequestsWhenSprayed pins the worst case of the spray
// view (detect/spray.go): every failing address of an auth-heavy max batch
// failed on another function just before, so each is a candidate for its
// block# by the account-wide count; the batch still makes at most 5 reads
// and 20 writes (the promotions are capped), and the shards it writes stay
// a few KB.
func TestMaxBatchStoreRequestsWhenSprayed(t *testing.T) {
	ctx := context.Background()
	c := &countingState{State: store.NewMemory()}
	p := newProc(c)
	start := int64(1718645035000)
	for i := range 3 {
		_, err := p.Process(ctx, decodeMax(t, uint64(i+1), start+int64(i)*300_000), time.UnixMilli(start))
		require.NoError(t, err)
	}
	// The same traffic on three other functions, a minute earlier.
	for _, fn := range []string{"a", "b", "c"} {
		other := *decodeMax(t, 9, start+840_000)
		other.LogGroup = "/aws/lambda/other-" + fn
		_, err := p.Process(ctx, &other, time.UnixMilli(start))
		require.NoError(t, err)
	}
	*c = countingState{State: c.State}
	res, err := p.Process(ctx, decodeMax(t, 9, start+900_000), time.UnixMilli(start))
	require.NoError(t, err)
	t.Logf("sprayed auth-heavy max batch: %d events, %d reads, %d writes, %d RCU, %d WCU",
		res.Events, c.reads, c.writes, c.readUnits, c.writeUnits)
	require.LessOrEqual(t, c.reads, 5)
	require.LessOrEqual(t, c.writes, 20)
	shards := 0
	for n := range 4 {
		got, err := c.State.Get(ctx, []string{detect.SprayKey(n)}, time.UnixMilli(start))
		require.NoError(t, err)
		if r, ok := got[detect.SprayKey(n)]; ok {
			shards++
			require.Less(t, len(r.Data), 16<<10, "a hot item stays a few KB")
			t.Logf("%s: %d B", r.Key, len(r.Data))
		}
	}
	require.Equal(t, 4, shards)
}

// BenchmarkMaxBatchStoreCalls processes fresh auth-heavy max batches of one
// function (a new delivery each time, the function's records existing) and
// reports the DynamoDB requests and capacity units per batch: the figures
// of deploy/README's cost table.
func BenchmarkMaxBatchStoreCalls(b *testing.B) {
	ctx := context.Background()
	c := &countingState{State: store.NewMemory()}
	p := newProc(c)
	start := int64(1718645035000)
	const pool = 14 // batches 5 minutes apart: the auth windows hold several
	batches := make([]*cwlogs.Batch, pool)
	for i := range batches {
		batches[i] = decodeMax(b, uint64(i+1), start+int64(i)*300_000)
	}
	for _, bt := range batches[:2] {
		if _, err := p.Process(ctx, bt, time.UnixMilli(start)); err != nil {
			b.Fatal(err)
		}
	}
	*c = countingState{State: c.State}
	n := 0
	for b.Loop() {
		// Past the pool, the same traffic again a day later: new events.
		bt := *batches[2+n%(pool-2)]
		day := int64(n/(pool-2)) * 86_400_000
		bt.LogStream = fmt.Sprintf("%s-%d", bt.LogStream, n)
		bt.LogEvents = slices.Clone(bt.LogEvents)
		for i := range bt.LogEvents {
			bt.LogEvents[i].Timestamp += day
		}
		if _, err := p.Process(ctx, &bt, time.UnixMilli(start+day)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(c.reads)/float64(n), "reads/batch")
	b.ReportMetric(float64(c.writes)/float64(n), "writes/batch")
	b.ReportMetric(float64(c.readUnits)/float64(n), "RCU/batch")
	b.ReportMetric(float64(c.writeUnits)/float64(n), "WCU/batch")
}
