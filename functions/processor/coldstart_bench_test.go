package main

import (
	"fmt"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/batchgen"
	"github.com/logwarden/logwarden/internal/testenv"
)

// BenchmarkColdStart measures what issue #13 asks of the deployed
// bootstrap, built as `make lambda` builds it (for this machine's
// architecture) and run under the Runtime Interface Emulator against
// dynalite: the time from starting the emulator to the first response
// (a 100-event delivery), a warm max-size delivery, and the bootstrap's
// peak resident memory after it. Run with
//
//	.ci/standins.sh go test -run '^$' -bench ColdStart -benchtime 5x ./functions/processor
//
// It is never a test: timings are reported, not asserted. BENCH_BOOTSTRAP
// names another bootstrap to measure (e.g. one built from an older commit).
func BenchmarkColdStart(b *testing.B) {
	rie := testenv.Require(b, testenv.RIE)
	ddbURL := testenv.Require(b, testenv.DynamoDB)
	bootstrap := os.Getenv("BENCH_BOOTSTRAP")
	if bootstrap == "" {
		bootstrap = buildBootstrap(b)
	}
	stateTable, configTable, _ := tables(b, ddbURL)
	env := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_DYNAMODB=" + ddbURL, "AWS_LAMBDA_FUNCTION_NAME=logwarden-processor",
		"LOGWARDEN_STATE_TABLE=" + stateTable, "LOGWARDEN_CONFIG_TABLE=" + configTable,
	}
	start := time.Now().Add(-10 * time.Minute).UnixMilli()
	small := batchgen.Mix(batchgen.Options{Events: 100, Seed: 1, StartMs: start}).Event
	var first, warm []float64
	var rss int64
	for i := 0; i < b.N; i++ {
		e := startRIE(b, rie, bootstrap, env)
		body, _ := e.invoke(b, small)
		first = append(first, ms(time.Since(e.started)))
		require.NotContains(b, string(body), "errorMessage", "%s", body)
		max := batchgen.Mix(batchgen.Options{Seed: uint64(100 + i), StartMs: start})
		body, took := e.invoke(b, max.Event)
		require.NotContains(b, string(body), "errorMessage", "%s", body)
		warm = append(warm, ms(took))
		rss = e.bootstrapPeakRSS()
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		_ = e.cmd.Wait()
	}
	b.ReportMetric(median(first), "ms-start-to-first-response")
	b.ReportMetric(median(warm), "ms-max-batch")
	b.ReportMetric(float64(rss)/(1<<20), "MiB-peak-RSS")
	b.Logf("start to first response (ms): %v; max batch (ms): %v", fmtMs(first), fmtMs(warm))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func fmtMs(v []float64) string {
	out := ""
	for i, x := range v {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%.0f", x)
	}
	return out
}
