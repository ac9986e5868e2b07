package detect

import (
	"fmt"
	"math"
	"time"
)

// Rules of the duration_anomaly alert (Alert.Rule).
const (
	ruleWindow     = "window_median"   // median of the last invocations, a large clear jump
	ruleSustained  = "sustained_shift" // CUSUM over bucket means, a moderate shift that lasts
	ruleDeploy     = "deploy"          // a new version against the previous version's baseline
	ruleColdMedian = "cold_median"     // median of the last cold starts
	ruleAccepted   = "accepted"        // a deliberate change became the new normal
)

func isWindowRule(rule string) bool { return rule == "" || rule == ruleWindow }

const (
	// sustainMinBuckets: an hour of buckets with data before the level is
	// trusted.
	sustainMinBuckets = 12
	// levelAlpha: the level remembers ~6 hours of 5-minute buckets, so a
	// drift of a few % a day is followed with a lag of about 1 %, while a
	// step shift is absorbed by less than 2 % per bucket.
	levelAlpha = 1.0 / 72
	// hodAlpha: an hour-of-day offset learns from the buckets of its hour,
	// ~12 a day, so its memory is a few days (30 % higher latency at the
	// daily peak is learned by the second day).
	hodAlpha = 0.03
	// minBetweenSD floors the wander of bucket means (3 %): even a
	// perfectly steady function's buckets are not independent draws.
	minBetweenSD = 0.03
	// zClip caps one bucket's evidence: a single wild bucket (a retry
	// storm, one batch of timeouts) adds at most zClip-K to the CUSUM, so
	// it takes several buckets in a row to alert.
	zClip = 4
	// clipInvSD winsorises single invocations at 5 sigma of the
	// per-invocation spread before they enter a bucket mean.
	clipInvSD = 5
	// resolveBuckets: normal buckets in a row that end an incident.
	resolveBuckets = 3
	// rhoAlpha: the correlation of neighbouring buckets remembers ~a day
	// of buckets; maxRho caps the inflation it causes (at 3x the sigma).
	rhoAlpha = 1.0 / 288
	maxRho   = 0.8
)

// sustained feeds one warm invocation (ln ms) to the current bucket; a
// bucket is judged when the first invocation of a later bucket arrives.
// Events of a bucket that arrive late (another stream's delivery) join the
// current bucket: bucket means are only the statistic, time order of a few
// minutes does not matter to it.
func (e *fnEval) sustained(o *Observation) {
	s, th := &e.rec.Sus, &e.th
	x := logMs(o.Event.DurationMs)
	if x != x {
		return
	}
	bl := th.DurationBucket.Milliseconds()
	t := ms(o.Time)
	b := t - ((t%bl)+bl)%bl
	if s.Start == 0 {
		s.Start = b
	}
	if b > s.Start {
		if s.N > 0 {
			e.closeBucket(o)
		}
		s.Start, s.Sum, s.N = b, 0, 0
	}
	if s.Level.N > 0 {
		mu, sd := s.Level.M+s.offset(s.Start), e.rec.Warm.sd()
		x = min(max(x, mu-clipInvSD*sd), mu+clipInvSD*sd)
	}
	s.Sum += x
	s.N++
}

// offset is the learned hour-of-day offset (ln) at t.
func (s *sustain) offset(t int64) float64 {
	if len(s.Hod) != 24 {
		return 0
	}
	return s.Hod[hourOfDay(t)]
}

func hourOfDay(t int64) int { return fromMs(t).Hour() }

// closeBucket judges a finished bucket: its mean against the seasonal
// level, in units of the spread a bucket of that many invocations has. The
// CUSUM accumulates the evidence of buckets that sit above the level by
// more than K sigma and alerts at H; the level and the offsets learn from
// every bucket (clipped), except during an incident, when they are frozen.
func (e *fnEval) closeBucket(o *Observation) {
	s, th, r := &e.rec.Sus, &e.th, e.rec
	n := float64(s.N)
	mean := s.Sum / n
	if s.Level.N == 0 {
		s.Level = ewma{M: mean, N: 1}
		return
	}
	res := mean - (s.Level.M + s.offset(s.Start))
	vw := max(r.Warm.V, minLogSD*minLogSD)
	sd := math.Sqrt(vw/n + max(s.Level.V, minBetweenSD*minBetweenSD))
	z := res / sd
	// Neighbouring buckets that move together carry less evidence than
	// independent ones: the variance of a run of them grows by
	// (1+rho)/(1-rho), so z is shrunk by its square root.
	rho := min(max(s.Rho, 0), maxRho)
	zc := min(max(z, -zClip), zClip)
	if !r.Dur.Active {
		ra := max(1/float64(s.Level.N), rhoAlpha)
		s.Rho = roundFixed((1-ra)*s.Rho + ra*zc*s.Prev)
		s.Prev = roundFixed(zc)
	}
	z /= math.Sqrt((1 + rho) / (1 - rho))
	if r.Dur.Active {
		if !isWindowRule(s.Rule) {
			e.incidentBucket(o, res, z)
		}
		return
	}
	if s.Level.N >= sustainMinBuckets && r.Warm.N >= th.DurationMinSamples {
		s.S = max(0, s.S+min(z, zClip)-th.DurationCusumK)
		if s.S > 0 {
			if s.ResN == 0 {
				s.Since = s.Start
			}
			s.Res += res
			s.ResN++
			s.Inv += s.N
		} else {
			s.Since, s.Res, s.ResN, s.Inv = 0, 0, 0, 0
		}
		if s.S >= th.DurationCusumH && math.Exp(s.Res/float64(s.ResN)) >= th.shiftRatio() {
			e.sustainedFiring(o, s.Res/float64(s.ResN), sd)
			return
		}
	}
	rc := min(max(res, -2*sd), 2*sd)
	a := max(1/float64(s.Level.N+1), levelAlpha)
	s.Level.M += a * rc
	// Unbiased: the excess of a bucket's squared residual over what its
	// invocation count explains averages to the between-bucket variance;
	// truncating each term at zero would add ~half the within variance.
	s.Level.V = max(0, (1-a)*s.Level.V+a*(rc*rc-vw/n))
	s.Level.N++
	if len(s.Hod) != 24 {
		s.Hod = make([]float64, 24)
	}
	h := hourOfDay(s.Start)
	s.Hod[h] = roundFixed(s.Hod[h] + hodAlpha*rc)
}

// sustainedFiring opens a duration incident on accumulated evidence.
func (e *fnEval) sustainedFiring(o *Observation, shift, sd float64) {
	s, r := &e.rec.Sus, e.rec
	ratio := math.Exp(shift)
	sev := SeverityWarning
	if ratio >= 5 {
		sev = SeverityCritical
	}
	s.Rule, s.OK, s.Esc = ruleSustained, 0, false
	r.Dur = incident{Active: true, Since: s.Since, N: s.Inv, Peak: math.Exp(r.Sus.Level.M + shift)}
	expected := math.Exp(s.Level.M + s.offset(s.Start))
	observed := expected * ratio
	span := fromMs(s.Start).Add(e.th.DurationBucket).Sub(fromMs(s.Since))
	a := e.alert(TypeDuration, sev, o, "")
	a.Summary = fmt.Sprintf("mean %s vs usual %s at this hour — %.2f× for %s (%d warm invocations in %d buckets, CUSUM %.1f)%s",
		fmtMs(observed), fmtMs(expected), ratio, span, s.Inv, s.ResN, s.S, e.sinceDeploy(s.Since))
	a.Rule, a.Window, a.Z = ruleSustained, span.String(), round2(shift/sd)
	a.Value, a.Baseline, a.Unit, a.Samples = round2(observed), round2(expected), "ms", s.Inv
	a.Expected, a.Observed = round2(expected), round2(observed)
	a.WindowStart = fromMs(s.Since)
	a.RequestIDs = e.recentIDs(5)
	e.alerts = append(e.alerts, a)
}

// incidentBucket follows an incident of the sustained or deploy rule: it
// resolves after resolveBuckets normal buckets in a row, and is escalated
// to critical once when it has lasted an hour at twice the usual or more.
func (e *fnEval) incidentBucket(o *Observation, res, z float64) {
	s, r, th := &e.rec.Sus, e.rec, &e.th
	expected := math.Exp(s.Level.M + s.offset(s.Start))
	r.Dur.Peak = max(r.Dur.Peak, math.Exp(s.Level.M+s.offset(s.Start)+res))
	r.Dur.N += s.N
	if z < th.DurationCusumK && math.Exp(res) < th.shiftRatio() {
		s.OK++
	} else {
		s.OK = 0
		s.Res += res
		s.ResN++
	}
	if s.OK >= resolveBuckets {
		a := e.alert(TypeDuration, SeverityInfo, o, "")
		a.Status = StatusResolved
		a.Summary = fmt.Sprintf("back to %s (usual %s at this hour) for %d buckets; peak was %s since %s",
			fmtMs(math.Exp(s.Level.M+s.offset(s.Start)+res)), fmtMs(expected), s.OK, fmtMs(r.Dur.Peak), clock(fromMs(r.Dur.Since)))
		a.Rule, a.Window = s.Rule, fmt.Sprintf("%d buckets", s.OK)
		a.Value, a.Baseline, a.Unit, a.Samples = round2(math.Exp(s.Level.M+s.offset(s.Start)+res)), round2(expected), "ms", r.Dur.N
		a.Expected, a.Observed = a.Baseline, a.Value
		a.WindowStart = fromMs(r.Dur.Since)
		e.alerts = append(e.alerts, a)
		r.Dur = incident{}
		s.S, s.Since, s.Res, s.ResN, s.Inv, s.OK, s.Esc = 0, 0, 0, 0, 0, 0, false
		return
	}
	if s.Esc || s.ResN == 0 {
		return
	}
	ratio := math.Exp(s.Res / float64(s.ResN))
	lasted := time.Duration(s.Start+th.DurationBucket.Milliseconds()-r.Dur.Since) * time.Millisecond
	if ratio >= 2 && lasted >= time.Hour {
		s.Esc = true
		a := e.alert(TypeDuration, SeverityCritical, o, "")
		a.Summary = fmt.Sprintf("still %.1f× the usual %s after %s", ratio, fmtMs(expected), lasted.Round(time.Minute))
		a.Rule, a.Window = s.Rule, lasted.Round(time.Minute).String()
		a.Value, a.Baseline, a.Unit, a.Samples = round2(expected*ratio), round2(expected), "ms", r.Dur.N
		a.Expected, a.Observed = a.Baseline, a.Value
		a.WindowStart = fromMs(r.Dur.Since)
		e.alerts = append(e.alerts, a)
	}
}

// recentIDs lists up to n request ids of the latest warm invocations.
func (e *fnEval) recentIDs(n int) []string {
	var out []string
	for i := len(e.rec.Ring) - 1; i >= 0 && len(out) < n; i-- {
		if id := e.rec.Ring[i].R; id != "" {
			out = append(out, id)
		}
	}
	return out
}
