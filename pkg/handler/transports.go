package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
)

// A payload (or record) may hold several subscription documents, and the
// decoder returns the ones it could read together with an error per
// document it could not (an unknown messageType, a syntax error after good
// documents). No retry can fix a bad document, so every transport processes
// its good neighbours and reports the bad one: logged, counted as Dropped,
// never retried. Only a payload with nothing readable takes the transport's
// undecodable path, and only transient failures are retried.

// usable sorts a decode result. It returns false when nothing could be read
// (the caller's undecodable path); otherwise every document error beside the
// batches is logged with fields and counted, and the batches are to be
// processed.
func (h *Handler) usable(batches []cwlogs.Batch, err error, st *stats, sum *Summary, fields logrus.Fields) bool {
	if len(batches) == 0 {
		return err == nil
	}
	if err == nil {
		return true
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		st.dropped++
		sum.Dropped++
		h.Log.WithFields(fields).WithError(e).Error("subscription document dropped at decode; the documents beside it are processed")
	}
	return true
}

// subscription handles {"awslogs":{"data":...}}, an asynchronous invocation:
// an error makes Lambda retry twice and then hand the event to the on-failure
// destination, so errors are returned for transient failures (state store
// down) and for wholly undecodable payloads (kept in the DLQ for
// inspection); a bad document beside good ones is logged and dropped.
func (h *Handler) subscription(ctx context.Context, raw json.RawMessage) (any, error) {
	st := newStats()
	defer h.flush(st)
	var ev struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		st.dropped++
		return nil, fmt.Errorf("%w: awslogs: %v", ErrMalformed, err)
	}
	var sum Summary
	batches, err := cwlogs.DecodeAWSLogs(ev.Data, h.Limits)
	if !h.usable(batches, err, st, &sum, logrus.Fields{"transport": "subscription"}) {
		st.dropped++
		h.Log.WithError(err).Error("undecodable subscription payload; returning an error so it reaches the on-failure destination")
		return nil, fmt.Errorf("%w: awslogs.data: %v", ErrMalformed, err)
	}
	var alerts []detect.Alert
	work, cancel := h.workContext(ctx)
	runErr := h.run(work, batches, &sum, &alerts, st)
	cancel()
	// Alerts of the batches that did complete are delivered even when a
	// later one failed: their state is written, a retry would not re-raise them.
	h.deliver(ctx, alerts, &sum, st)
	if runErr != nil {
		h.Log.WithError(runErr).Error("batch failed; the invocation will be retried (state updates are idempotent)")
		return nil, runErr
	}
	return sum, nil
}

// kinesis handles a Kinesis Data Streams event. Records (and documents
// within a record) that cannot be decoded are logged with their sequence
// number and dropped (retrying them would block the shard forever); a
// transient failure is reported in
// batchItemFailures from that record on, so Lambda resumes exactly there.
func (h *Handler) kinesis(ctx context.Context, payload []byte) (any, error) {
	st := newStats()
	defer h.flush(st)
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		st.dropped++
		return nil, fmt.Errorf("%w: Kinesis event: %v", ErrMalformed, err)
	}
	var sum Summary
	var alerts []detect.Alert
	resp := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}
	work, cancel := h.workContext(ctx)
	defer cancel()
	for i, rec := range ev.Records {
		seq := rec.Kinesis.SequenceNumber
		batches, err := cwlogs.DecodeKinesisRecord(rec.Kinesis.Data, h.Limits)
		fields := logrus.Fields{"sequence_number": seq, "event_source_arn": rec.EventSourceArn}
		if !h.usable(batches, err, st, &sum, fields) {
			st.dropped++
			h.Log.WithFields(fields).WithError(err).Error("undecodable Kinesis record dropped")
			continue
		}
		if err := h.run(work, batches, &sum, &alerts, st); err != nil {
			h.Log.WithField("sequence_number", seq).WithError(err).Error("record failed; reporting it for retry")
			for _, r := range ev.Records[i:] {
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
			}
			break
		}
	}
	h.deliver(ctx, alerts, &sum, st)
	return resp, nil
}

// firehose handles a Firehose data-transformation event. Every record is
// passed through unchanged ("Ok"): logwarden observes the stream, it does not
// rewrite it. An undecodable record is "ProcessingFailed", which Firehose
// writes to its error output; a record with a bad document beside good
// ones stays "Ok" (its data still belongs at the destination) and the bad
// document is logged and dropped. A transient failure fails the invocation
// so Firehose retries it.
func (h *Handler) firehose(ctx context.Context, payload []byte) (any, error) {
	st := newStats()
	defer h.flush(st)
	var ev events.KinesisFirehoseEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		st.dropped++
		return nil, fmt.Errorf("%w: Firehose event: %v", ErrMalformed, err)
	}
	var sum Summary
	var alerts []detect.Alert
	resp := events.KinesisFirehoseResponse{Records: make([]events.KinesisFirehoseResponseRecord, 0, len(ev.Records))}
	work, cancel := h.workContext(ctx)
	defer cancel()
	var runErr error
	for _, rec := range ev.Records {
		out := events.KinesisFirehoseResponseRecord{RecordID: rec.RecordID, Result: events.KinesisFirehoseTransformedStateOk, Data: rec.Data}
		batches, err := cwlogs.DecodeFirehoseRecord(rec.Data, h.Limits)
		if !h.usable(batches, err, st, &sum, logrus.Fields{"record_id": rec.RecordID}) {
			st.dropped++
			out.Result = events.KinesisFirehoseTransformedStateProcessingFailed
			h.Log.WithField("record_id", rec.RecordID).WithError(err).Error("undecodable Firehose record")
		} else if runErr == nil {
			runErr = h.run(work, batches, &sum, &alerts, st)
		}
		resp.Records = append(resp.Records, out)
	}
	h.deliver(ctx, alerts, &sum, st)
	if runErr != nil && !errors.Is(runErr, ErrMalformed) {
		return nil, runErr
	}
	return resp, nil
}
