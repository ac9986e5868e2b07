// Package handler is the processor Lambda's invocation logic: it recognises
// the three ways CloudWatch Logs reaches it (a direct subscription, a Kinesis
// Data Streams event source, a Firehose transformation), runs every batch
// through the pipeline, dispatches the alerts and answers each transport the
// way it needs to avoid both loss and endless redelivery.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/pipeline"
)

// Dispatcher delivers alerts (package alerting).
type Dispatcher interface {
	Dispatch(ctx context.Context, alerts []detect.Alert, now time.Time) alerting.Report
	RetryPending(ctx context.Context, now time.Time) alerting.Report
}

// Handler holds what lives for a container's lifetime: clients and caches
// built once at cold start. Nothing per invocation is kept on it.
type Handler struct {
	Pipeline   *pipeline.Processor
	Dispatcher Dispatcher
	Limits     cwlogs.Limits
	Log        *logrus.Entry
	Metrics    io.Writer // EMF lines; nil: none
	Function   string    // this function's name, the EMF dimension
	Now        func() time.Time
	// Reserve is kept back from the invocation deadline to persist state and
	// deliver or park alerts.
	Reserve time.Duration
	// DeliveryMax caps the time alert delivery and pending retries take in
	// one invocation (default 10 s); whatever is left then is parked.
	DeliveryMax time.Duration
}

// defaultDeliveryMax bounds delivery when DeliveryMax is not set: Slack and
// SES answer in well under a second; a channel that takes longer is cut off.
const defaultDeliveryMax = 10 * time.Second

// parkSlack is kept after the delivery deadline, beside alerting's
// ParkTimeout, for the response to reach Lambda.
const parkSlack = 250 * time.Millisecond

// ErrMalformed marks an event that cannot be decoded. For a direct
// subscription it is returned so the asynchronous invocation ends in the
// on-failure destination with its payload, rather than vanishing.
var ErrMalformed = errors.New("malformed event")

// Summary is the response to a direct subscription invocation (ignored by
// asynchronous callers, useful to tests and manual invokes).
type Summary struct {
	Batches int `json:"batches"`
	Skipped int `json:"skipped"`
	Events  int `json:"events"`
	// Dropped counts subscription documents and events dropped at decode
	// beside the ones processed (an unknown messageType, a timestamp out
	// of range); each is logged.
	Dropped int            `json:"dropped,omitempty"`
	Alerts  int            `json:"alerts"`
	Sent    map[string]int `json:"sent,omitempty"`
	Pending map[string]int `json:"pending,omitempty"`
}

// Invoke handles one raw invocation payload.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (any, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		h.dropped(ctx, "invocation", 1)
		return nil, fmt.Errorf("%w: payload is not a JSON object: %v", ErrMalformed, err)
	}
	switch {
	case top["awslogs"] != nil:
		return h.subscription(ctx, top["awslogs"])
	case top["Records"] != nil:
		return h.kinesis(ctx, payload)
	case top["records"] != nil && top["deliveryStreamArn"] != nil || top["invocationId"] != nil:
		return h.firehose(ctx, payload)
	}
	h.dropped(ctx, "invocation", 1)
	return nil, fmt.Errorf("%w: not a CloudWatch Logs subscription, Kinesis or Firehose event", ErrMalformed)
}

// run processes decoded batches within the work deadline and collects the
// alerts; it stops at the first error that a retry could fix.
func (h *Handler) run(ctx context.Context, batches []cwlogs.Batch, sum *Summary, alerts *[]detect.Alert, st *stats) error {
	for i := range batches {
		b := &batches[i]
		for _, err := range b.Rejected {
			// Events dropped at decode (timestamp out of range): counted
			// and logged, the rest of the batch is processed.
			st.dropped++
			sum.Dropped++
			h.Log.WithFields(logrus.Fields{"log_group": b.LogGroup, "log_stream": b.LogStream}).
				WithError(err).Warn("event dropped at decode")
		}
		start := time.Now()
		res, err := h.Pipeline.Process(ctx, b, h.Now())
		st.add(res, time.Since(start))
		sum.Batches++
		sum.Events += res.Events
		if res.Skipped {
			sum.Skipped++
			continue
		}
		// A batch whose state was written in part still has the alerts of
		// the records that were: they are delivered (or parked) before the
		// error makes Lambda retry, and the retry does not raise them again.
		for _, a := range res.Alerts {
			h.logAlert(b, a)
		}
		*alerts = append(*alerts, res.Alerts...)
		if err != nil {
			return fmt.Errorf("batch %s/%s: %w", b.LogGroup, b.LogStream, err)
		}
		h.Log.WithFields(logrus.Fields{
			"log_group": b.LogGroup, "log_stream": b.LogStream, "batch_id": pipeline.BatchID(b),
			"events": res.Events, "alerts": len(res.Alerts), "state_reads": res.KeysRead,
			"state_writes": res.KeysWritten, "conflicts": res.Conflicts, "duplicates": res.Duplicates,
			"duration_ms": float64(time.Since(start).Microseconds()) / 1000,
		}).Debug("batch processed")
	}
	return nil
}

// workContext bounds batch processing so that Reserve remains for writing
// state and delivering alerts before Lambda kills the invocation.
func (h *Handler) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && h.Reserve > 0 {
		return context.WithDeadline(ctx, dl.Add(-h.Reserve))
	}
	return context.WithCancel(ctx)
}

// deliver retries alerts parked by earlier invocations, then sends this
// invocation's alerts as one digest per destination, within a bounded
// share of the remaining time: pending retries get at most half of it, and
// the deadline leaves room to park what was not delivered, so the
// invocation answers before Lambda's timeout whatever Slack or SES do.
func (h *Handler) deliver(ctx context.Context, alerts []detect.Alert, sum *Summary, st *stats) {
	now := h.Now()
	dctx, cancel := h.deliveryContext(ctx)
	defer cancel()
	dctx = alerting.WithRun(dctx)
	pctx, pcancel := dctx, context.CancelFunc(func() {})
	if dl, ok := dctx.Deadline(); ok {
		pctx, pcancel = context.WithDeadline(dctx, time.Now().Add(time.Until(dl)/2))
	}
	pending := h.Dispatcher.RetryPending(pctx, now)
	pcancel()
	rep := h.Dispatcher.Dispatch(dctx, alerts, now)
	sum.Alerts += len(alerts)
	sum.Sent = merge(rep.Sent, pending.Sent)
	sum.Pending = rep.Pending
	st.report(rep, pending)
}

// deliveryContext bounds delivery: DeliveryMax, and the invocation's
// deadline less the time parking the undelivered alerts may take.
func (h *Handler) deliveryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := h.DeliveryMax
	if budget <= 0 {
		budget = defaultDeliveryMax
	}
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)-alerting.ParkTimeout-parkSlack)
	}
	return context.WithTimeout(ctx, max(budget, 0))
}

func merge(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		out[k] += v
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}

func (h *Handler) logAlert(b *cwlogs.Batch, a detect.Alert) {
	f := logrus.Fields{
		"alert_type": a.Type, "status": a.Status, "severity": a.Severity, "function": a.Function,
		"log_group": a.LogGroup, "when": a.Time.Format(time.RFC3339), "key": a.Key,
		"value": a.Value, "baseline": a.Baseline, "samples": a.Samples, "batch_id": pipeline.BatchID(b),
	}
	if a.IP != "" {
		f["ip"] = a.IP
	}
	if a.User != "" {
		f["user"] = a.User
	}
	h.Log.WithFields(f).Warn("detection")
}
