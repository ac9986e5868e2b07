package detect

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// weekly is a daily cycle with quiet weekends (a quarter of the traffic).
func weekly(peak float64) func(time.Time) float64 {
	return func(t time.Time) float64 {
		f := peak * dailyLoad(t)
		if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
			f *= 0.25
		}
		return f
	}
}

// TestSurgeCaught pins issue #10.4: a recursive loop (doubling every 30 s
// up to tens per second) and a flood of tens of times the usual traffic
// are invocation_surge alerts within 10 minutes, at any hour, even when
// they cost far less than cost_anomaly's $0.50/h floor; the alert projects
// the monthly cost and explains itself.
func TestSurgeCaught(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name  string
		start time.Duration // after two days of history
		extra func(since time.Duration) float64
	}{
		{"recursive loop at night", 3 * time.Hour, func(d time.Duration) float64 {
			return 60 * math.Min(math.Pow(2, d.Seconds()/30)/30, 20)
		}},
		{"recursive loop at the peak", 15 * time.Hour, func(d time.Duration) float64 {
			return 60 * math.Min(math.Pow(2, d.Seconds()/30)/30, 20)
		}},
		{"flood 30x at night", 2 * time.Hour, func(time.Duration) float64 { return 30 * 0.6 * 0.12 }},
		{"flood 30x at the peak", 15 * time.Hour, func(time.Duration) float64 { return 30 * 0.6 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				g := newTraffic(seed, 0, 150, 0.3)
				g.perMin = weekly(0.6)
				r := newRunner(t, Defaults())
				start := t0.Add(2*day + tc.start)
				require.Empty(t, g.run(r, t0, start), "seed %d", seed)
				base := g.perMin
				g.perMin = func(at time.Time) float64 { return base(at) + tc.extra(at.Sub(start)) }
				got := g.run(r, start, start.Add(20*time.Minute))
				a := firstFiring(got, TypeSurge)
				require.NotNil(t, a, "seed %d: %v", seed, types(got))
				require.Less(t, a.Time.Sub(start), 10*time.Minute, "seed %d: %s", seed, a.Summary)
				require.Equal(t, "surge", a.Rule)
				require.Contains(t, a.Summary, "/month if it persists")
				require.Greater(t, a.Observed, 10*a.Expected)
				require.Positive(t, a.CostPerHour)
				require.Nil(t, firstFiring(got, TypeCost), "cheap: cost_anomaly stays quiet")
			}
		})
	}
}

// TestSurgeResolves: once the loop is fixed, the surge resolves.
func TestSurgeResolves(t *testing.T) {
	g := newTraffic(9, 2, 100, 0.3)
	r := newRunner(t, Defaults())
	start := t0.Add(30 * time.Hour)
	require.Empty(t, g.run(r, t0, start))
	g.perMin = func(time.Time) float64 { return 200 }
	require.Equal(t, TypeSurge, firstFiring(g.run(r, start, start.Add(15*time.Minute)), TypeSurge).Type)
	g.perMin = func(time.Time) float64 { return 2 }
	back := g.run(r, start.Add(15*time.Minute), start.Add(45*time.Minute))
	require.Contains(t, types(back), "invocation_surge/resolved")
}

// TestSurgeQuietThroughSeasons pins issue #10.5 for rates: a 10x daily
// swing, quiet weekends and the Monday morning after them, and traffic
// that doubles over a week, raise nothing.
func TestSurgeQuietThroughSeasons(t *testing.T) {
	week := 7 * 24 * time.Hour
	for seed := uint64(1); seed <= 2; seed++ {
		g := newTraffic(seed, 0, 200, 0.3)
		w := weekly(4)
		g.perMin = func(t time.Time) float64 { return w(t) * math.Exp2(float64(t.Sub(t0))/float64(week)) }
		r := newRunner(t, Defaults())
		require.Empty(t, g.run(r, t0, t0.Add(9*24*time.Hour)), "seed %d", seed)
		view, err := DescribeBaseline(r.state["fn#fn"])
		require.NoError(t, err)
		require.Len(t, view.InvPerHourByHour, 24)
		require.Greater(t, view.InvPerHourByHour[15], 4*view.InvPerHourByHour[3], "the profile knows the daily cycle")
		require.Less(t, view.DayOfWeekFactor[int(time.Sunday)], 0.6, "and the quiet weekend: %v", view.DayOfWeekFactor)
		require.Len(t, view.DurationByHourMs, 24)
	}
}
