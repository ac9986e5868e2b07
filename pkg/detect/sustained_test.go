package detect

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSustainedShiftDetectedInTime pins issue #10.1: a 2x shift on any
// function (fast ones included, whose 250 ms margin used to hide it) within
// 30 minutes, a 1.5x shift within an hour; the rule and evidence are on
// the alert.
func TestSustainedShiftDetectedInTime(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name           string
		centre, sigma  float64
		perMin, factor float64
		within         time.Duration
	}{
		{"20 ms function 2x", 20, 0.3, 2, 2, 30 * time.Minute},
		{"80 ms function 2x", 80, 0.35, 1, 2, 30 * time.Minute},
		{"300 ms function 2x", 300, 0.3, 1, 2, 30 * time.Minute},
		{"3 s function 1.5x", 3000, 0.2, 1, 1.5, time.Hour},
		{"800 ms function 1.5x, noisy", 800, 0.35, 3, 1.5, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				g := newTraffic(seed, tc.perMin, tc.centre, tc.sigma)
				r := newRunner(t, Defaults())
				start := t0.Add(day + 10*time.Hour)
				require.Empty(t, g.run(r, t0, start), "seed %d: quiet before", seed)
				g.centre = func(time.Time) float64 { return tc.centre * tc.factor }
				got := g.run(r, start, start.Add(2*time.Hour))
				a := firstFiring(got, TypeDuration)
				require.NotNil(t, a, "seed %d: %v", seed, types(got))
				require.Less(t, a.Time.Sub(start), tc.within, "seed %d: %s", seed, a.Summary)
				require.NotEmpty(t, a.Rule)
				require.NotEmpty(t, a.Window)
				require.Positive(t, a.Expected)
				require.Greater(t, a.Observed, a.Expected)
			}
		})
	}
}

// TestSustainedQuietOnSeasonalNoise pins issue #10.5: a 10x daily swing of
// traffic with latency 30 % higher at the peak, and ordinary noise, raise
// nothing over several days and seeds.
func TestSustainedQuietOnSeasonalNoise(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		g := newTraffic(seed, 0, 250, 0.35)
		g.perMin = func(t time.Time) float64 { return 3 * dailyLoad(t) }
		g.centre = func(t time.Time) float64 { return 250 * (1 + 0.3*(dailyLoad(t)-0.1)/0.9) }
		r := newRunner(t, Defaults())
		require.Empty(t, g.run(r, t0, t0.Add(4*24*time.Hour)), "seed %d", seed)
	}
}

// TestSustainedQuietOnDrift: a gradual drift, 2x over a week, raises
// nothing at warning or above.
func TestSustainedQuietOnDrift(t *testing.T) {
	week := 7 * 24 * time.Hour
	g := newTraffic(4, 0, 1200, 0.25)
	g.perMin = func(t time.Time) float64 { return 1.5 * dailyLoad(t) }
	g.centre = func(t time.Time) float64 {
		return 1200 * pow2(float64(t.Sub(t0))/float64(week))
	}
	r := newRunner(t, Defaults())
	require.Empty(t, loud(g.run(r, t0, t0.Add(week))))
}

// TestSustainedQuietWhenPointsRepeat: a metric series replayed so that
// each point stands for several invocations (the same duration repeated)
// is not evidence several times over.
func TestSustainedQuietWhenPointsRepeat(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		g := newTraffic(seed, 1, 900, 0.3)
		var left int
		var cur float64
		base := g.centre
		g.centre = func(at time.Time) float64 {
			if left == 0 {
				left, cur = 8, base(at)*pow2(0.3*g.rng.NormFloat64()/0.6931)
			}
			left--
			return cur
		}
		g.sigma = 0
		r := newRunner(t, Defaults())
		require.Empty(t, loud(g.run(r, t0, t0.Add(3*24*time.Hour))), "seed %d", seed)
	}
}

// TestSustainedResolvesAndEscalates: a 2.5x shift that lasts is escalated
// to critical once after an hour, and resolves once durations are back.
func TestSustainedResolvesAndEscalates(t *testing.T) {
	g := newTraffic(5, 2, 400, 0.3)
	r := newRunner(t, Defaults())
	start := t0.Add(30 * time.Hour)
	require.Empty(t, g.run(r, t0, start))
	g.centre = func(time.Time) float64 { return 1000 }
	got := g.run(r, start, start.Add(3*time.Hour))
	var sev []string
	for _, a := range got {
		if a.Type == TypeDuration {
			sev = append(sev, a.Status+"/"+a.Severity)
		}
	}
	require.Equal(t, []string{"firing/warning", "firing/critical"}, sev)
	g.centre = func(time.Time) float64 { return 400 }
	back := g.run(r, start.Add(3*time.Hour), start.Add(5*time.Hour))
	require.Equal(t, []string{"duration_anomaly/resolved"}, types(back))
}

func pow2(x float64) float64 { return math.Exp2(x) }
