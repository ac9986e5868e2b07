package detect

import (
	"fmt"
	"math"
	"slices"
)

// ewma is an exponentially weighted mean and variance (West's incremental
// form). For durations it runs on ln(ms): Lambda durations are log-normal, so
// the mean of the logs is the median and the spread is multiplicative.
type ewma struct {
	M float64 `json:"m"`
	V float64 `json:"v"`
	N int     `json:"n"`
}

// Smallest weight of a new sample: the baseline remembers roughly the last
// 1/alpha samples once warmed up.
const (
	warmAlpha = 0.02 // ~50 invocations: follows daily load cycles
	coldAlpha = 0.1  // cold starts are rare: ~10 of them
	// minLogSD floors the spread (5 %): a perfectly steady function must
	// not turn a 6 % wobble into a 10-sigma event.
	minLogSD = 0.05
	// clipSD limits how far one sample can pull the baseline: a slow
	// outlier counts as a 3-sigma value, not as itself.
	clipSD = 3
)

func (e *ewma) add(x, alphaMin float64, clipAfter int) {
	if e.N >= clipAfter {
		sd := e.sd()
		x = min(max(x, e.M-clipSD*sd), e.M+clipSD*sd)
	}
	e.N++
	if e.N == 1 {
		e.M, e.V = x, 0
		return
	}
	a := max(1/float64(e.N), alphaMin)
	d := x - e.M
	e.M += a * d
	e.V = (1 - a) * (e.V + a*d*d)
}

func (e *ewma) sd() float64 { return max(math.Sqrt(e.V), minLogSD) }

// centre is the baseline in ms (the geometric mean, i.e. the median of a
// log-normal).
func (e *ewma) centre() float64 { return math.Exp(e.M) }

// logMs is ln(ms) with a 1 ms floor (sub-millisecond durations exist).
func logMs(v float64) float64 { return math.Log(max(v, 1)) }

// medianLog is the median of ln(D) over the last n samples.
func medianLog(ring []sample, n int) float64 {
	n = min(n, len(ring))
	var arr [ringSize]float64 // rings are at most ringSize long: no allocation
	var xs []float64
	if n <= len(arr) {
		xs = arr[:n]
	} else {
		xs = make([]float64, n)
	}
	// ln is monotonic: sort the durations, take the logs of the middle.
	for i, s := range ring[len(ring)-n:] {
		xs[i] = max(s.D, 1)
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return math.Log(xs[n/2])
	}
	return (math.Log(xs[n/2-1]) + math.Log(xs[n/2])) / 2
}

// push appends v to a ring of at most size entries, dropping the oldest.
// It slides the slice forward in its array instead of shifting the entries,
// so a full ring of 256 costs one copy per 256 pushes, not per push.
func push[T any](ring []T, v T, size int) []T {
	if n := len(ring) + 1 - size; n > 0 {
		ring = ring[min(n, len(ring)):]
	}
	return append(ring, v)
}

// deviation tests a window statistic (ln ms) against a baseline: all three
// of z-score, ratio and absolute margin must be exceeded, so neither a
// steady function's tiny spread nor a fast function's harmless doubling
// (5 -> 10 ms) alarms anyone.
func deviation(b *ewma, stat, z, ratio, minDelta float64) bool {
	return (stat-b.M)/b.sd() >= z &&
		math.Exp(stat-b.M) >= ratio &&
		math.Exp(stat)-b.centre() >= minDelta
}

// warm is the duration_anomaly detector: it compares the median of the last
// DurationWindow warm invocations with the learned baseline. While an
// incident is open the baseline is frozen so that it cannot learn the
// incident as normal; it resolves when the median falls back below half-way
// between the baseline and the alert ratio.
func (e *fnEval) warm(o *Observation) {
	ev, r, th := &o.Event, e.rec, &e.th
	s := sample{T: ms(o.Time), D: round2(ev.DurationMs), R: ev.RequestID}
	old := r.Ring
	r.Ring = push(r.Ring, s, ringSize)
	w := min(th.DurationWindow, len(r.Ring))
	stat := e.win.median(old, r.Ring, w)
	if r.Dur.Active {
		r.Dur.N++
		r.Dur.Peak = max(r.Dur.Peak, math.Exp(stat))
		// Incidents of the longer rules resolve on their own evidence
		// (sustained.go): a 1.5x shift is below this rule's half-way line.
		if isWindowRule(r.Sus.Rule) && math.Exp(stat-r.Warm.M) < 1+(th.DurationRatio-1)/2 {
			e.durationResolved(o, stat)
		}
		return
	}
	if r.Warm.N >= th.DurationMinSamples && w >= th.DurationWindow &&
		deviation(&r.Warm, stat, th.DurationZ, th.DurationRatio, th.DurationMinDeltaMs) &&
		distinct(r.Ring[len(r.Ring)-w:]) >= (w+1)/2 {
		e.durationFiring(o, stat, w)
		return
	}
	r.Warm.add(logMs(ev.DurationMs), warmAlpha, th.DurationMinSamples)
}

func (e *fnEval) durationFiring(o *Observation, stat float64, w int) {
	r := e.rec
	// The window median flips once just over half of it is slow; the slow
	// half is what the alert reports (its median), so the value reads as
	// the new level, not a blend of old and new.
	h := (w + 1) / 2
	window := r.Ring[len(r.Ring)-h:]
	stat = max(stat, medianLog(r.Ring, h))
	r.Dur = incident{Active: true, Since: window[0].T, N: h, Peak: math.Exp(stat)}
	ratio := math.Exp(stat - r.Warm.M)
	sev := SeverityWarning
	if ratio >= 5 {
		sev = SeverityCritical
	}
	r.Sus.Rule, r.Sus.OK, r.Sus.Esc = ruleWindow, 0, false
	z := (stat - r.Warm.M) / r.Warm.sd()
	a := e.alert(TypeDuration, sev, o, "")
	a.Summary = fmt.Sprintf("p50 %s vs usual %s — %.1f×, %d warm invocations since %s (z %.1f)%s",
		fmtMs(math.Exp(stat)), fmtMs(r.Warm.centre()), ratio, h, clock(fromMs(window[0].T)), z, e.sinceDeploy(window[0].T))
	a.Rule, a.Window, a.Z = ruleWindow, fmt.Sprintf("%d warm invocations", w), round2(z)
	a.Expected, a.Observed = round2(r.Warm.centre()), round2(math.Exp(stat))
	a.Value, a.Baseline, a.Unit, a.Samples = round2(math.Exp(stat)), round2(r.Warm.centre()), "ms", h
	a.WindowStart = fromMs(window[0].T)
	for i := len(window) - 1; i >= 0 && len(a.RequestIDs) < 5; i-- {
		if window[i].R != "" {
			a.RequestIDs = append(a.RequestIDs, window[i].R)
		}
	}
	e.alerts = append(e.alerts, a)
}

func (e *fnEval) durationResolved(o *Observation, stat float64) {
	r := e.rec
	a := e.alert(TypeDuration, SeverityInfo, o, "")
	a.Status = StatusResolved
	a.Summary = fmt.Sprintf("p50 back to %s (usual %s); peak was %s, %d warm invocations since %s",
		fmtMs(math.Exp(stat)), fmtMs(r.Warm.centre()), fmtMs(r.Dur.Peak), r.Dur.N, clock(fromMs(r.Dur.Since)))
	a.Rule, a.Window = ruleWindow, fmt.Sprintf("%d warm invocations", min(e.th.DurationWindow, len(r.Ring)))
	a.Expected, a.Observed = round2(r.Warm.centre()), round2(math.Exp(stat))
	a.Value, a.Baseline, a.Unit, a.Samples = round2(math.Exp(stat)), round2(r.Warm.centre()), "ms", r.Dur.N
	a.WindowStart = fromMs(r.Dur.Since)
	e.alerts = append(e.alerts, a)
	r.Dur = incident{}
}

// coldStartWindow is how many recent cold starts the init statistic covers.
const coldStartWindow = 3

// coldStart is the cold_start_anomaly detector: init (or SnapStart restore)
// duration against its own baseline, on the median of the last three cold
// starts. A cold REPORT never feeds the warm baseline (datadog-agent#8213).
func (e *fnEval) coldStart(o *Observation) {
	ev, r, th := &o.Event, e.rec, &e.th
	init := ev.InitDurationMs
	if ev.HasRestore && !ev.HasInit {
		init = ev.RestoreDurationMs
	}
	r.Colds = push(r.Colds, sample{T: ms(o.Time), D: round2(init), R: ev.RequestID}, coldStartWindow)
	if e.deployCold(o, init) {
		return
	}
	stat := medianLog(r.Colds, coldStartWindow)
	if r.ColdInc.Active {
		r.ColdInc.N++
		if math.Exp(stat-r.Cold.M) < 1+(th.InitRatio-1)/2 {
			a := e.alert(TypeColdStart, SeverityInfo, o, "")
			a.Status = StatusResolved
			a.Summary = fmt.Sprintf("init duration back to %s (usual %s) after %d cold starts",
				fmtMs(math.Exp(stat)), fmtMs(r.Cold.centre()), r.ColdInc.N)
			a.Rule, a.Window = ruleColdMedian, fmt.Sprintf("%d cold starts", coldStartWindow)
			a.Expected, a.Observed = round2(r.Cold.centre()), round2(math.Exp(stat))
			a.Value, a.Baseline, a.Unit, a.Samples = round2(math.Exp(stat)), round2(r.Cold.centre()), "ms", r.ColdInc.N
			a.WindowStart = fromMs(r.ColdInc.Since)
			e.alerts = append(e.alerts, a)
			r.ColdInc = incident{}
		}
		return
	}
	if r.Cold.N >= th.ColdMinSamples && len(r.Colds) >= coldStartWindow &&
		deviation(&r.Cold, stat, th.DurationZ, th.InitRatio, th.DurationMinDeltaMs) {
		r.ColdInc = incident{Active: true, Since: r.Colds[0].T, N: coldStartWindow}
		a := e.alert(TypeColdStart, SeverityWarning, o, "")
		a.Summary = fmt.Sprintf("init duration %s vs usual %s — %.1f× over the last %d cold starts%s",
			fmtMs(math.Exp(stat)), fmtMs(r.Cold.centre()), math.Exp(stat-r.Cold.M), coldStartWindow, e.sinceDeploy(r.Colds[len(r.Colds)-1].T))
		a.Rule, a.Window = ruleColdMedian, fmt.Sprintf("%d cold starts", coldStartWindow)
		a.Expected, a.Observed = round2(r.Cold.centre()), round2(math.Exp(stat))
		a.Z = round2((stat - r.Cold.M) / r.Cold.sd())
		a.Value, a.Baseline, a.Unit, a.Samples = round2(math.Exp(stat)), round2(r.Cold.centre()), "ms", coldStartWindow
		a.WindowStart = fromMs(r.Colds[0].T)
		for _, c := range r.Colds {
			a.RequestIDs = append(a.RequestIDs, nonEmpty(c.R)...)
		}
		e.alerts = append(e.alerts, a)
		return
	}
	r.Cold.add(logMs(init), coldAlpha, th.ColdMinSamples)
}

// distinct counts the different durations among samples. Real REPORT
// durations have 0.01 ms resolution and practically never repeat; a
// window made of a few values repeated is a metric series replayed with
// several invocations per point, whose median is one or two observations,
// not ten (issue #10: the window rule fired on such noise).
func distinct(ss []sample) int {
	n := 0
	for i := range ss {
		dup := false
		for j := range i {
			if ss[j].D == ss[i].D {
				dup = true
				break
			}
		}
		if !dup {
			n++
		}
	}
	return n
}
