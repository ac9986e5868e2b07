package handler

import (
	"context"
	"time"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/emf"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/pipeline"
)

// stats accumulates one invocation's self-metrics.
type stats struct {
	start                      time.Time
	batches, events, dropped   int
	kinds                      [logline.KindAuthSuccess + 1]int
	alerts, sent, failed, pend int
	stateReads, stateWrites    int
	conflicts                  int
	duplicates                 int // events already applied by an earlier delivery
}

func newStats() *stats { return &stats{start: time.Now()} }

func (s *stats) add(r pipeline.Result, _ time.Duration) {
	s.batches++
	s.events += r.Events
	for k, n := range r.Kinds {
		s.kinds[k] += n
	}
	s.alerts += len(r.Alerts)
	s.stateReads += r.KeysRead
	s.stateWrites += r.KeysWritten
	s.conflicts += r.Conflicts
	s.duplicates += r.Duplicates
}

func (s *stats) report(reps ...alerting.Report) {
	for _, r := range reps {
		s.sent += total(r.Sent)
		s.failed += total(r.Failed)
		s.pend += total(r.Pending)
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (h *Handler) dropped(_ context.Context, _ string, n int) {
	st := newStats()
	st.dropped = n
	h.flush(st)
}

// flush writes the invocation's metrics as one EMF line.
func (h *Handler) flush(s *stats) {
	if h.Metrics == nil {
		return
	}
	parsed := 0
	for k, n := range s.kinds {
		if logline.Kind(k) != logline.KindOther {
			parsed += n
		}
	}
	ms := []emf.Metric{
		{Name: "Batches", Unit: "Count", Value: float64(s.batches)},
		{Name: "EventsIn", Unit: "Count", Value: float64(s.events)},
		{Name: "EventsParsed", Unit: "Count", Value: float64(parsed)},
		{Name: "AuthFailures", Unit: "Count", Value: float64(s.kinds[logline.KindAuthFailure])},
		{Name: "Reports", Unit: "Count", Value: float64(s.kinds[logline.KindReport])},
		{Name: "Dropped", Unit: "Count", Value: float64(s.dropped)},
		{Name: "Alerts", Unit: "Count", Value: float64(s.alerts)},
		{Name: "AlertsSent", Unit: "Count", Value: float64(s.sent)},
		{Name: "AlertsFailed", Unit: "Count", Value: float64(s.failed)},
		{Name: "AlertsPending", Unit: "Count", Value: float64(s.pend)},
		{Name: "StateReads", Unit: "Count", Value: float64(s.stateReads)},
		{Name: "StateWrites", Unit: "Count", Value: float64(s.stateWrites)},
		{Name: "StateConflicts", Unit: "Count", Value: float64(s.conflicts)},
		{Name: "DuplicateEvents", Unit: "Count", Value: float64(s.duplicates)},
		{Name: "InvocationDuration", Unit: "Milliseconds", Value: float64(time.Since(s.start).Microseconds()) / 1000},
	}
	if err := emf.Write(h.Metrics, "logwarden", h.Now(), map[string]string{"FunctionName": h.Function}, ms); err != nil {
		h.Log.WithError(err).Warn("writing metrics")
	}
}
