package alerting

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/store"
)

// hangingNotifier never answers: it returns only when its context ends.
type hangingNotifier struct {
	mu    sync.Mutex
	calls int
}

func (h *hangingNotifier) Name() string { return "slack" }

func (h *hangingNotifier) Notify(ctx context.Context, _ ...detect.Alert) (bool, error) {
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
	<-ctx.Done()
	return true, ctx.Err()
}

// TestHangingChannelIsCutOffAndParked pins that a channel that never
// answers costs one attempt timeout per invocation, not the invocation:
// its alerts are parked, the other channel delivers, and the pending
// retry of the same run does not try it again.
func TestHangingChannelIsCutOffAndParked(t *testing.T) {
	st := store.NewMemory()
	slack := &hangingNotifier{}
	email := &fakeNotifier{name: "email"}
	d := New(st, map[string]notify.Notifier{"slack": slack, "email": email},
		func(detect.Alert) detect.Thresholds { return detect.Thresholds{} }, quietLog())
	d.AttemptTimeout = 50 * time.Millisecond
	ctx := WithRun(context.Background())

	rep := d.Dispatch(ctx, []detect.Alert{alert(detect.TypeCrash, "orders", detect.StatusFiring, t0)}, t0)
	require.Equal(t, 1, rep.Pending["slack"])
	require.Equal(t, 1, rep.Sent["email"])
	require.Equal(t, 1, slack.calls, "cut off after one attempt, no retries into the deadline")

	rep = d.RetryPending(ctx, t0)
	require.Equal(t, 1, rep.Pending["slack"])
	require.Equal(t, 1, slack.calls, "not tried again within the same invocation")

	rep = d.RetryPending(WithRun(context.Background()), t0.Add(time.Minute))
	require.Equal(t, 1, rep.Pending["slack"])
	require.Equal(t, 2, slack.calls, "the next invocation tries once")
}

// TestPendingRetriesAreBoundedOldestFirst pins that 30 pending deliveries
// cost at most PendingRetries Notify calls per invocation, oldest first.
func TestPendingRetriesAreBoundedOldestFirst(t *testing.T) {
	st := store.NewMemory()
	down := true
	slack := &fakeNotifier{name: "slack", fail: func(int) (bool, error) {
		if down {
			return true, &notify.Error{Channel: "slack", Err: errors.New("503")}
		}
		return false, nil
	}}
	d := newDispatcher(st, detect.Thresholds{}, slack)
	d.MaxAttempts = 1
	for i := range 30 {
		a := alert(detect.TypeCrash, fmt.Sprintf("fn%02d", i), detect.StatusFiring, t0)
		require.Equal(t, 1, d.Dispatch(context.Background(), []detect.Alert{a}, t0.Add(time.Duration(i)*time.Second)).Pending["slack"])
	}
	down = false
	before := slack.tries
	rep := d.RetryPending(context.Background(), t0.Add(time.Minute))
	require.Equal(t, d.PendingRetries, slack.tries-before)
	require.Equal(t, d.PendingRetries, rep.Sent["slack"])
	require.Equal(t, "fn00", slack.calls[0][0].Function, "oldest first")
	for range 2 {
		d.RetryPending(context.Background(), t0.Add(2*time.Minute))
	}
	require.Equal(t, 30, slack.sent(), "every pending alert is delivered in the end, once")
}

// TestPendingOverflowIsAnnouncedOnTheOtherChannel pins that the pending set
// is bounded and that what it drops is never dropped silently: one notice
// on the other channel says how many alerts could not be delivered.
func TestPendingOverflowIsAnnouncedOnTheOtherChannel(t *testing.T) {
	st := store.NewMemory()
	slack := &fakeNotifier{name: "slack", fail: func(int) (bool, error) {
		return true, &notify.Error{Channel: "slack", Err: errors.New("503")}
	}}
	email := &fakeNotifier{name: "email"}
	d := newDispatcher(st, detect.Thresholds{}, slack, email)
	d.MaxAttempts, d.MaxPending = 1, 5
	for i := range 8 {
		a := alert(detect.TypeCrash, fmt.Sprintf("fn%d", i), detect.StatusFiring, t0)
		d.Dispatch(context.Background(), []detect.Alert{a}, t0.Add(time.Duration(i)*time.Second))
	}
	recs, err := st.List(context.Background(), "pending#slack#", t0)
	require.NoError(t, err)
	require.Len(t, recs, 5, "the pending set is bounded")

	var notices []detect.Alert
	for _, call := range email.calls {
		for _, a := range call {
			if a.Type == TypeUndelivered {
				notices = append(notices, a)
			}
		}
	}
	require.NotEmpty(t, notices)
	total := 0
	for _, n := range notices {
		total += n.Samples
		require.Contains(t, n.Summary, "could not be delivered to slack")
	}
	require.Equal(t, 3, total, "each dropped alert is counted in exactly one notice")
	idx, err := st.Get(context.Background(), []string{pendingIndex}, t0)
	require.NoError(t, err)
	require.Empty(t, decodeIndex(idx[pendingIndex].Data).Dropped, "reported, so cleared")
}

// TestBurstIsParkedInParts pins that a burst of alerts parked at once is
// kept in records of at most maxPendingAlerts (one DynamoDB item each,
// under its 400 KB limit), and all are delivered later.
func TestBurstIsParkedInParts(t *testing.T) {
	st := store.NewMemory()
	down := true
	slack := &fakeNotifier{name: "slack", fail: func(int) (bool, error) {
		if down {
			return true, &notify.Error{Channel: "slack", Err: errors.New("503")}
		}
		return false, nil
	}}
	d := newDispatcher(st, detect.Thresholds{}, slack)
	d.MaxAttempts = 1
	var burst []detect.Alert
	for i := range 120 {
		a := alert(detect.TypeBruteForce, "login", detect.StatusFiring, t0)
		a.Key = fmt.Sprintf("brute_force|login|ip:192.0.2.%d", i)
		burst = append(burst, a)
	}
	require.Equal(t, 120, d.Dispatch(context.Background(), burst, t0).Pending["slack"])
	recs, err := st.List(context.Background(), "pending#slack#", t0)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	for _, r := range recs {
		require.Less(t, len(r.Data), 350<<10)
	}
	down = false
	require.Equal(t, 120, d.RetryPending(context.Background(), t0.Add(time.Minute)).Sent["slack"])
}
