package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

func TestMemoryNearLimit(t *testing.T) {
	r := newRunner(t, Defaults())
	mem := func(at time.Time, used int) Observation {
		o := report(at, 100, fmt.Sprint("m", at.Unix()))
		o.Event.MemorySizeMB, o.Event.MaxMemoryUsedMB = 512, used
		return o
	}
	tests := []struct {
		offset time.Duration
		used   int
		want   []string
	}{
		{0, 300, nil},
		{time.Minute, 455, nil}, // 88.9 %
		{2 * time.Minute, 470, []string{"memory_near_limit/firing"}},
		{3 * time.Minute, 512, nil}, // still the same incident
		{30 * time.Minute, 300, nil},
		{3*time.Minute + 61*time.Minute, 300, []string{"memory_near_limit/resolved"}},
		{3 * time.Hour, 300, nil},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, types(r.feed("fn", []Observation{mem(t0.Add(tc.offset), tc.used)})), "at +%s", tc.offset)
	}
}

func TestTimeoutsAndCrashesDedupedByRequest(t *testing.T) {
	r := newRunner(t, Defaults())
	rep := report(t0, 3000, "req-1")
	rep.Event.Status = logline.StatusTimeout
	line := Observation{Time: t0.Add(time.Millisecond), LogStream: stream,
		Event: logline.Event{Kind: logline.KindTimeout, RequestID: "req-1", TimeoutS: 3}}
	got := r.feed("fn", []Observation{rep, line})
	require.Equal(t, []string{"timeout/firing"}, types(got))
	require.Equal(t, 1, got[0].Samples)
	require.Equal(t, []string{"req-1"}, got[0].RequestIDs)
	require.Equal(t, "timeout|fn", got[0].Key)

	// The "Task timed out" line of the same request in a later delivery.
	require.Empty(t, r.feed("fn", []Observation{line}))

	oom := report(t0.Add(time.Minute), 800, "req-2")
	oom.Event.Status, oom.Event.ErrorType = logline.StatusError, "Runtime.OutOfMemory"
	crash := Observation{Time: t0.Add(time.Minute), LogStream: stream,
		Event: logline.Event{Kind: logline.KindCrash, RequestID: "req-3", Reason: "signal: killed"}}
	// The runtime exit of req-3 is believed because Lambda's REPORT of
	// req-3 follows it (platformcheck.go).
	got = r.feed("fn", []Observation{oom, crash, report(t0.Add(time.Minute), 900, "req-3")})
	require.Equal(t, []string{"crash/firing"}, types(got))
	require.Equal(t, SeverityCritical, got[0].Severity)
	require.Equal(t, 2, got[0].Samples)
	require.Contains(t, got[0].Summary, "crashed")
}

func TestCostAnomaly(t *testing.T) {
	th := Defaults()
	th.Architecture = ArchARM64
	r := newRunner(t, th)
	// 2 days of 60 invocations/hour, 1 s at 2 GB: ~$0.0001/h each... scaled
	// up to 600/h at 10 s: 600*10*2 GB-s = 12,000 GB-s/h = $0.16/h.
	at := t0
	hourly := func(n int, durMs float64) []Alert {
		var out []Alert
		for range n / 50 {
			var obs []Observation
			for range 50 {
				o := report(at, durMs, "")
				o.Event.MemorySizeMB, o.Event.MaxMemoryUsedMB = 2048, 500
				obs = append(obs, o)
				at = at.Add(time.Hour / time.Duration(n))
			}
			out = append(out, r.feed("fn", obs)...)
		}
		return out
	}
	for range 48 {
		require.Empty(t, hourly(600, 10000))
	}
	spike := hourly(600, 100000) // 10x the spend: $1.6/h
	require.Contains(t, types(spike), "cost_anomaly/firing")
	var c Alert
	for _, a := range spike {
		if a.Type == TypeCost {
			c = a
		}
	}
	require.Equal(t, "USD/h", c.Unit)
	require.InDelta(t, 0.16, c.Baseline, 0.02, "arm64 price: 12,000 GB-s x $0.0000133334")
	require.Greater(t, c.CostPerHour, 0.5)
	costs := func(alerts []Alert) []string {
		var out []string
		for _, s := range types(alerts) {
			if s[:4] == "cost" {
				out = append(out, s)
			}
		}
		return out
	}
	require.Empty(t, costs(hourly(600, 10000)), "the spike window closes anomalous: still open, no second firing")
	require.Equal(t, []string{"cost_anomaly/resolved"}, costs(hourly(600, 10000)),
		"resolved when a whole normal window has closed")
	require.Empty(t, costs(hourly(600, 10000)))
}

func TestIdempotentRedelivery(t *testing.T) {
	r := newRunner(t, Defaults())
	in := Input{BatchID: "same", Function: "fn", LogGroup: "/aws/lambda/fn", Thresholds: Defaults(),
		Observations: []Observation{report(t0, 100, "x")}}
	in.Observations[0].Event.Status = logline.StatusTimeout
	require.Len(t, r.apply(in), 1)
	before := string(r.state["fn#fn"])
	res, err := Evaluate(in, r.state)
	require.NoError(t, err)
	require.Empty(t, res.Updates, "a batch delivered twice is counted once")
	require.Equal(t, before, string(r.state["fn#fn"]))
}

func TestCorruptRecordStartsAfresh(t *testing.T) {
	in := Input{BatchID: "b", Function: "fn", Thresholds: Defaults(), Observations: []Observation{report(t0, 100, "x")}}
	res, err := Evaluate(in, map[string][]byte{"fn#fn": []byte("{not json")})
	require.NoError(t, err)
	require.Len(t, res.Updates, 1)
	require.Contains(t, res.Updates[0].Note, "reset")
	_, err = DescribeBaseline(res.Updates[0].Data)
	require.NoError(t, err)
}

func TestFunctionName(t *testing.T) {
	require.Equal(t, "orders", FunctionName("/aws/lambda/orders"))
	require.Equal(t, "API-Gateway-Execution-Logs_abc/prod", FunctionName("API-Gateway-Execution-Logs_abc/prod"))
	require.Equal(t, "/aws/lambda/", FunctionName("/aws/lambda/"))
}

func TestStreamVersion(t *testing.T) {
	require.Equal(t, "39", streamVersion("2024/06/30/[39]3ca88f3a"))
	require.Equal(t, "$LATEST", streamVersion("2019/03/13/[$LATEST]94fa867e"))
	require.Equal(t, "", streamVersion("i-0123"))
}

func TestSupersedes(t *testing.T) {
	for _, c := range []struct {
		v, cur string
		want   bool
	}{
		{"39", "", true},
		{"39", "39", false},
		{"40", "39", true},
		{"39", "40", false}, // canary: the older version's streams keep coming
		{"$LATEST", "40", false},
		{"1", "$LATEST", true},
		{"v2", "v1", true}, // not a number: any change counts
	} {
		require.Equal(t, c.want, supersedes(c.v, c.cur), "%s over %s", c.v, c.cur)
	}
}
