package detect

import (
	"fmt"
	"math"
	"time"
)

// A deploy is not an amnesty: a new version is compared with the previous
// version's baseline, and only becomes the new normal after
// DeployAcceptAfter (or when the operator accepts it). The baselines are no
// longer reset when the version changes: a slower version is what the
// window, sustained and cold start rules see against the old baseline, and
// deployCompare judges the new version's own invocations as soon as there
// are DeployMinSamples of them. Canary and alias traffic need nothing
// special: both versions feed the same baselines, and only the new
// version's invocations feed the comparison.

// maxDeploySamples caps the comparison's sample: past it the evidence
// stops growing (a clearly equal version is clearly equal by then).
const maxDeploySamples = 500

// deployed records a newer version's first REPORT. While an earlier
// comparison is still open (a fix deployed on top of a slow version, or
// several deploys in a day), the baseline stays that of the last version
// that was accepted.
func (e *fnEval) deployed(o *Observation, v string) {
	r, d := e.rec, &e.rec.Dep
	if d.At == 0 {
		*d = deployState{From: r.Version, Warm: r.Warm, Cold: r.Cold, Used: r.Used}
	}
	d.To, d.At, d.N, d.Sum, d.ColdN, d.ColdS, d.MemN, d.MemS = v, ms(o.Time), 0, 0, 0, 0, 0, 0
}

// deployMinExtraMB: a version using more memory is reported when it uses
// at least this much more (a few MB more of a small function is noise).
const deployMinExtraMB = 64

// deployMemory learns the usual max memory used and compares a new
// version's with the previous version's: DeployRatio times as much (and
// deployMinExtraMB more, 3 sigma) raises memory_near_limit once, naming
// both versions, even while far from the limit: it is where the limit
// is going.
func (e *fnEval) deployMemory(o *Observation) {
	r, d, th, ev := e.rec, &e.rec.Dep, &e.th, &o.Event
	x := math.Log(float64(max(ev.MaxMemoryUsedMB, 1)))
	if d.At == 0 || streamVersion(o.LogStream) != d.To {
		r.Used.add(x, warmAlpha, th.DurationMinSamples)
		return
	}
	if d.MemHit || d.Used.N < th.DurationMinSamples || d.MemN >= maxDeploySamples {
		return
	}
	d.MemS += x
	d.MemN++
	if d.MemN < th.DeployMinSamples {
		return
	}
	sd := d.Used.sd()
	shift := d.MemS/float64(d.MemN) - d.Used.M
	z := shift / math.Sqrt(sd*sd/float64(d.MemN)+0.05*0.05)
	observed, prev := math.Exp(d.Used.M+shift), d.Used.centre()
	if math.Exp(shift) < th.DeployRatio || z < 3 || observed-prev < deployMinExtraMB {
		return
	}
	d.MemHit = true
	a := e.alert(TypeMemory, SeverityWarning, o, "")
	a.Summary = fmt.Sprintf("since version %s: max memory used %.0f MB vs %.0f MB on version %s — %.1f× (of %d MB) over %d invocations",
		d.To, observed, prev, orDash(d.From), observed/prev, ev.MemorySizeMB, d.MemN)
	a.Rule, a.Window, a.Z = ruleDeploy, fmt.Sprintf("%d invocations of version %s", d.MemN, d.To), round2(z)
	a.Value, a.Baseline, a.Unit, a.Samples = round2(observed), round2(prev), "MB", d.MemN
	a.Expected, a.Observed = a.Baseline, a.Value
	a.WindowStart = fromMs(d.At)
	a.RequestIDs = nonEmpty(ev.RequestID)
	e.alerts = append(e.alerts, a)
}

// deployCold feeds a cold start of the new version to the comparison with
// the previous version's init baseline, and fires cold_start_anomaly when
// the new version's init is InitRatio times the old one's or more (and 3
// sigma) after coldStartWindow of them. Scale-out cold starts are at the
// usual init duration, so they pass this test however many there are.
func (e *fnEval) deployCold(o *Observation, init float64) bool {
	r, d, th := e.rec, &e.rec.Dep, &e.th
	if d.At == 0 || d.Cold.N < th.ColdMinSamples || streamVersion(o.LogStream) != d.To || r.ColdInc.Active {
		return false
	}
	sd := d.Cold.sd()
	x := logMs(init)
	if x != x {
		return false
	}
	d.ColdS += min(max(x, d.Cold.M-4*sd), d.Cold.M+4*sd)
	d.ColdN++
	if d.ColdN < coldStartWindow || d.ColdN > maxDeploySamples {
		return false
	}
	shift := d.ColdS/float64(d.ColdN) - d.Cold.M
	z := shift / math.Sqrt(sd*sd/float64(d.ColdN)+0.1*0.1)
	observed := math.Exp(d.Cold.M + shift)
	if math.Exp(shift) < th.InitRatio || z < 3 || observed-d.Cold.centre() < th.DurationMinDeltaMs/2 {
		return false
	}
	r.ColdInc = incident{Active: true, Since: d.At, N: d.ColdN}
	a := e.alert(TypeColdStart, SeverityWarning, o, "")
	a.Summary = fmt.Sprintf("since version %s: init %s vs %s on version %s — %.1f× over %d cold starts (z %.1f)",
		d.To, fmtMs(observed), fmtMs(d.Cold.centre()), orDash(d.From), math.Exp(shift), d.ColdN, z)
	a.Rule, a.Window, a.Z = ruleDeploy, fmt.Sprintf("%d cold starts of version %s", d.ColdN, d.To), round2(z)
	a.Value, a.Baseline, a.Unit, a.Samples = round2(observed), round2(d.Cold.centre()), "ms", d.ColdN
	a.Expected, a.Observed = a.Baseline, a.Value
	a.WindowStart = fromMs(d.At)
	a.RequestIDs = nonEmpty(o.Event.RequestID)
	e.alerts = append(e.alerts, a)
	return true
}

// deployCompare feeds a warm invocation of the new version to the
// comparison and fires when the new version is clearly slower: the mean of
// its ln durations is DeployRatio times the previous centre or more, and
// at least 3 sigma above it (the spread of such a mean, plus 10 % for
// hour-to-hour wander).
func (e *fnEval) deployCompare(o *Observation) {
	r, d, th := e.rec, &e.rec.Dep, &e.th
	if d.At == 0 || d.Warm.N < th.DurationMinSamples || streamVersion(o.LogStream) != d.To || d.N >= maxDeploySamples {
		return
	}
	sd := d.Warm.sd()
	x := logMs(o.Event.DurationMs)
	if x != x {
		return
	}
	d.Sum += min(max(x, d.Warm.M-4*sd), d.Warm.M+4*sd)
	d.N++
	if r.Dur.Active || d.N < th.DeployMinSamples {
		return
	}
	shift := d.Sum/float64(d.N) - d.Warm.M
	z := shift / math.Sqrt(sd*sd/float64(d.N)+0.1*0.1)
	if math.Exp(shift) < th.deployRatio() || z < 3 {
		return
	}
	observed := math.Exp(medianLog(r.Ring, min(d.N, len(r.Ring))))
	observed = max(observed, math.Exp(d.Warm.M+shift))
	ratio := observed / d.Warm.centre()
	sev := SeverityWarning
	if ratio >= 5 {
		sev = SeverityCritical
	}
	r.Sus.Rule, r.Sus.OK, r.Sus.Esc = ruleDeploy, 0, false
	r.Sus.S, r.Sus.Res, r.Sus.ResN, r.Sus.Inv = 0, shift, 1, d.N
	r.Dur = incident{Active: true, Since: d.At, N: d.N, Peak: observed}
	a := e.alert(TypeDuration, sev, o, "")
	a.Summary = fmt.Sprintf("since version %s: %s vs %s on version %s — %.1f× over %d warm invocations (z %.1f)",
		d.To, fmtMs(observed), fmtMs(d.Warm.centre()), orDash(d.From), ratio, d.N, z)
	a.Rule, a.Window, a.Z = ruleDeploy, fmt.Sprintf("%d warm invocations of version %s", d.N, d.To), round2(z)
	a.Value, a.Baseline, a.Unit, a.Samples = round2(observed), round2(d.Warm.centre()), "ms", d.N
	a.Expected, a.Observed = a.Baseline, a.Value
	a.WindowStart = fromMs(d.At)
	a.RequestIDs = e.recentIDs(5)
	e.alerts = append(e.alerts, a)
}

// deployAge makes the new version the normal once DeployAcceptAfter has
// passed since its first REPORT.
func (e *fnEval) deployAge(o *Observation) {
	d := &e.rec.Dep
	if d.At == 0 || ms(o.Time)-d.At < e.th.DeployAcceptAfter.Milliseconds() {
		return
	}
	e.acceptNew(o, fmt.Sprintf("version %s is the new normal after %s", d.To, fmtDuration(e.th.DeployAcceptAfter)))
}

// acceptNew ends the deploy comparison and makes the current behaviour the
// baseline: an open duration or cold start incident resolves with a note
// saying why, and the baselines jump to the recent level instead of
// learning it slowly (which would alert again on the way).
func (e *fnEval) acceptNew(o *Observation, why string) {
	r := e.rec
	if r.Dur.Active {
		prev := r.Warm.centre()
		e.relevelWarm()
		a := e.alert(TypeDuration, SeverityInfo, o, "")
		a.Status = StatusResolved
		a.Summary = fmt.Sprintf("%s: %s (was %s) is the baseline now", why, fmtMs(r.Warm.centre()), fmtMs(prev))
		a.Rule, a.Window = ruleAccepted, fmtDuration(time.Duration(ms(o.Time)-r.Dur.Since)*time.Millisecond)
		a.Value, a.Baseline, a.Unit, a.Samples = round2(r.Warm.centre()), round2(prev), "ms", r.Dur.N
		a.Expected, a.Observed = a.Baseline, a.Value
		a.WindowStart = fromMs(r.Dur.Since)
		e.alerts = append(e.alerts, a)
		r.Dur = incident{}
	}
	if r.ColdInc.Active {
		prev := r.Cold.centre()
		if len(r.Colds) > 0 {
			r.Cold.M = medianLog(r.Colds, len(r.Colds))
		}
		a := e.alert(TypeColdStart, SeverityInfo, o, "")
		a.Status = StatusResolved
		a.Summary = fmt.Sprintf("%s: init %s (was %s) is the baseline now", why, fmtMs(r.Cold.centre()), fmtMs(prev))
		a.Rule = ruleAccepted
		a.Value, a.Baseline, a.Unit, a.Samples = round2(r.Cold.centre()), round2(prev), "ms", r.ColdInc.N
		a.Expected, a.Observed = a.Baseline, a.Value
		a.WindowStart = fromMs(r.ColdInc.Since)
		e.alerts = append(e.alerts, a)
		r.ColdInc = incident{}
	}
	r.Dep = deployState{}
	s := &r.Sus
	s.Rule, s.S, s.Since, s.Res, s.ResN, s.Inv, s.OK, s.Esc = "", 0, 0, 0, 0, 0, 0, false
}

// relevelWarm moves the warm and sustained baselines to the median of the
// recent invocations, keeping their spread and weight.
func (e *fnEval) relevelWarm() {
	r := e.rec
	if len(r.Ring) == 0 {
		return
	}
	m := medianLog(r.Ring, len(r.Ring))
	shift := m - r.Warm.M
	r.Warm.M = m
	r.Sus.Level.M += shift
	e.win.ok = false
}

// sinceDeploy names the versions when the evidence started after a deploy
// that is still being compared.
func (e *fnEval) sinceDeploy(since int64) string {
	d := &e.rec.Dep
	if d.At == 0 || since < d.At {
		return ""
	}
	return fmt.Sprintf(" — since version %s (previous: %s)", d.To, orDash(d.From))
}

// AcceptBaseline marks a function record so that the next batch makes the
// current behaviour the baseline (`logwarden baselines accept FUNCTION`):
// an open duration or cold start incident resolves with a note, and a
// pending deploy comparison ends. The change is applied by Evaluate, so
// the RESOLVED alert goes through the normal notification path.
func AcceptBaseline(data []byte) ([]byte, error) {
	var r fnRecord
	if err := unmarshalRecord(data, &r); err != nil {
		return nil, fmt.Errorf("decode function baseline: %w", err)
	}
	r.Dep.Accept = true
	var buf []byte
	return encodeRecord(&buf, &r), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fmtDuration renders "24h", "90m", "45s" without Go's zero units.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d.Round(time.Minute)/time.Minute)
	}
	return d.Round(time.Second).String()
}
