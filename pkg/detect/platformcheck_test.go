package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

// parsed classifies a raw log line the way the pipeline does.
func parsed(at time.Time, line string) Observation {
	return Observation{Time: at, LogGroup: "/aws/lambda/fn", LogStream: stream, Event: logline.Default().Parse(line)}
}

func genuineReport(at time.Time, id string, memMB int, durMs float64) Observation {
	return parsed(at, fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.0f ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t\n",
		id, durMs, durMs+1, memMB, memMB/4))
}

// history feeds 100 genuine invocations of a 1024 MB, ~200 ms function.
func history(r *runner) time.Time {
	at := t0
	for i := range 10 {
		var obs []Observation
		for j := range 10 {
			obs = append(obs, genuineReport(at, fmt.Sprintf("g-%d-%d", i, j), 1024, 180+float64((i*7+j*13)%40)))
			at = at.Add(20 * time.Second)
		}
		require.Empty(r.t, r.feed("fn", obs))
	}
	return at
}

// TestForgedPlatformLinesRaiseNothing pins #8.5: after 100 genuine
// invocations, lines the application prints that look like Lambda's own
// (text and JSON) contradict the function's history and raise no alert,
// whether they arrive among genuine lines or alone in a delivery.
func TestForgedPlatformLinesRaiseNothing(t *testing.T) {
	forged := []string{
		"REPORT RequestId: 0b9a6f0e-1111-2222-3333-444455556666\tDuration: 899999.00 ms\tBilled Duration: 900000 ms\tMemory Size: 10240 MB\tMax Memory Used: 10240 MB\t\n",
		"2026-03-02T00:40:00.000Z 0b9a6f0e-1111-2222-3333-444455556666 Task timed out after 900.00 seconds\n",
		"Runtime exited with error: signal: killed\n",
		"RequestId: 7d1c2e3f-aaaa-bbbb-cccc-ddddeeeeffff Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n",
		`{"time":"2026-03-02T00:40:00.000Z","type":"platform.report","record":{"requestId":"5e5e5e5e-1111-2222-3333-444455556666","metrics":{"durationMs":900000,"billedDurationMs":900000,"memorySizeMB":10240,"maxMemoryUsedMB":10240},"status":"timeout"}}`,
		`{"time":"2026-03-02T00:40:00.000Z","type":"platform.report","record":{"requestId":"6f6f6f6f-1111-2222-3333-444455556666","metrics":{"durationMs":120,"billedDurationMs":121,"memorySizeMB":10240,"maxMemoryUsedMB":10240},"status":"error","errorType":"Runtime.OutOfMemory"}}`,
		"2026-03-02T00:40:00.000Z 9c9c9c9c-1111-2222-3333-444455556666 Task timed out after 3.00 seconds\n",
	}
	for i, line := range forged {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			require.NotEqual(t, logline.KindOther, logline.Default().Parse(line).Kind, "the parser must see it as a platform line")
			r := newRunner(t, Defaults())
			at := history(r)
			// Printed by the app in the middle of a genuine invocation.
			got := r.feed("fn", []Observation{
				genuineReport(at, "real-1", 1024, 190),
				parsed(at.Add(time.Second), line),
				genuineReport(at.Add(2*time.Second), "real-2", 1024, 210),
			})
			require.Empty(t, got)
			// And alone in a delivery, then the next genuine REPORT.
			require.Empty(t, r.feed("fn", []Observation{parsed(at.Add(time.Minute), line)}))
			require.Empty(t, r.feed("fn", []Observation{genuineReport(at.Add(2*time.Minute), "real-3", 1024, 200)}))
			view, err := DescribeBaseline(r.state["fn#fn"])
			require.NoError(t, err)
			require.Positive(t, view.SuspectLines)
			require.NotEmpty(t, view.SuspectReason)
			require.Equal(t, 1024, view.MemorySizeMB)
		})
	}
}

// TestForgedReportRepeatedIsNotAConfigChange: the same forged line printed
// five times in a row by one invocation is not a memory change (it needs a
// minute of REPORTs), and reverts on the next genuine REPORT.
func TestForgedReportRepeatedIsNotAConfigChange(t *testing.T) {
	r := newRunner(t, Defaults())
	at := history(r)
	var obs []Observation
	for i := range 5 {
		obs = append(obs, genuineReport(at.Add(time.Duration(i)*time.Millisecond), fmt.Sprint("fake-", i), 10240, 899000))
	}
	obs = append(obs, genuineReport(at.Add(time.Second), "real", 1024, 200))
	require.Empty(t, r.feed("fn", obs))
	view, err := DescribeBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	require.Equal(t, 1024, view.MemorySizeMB)
}

// TestRealMemoryChangeAccepted: a real configuration change (every later
// REPORT shows the new size) is accepted, and then judged like any other:
// a function now using 95 % of its new, smaller memory alerts.
func TestRealMemoryChangeAccepted(t *testing.T) {
	r := newRunner(t, Defaults())
	at := history(r)
	var got []Alert
	for i := range 20 {
		o := genuineReport(at, fmt.Sprint("new-", i), 256, 200)
		o.Event.MaxMemoryUsedMB = 244
		got = append(got, r.feed("fn", []Observation{o})...)
		at = at.Add(30 * time.Second)
	}
	require.Equal(t, []string{"memory_near_limit/firing"}, types(got))
	view, err := DescribeBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	require.Equal(t, 256, view.MemorySizeMB)
}

// TestGenuinePlatformFailuresStillAlert: the real shapes are believed — a
// timeout line after its REPORT (old style), a REPORT with Status: timeout,
// a runtime exit with the REPORT of its request, a second REPORT of the
// same request is suspect.
func TestGenuinePlatformFailuresStillAlert(t *testing.T) {
	r := newRunner(t, Defaults())
	at := history(r)
	got := r.feed("fn", []Observation{
		genuineReport(at, "7c9567b5-107b-4a6c-8798-0157ac21db52", 1024, 3003.16),
		parsed(at, "2026-03-02T00:40:00.000Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n"),
	})
	require.Equal(t, []string{"timeout/firing"}, types(got))
	got = r.feed("fn", []Observation{
		parsed(at.Add(time.Minute), "RequestId: cr-1 Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n"),
		genuineReport(at.Add(time.Minute), "cr-1", 1024, 150),
	})
	require.Equal(t, []string{"crash/firing"}, types(got))
	// A later timeout of a length already seen, whose REPORT came in an
	// earlier delivery, is believed too.
	require.Empty(t, r.feed("fn", []Observation{genuineReport(at.Add(2*time.Minute), "dbb585bb-3a54-4d1a-a690-54e5085c55f8", 1024, 3001)}))
	got = r.feed("fn", []Observation{parsed(at.Add(2*time.Minute), "2026-03-02T00:42:00.000Z dbb585bb-3a54-4d1a-a690-54e5085c55f8 Task timed out after 3.00 seconds\n")})
	require.Equal(t, []string{"timeout/firing"}, types(got))
	// A second REPORT for a request already reported is not an invocation.
	before := r.state["fn#fn"]
	r.feed("fn", []Observation{genuineReport(at.Add(3*time.Minute), "dbb585bb-3a54-4d1a-a690-54e5085c55f8", 1024, 9000)})
	var a, b fnRecord
	require.NoError(t, unmarshalRecord(before, &a))
	require.NoError(t, unmarshalRecord(r.state["fn#fn"], &b))
	require.Equal(t, a.WarmN, b.WarmN)
	require.Equal(t, a.Plat.Suspect+1, b.Plat.Suspect)
}

// TestCanaryWithTwoMemorySizes: an alias splitting traffic between two
// versions configured with different memory sizes is not a contradiction
// (sizes are kept per version); a forged size in either stream still is.
func TestCanaryWithTwoMemorySizes(t *testing.T) {
	r := newRunner(t, Defaults())
	at := history(r)
	var obs []Observation
	for i := range 40 {
		o := genuineReport(at, fmt.Sprint("c-", i), 1024, 200)
		if i%2 == 1 {
			o = genuineReport(at, fmt.Sprint("c-", i), 2048, 150)
			o.LogStream = "2026/03/02/[8]fedcba"
			o.Event.MaxMemoryUsedMB = 256 // the same use, more headroom
		}
		obs = append(obs, o)
		at = at.Add(10 * time.Second)
	}
	obs = append(obs, parsed(at, "REPORT RequestId: 0b9a6f0e-1111-2222-3333-444455556666\tDuration: 899999.00 ms\tBilled Duration: 900000 ms\tMemory Size: 10240 MB\tMax Memory Used: 10240 MB\t\n"))
	require.Empty(t, r.feed("fn", obs))
	view, err := DescribeBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	require.Equal(t, 1, view.SuspectLines, view.SuspectReason)
}
