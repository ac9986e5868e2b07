package alerting

import (
	"context"
	"sync"
	"time"
)

// Delivery never stalls the function: a Lambda that runs into its timeout
// loses its whole invocation (in AWS: an async retry, a DLQ entry, a
// Kinesis or Firehose redelivery), so every Notify call has a deadline, a
// channel that does not answer in time is cut off for the rest of the
// invocation with its alerts parked as pending, pending retries per
// invocation are bounded, and the store writes that park alerts have their
// own short deadline once delivery's is spent.
const (
	// defaultAttemptTimeout bounds one Notify call. Slack and SES answer in
	// well under a second when they are up.
	defaultAttemptTimeout = 5 * time.Second
	// defaultPendingRetries bounds the pending deliveries one RetryPending
	// retries (oldest first), one attempt each.
	defaultPendingRetries = 10
	// defaultMaxPending bounds the pending set; past it the oldest are
	// dropped and counted into one "could not be delivered" notice.
	defaultMaxPending = 100
	// ParkTimeout bounds the store writes that record deliveries and park
	// alerts after the delivery deadline (callers keep this much spare).
	ParkTimeout = time.Second
)

type runKey struct{}

// run is one invocation's delivery state, shared by RetryPending and
// Dispatch through the context: the channels cut off so far.
type run struct {
	mu     sync.Mutex
	broken map[string]bool
}

// WithRun returns ctx carrying a fresh delivery run: a channel that times
// out in one call is not tried again by the next within the same run.
// Without one, each call is its own run.
func WithRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, runKey{}, &run{broken: map[string]bool{}})
}

func runFrom(ctx context.Context) (context.Context, *run) {
	if r, ok := ctx.Value(runKey{}).(*run); ok {
		return ctx, r
	}
	r := &run{broken: map[string]bool{}}
	return context.WithValue(ctx, runKey{}, r), r
}

func (r *run) isBroken(channel string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.broken[channel]
}

func (r *run) cut(channel string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broken[channel] = true
}

// parkContext is for store writes after delivery: not cancelled with the
// delivery deadline, but bounded by ParkTimeout.
func parkContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), ParkTimeout)
}
