package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// warmSeries feeds n warm invocations of about centre ms (log-normal, sigma
// 0.25), one per 30 s, in batches of 10, and returns the alerts.
func warmSeries(r *runner, rng *rand.Rand, start time.Time, n int, centre float64) ([]Alert, time.Time) {
	var alerts []Alert
	at := start
	for i := 0; i < n; i += 10 {
		var obs []Observation
		for j := 0; j < 10 && i+j < n; j++ {
			d := centre * math.Exp(0.25*rng.NormFloat64())
			obs = append(obs, report(at, d, fmt.Sprintf("r-%d", at.Unix())))
			at = at.Add(30 * time.Second)
		}
		alerts = append(alerts, r.feed("fn", obs)...)
	}
	return alerts, at
}

func TestDurationRegressionFiresAndResolves(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := newRunner(t, Defaults())
	quiet, at := warmSeries(r, rng, t0, 300, 3000)
	require.Empty(t, quiet, "normal traffic must stay quiet")

	slow, at := warmSeries(r, rng, at, 60, 30000)
	require.Equal(t, []string{"duration_anomaly/firing"}, types(slow))
	a := slow[0]
	require.Equal(t, SeverityCritical, a.Severity)
	require.InDelta(t, 3000, a.Baseline, 400)
	require.Greater(t, a.Value, 20000.0)
	require.Equal(t, "duration_anomaly|fn", a.Key)
	require.NotEmpty(t, a.RequestIDs)
	require.Contains(t, a.Summary, "vs usual")

	back, _ := warmSeries(r, rng, at, 30, 3000)
	require.Equal(t, []string{"duration_anomaly/resolved"}, types(back))
	view, err := DescribeBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	require.InDelta(t, 3000, view.CentreMs, 400, "the baseline must not have learned the incident")
	require.False(t, view.Alerting)
}

func TestDurationTriggerNeedsAllThree(t *testing.T) {
	base := ewma{M: math.Log(100), V: 0.01, N: 100}
	tests := []struct {
		name  string
		stat  float64
		alert bool
	}{
		{"3x and +200ms misses the 250 ms margin", 300, false},
		{"4x and +300 ms", 400, true},
		{"1.5x is under the ratio", 150, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.alert, deviation(&base, math.Log(tc.stat), 3, 2, 250))
		})
	}
	wide := ewma{M: math.Log(1000), V: 0.6 * 0.6, N: 100}
	require.False(t, deviation(&wide, math.Log(2500), 3, 2, 250), "z-score: a noisy function needs more")
}

func TestDurationSingleOutliersAndColdStartsStayQuiet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := newRunner(t, Defaults())
	_, at := warmSeries(r, rng, t0, 200, 200)
	for i := range 20 {
		obs := []Observation{report(at, 200, "a"), report(at.Add(time.Second), 20000, "slow"), report(at.Add(2*time.Second), 210, "b")}
		cold := report(at.Add(3*time.Second), 4000, "cold")
		cold.Event.InitDurationMs, cold.Event.HasInit = 900, true
		obs = append(obs, cold)
		require.Empty(t, r.feed("fn", obs), "batch %d", i)
		at = at.Add(time.Minute)
	}
}

func TestDurationMinSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	r := newRunner(t, Defaults())
	_, at := warmSeries(r, rng, t0, 30, 100)
	alerts, _ := warmSeries(r, rng, at, 20, 5000)
	require.Empty(t, alerts, "30 samples are not a baseline")
}

func TestColdStartAnomaly(t *testing.T) {
	r := newRunner(t, Defaults())
	at := t0
	cold := func(init float64) Observation {
		o := report(at, 100, fmt.Sprint("c", at.Unix()))
		o.Event.InitDurationMs, o.Event.HasInit = init, true
		at = at.Add(10 * time.Minute)
		return o
	}
	for i := range 20 {
		require.Empty(t, r.feed("fn", []Observation{cold(400 + float64(i%5)*20)}))
	}
	var got []Alert
	for range 4 {
		got = append(got, r.feed("fn", []Observation{cold(3000)})...)
	}
	require.Equal(t, []string{"cold_start_anomaly/firing"}, types(got))
	got = nil
	for range 3 {
		got = append(got, r.feed("fn", []Observation{cold(420)})...)
	}
	require.Equal(t, []string{"cold_start_anomaly/resolved"}, types(got))
}

// TestDurationCanaryStillAlerts: an alias shifting traffic between versions
// 7 and 8 interleaves their streams; the older version's batches must not
// count as deploys, or the baseline would re-learn every batch and a real
// regression on the new version would never fire.
func TestDurationCanaryStillAlerts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	r := newRunner(t, Defaults())
	_, at := warmSeries(r, rng, t0, 200, 100) // version 7
	var alerts []Alert
	for i := range 40 {
		var obs []Observation
		for j := range 10 {
			o := report(at, 100*math.Exp(0.2*rng.NormFloat64()), fmt.Sprint("c", i, j))
			if i >= 20 {
				o.Event.DurationMs *= 10 // both versions hit a slow dependency
			}
			if i%2 == 1 {
				o.LogStream = "2026/03/02/[8]fedcba"
			}
			obs = append(obs, o)
			at = at.Add(20 * time.Second)
		}
		alerts = append(alerts, r.feed("fn", obs)...)
	}
	require.Contains(t, types(alerts), TypeDuration+"/"+StatusFiring, "the regression fires despite interleaved versions")
	view, err := DescribeBaseline(r.state["fn#fn"])
	require.NoError(t, err)
	require.Equal(t, "8", view.Version)
}
