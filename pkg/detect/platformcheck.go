package detect

import (
	"fmt"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Platform lines that contradict the function (#8.5). An application that
// writes attacker text at the start of a line (a raw print to stdout) can
// forge the runtime's REPORT, "Task timed out" and "Runtime exited" lines,
// in text and as JSON platform.* records alike. Such a line is believed only
// when it agrees with the function's own history or with the genuine lines
// of the same request; otherwise it is suspect: counted in the record (see
// `logwarden baselines`), never fed to a baseline, never an alert.
//
// What the Observation carries limits what can be checked: the pipeline
// drops START/END lines, so "a request id with no START in that stream" is
// not checked; a REPORT's request id, memory size and duration, and the
// batch's other REPORTs are. Known gap: a forged REPORT that copies the
// function's real memory size and a fresh request id is indistinguishable
// from a real one, and so is a crash line naming the attacker's own real
// request id.

// maxLambdaMs is the longest invocation Lambda allows (900 s) with slack for
// the runtime's shutdown: a REPORT beyond it is not from Lambda.
const maxLambdaMs = 905_000

// suspectReport returns why a REPORT contradicts the function's history,
// or "" when it is believable. It also learns a real memory-size change:
// a size the function never had is believed once PlatformConfirm REPORTs
// in a row, spread over a minute or more, show it (every REPORT after a
// configuration change does; a forged line reverts on the next real one).
func (e *fnEval) suspectReport(o *Observation) string {
	ev, p, r := &o.Event, &e.rec.Plat, e.rec
	if ev.DurationMs > maxLambdaMs {
		return fmt.Sprintf("duration %s is longer than Lambda allows", fmtMs(ev.DurationMs))
	}
	if ev.HasMemory && ev.MemorySizeMB > 0 && ev.MaxMemoryUsedMB > ev.MemorySizeMB {
		return fmt.Sprintf("max memory used %d MB above the memory size %d MB", ev.MaxMemoryUsedMB, ev.MemorySizeMB)
	}
	if id := ev.RequestID; id != "" && e.reported(id) {
		return "a second REPORT for request " + id
	}
	if !ev.HasMemory || ev.MemorySizeMB <= 0 {
		return ""
	}
	established := r.MemMB > 0 && r.WarmN+r.ColdN >= e.th.PlatformConfirm
	if !established || ev.MemorySizeMB == r.MemMB {
		p.Cand, p.CandN, p.CandT = 0, 0, 0
		return ""
	}
	t := ms(o.Time)
	if ev.MemorySizeMB != p.Cand {
		p.Cand, p.CandN, p.CandT = ev.MemorySizeMB, 0, t
	}
	p.CandN++
	if p.CandN < e.th.PlatformConfirm || t-p.CandT < minuteMs {
		return fmt.Sprintf("memory size %d MB, the function has %d MB", ev.MemorySizeMB, r.MemMB)
	}
	p.Cand, p.CandN, p.CandT = 0, 0, 0
	p.Changes++
	return ""
}

// reported reports whether a believed REPORT of request id was applied
// recently (the warm and cold rings hold their request ids).
func (e *fnEval) reported(id string) bool {
	for i := range e.rec.Ring {
		if e.rec.Ring[i].R == id {
			return true
		}
	}
	for i := range e.rec.Colds {
		if e.rec.Colds[i].R == id {
			return true
		}
	}
	return false
}

// suspect counts a line that contradicts the function.
func (e *fnEval) suspect(why string) {
	e.rec.Plat.Suspect++
	e.rec.Plat.Why = why
}

// timeoutBelievable: a "Task timed out after N seconds" line is believed
// when a REPORT of the same request (this batch, or recently applied)
// lasted about N seconds or says timeout; or, failing that, when N is a
// timeout the function has shown before. Lambda writes the REPORT with
// the same timestamp just before the line, in the same stream.
func (e *fnEval) timeoutBelievable(o *Observation) bool {
	ev, p := &o.Event, &e.rec.Plat
	limit := ev.TimeoutS * 1000 * 0.9
	ok := false
	if id := ev.RequestID; id != "" {
		if rep := e.batchReport(id); rep != nil {
			ok = rep.Status == logline.StatusTimeout || (limit > 0 && rep.DurationMs >= limit && rep.DurationMs <= maxLambdaMs)
		}
		for i := range e.rec.Ring {
			if s := &e.rec.Ring[i]; s.R == id && limit > 0 && s.D >= limit {
				ok = true
			}
		}
	}
	if !ok && ev.RequestID == "" && limit > 0 {
		ok = e.reportLasting(o, limit)
	}
	if !ok && ev.TimeoutS > 0 && p.MaxTO > 0 && ev.TimeoutS <= p.MaxTO*1.01 {
		ok = true
	}
	if !ok {
		e.suspect(fmt.Sprintf("timeout after %s with no REPORT of that length", fmtMs(ev.TimeoutS*1000)))
		return false
	}
	p.MaxTO = max(p.MaxTO, ev.TimeoutS)
	return true
}

// crashBelievable: a runtime-exit line is believed when the same request
// has a REPORT (this batch or recently applied); a line without a request
// id when a later REPORT of the same stream in the batch failed (status
// error or timeout, or memory at the limit).
func (e *fnEval) crashBelievable(o *Observation) bool {
	ev := &o.Event
	if id := ev.RequestID; id != "" {
		if e.batchReport(id) != nil || e.reported(id) {
			return true
		}
	} else if e.failedAfter(o) {
		return true
	}
	e.suspect("runtime exit with no REPORT of that request")
	return false
}

// batchReport returns the batch's REPORT of request id, if any that does
// not contradict the function (a forged REPORT cannot vouch for a forged
// timeout line).
func (e *fnEval) batchReport(id string) *logline.Event {
	if e.reports == nil {
		e.reports = map[string]*logline.Event{}
		for i := range e.p.in.Observations {
			if ev := &e.p.in.Observations[i].Event; ev.Kind == logline.KindReport && ev.RequestID != "" && !e.contradicts(ev) {
				e.reports[ev.RequestID] = ev
			}
		}
	}
	return e.reports[id]
}

// contradicts is the part of suspectReport that needs no state change:
// an impossible REPORT, or one with a memory size other than the
// function's established one.
func (e *fnEval) contradicts(ev *logline.Event) bool {
	r := e.rec
	if ev.DurationMs > maxLambdaMs || (ev.HasMemory && ev.MemorySizeMB > 0 && ev.MaxMemoryUsedMB > ev.MemorySizeMB) {
		return true
	}
	established := r.MemMB > 0 && r.WarmN+r.ColdN >= e.th.PlatformConfirm
	return established && ev.HasMemory && ev.MemorySizeMB > 0 && ev.MemorySizeMB != r.MemMB
}

// failedAfter reports whether a REPORT after o in o's stream failed.
func (e *fnEval) failedAfter(o *Observation) bool {
	obs := e.p.in.Observations
	after := false
	for i := range obs {
		x := &obs[i]
		if x == o {
			after = true
			continue
		}
		if !after || x.LogStream != o.LogStream || x.Event.Kind != logline.KindReport || e.contradicts(&x.Event) {
			continue
		}
		ev := &x.Event
		return ev.Status == logline.StatusTimeout || ev.Status == logline.StatusError ||
			(ev.HasMemory && ev.MemorySizeMB > 0 && ev.MaxMemoryUsedMB >= ev.MemorySizeMB)
	}
	return false
}

// failed reports whether a REPORT's invocation failed: its own status, or
// a timeout or runtime-exit line of the same request in the batch.
func (e *fnEval) failed(ev *logline.Event) bool {
	if ev.Status == logline.StatusTimeout || ev.Status == logline.StatusError {
		return true
	}
	if ev.RequestID == "" {
		return false
	}
	if e.failures == nil {
		e.failures = map[string]bool{}
		for i := range e.p.in.Observations {
			x := &e.p.in.Observations[i].Event
			if (x.Kind == logline.KindTimeout || x.Kind == logline.KindCrash) && x.RequestID != "" {
				e.failures[x.RequestID] = true
			}
		}
	}
	return e.failures[ev.RequestID]
}

// reportLasting reports whether a believable REPORT of o's stream in the
// batch lasted at least limit ms (the REPORT of a timeout whose line did
// not name its request).
func (e *fnEval) reportLasting(o *Observation, limit float64) bool {
	for i := range e.p.in.Observations {
		x := &e.p.in.Observations[i]
		if x.LogStream == o.LogStream && x.Event.Kind == logline.KindReport && !e.contradicts(&x.Event) &&
			x.Event.DurationMs >= limit && x.Event.DurationMs <= limit/0.9*1.1 {
			return true
		}
	}
	return false
}
