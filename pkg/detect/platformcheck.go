package detect

import (
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
// a size the version never had is believed once PlatformConfirm REPORTs
// in a row, spread over a minute or more, show it (every REPORT after a
// configuration change does; a forged line reverts on the next real one).
// Sizes are kept per version (the stream name's), so a canary between two
// versions configured differently is not a contradiction, and the first
// REPORT of a new version is its configuration.
func (e *fnEval) suspectReport(o *Observation) string {
	ev, p := &o.Event, &e.rec.Plat
	if why := e.impossible(o); why != "" {
		return why
	}
	if id := ev.RequestID; id != "" && e.reported(id) {
		return "a second REPORT for a request already reported"
	}
	if !ev.HasMemory || ev.MemorySizeMB <= 0 {
		return ""
	}
	i := p.slot(streamVersion(o.LogStream))
	switch {
	case i < 0:
		p.addVersion(streamVersion(o.LogStream), ev.MemorySizeMB)
		return ""
	case ev.MemorySizeMB == p.Sizes[i]:
		p.Ns[i] = min(p.Ns[i]+1, 1<<20)
		p.Cand, p.CandN, p.CandT = 0, 0, 0
		return ""
	case p.Ns[i] < e.th.PlatformConfirm:
		p.Sizes[i], p.Ns[i] = ev.MemorySizeMB, 1 // not established yet: follow it
		return ""
	}
	t := ms(o.Time)
	if ev.MemorySizeMB != p.Cand {
		p.Cand, p.CandN, p.CandT = ev.MemorySizeMB, 0, t
	}
	p.CandN++
	if p.CandN < e.th.PlatformConfirm || t-p.CandT < minuteMs {
		return "a memory size the function's version never had"
	}
	p.Sizes[i], p.Ns[i] = ev.MemorySizeMB, p.CandN
	p.Cand, p.CandN, p.CandT = 0, 0, 0
	p.Changes++
	return ""
}

// impossible returns why a REPORT cannot be Lambda's, or "".
func (e *fnEval) impossible(o *Observation) string {
	ev := &o.Event
	if ev.DurationMs > maxLambdaMs {
		return "a duration longer than Lambda allows"
	}
	if ev.HasMemory && ev.MemorySizeMB > 0 && ev.MaxMemoryUsedMB > ev.MemorySizeMB {
		return "max memory used above the memory size"
	}
	return ""
}

// slot is the index of version v in the memory table, or -1.
func (p *platState) slot(v string) int {
	for i, x := range p.Vers {
		if x == v && i < len(p.Sizes) && i < len(p.Ns) {
			return i
		}
	}
	return -1
}

// addVersion records a version's memory size, keeping the last two.
func (p *platState) addVersion(v string, size int) {
	if len(p.Vers) != len(p.Sizes) || len(p.Vers) != len(p.Ns) {
		p.Vers, p.Sizes, p.Ns = nil, nil, nil
	}
	if len(p.Vers) >= 2 {
		p.Vers, p.Sizes, p.Ns = p.Vers[1:], p.Sizes[1:], p.Ns[1:]
	}
	p.Vers = append(p.Vers, v)
	p.Sizes = append(p.Sizes, size)
	p.Ns = append(p.Ns, 1)
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
		e.suspect("a timeout longer than any seen, with no REPORT of that length")
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
			x := &e.p.in.Observations[i]
			if ev := &x.Event; ev.Kind == logline.KindReport && ev.RequestID != "" && !e.contradicts(x) {
				e.reports[ev.RequestID] = ev
			}
		}
	}
	return e.reports[id]
}

// contradicts is the part of suspectReport that needs no state change:
// an impossible REPORT, or one with a memory size other than its
// version's established one.
func (e *fnEval) contradicts(o *Observation) bool {
	if e.impossible(o) != "" {
		return true
	}
	ev, p := &o.Event, &e.rec.Plat
	i := p.slot(streamVersion(o.LogStream))
	return i >= 0 && p.Ns[i] >= e.th.PlatformConfirm && ev.HasMemory && ev.MemorySizeMB > 0 && ev.MemorySizeMB != p.Sizes[i]
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
		if !after || x.LogStream != o.LogStream || x.Event.Kind != logline.KindReport || e.contradicts(x) {
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
		if x.LogStream == o.LogStream && x.Event.Kind == logline.KindReport && !e.contradicts(x) &&
			x.Event.DurationMs >= limit && x.Event.DurationMs <= limit/0.9*1.1 {
			return true
		}
	}
	return false
}
