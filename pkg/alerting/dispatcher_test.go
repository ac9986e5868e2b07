package alerting

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/store"
)

// fakeNotifier records calls and fails while fail returns an error.
type fakeNotifier struct {
	name string
	mu   sync.Mutex
	// calls holds each Notify call's alerts and route.
	calls  [][]detect.Alert
	routes []notify.Route
	fail   func(call int) (bool, error)
	tries  int
}

func (f *fakeNotifier) Name() string { return f.name }

func (f *fakeNotifier) Notify(ctx context.Context, alerts ...detect.Alert) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.fail != nil {
		if retry, err := f.fail(f.tries); err != nil {
			return retry, err
		}
	}
	f.calls = append(f.calls, append([]detect.Alert(nil), alerts...))
	f.routes = append(f.routes, notify.RouteFrom(ctx))
	return false, nil
}

func (f *fakeNotifier) sent() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

var t0 = time.Date(2026, 3, 1, 3, 12, 0, 0, time.UTC)

func quietLog() *logrus.Entry {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return logrus.NewEntry(l)
}

func newDispatcher(st store.State, th detect.Thresholds, ns ...*fakeNotifier) *Dispatcher {
	m := map[string]notify.Notifier{}
	for _, n := range ns {
		m[n.name] = n
	}
	d := New(st, m, func(detect.Alert) detect.Thresholds { return th }, quietLog())
	d.Sleep = func(context.Context, time.Duration) error { return nil }
	return d
}

func alert(typ, fn, status string, at time.Time) detect.Alert {
	return detect.Alert{Type: typ, Status: status, Severity: detect.SeverityWarning, Time: at, Function: fn,
		LogGroup: "/aws/lambda/" + fn, Summary: "test", Key: typ + "#" + fn}
}

func TestCooldownAndRenotify(t *testing.T) {
	tests := []struct {
		name     string
		th       detect.Thresholds
		typ      string
		offsets  []time.Duration // firing alerts at t0+offset
		wantSent int
	}{
		{"duration repeats after its 30m default cooldown", detect.Thresholds{}, detect.TypeDuration,
			[]time.Duration{0, 10 * time.Minute, 29 * time.Minute, 31 * time.Minute}, 2},
		{"timeout said once per 48h", detect.Thresholds{}, detect.TypeTimeout,
			[]time.Duration{0, time.Hour, 47 * time.Hour, 49 * time.Hour}, 2},
		{"cooldown per type from thresholds", detect.Thresholds{Cooldown: map[string]time.Duration{detect.TypeTimeout: time.Minute}},
			detect.TypeTimeout, []time.Duration{0, 30 * time.Second, 2 * time.Minute}, 2},
		{"renotify longer than cooldown spaces reminders", detect.Thresholds{Renotify: 4 * time.Hour}, detect.TypeDuration,
			[]time.Duration{0, time.Hour, 3 * time.Hour, 5 * time.Hour}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &fakeNotifier{name: "slack"}
			d := newDispatcher(store.NewMemory(), tc.th, n)
			for _, off := range tc.offsets {
				d.Dispatch(context.Background(), []detect.Alert{alert(tc.typ, "orders", detect.StatusFiring, t0.Add(off))}, t0.Add(off))
			}
			require.Equal(t, tc.wantSent, n.sent())
		})
	}
}

func TestReminderSaysStillFiring(t *testing.T) {
	n := &fakeNotifier{name: "slack"}
	d := newDispatcher(store.NewMemory(), detect.Thresholds{}, n)
	d.Dispatch(context.Background(), []detect.Alert{alert(detect.TypeDuration, "orders", detect.StatusFiring, t0)}, t0)
	later := t0.Add(time.Hour)
	d.Dispatch(context.Background(), []detect.Alert{alert(detect.TypeDuration, "orders", detect.StatusFiring, later)}, later)
	require.Equal(t, 2, n.sent())
	require.Contains(t, n.calls[1][0].Summary, "Still firing since Mar 1 03:12 UTC (notification 2)")
}

func TestResolvedOnlyAfterFiringAndOnce(t *testing.T) {
	n := &fakeNotifier{name: "slack"}
	st := store.NewMemory()
	d := newDispatcher(st, detect.Thresholds{}, n)
	ctx := context.Background()

	rep := d.Dispatch(ctx, []detect.Alert{alert(detect.TypeDuration, "orders", detect.StatusResolved, t0)}, t0)
	require.Equal(t, 1, rep.Suppressed[SuppressedNotOpen], "resolved without a sent firing is noise")

	d.Dispatch(ctx, []detect.Alert{alert(detect.TypeDuration, "orders", detect.StatusFiring, t0)}, t0)
	res := alert(detect.TypeDuration, "orders", detect.StatusResolved, t0.Add(10*time.Minute))
	rep = d.Dispatch(ctx, []detect.Alert{res}, t0.Add(10*time.Minute))
	require.Equal(t, 1, rep.Sent["slack"])
	rep = d.Dispatch(ctx, []detect.Alert{res}, t0.Add(11*time.Minute))
	require.Equal(t, 0, rep.Sent["slack"], "a second resolution of the same episode")
	require.Equal(t, 2, n.sent())
	require.Equal(t, detect.StatusResolved, n.calls[1][0].Status)
}

func TestMutingAndSeverity(t *testing.T) {
	tests := []struct {
		name   string
		th     detect.Thresholds
		sev    string
		reason string
	}{
		{"muted function", detect.Thresholds{MutedUntil: t0.Add(time.Hour)}, detect.SeverityCritical, SuppressedMuted},
		{"muted type", detect.Thresholds{MutedTypes: map[string]time.Time{detect.TypeCrash: t0.Add(time.Hour)}}, detect.SeverityCritical, SuppressedMuted},
		{"mute expired", detect.Thresholds{MutedUntil: t0.Add(-time.Second)}, detect.SeverityCritical, ""},
		{"below min severity", detect.Thresholds{MinSeverity: detect.SeverityCritical}, detect.SeverityWarning, SuppressedSeverity},
		{"at min severity", detect.Thresholds{MinSeverity: detect.SeverityWarning}, detect.SeverityWarning, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &fakeNotifier{name: "slack"}
			d := newDispatcher(store.NewMemory(), tc.th, n)
			a := alert(detect.TypeCrash, "orders", detect.StatusFiring, t0)
			a.Severity = tc.sev
			rep := d.Dispatch(context.Background(), []detect.Alert{a}, t0)
			if tc.reason == "" {
				require.Equal(t, 1, rep.Sent["slack"])
				return
			}
			require.Equal(t, 1, rep.Suppressed[tc.reason])
			require.Zero(t, n.sent())
		})
	}
}

func TestBurstBecomesOneDigestPerRoute(t *testing.T) {
	n := &fakeNotifier{name: "slack"}
	st := store.NewMemory()
	m := map[string]notify.Notifier{"slack": n}
	d := New(st, m, func(a detect.Alert) detect.Thresholds {
		if a.Function == "payments" {
			return detect.Thresholds{SlackChannel: "#payments"}
		}
		return detect.Thresholds{SlackChannel: "#alerts"}
	}, quietLog())
	var burst []detect.Alert
	for i := range 20 {
		a := alert(detect.TypeBruteForce, "orders", detect.StatusFiring, t0)
		a.IP = "203.0.113." + string(rune('a'+i))
		a.Key = ""
		burst = append(burst, a)
	}
	burst = append(burst, alert(detect.TypeCrash, "payments", detect.StatusFiring, t0))
	rep := d.Dispatch(context.Background(), burst, t0)
	require.Equal(t, 21, rep.Sent["slack"])
	require.Equal(t, 2, rep.Messages["slack"])
	require.Len(t, n.calls, 2)
	require.Len(t, n.calls[0], 20)
	require.Equal(t, "#alerts", n.routes[0].SlackChannel)
	require.Equal(t, "#payments", n.routes[1].SlackChannel)
}

func TestSlackDownDoesNotStopEmailAndIsRetriedLater(t *testing.T) {
	down := true
	slack := &fakeNotifier{name: "slack", fail: func(int) (bool, error) {
		if down {
			return true, &notify.Error{Channel: "slack", Err: errors.New("503"), RetryAfter: time.Second}
		}
		return false, nil
	}}
	email := &fakeNotifier{name: "email"}
	st := store.NewMemory()
	d := newDispatcher(st, detect.Thresholds{}, slack, email)
	ctx := context.Background()

	rep := d.Dispatch(ctx, []detect.Alert{alert(detect.TypeCrash, "orders", detect.StatusFiring, t0)}, t0)
	require.Equal(t, 1, rep.Sent["email"])
	require.Equal(t, 1, rep.Pending["slack"])
	require.Equal(t, d.MaxAttempts, slack.tries, "retried within the call")

	rep = d.RetryPending(ctx, t0.Add(time.Minute))
	require.Equal(t, 1, rep.Pending["slack"], "still down")

	down = false
	rep = d.RetryPending(ctx, t0.Add(5*time.Minute))
	require.Equal(t, 1, rep.Sent["slack"])
	require.Equal(t, 1, slack.sent())
	require.Equal(t, 1, email.sent(), "email is not resent")

	rep = d.RetryPending(ctx, t0.Add(10*time.Minute))
	require.Zero(t, rep.Sent["slack"]+rep.Pending["slack"], "nothing left pending")
	left, err := st.List(ctx, "pending#", t0.Add(10*time.Minute))
	require.NoError(t, err)
	for _, r := range left {
		require.Equal(t, pendingIndex, r.Key)
	}
}

func TestNonRetryableIsNotRetriedNorPending(t *testing.T) {
	slack := &fakeNotifier{name: "slack", fail: func(int) (bool, error) {
		return false, &notify.Error{Channel: "slack", Err: errors.New("channel_not_found"), Fix: "check the channel"}
	}}
	d := newDispatcher(store.NewMemory(), detect.Thresholds{}, slack)
	rep := d.Dispatch(context.Background(), []detect.Alert{alert(detect.TypeCrash, "orders", detect.StatusFiring, t0)}, t0)
	require.Equal(t, 1, rep.Failed["slack"])
	require.Equal(t, 1, slack.tries)
	require.Zero(t, rep.Pending["slack"])
}

func TestRetryStopsBeforeDeadline(t *testing.T) {
	slack := &fakeNotifier{name: "slack", fail: func(int) (bool, error) {
		return true, &notify.Error{Channel: "slack", Err: errors.New("rate limited"), RetryAfter: 30 * time.Second}
	}}
	d := newDispatcher(store.NewMemory(), detect.Thresholds{}, slack)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep := d.Dispatch(ctx, []detect.Alert{alert(detect.TypeCrash, "orders", detect.StatusFiring, t0)}, t0)
	require.Equal(t, 1, slack.tries, "a 30 s Retry-After does not fit a 10 s deadline")
	require.Equal(t, 1, rep.Pending["slack"])
}

func TestTwoDispatchersRacingSendOnce(t *testing.T) {
	st := store.NewMemory()
	n := &fakeNotifier{name: "slack"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := newDispatcher(st, detect.Thresholds{}, n)
			d.Dispatch(context.Background(), []detect.Alert{alert(detect.TypeTimeout, "orders", detect.StatusFiring, t0)}, t0)
		}()
	}
	wg.Wait()
	require.Equal(t, 1, n.sent())
}

func TestNoChannelClaimsNothing(t *testing.T) {
	st := store.NewMemory()
	d := New(st, nil, nil, quietLog())
	rep := d.Dispatch(context.Background(), []detect.Alert{alert(detect.TypeCrash, "orders", detect.StatusFiring, t0)}, t0)
	require.Equal(t, 1, rep.Suppressed[SuppressedNoChannel])
	recs, err := st.List(context.Background(), "", t0)
	require.NoError(t, err)
	require.Empty(t, recs)
}

func BenchmarkDispatchDigest(b *testing.B) {
	n := &fakeNotifier{name: "slack"}
	var burst []detect.Alert
	for i := range 20 {
		a := alert(detect.TypeBruteForce, "orders", detect.StatusFiring, t0)
		a.Key = "k" + string(rune('a'+i))
		burst = append(burst, a)
	}
	for i := 0; b.Loop(); i++ {
		d := newDispatcher(store.NewMemory(), detect.Thresholds{}, n)
		d.Dispatch(context.Background(), burst, t0)
	}
}
