package detect

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

// runner simulates the pipeline's state loop over an in-memory map.
type runner struct {
	t      testing.TB
	th     Thresholds
	state  map[string][]byte
	alerts []Alert
	n      int
}

func newRunner(t testing.TB, th Thresholds) *runner {
	return &runner{t: t, th: th, state: map[string][]byte{}}
}

// feed evaluates one batch of one function and applies its updates.
func (r *runner) feed(fn string, obs []Observation) []Alert {
	r.t.Helper()
	r.n++
	in := Input{BatchID: fmt.Sprintf("b%d", r.n), Function: fn, LogGroup: "/aws/lambda/" + fn,
		Thresholds: r.th, Observations: obs}
	return r.apply(in)
}

func (r *runner) apply(in Input) []Alert {
	r.t.Helper()
	var keys []string
	res, err := EvaluateWith(in, func(ks []string) (map[string][]byte, error) {
		keys = append(keys, ks...)
		return r.read(ks)
	})
	require.NoError(r.t, err)
	var out []Alert
	for _, u := range res.Updates {
		require.Contains(r.t, keys, u.Key, "Evaluate wrote a key Keys did not announce")
		r.state[u.Key] = u.Data
		out = append(out, u.Alerts...)
	}
	r.alerts = append(r.alerts, out...)
	return out
}

// read is the store lookup: the records among keys that exist.
func (r *runner) read(keys []string) (map[string][]byte, error) {
	got := map[string][]byte{}
	for _, k := range keys {
		if v, ok := r.state[k]; ok {
			got[k] = v
		}
	}
	return got, nil
}

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

const stream = "2026/03/02/[7]0123456789abcdef"

func report(at time.Time, durMs float64, rid string) Observation {
	return Observation{Time: at, LogGroup: "/aws/lambda/fn", LogStream: stream, Event: logline.Event{
		Kind: logline.KindReport, RequestID: rid, DurationMs: durMs, BilledDurationMs: durMs, HasBilled: true,
		MemorySizeMB: 1024, MaxMemoryUsedMB: 300, HasMemory: true, Status: logline.StatusSuccess,
	}}
}

func authEvent(at time.Time, kind logline.Kind, ip, user string) Observation {
	ev := logline.Event{Kind: kind, User: user}
	if ip != "" {
		ev.IP = netip.MustParseAddr(ip)
	}
	return Observation{Time: at, LogGroup: "/aws/lambda/fn", LogStream: stream, Event: ev}
}

func fail(at time.Time, ip, user string) Observation {
	return authEvent(at, logline.KindAuthFailure, ip, user)
}

func success(at time.Time, ip, user string) Observation {
	return authEvent(at, logline.KindAuthSuccess, ip, user)
}

func types(alerts []Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Type+"/"+a.Status)
	}
	return out
}
