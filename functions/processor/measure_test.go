package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/batchgen"
)

// TestMeasureMaxBatchUnderRIE logs (never asserts) what a max-size batch
// costs the deployed bootstrap: cold start to first response, warm
// invocation time, DynamoDB calls as counted on the wire, and the
// bootstrap's peak resident memory. The numbers feed deploy/README's cost
// arithmetic; run it with -v.
func TestMeasureMaxBatchUnderRIE(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	s := startStack(t)
	start := time.Now().Add(-10 * time.Minute).UnixMilli()
	batch := func(seed uint64) batchgen.Batch {
		return batchgen.Generate(batchgen.Options{Seed: seed, StartMs: start})
	}
	first := batch(1)
	t.Logf("max batch: %d events, %d bytes inflated, %d bytes gzip, %d bytes event",
		len(first.Messages), len(first.Document), len(first.Gzip), len(first.Event))

	for i, seed := range []uint64{1, 2, 3, 4} {
		b := batch(seed)
		s.ddb.reset()
		body, took := s.rie.invoke(t, b.Event)
		require.NotContains(t, string(body), "errorMessage", "%s", body)
		calls := s.ddb.reset()
		label := "warm"
		if i == 0 {
			label = fmt.Sprintf("cold (%v from starting the emulator)", time.Since(s.rie.started).Round(time.Millisecond))
		}
		t.Logf("invoke %d %s: %v, DynamoDB %s; response %s", i+1, label, took.Round(100*time.Microsecond), fmtCalls(calls), body)
	}
	small := fixtures(t)["quiet.json"][0]
	_, took := s.rie.invoke(t, small)
	t.Logf("warm small batch (quiet.json, 94 events): %v", took.Round(100*time.Microsecond))
	if rss := s.rie.bootstrapPeakRSS(); rss > 0 {
		t.Logf("bootstrap peak RSS (VmHWM): %.1f MiB", float64(rss)/(1<<20))
	}
}

func fmtCalls(calls map[string]int) string {
	total := 0
	parts := make([]string, 0, len(calls))
	for op, n := range calls {
		total += n
		parts = append(parts, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d calls (%s)", total, strings.Join(parts, " "))
}
