package handler

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/logwarden/logwarden/internal/batchgen"
)

// BenchmarkInvokeMaxBatch is the handler's own cost for a max-size direct
// subscription event (5,000 events, ~1.5 MB inflated): decode, classify,
// evaluate, state reads and writes on the in-memory store, delivery to a
// recording notifier. Each iteration is a new delivery (its own event ids)
// of the same traffic, as a warm container sees them.
func BenchmarkInvokeMaxBatch(b *testing.B) {
	f := newFixture(b)
	start := t0.Add(-5 * time.Minute).UnixMilli()
	events := make([][]byte, 8)
	for i := range events {
		events[i] = batchgen.Generate(batchgen.Options{Seed: uint64(i), StartMs: start}).Event
	}
	ctx := context.Background()
	_, err := f.h.Invoke(ctx, events[0]) // warm: thresholds loaded, baselines exist
	if err != nil {
		b.Fatal(err)
	}
	get, put := f.mem.Calls.Get, f.mem.Calls.Put
	var ms runtime.MemStats
	b.SetBytes(int64(len(events[0])))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.h.Invoke(ctx, events[1+i%(len(events)-1)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(f.mem.Calls.Get-get)/float64(b.N), "state-gets/op")
	b.ReportMetric(float64(f.mem.Calls.Put-put)/float64(b.N), "state-puts/op")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
}
