package handler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/pipeline"
	"github.com/logwarden/logwarden/pkg/store"
)

// t0 is the time of the test batches' first event; the handler's clock
// runs a minute after it, as a live subscription does.
var t0 = time.Date(2026, 3, 2, 3, 10, 0, 0, time.UTC)

const ownGroup = "/aws/lambda/logwarden-processor"

// recorder is a Notifier that records every delivery.
type recorder struct {
	mu    sync.Mutex
	sends [][]detect.Alert
}

func (r *recorder) Name() string { return "rec" }

func (r *recorder) Notify(_ context.Context, alerts ...detect.Alert) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends = append(r.sends, append([]detect.Alert(nil), alerts...))
	return false, nil
}

func (r *recorder) alerts() []detect.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []detect.Alert
	for _, s := range r.sends {
		out = append(out, s...)
	}
	return out
}

// flakyState wraps a State and fails reads and writes of keys about a
// function whose name contains fail, the way DynamoDB fails when throttled
// or unreachable. It also honours the context as the SDK does.
type flakyState struct {
	store.State
	fail string
}

var errUnavailable = errors.New("service unavailable")

func (f *flakyState) broken(keys []string) error {
	for _, k := range keys {
		if f.fail != "" && strings.Contains(k, f.fail) {
			return fmt.Errorf("dynamodb: %w", errUnavailable)
		}
	}
	return nil
}

func (f *flakyState) Get(ctx context.Context, keys []string, now time.Time) (map[string]store.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.broken(keys); err != nil {
		return nil, err
	}
	return f.State.Get(ctx, keys, now)
}

func (f *flakyState) Put(ctx context.Context, recs []store.Record, now time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	if err := f.broken(keys); err != nil {
		return nil, err
	}
	return f.State.Put(ctx, recs, now)
}

type fixture struct {
	h       *Handler
	mem     *store.Memory
	state   *flakyState
	rec     *recorder
	metrics *bytes.Buffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	mem := store.NewMemory()
	st := &flakyState{State: mem}
	rec := &recorder{}
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	log := logrus.NewEntry(logger)
	now := func() time.Time { return t0.Add(30 * time.Minute) }
	cache := &pipeline.ThresholdCache{Config: mem}
	d := alerting.New(st, map[string]notify.Notifier{rec.Name(): rec}, cache.RouteFor(context.Background(), now), log)
	d.Sleep = func(context.Context, time.Duration) error { return nil }
	metrics := &bytes.Buffer{}
	h := &Handler{
		Pipeline: &pipeline.Processor{Parser: logline.Default(), State: st, Thresholds: cache,
			SkipLogGroups: map[string]bool{ownGroup: true}},
		Dispatcher: d,
		Log:        log,
		Metrics:    metrics,
		Function:   "logwarden-processor",
		Now:        now,
		Reserve:    time.Second,
	}
	return &fixture{h: h, mem: mem, state: st, rec: rec, metrics: metrics}
}

// loginFailures is a batch of n failed logins from ip, 20 s apart: enough
// (n >= 10) for the default brute-force threshold.
func loginFailures(function, ip, user string, n int) cwlogs.Batch {
	b := cwlogs.Batch{MessageType: cwlogs.DataMessage, Owner: "123456789012",
		LogGroup: "/aws/lambda/" + function, LogStream: "2026/03/02/[7]0123456789abcdef",
		SubscriptionFilters: []string{"logwarden"}}
	for i := range n {
		at := t0.Add(time.Duration(i) * 20 * time.Second)
		msg, _ := json.Marshal(map[string]string{"timestamp": at.Format("2006-01-02T15:04:05.000Z"), "level": "WARN",
			"event": "authn_login_fail:" + user, "user": user, "ip": ip, "message": "login failed: invalid password"})
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{ID: fmt.Sprintf("%s-%s-%03d", function, ip, i),
			Timestamp: at.UnixMilli(), Message: string(msg)})
	}
	return b
}

func control() cwlogs.Batch {
	return cwlogs.Batch{MessageType: cwlogs.ControlMessage, Owner: "CWL_CONTROL_MESSAGE",
		LogGroup: "", LogStream: "", SubscriptionFilters: []string{},
		LogEvents: []cwlogs.LogEvent{{ID: "", Timestamp: t0.UnixMilli(),
			Message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}}}
}

// document is the gzip'd subscription document CloudWatch Logs writes to
// Kinesis and Firehose.
func document(t testing.TB, b cwlogs.Batch) []byte {
	t.Helper()
	js, err := json.Marshal(b)
	require.NoError(t, err)
	return gz(t, js)
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// direct is a direct subscription invocation payload.
func direct(t testing.TB, b cwlogs.Batch) []byte {
	t.Helper()
	return awslogs(t, document(t, b))
}

func awslogs(t testing.TB, data []byte) []byte {
	t.Helper()
	out, err := json.Marshal(map[string]map[string][]byte{"awslogs": {"data": data}})
	require.NoError(t, err)
	return out
}

// snapshot is every live record with its version.
func snapshot(t *testing.T, f *fixture) []store.Record {
	t.Helper()
	recs, err := f.mem.List(context.Background(), "", f.h.Now())
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	return recs
}
