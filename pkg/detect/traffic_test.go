package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// traffic generates realistic REPORT streams for the detection v2 tests:
// Poisson arrivals per minute at perMin(t), log-normal durations around
// centre(t) with spread sigma, over several containers (streams), one
// delivery per stream and 5 minutes, delivered in time order.
type traffic struct {
	rng        *rand.Rand
	perMin     func(t time.Time) float64
	centre     func(t time.Time) float64
	sigma      float64
	version    func(t time.Time) string
	containers int
	memMB      int
	n          int
}

func newTraffic(seed uint64, perMin float64, centre float64, sigma float64) *traffic {
	return &traffic{
		rng:        rand.New(rand.NewPCG(seed, seed*7+1)),
		perMin:     func(time.Time) float64 { return perMin },
		centre:     func(time.Time) float64 { return centre },
		sigma:      sigma,
		version:    func(time.Time) string { return "7" },
		containers: 3,
		memMB:      1024,
	}
}

// dailyLoad is a daily cycle between 0.1 and 1 (trough 03:00, peak 15:00).
func dailyLoad(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 0.55 - 0.45*math.Cos((h-3)/24*2*math.Pi)
}

func (g *traffic) poisson(mean float64) int {
	if mean > 50 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*g.rng.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// run feeds [from, to) to r and returns the alerts with their times.
func (g *traffic) run(r *runner, from, to time.Time) []Alert {
	var alerts []Alert
	for slot := from; slot.Before(to); slot = slot.Add(5 * time.Minute) {
		byStream := map[string][]Observation{}
		var order []string
		for m := slot; m.Before(slot.Add(5*time.Minute)) && m.Before(to); m = m.Add(time.Minute) {
			for range g.poisson(g.perMin(m)) {
				at := m.Add(time.Duration(g.rng.Int64N(int64(time.Minute))))
				g.n++
				o := report(at, g.centre(at)*math.Exp(g.sigma*g.rng.NormFloat64()), fmt.Sprintf("req-%d", g.n))
				o.Event.MemorySizeMB = g.memMB
				s := fmt.Sprintf("2026/03/02/[%s]%02d", g.version(at), g.rng.IntN(g.containers))
				o.LogStream = s
				if _, ok := byStream[s]; !ok {
					order = append(order, s)
				}
				byStream[s] = append(byStream[s], o)
			}
		}
		for _, s := range order {
			obs := byStream[s]
			sortByTime(obs)
			alerts = append(alerts, r.feed("fn", obs)...)
		}
	}
	return alerts
}

func sortByTime(obs []Observation) {
	for i := 1; i < len(obs); i++ {
		for j := i; j > 0 && obs[j].Time.Before(obs[j-1].Time); j-- {
			obs[j], obs[j-1] = obs[j-1], obs[j]
		}
	}
}

// firstFiring is the first firing alert of typ, or nil.
func firstFiring(alerts []Alert, typ string) *Alert {
	for i := range alerts {
		if alerts[i].Type == typ && alerts[i].Status == StatusFiring {
			return &alerts[i]
		}
	}
	return nil
}

// loud lists the firing alerts at warning or above.
func loud(alerts []Alert) []string {
	var out []string
	for _, a := range alerts {
		if a.Status == StatusFiring && a.Severity != SeverityInfo {
			out = append(out, a.Time.Format(time.RFC3339)+" "+a.Type+" "+a.Summary)
		}
	}
	return out
}
