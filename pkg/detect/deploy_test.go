package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// versionSeries feeds n warm invocations of version v at about centre ms
// (log-normal, sigma), one per step, in batches of 10.
func versionSeries(r *runner, rng *rand.Rand, at time.Time, n int, centre, sigma float64, v string, step time.Duration) ([]Alert, time.Time) {
	var alerts []Alert
	for i := 0; i < n; i += 10 {
		var obs []Observation
		for j := 0; j < 10 && i+j < n; j++ {
			o := report(at, centre*math.Exp(sigma*rng.NormFloat64()), fmt.Sprintf("r-%s-%d", v, at.UnixMilli()))
			o.LogStream = "2026/03/02/[" + v + "]0123456789abcdef"
			obs = append(obs, o)
			at = at.Add(step)
		}
		alerts = append(alerts, r.feed("fn", obs)...)
	}
	return alerts, at
}

func firing(alerts []Alert, typ string) []Alert {
	var out []Alert
	for _, a := range alerts {
		if a.Type == typ && a.Status == StatusFiring {
			out = append(out, a)
		}
	}
	return out
}

// TestDeployRegressionNamesBothVersions: a deploy that makes a 3 s
// function 3x slower is not an amnesty; the alert names both versions, and
// after deploy_accept_after the slower version is the new normal, with a
// RESOLVED note saying so.
func TestDeployRegressionNamesBothVersions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	r := newRunner(t, Defaults())
	quiet, at := versionSeries(r, rng, t0, 300, 3000, 0.2, "7", 30*time.Second)
	require.Empty(t, quiet)
	slow, at := versionSeries(r, rng, at, 30, 9100, 0.2, "8", 30*time.Second)
	got := firing(slow, TypeDuration)
	require.Len(t, got, 1, "%v", types(slow))
	require.Contains(t, got[0].Summary, "since version 8")
	require.Contains(t, got[0].Summary, "7")
	require.InDelta(t, 3000, got[0].Expected, 400)
	require.Greater(t, got[0].Observed, 7000.0)
	require.NotEmpty(t, got[0].Rule)

	rest, at := versionSeries(r, rng, at, 2900, 9100, 0.2, "8", 30*time.Second)
	require.Equal(t, []string{"duration_anomaly/resolved"}, types(rest), "one RESOLVED after 24 h, nothing else")
	require.Equal(t, ruleAccepted, rest[0].Rule)
	require.Contains(t, rest[0].Summary, "version 8 is the new normal after 24h")
	after, _ := versionSeries(r, rng, at, 300, 9100, 0.2, "8", 30*time.Second)
	require.Empty(t, after)
	view, err := DescribeBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	require.InDelta(t, 9100, view.CentreMs, 1500)
}

// TestDeploySlowerFastFunction: a 120 ms function made 2.5x slower by a
// deploy (+180 ms, under the window rule's 250 ms margin) is caught by the
// comparison with the previous version within a few dozen invocations.
func TestDeploySlowerFastFunction(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	r := newRunner(t, Defaults())
	_, at := versionSeries(r, rng, t0, 300, 120, 0.35, "41", 20*time.Second)
	slow, _ := versionSeries(r, rng, at, 40, 300, 0.35, "42", 20*time.Second)
	got := firing(slow, TypeDuration)
	require.Len(t, got, 1, "%v", types(slow))
	require.Equal(t, ruleDeploy, got[0].Rule)
	require.Contains(t, got[0].Summary, "since version 42")
	require.Contains(t, got[0].Summary, "on version 41")
	require.GreaterOrEqual(t, got[0].Z, 3.0)
}

// TestDeployUnchangedSpeedQuiet: a deploy at the same speed (and one a
// little faster) raises nothing, before and after the comparison ends.
func TestDeployUnchangedSpeedQuiet(t *testing.T) {
	for _, f := range []float64{1, 0.9, 1.15} {
		rng := rand.New(rand.NewPCG(11, uint64(f*100)))
		r := newRunner(t, Defaults())
		_, at := versionSeries(r, rng, t0, 300, 800, 0.3, "3", 30*time.Second)
		alerts, _ := versionSeries(r, rng, at, 3000, 800*f, 0.3, "4", 30*time.Second)
		require.Empty(t, alerts, "factor %v", f)
		view, err := DescribeBaseline(r.state["fn#fn"])
		require.NoError(t, err)
		require.Empty(t, view.DeployFrom, "the comparison ended after 24 h")
	}
}

// TestBaselinesAccept: the operator accepts a slower version before the
// day is over; the next batch resolves the incident with a note, and the
// new level is the baseline.
func TestBaselinesAccept(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	r := newRunner(t, Defaults())
	_, at := versionSeries(r, rng, t0, 300, 3000, 0.2, "7", 30*time.Second)
	slow, at := versionSeries(r, rng, at, 40, 6000, 0.2, "8", 30*time.Second)
	require.Len(t, firing(slow, TypeDuration), 1, "%v", types(slow))
	data, err := AcceptBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	r.state["fn#fn"] = data
	next, at := versionSeries(r, rng, at, 10, 6000, 0.2, "8", 30*time.Second)
	require.Equal(t, []string{"duration_anomaly/resolved"}, types(next))
	require.Contains(t, next[0].Summary, "accepted by the operator")
	more, _ := versionSeries(r, rng, at, 600, 6000, 0.2, "8", 30*time.Second)
	require.Empty(t, more)
	_, err = AcceptBaseline([]byte("junk"))
	require.Error(t, err)
}

// TestColdStartsNewVersion: a version whose init takes 3x the previous
// version's is alerted within a few cold starts, naming the versions; a
// burst of cold starts at the usual init duration (scale-out) is not.
func TestColdStartsNewVersion(t *testing.T) {
	r := newRunner(t, Defaults())
	at := t0
	cold := func(v string, init float64) Observation {
		o := report(at, 100, fmt.Sprint("c", at.UnixNano()))
		o.LogStream = "2026/03/02/[" + v + "]abc"
		o.Event.InitDurationMs, o.Event.HasInit = init, true
		at = at.Add(3 * time.Minute)
		return o
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 30 {
		require.Empty(t, r.feed("fn", []Observation{cold("7", 400*math.Exp(0.2*rng.NormFloat64()))}))
	}
	// Scale-out: 40 cold starts in one batch at the usual init duration.
	var burst []Observation
	for range 40 {
		burst = append(burst, cold("7", 400*math.Exp(0.2*rng.NormFloat64())))
		at = at.Add(-3*time.Minute + time.Second)
	}
	require.Empty(t, r.feed("fn", burst), "cold starts after scaling out are not a regression")
	var got []Alert
	for range 4 {
		got = append(got, r.feed("fn", []Observation{cold("8", 1300*math.Exp(0.2*rng.NormFloat64()))})...)
	}
	require.Equal(t, []string{"cold_start_anomaly/firing"}, types(got))
	require.Contains(t, got[0].Summary, "since version 8")
}

// TestDeployMemoryHigher: a version that uses twice the memory of the
// previous one raises memory_near_limit naming both versions, though it is
// far from the limit; a version using the same memory raises nothing.
func TestDeployMemoryHigher(t *testing.T) {
	for _, tc := range []struct {
		used int
		want []string
	}{{300, nil}, {330, nil}, {650, []string{"memory_near_limit/firing"}}} {
		rng := rand.New(rand.NewPCG(3, uint64(tc.used)))
		r := newRunner(t, Defaults())
		_, at := versionSeries(r, rng, t0, 200, 500, 0.2, "7", 30*time.Second)
		var got []Alert
		for i := range 4 {
			var obs []Observation
			for j := range 10 {
				o := report(at, 500, fmt.Sprint("m", i, j))
				o.LogStream = "2026/03/02/[8]abc"
				o.Event.MaxMemoryUsedMB = tc.used + (i*10+j)%7
				obs = append(obs, o)
				at = at.Add(30 * time.Second)
			}
			got = append(got, r.feed("fn", obs)...)
		}
		require.Equal(t, tc.want, types(got), "used %d MB", tc.used)
		if tc.want != nil {
			require.Contains(t, got[0].Summary, "since version 8")
			require.Contains(t, got[0].Summary, "on version 7")
			require.Equal(t, ruleDeploy, got[0].Rule)
		}
	}
}

// TestDeployCanarySlowerVersion: an alias sends every other request to a
// new version that is 2.5x slower; the comparison uses only the new
// version's invocations and names both versions, while the old version's
// traffic keeps the baseline honest.
func TestDeployCanarySlowerVersion(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	r := newRunner(t, Defaults())
	_, at := versionSeries(r, rng, t0, 300, 200, 0.3, "7", 20*time.Second)
	var got []Alert
	for i := range 8 {
		var obs []Observation
		for j := range 10 {
			v, c := "7", 200.0
			if j%2 == 1 {
				v, c = "8", 500
			}
			o := report(at, c*math.Exp(0.3*rng.NormFloat64()), fmt.Sprint("k", i, j))
			o.LogStream = "2026/03/02/[" + v + "]0123456789abcdef"
			obs = append(obs, o)
			at = at.Add(20 * time.Second)
		}
		got = append(got, r.feed("fn", obs)...)
	}
	a := firstFiring(got, TypeDuration)
	require.NotNil(t, a, "%v", types(got))
	require.Equal(t, ruleDeploy, a.Rule)
	require.Contains(t, a.Summary, "since version 8")
	require.Contains(t, a.Summary, "on version 7")
}
