package detect

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logwarden/logwarden/pkg/logline"
)

// ringSize is how many recent warm invocations a function record keeps: the
// sustained-deviation window and the `logwarden baselines` chart.
const ringSize = 32

// maxSeen is how many timed-out or crashed request ids a function remembers,
// so that a REPORT with Status: timeout and the separate "Task timed out"
// line of the same request (possibly in another delivery) count once.
const maxSeen = 64

// fnRecord is the state of one function: fn#<function>.
type fnRecord struct {
	header
	Fn      string    `json:"fn"`
	Version string    `json:"ver,omitempty"` // from the log stream name, "[39]" or "[$LATEST]"
	Updated int64     `json:"t,omitempty"`   // time of the latest event applied
	Warm    ewma      `json:"warm"`          // ln(warm duration ms)
	Ring    []sample  `json:"ring,omitempty"`
	Dur     incident  `json:"dur"`
	Cold    ewma      `json:"cold"` // ln(init or restore duration ms)
	Colds   []sample  `json:"colds,omitempty"`
	ColdInc incident  `json:"coldinc"`
	ColdN   int       `json:"coldn,omitempty"` // cold starts seen
	WarmN   int       `json:"warmn,omitempty"` // warm invocations seen
	MemMB   int       `json:"mem,omitempty"`   // memory size of the latest REPORT
	MemUsed int       `json:"used,omitempty"`  // max memory used of the latest REPORT
	Mem     incident  `json:"meminc"`
	Seen    []string  `json:"seen,omitempty"`
	Cost    costState `json:"cost"`
	// Detection v2 (format v2).
	Sus   sustain     `json:"sus"`
	Rates rates       `json:"rates"`
	Dep   deployState `json:"dep"`
	Plat  platState   `json:"plat"`
	Used  ewma        `json:"usedb"` // ln(max memory used MB), for deploy comparisons
}

// sample is one invocation in a ring: time (epoch ms), duration (ms), request id.
type sample struct {
	T int64   `json:"t"`
	D float64 `json:"d"`
	R string  `json:"r,omitempty"`
}

// incident is an ongoing alert of a stateful detector: it fires once when
// the condition starts and resolves once when it ends.
type incident struct {
	Active bool    `json:"a,omitempty"`
	Since  int64   `json:"s,omitempty"` // start of the evidence
	N      int     `json:"n,omitempty"` // invocations since
	Peak   float64 `json:"p,omitempty"`
	Last   int64   `json:"l,omitempty"` // last time the condition held
}

// fnEval carries one evaluation of a function record.
type fnEval struct {
	p      *plan
	th     Thresholds
	rec    *fnRecord
	alerts []Alert
	win    window // sorted duration window of rec.Ring
	// reports indexes the batch's REPORTs by request id (built on first
	// use by the platform-line checks).
	reports map[string]*logline.Event
	// failures: request ids with a timeout or runtime-exit line in the batch.
	failures map[string]bool
}

func (p *plan) applyFunction(key string, data []byte) (Update, bool) {
	var rec fnRecord
	note := decodeRecord(key, data, &rec, len(p.in.Observations))
	if note != "" {
		rec = fnRecord{}
	}
	if rec.seen(p.in.BatchID) {
		return Update{}, false
	}
	rec.Fn = p.in.Function
	e := &fnEval{p: p, th: p.in.Thresholds, rec: &rec}
	e.apply()
	rec.remember(p.in.BatchID)
	return Update{Key: key, Data: p.fit(&rec, budgetFunction), Alerts: e.alerts, Note: note}, true
}

// apply walks the batch's performance events in order.
func (e *fnEval) apply() {
	var timeouts, crashes burst
	for i := range e.p.in.Observations {
		o := &e.p.in.Observations[i]
		if !isPerf(o.Event.Kind) {
			continue
		}
		t := ms(o.Time)
		if t > e.rec.Updated {
			e.rec.Updated = t
		}
		ev := &o.Event
		switch ev.Kind {
		case logline.KindTimeout:
			if e.timeoutBelievable(o) {
				e.failure(&timeouts, o, "t:")
			}
		case logline.KindCrash:
			if e.crashBelievable(o) {
				e.failure(&crashes, o, "c:")
			}
		case logline.KindReport:
			if why := e.suspectReport(o); why != "" {
				e.suspect(why)
				continue
			}
			switch {
			case ev.Status == logline.StatusTimeout:
				e.rec.Plat.MaxTO = max(e.rec.Plat.MaxTO, round2(ev.DurationMs/1000))
				e.failure(&timeouts, o, "t:")
			case ev.Status == logline.StatusError && ev.ErrorType != "":
				e.failure(&crashes, o, "c:")
			}
			e.report(o)
		}
	}
	e.flush(&timeouts, TypeTimeout, SeverityWarning)
	e.flush(&crashes, TypeCrash, SeverityCritical)
}

// report feeds one REPORT to the duration, cold start, memory and cost detectors.
func (e *fnEval) report(o *Observation) {
	ev := &o.Event
	if e.rec.Dep.Accept {
		e.acceptNew(o, "accepted by the operator")
	}
	if v := streamVersion(o.LogStream); v != "" && supersedes(v, e.rec.Version) {
		if e.rec.Version != "" {
			e.deployed(o, v)
		}
		e.rec.Version = v
	}
	e.deployAge(o)
	e.invocation(o)
	if ev.ColdStart() {
		e.rec.ColdN++
		e.coldStart(o)
	} else {
		e.rec.WarmN++
		e.rec.Plat.MaxMs = max(e.rec.Plat.MaxMs, round2(ev.DurationMs))
		// A timed-out or crashed invocation's duration is the timeout or
		// the moment of the crash, not the function's speed: it is
		// alerted as what it is and kept out of the sustained and deploy
		// statistics (the window rule keeps its behaviour).
		e.warm(o)
		if !e.failed(ev) {
			e.sustained(o)
			e.deployCompare(o)
		}
	}
	if ev.HasMemory && ev.MemorySizeMB > 0 {
		e.rec.MemMB, e.rec.MemUsed = ev.MemorySizeMB, ev.MaxMemoryUsedMB
		e.memory(o)
		e.deployMemory(o)
	}
	e.cost(o)
}

// burst aggregates the timeouts or crashes of one batch into one alert: the
// detector reports every occurrence, the notifier's cooldown decides how
// often a human hears about it.
type burst struct {
	first   *Observation
	n       int
	ids     []string
	reasons map[string]int
}

// failure counts a timeout or crash once per request id.
func (e *fnEval) failure(b *burst, o *Observation, tag string) {
	if id := o.Event.RequestID; id != "" {
		if slices.Contains(e.rec.Seen, tag+id) {
			return
		}
		e.rec.Seen = push(e.rec.Seen, tag+id, maxSeen)
		if len(b.ids) < 5 {
			b.ids = append(b.ids, id)
		}
	}
	if b.first == nil {
		b.first = o
		b.reasons = map[string]int{}
	}
	b.n++
	reason := o.Event.ErrorType
	if reason == "" {
		reason = o.Event.Reason
	}
	if reason != "" {
		b.reasons[reason]++
	}
}

// flush turns a burst into its alert.
func (e *fnEval) flush(b *burst, typ, severity string) {
	if b.first == nil {
		return
	}
	what := "timed out"
	if typ == TypeCrash {
		what = "crashed"
		if reason := topReason(b.reasons); reason != "" {
			what = "crashed (" + reason + ")"
		}
	} else if s := b.first.Event.TimeoutS; s > 0 {
		what = fmt.Sprintf("timed out after %s", fmtMs(s*1000))
	}
	inv := "invocation"
	if b.n > 1 {
		inv = "invocations"
	}
	a := e.alert(typ, severity, b.first, "")
	a.Summary = fmt.Sprintf("%d %s of %s %s", b.n, inv, e.p.in.Function, what)
	a.Value, a.Unit, a.Samples = float64(b.n), "invocations", b.n
	a.Rule, a.Window, a.Observed = "every_occurrence", "batch", float64(b.n)
	a.RequestIDs = b.ids
	a.WindowStart = b.first.Time.UTC()
	e.alerts = append(e.alerts, a)
}

func topReason(m map[string]int) string {
	best, n := "", 0
	for r, c := range m {
		if c > n || (c == n && r < best) {
			best, n = r, c
		}
	}
	return best
}

// memory raises memory_near_limit when max memory used reaches the
// threshold, and resolves it after MemoryResolveAfter without a report
// within 5 points of it (hysteresis: no flapping around the line).
func (e *fnEval) memory(o *Observation) {
	ev, inc := &o.Event, &e.rec.Mem
	pct := 100 * float64(ev.MaxMemoryUsedMB) / float64(ev.MemorySizeMB)
	t := ms(o.Time)
	if pct >= e.th.MemoryPercent-5 {
		inc.Last = max(inc.Last, t)
	}
	if !inc.Active {
		if pct < e.th.MemoryPercent {
			return
		}
		*inc = incident{Active: true, Since: t, Last: t, Peak: pct, N: 1}
		sev := SeverityWarning
		if ev.MaxMemoryUsedMB >= ev.MemorySizeMB {
			sev = SeverityCritical
		}
		a := e.alert(TypeMemory, sev, o, "")
		// "%.4g": 90.4 % must not print as "90 %, threshold 90 %".
		a.Summary = fmt.Sprintf("max memory used %d MB of %d MB (%.4g %% ≥ threshold %.4g %%)",
			ev.MaxMemoryUsedMB, ev.MemorySizeMB, round2(pct), e.th.MemoryPercent)
		a.Value, a.Baseline, a.Unit, a.Samples = round2(pct), e.th.MemoryPercent, "%", 1
		a.Rule, a.Window, a.Expected, a.Observed = "memory_percent", "1 REPORT", e.th.MemoryPercent, round2(pct)
		a.RequestIDs = nonEmpty(ev.RequestID)
		e.alerts = append(e.alerts, a)
		return
	}
	if pct >= e.th.MemoryPercent {
		inc.N++
	}
	inc.Peak = max(inc.Peak, pct)
	if t-inc.Last < e.th.MemoryResolveAfter.Milliseconds() {
		return
	}
	a := e.alert(TypeMemory, SeverityInfo, o, "")
	a.Status = StatusResolved
	a.Summary = fmt.Sprintf("max memory used back to %.0f %% of %d MB (peak %.0f %%, %d reports over the threshold since %s)",
		pct, ev.MemorySizeMB, inc.Peak, inc.N, clock(fromMs(inc.Since)))
	a.Value, a.Baseline, a.Unit, a.Samples = round2(pct), e.th.MemoryPercent, "%", inc.N
	a.Rule, a.Window, a.Expected, a.Observed = "memory_percent", fmtDuration(e.th.MemoryResolveAfter), e.th.MemoryPercent, round2(pct)
	a.WindowStart = fromMs(inc.Since)
	e.alerts = append(e.alerts, a)
	*inc = incident{}
}

// alert fills the fields every alert of this function shares.
func (e *fnEval) alert(typ, severity string, o *Observation, entity string) Alert {
	return newAlert(e.p.in, typ, severity, o, entity)
}

// newAlert builds the common part of an alert triggered by o.
func newAlert(in Input, typ, severity string, o *Observation, entity string) Alert {
	key := typ + "|" + in.Function
	if entity != "" {
		key += "|" + entity
	}
	group := in.LogGroup
	if group == "" {
		group = o.LogGroup
	}
	return Alert{
		Type: typ, Status: StatusFiring, Severity: severity, Time: o.Time.UTC(),
		Function: in.Function, LogGroup: group, LogStream: o.LogStream, Account: o.Account, Key: key,
	}
}

// streamVersion extracts the function version from a Lambda log stream name
// ("2024/06/30/[39]3ca8…" -> "39", "[$LATEST]" -> "$LATEST").
func streamVersion(stream string) string {
	i := strings.IndexByte(stream, '[')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(stream[i:], ']')
	if j < 0 {
		return ""
	}
	return stream[i+1 : i+j]
}

// supersedes reports whether version v replaces cur as the function's
// current code. Only a move forward counts: with an alias shifting traffic
// between two versions (canary, linear deployments), or $LATEST invoked
// beside published versions, the streams of both interleave, and treating
// every switch as a deploy would keep the baselines re-learning forever.
func supersedes(v, cur string) bool {
	switch {
	case v == cur:
		return false
	case cur == "":
		return true
	case v == "$LATEST":
		return false // a test of unpublished code beside published versions
	case cur == "$LATEST":
		return true // versions are being published now
	}
	nv, err1 := strconv.ParseUint(v, 10, 64)
	nc, err2 := strconv.ParseUint(cur, 10, 64)
	if err1 != nil || err2 != nil {
		return true
	}
	return nv > nc
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// fmtMs renders a duration in ms the way people read them: "412 ms", "29.8 s".
func fmtMs(v float64) string {
	switch {
	case v >= 100_000:
		return fmt.Sprintf("%.0f s", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.1f s", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// clock renders a time as "03:12 UTC" (with the date when not today's is
// needed the alert's time field carries it).
func clock(t time.Time) string { return t.UTC().Format("15:04 UTC") }
