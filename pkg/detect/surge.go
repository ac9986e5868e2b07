package detect

import (
	"fmt"
	"math"
	"time"
)

// The invocation-rate model and the invocation_surge detector. Every
// believed REPORT is one invocation. Counts per minute (the last
// surgeMinutes) feed the surge check; counts per hour feed a seasonal
// profile: invocations per hour by hour of day, with the day-of-week effect
// divided out, and a day-of-week factor — 24+7 numbers that stand for the
// 168 hours of a week, learned in a day (daily shape) and a week (weekly).
// A surge is SurgeRatio times the seasonal norm over SurgeWindow, at least
// SurgeMinExtra invocations more than it. Spend is cost_anomaly's job; a surge is judged in
// invocations, and its alert projects what it would cost by the month.

const (
	surgeMinutes = 10
	minuteMs     = int64(time.Minute / time.Millisecond)
	hourMs       = int64(time.Hour / time.Millisecond)
	// hourGrace: an hour is folded into the profile only 10 minutes after
	// it ended, so the late deliveries of other streams still count in it.
	hourGrace = 10 * minuteMs
	// maxIdleHours caps the idle hours folded in as zero after a gap.
	maxIdleHours = 168
	// dowAlpha: a day-of-week factor remembers ~3 weeks of its weekday.
	dowAlpha = 0.3
)

// invocation counts one believed invocation and runs the surge check.
func (e *fnEval) invocation(o *Observation) {
	rt := &e.rec.Rates
	t := ms(o.Time)
	e.advanceHours(t)
	switch t / hourMs {
	case rt.Hour:
		rt.N0++
	case rt.Hour + 1:
		rt.N1++
	}
	m := t / minuteMs
	if len(rt.Mins) != surgeMinutes {
		rt.Mins, rt.Min = make([]int, surgeMinutes), m
	}
	if m > rt.Min {
		if sh := m - rt.Min; sh >= surgeMinutes {
			clear(rt.Mins)
		} else {
			copy(rt.Mins, rt.Mins[sh:])
			clear(rt.Mins[surgeMinutes-sh:])
		}
		rt.Min = m
	}
	if k := rt.Min - m; k >= 0 && k < surgeMinutes {
		rt.Mins[surgeMinutes-1-k]++
	}
	e.surge(o)
}

// advanceHours folds every hour that ended more than hourGrace before t.
func (e *fnEval) advanceHours(t int64) {
	rt := &e.rec.Rates
	if rt.Hour == 0 {
		rt.Hour = t / hourMs
		return
	}
	for i := 0; t >= (rt.Hour+1)*hourMs+hourGrace; i++ {
		if i >= maxIdleHours {
			rt.Hour, rt.N0, rt.N1 = t/hourMs, 0, 0
			return
		}
		e.foldHour(rt.Hour, rt.N0)
		rt.Hour++
		rt.N0, rt.N1 = rt.N1, 0
	}
}

// foldHour learns one finished hour. During a surge the hour is not
// learned (the profile must not take the surge for normal).
func (e *fnEval) foldHour(hour int64, n int) {
	rt := &e.rec.Rates
	if len(rt.Hod) != 24 || len(rt.Dow) != 7 {
		rt.Hod, rt.Dow = make([]float64, 24), []float64{1, 1, 1, 1, 1, 1, 1}
	}
	at := time.Unix(hour*3600, 0).UTC()
	h, wd := at.Hour(), int(at.Weekday())
	f := rt.Dow[wd]
	if rt.Inc.Active {
		return
	}
	if day := hour / 24; day != rt.Day {
		if rt.Day != 0 && rt.DayE > 0 && rt.Hours >= 48 {
			pd := int(time.Unix(rt.Day*86400, 0).UTC().Weekday())
			// The first time a weekday is seen its factor is what that day
			// showed; later weeks refine it.
			ratio := min(max(rt.DayN/rt.DayE, 0.05), 20)
			a := max(1/float64((rt.Hours-48)/168+1), dowAlpha)
			rt.Dow[pd] = roundFixed((1-a)*rt.Dow[pd] + a*ratio)
		}
		rt.Day, rt.DayN, rt.DayE = day, 0, 0
	}
	if rt.Hours >= 24 {
		rt.DayN += float64(n)
		rt.DayE += rt.Hod[h]
	}
	a := max(1/float64(rt.Hours/24+1), 0.2)
	rt.Hod[h] = roundFixed(rt.Hod[h] + a*(float64(n)/max(f, 0.05)-rt.Hod[h]))
	rt.Hours++
}

// perMinute is the seasonal norm at t: the busiest of the hour's and its
// neighbours' rates (the daily ramp is not always on the hour), times the
// weekday's factor.
func (rt *rates) perMinute(t int64) float64 {
	if len(rt.Hod) != 24 || len(rt.Dow) != 7 {
		return 0
	}
	at := fromMs(t)
	h := at.Hour()
	v := max(rt.Hod[(h+23)%24], rt.Hod[h], rt.Hod[(h+1)%24])
	if rt.Hours < 24 {
		// Some hours of the day were never seen: the busiest hour seen so
		// far is the norm until they have been.
		for _, x := range rt.Hod {
			v = max(v, x)
		}
	}
	return v * rt.Dow[int(at.Weekday())] / 60
}

// surge checks the last SurgeWindow of minutes against the norm.
func (e *fnEval) surge(o *Observation) {
	rt, th := &e.rec.Rates, &e.th
	t := ms(o.Time)
	if rt.Inc.Active {
		w := int(th.SurgeWindow / time.Minute)
		rt.Inc.N++
		rt.Inc.Peak = max(rt.Inc.Peak, float64(rt.count(w))/float64(w))
		rt.Inc.Last = t
		e.surgeResolve(o)
		return
	}
	if rt.Hours < th.SurgeMinHours {
		return
	}
	// The window, and twice it (a slower flood on a quiet function needs
	// the longer count to clear the floor).
	// Until a whole day is known the norm is a guess (the busiest hour so
	// far): only a surge three times as steep counts.
	ratio := th.SurgeRatio
	if rt.Hours < 24 {
		ratio *= 3
	}
	w := int(th.SurgeWindow / time.Minute)
	for _, win := range []int{w, min(2*w, surgeMinutes)} {
		observed := rt.count(win)
		expected := rt.perMinute(t) * float64(win)
		// The count's own Poisson noise is taken off before comparing
		// (two standard deviations): an 8x load spike that happens to
		// count 10x in one window is a cost question, not a surge.
		extra := float64(observed) - expected
		low := float64(observed) - 2*math.Sqrt(float64(observed))
		if low >= ratio*expected && extra >= float64(th.SurgeMinExtra) {
			e.surgeFiring(o, win, observed, expected)
			return
		}
	}
}

// count is the invocations of the last w minutes.
func (rt *rates) count(w int) int {
	n := 0
	for _, c := range rt.Mins[surgeMinutes-w:] {
		n += c
	}
	return n
}

func (e *fnEval) surgeFiring(o *Observation, w, observed int, expected float64) {
	rt, th := &e.rec.Rates, &e.th
	t := ms(o.Time)
	span := time.Duration(w) * time.Minute
	extra := float64(observed) - expected
	rt.Inc = incident{Active: true, Since: (rt.Min - int64(w) + 1) * minuteMs, N: observed,
		Peak: float64(observed) / float64(w), Last: t}
	perMin := float64(observed) / float64(w)
	monthly := perMin * 60 * 24 * 30 * e.costPerInvocation(o)
	sev := SeverityWarning
	if float64(observed) >= 10*th.SurgeRatio*max(expected, 1) {
		sev = SeverityCritical
	}
	ratio := float64(observed) / max(expected, 1e-9)
	z := extra / math.Sqrt(max(expected, 1))
	a := e.alert(TypeSurge, sev, o, "")
	a.Summary = fmt.Sprintf("%.0f invocations/min vs usual %.1f/min at this hour — %s× over the last %s (%d invocations, %.0f expected); ≈ $%.0f/month if it persists",
		perMin, expected/float64(w), fmtRatio(ratio), fmtDuration(span), observed, expected, monthly)
	a.Rule, a.Window, a.Z = "surge", fmtDuration(span), round2(z)
	a.Value, a.Baseline, a.Unit, a.Samples = round2(perMin), round2(expected/float64(w)), "invocations/min", observed
	a.Expected, a.Observed = round2(expected), float64(observed)
	a.CostPerHour = round4(monthly / (24 * 30))
	a.WindowStart = fromMs(rt.Inc.Since)
	a.RequestIDs = nonEmpty(o.Event.RequestID)
	e.alerts = append(e.alerts, a)
}

// surgeResolve ends a surge once a whole window is back under a third of
// the surge line; it runs when the minute ring has moved on.
func (e *fnEval) surgeResolve(o *Observation) {
	rt, th := &e.rec.Rates, &e.th
	if !rt.Inc.Active {
		return
	}
	w := int(th.SurgeWindow / time.Minute)
	t := ms(o.Time)
	if t-rt.Inc.Since < th.SurgeWindow.Milliseconds() {
		return
	}
	observed := rt.count(w)
	expected := rt.perMinute(t) * float64(w)
	if float64(observed) >= th.SurgeRatio*expected/3 && float64(observed)-expected >= float64(th.SurgeMinExtra)/3 {
		return
	}
	a := e.alert(TypeSurge, SeverityInfo, o, "")
	a.Status = StatusResolved
	a.Summary = fmt.Sprintf("invocations back to %.1f/min (usual %.1f/min); peak was %.0f/min since %s",
		float64(observed)/float64(w), expected/float64(w), rt.Inc.Peak, clock(fromMs(rt.Inc.Since)))
	a.Rule, a.Window = "surge", fmtDuration(th.SurgeWindow)
	a.Value, a.Baseline, a.Unit, a.Samples = round2(float64(observed)/float64(w)), round2(expected/float64(w)), "invocations/min", rt.Inc.N
	a.Expected, a.Observed = round2(expected), float64(observed)
	a.WindowStart = fromMs(rt.Inc.Since)
	e.alerts = append(e.alerts, a)
	rt.Inc = incident{}
}

// costPerInvocation is the usual cost of one invocation: the current cost
// window's spend per invocation, or this invocation's own.
func (e *fnEval) costPerInvocation(o *Observation) float64 {
	c := &e.rec.Cost
	if c.Inv > 0 {
		return c.spend(&e.th) / float64(c.Inv)
	}
	ev := &o.Event
	billed := ev.BilledDurationMs
	if !ev.HasBilled {
		billed = math.Ceil(ev.DurationMs)
	}
	return billed/1000*float64(max(e.rec.MemMB, ev.MemorySizeMB))/1024*e.th.pricePerGBs() + PricePerRequest
}

func fmtRatio(r float64) string {
	if r >= 1000 || math.IsInf(r, 0) {
		return ">1000"
	}
	return fmt.Sprintf("%.0f", r)
}
