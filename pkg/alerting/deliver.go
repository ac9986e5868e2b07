package alerting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
)

// retryMargin is kept free before the context's deadline: a Lambda that
// runs into its timeout loses the whole batch, pending record included.
const retryMargin = 2 * time.Second

type outcome int

const (
	sent outcome = iota
	pending
	failed
)

// deliver sends alerts on one channel, retrying retryable failures with
// backoff while the deadline allows, and keeps them as pending otherwise.
func (d *Dispatcher) deliver(ctx context.Context, channel string, route notify.Route, alerts []detect.Alert, now time.Time) Report {
	rep := newReport()
	switch d.attempt(ctx, channel, route, alerts, d.MaxAttempts) {
	case sent:
		rep.Sent[channel] += len(alerts)
		rep.Messages[channel]++
	case failed:
		rep.Failed[channel] += len(alerts)
	case pending:
		park, cancel := parkContext(ctx)
		defer cancel()
		// A pending record is one DynamoDB item: a burst of alerts is kept
		// in parts well under its 400 KB limit.
		for part := range slices.Chunk(alerts, maxPendingAlerts) {
			if err := d.savePending(park, channel, route, part, now); err != nil {
				d.log.WithError(err).WithField("channel", channel).WithField("keys", alertKeys(part)).
					Error("alerting: alerts could not be delivered nor kept for a retry: they are lost")
				rep.Failed[channel] += len(part)
				continue
			}
			rep.Pending[channel] += len(part)
		}
	}
	return rep
}

// maxPendingAlerts is how many alerts one pending record holds (an alert
// is at most a few KB: capped ids, names and top lists).
const maxPendingAlerts = 50

// attempt sends alerts on one channel, at most tries times. A call that
// runs out of time cuts the channel off for the rest of the run: a channel
// that does not answer must not eat the invocation.
func (d *Dispatcher) attempt(ctx context.Context, channel string, route notify.Route, alerts []detect.Alert, tries int) outcome {
	ctx, r := runFrom(ctx)
	if r.isBroken(channel) || ctx.Err() != nil {
		return pending
	}
	n := d.notifiers[channel]
	wait := d.Backoff
	for try := 1; ; try++ {
		timeout := d.AttemptTimeout
		if timeout <= 0 {
			timeout = defaultAttemptTimeout
		}
		actx, cancel := context.WithTimeout(notify.WithRoute(ctx, route), timeout)
		retry, err := n.Notify(actx, alerts...)
		timedOut := actx.Err() != nil
		cancel()
		if err == nil {
			return sent
		}
		log := d.log.WithField("channel", channel).WithField("attempt", try).WithError(err)
		if timedOut {
			r.cut(channel)
			log.Warn("alerting: channel did not answer in time; cut off for this invocation, alerts kept as pending")
			return pending
		}
		if !retry {
			d.loud(channel, err, alerts)
			return failed
		}
		w := max(wait, notify.RetryAfter(err))
		if try >= tries || !fits(ctx, w) {
			log.Warn("alerting: delivery failed; keeping the alerts as pending for the next invocation")
			return pending
		}
		log.WithField("retry_in", w.String()).Info("alerting: delivery failed; retrying")
		if d.Sleep(ctx, w) != nil {
			return pending
		}
		wait *= 2
	}
}

// fits reports whether waiting w still leaves room before ctx's deadline.
func fits(ctx context.Context, w time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > w+retryMargin
}

// loud logs a failure that no retry can fix, once per channel and cause,
// with what the operator has to change.
func (d *Dispatcher) loud(channel string, err error, alerts []detect.Alert) {
	fix := notify.Fix(err)
	id := channel + "\x00" + err.Error()
	d.mu.Lock()
	first := !d.warned[id]
	d.warned[id] = true
	d.mu.Unlock()
	entry := d.log.WithField("channel", channel).WithField("fix", fix).WithField("keys", alertKeys(alerts)).WithError(err)
	if !first {
		entry.Debug("alerting: delivery failed again for the same reason")
		return
	}
	entry.Error("alerting: CANNOT DELIVER ALERTS on " + channel + ": " + orUnknown(fix))
}

func orUnknown(fix string) string {
	if fix == "" {
		return "see the error"
	}
	return fix
}

func alertKeys(alerts []detect.Alert) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = a.Key
	}
	return out
}

// pendingID names a pending delivery by its channel and content, so the
// same alerts kept twice (a retried batch) are one record.
func pendingID(channel string, route notify.Route, alerts []detect.Alert) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%v\x00", channel, route)
	for _, a := range alerts {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00", a.Key, a.Status, a.Time.UnixNano())
	}
	return "pending#" + channel + "#" + hex.EncodeToString(h.Sum(nil)[:12])
}

var errNoNotifier = errors.New("channel no longer configured")
