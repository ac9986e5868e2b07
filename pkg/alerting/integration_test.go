package alerting

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/slack"
	"github.com/logwarden/logwarden/pkg/store/local"
)

// slackAPI is a chat.postMessage stand-in that can be taken down.
type slackAPI struct {
	mu    sync.Mutex
	posts []url.Values
	down  bool
}

func (s *slackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	s.posts = append(s.posts, r.PostForm)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true,"channel":"C1","ts":"1700000000.00000` + strconv.Itoa(len(s.posts)) + `"}`))
}

// TestLifecycleOnLocalStore runs firing → Slack down → pending → retried →
// resolved in the first message's thread, on the embedded bbolt store.
func TestLifecycleOnLocalStore(t *testing.T) {
	st, err := local.Open(filepath.Join(t.TempDir(), "state.db"))
	require.NoError(t, err)
	defer st.Close()
	api := &slackAPI{down: true}
	srv := httptest.NewServer(api)
	defer srv.Close()

	now := t0
	sn, err := slack.New(slack.Config{Token: "xoxb-test", Channel: "#alerts", APIURL: srv.URL + "/",
		Threads: slack.StateThreads{State: st, Now: func() time.Time { return now }}})
	require.NoError(t, err)
	d := New(st, map[string]notify.Notifier{"slack": sn}, func(detect.Alert) detect.Thresholds { return detect.Thresholds{} }, quietLog())
	d.Sleep = func(context.Context, time.Duration) error { return nil }
	ctx := context.Background()

	rep := d.Dispatch(ctx, []detect.Alert{alert(detect.TypeMemory, "orders", detect.StatusFiring, now)}, now)
	require.Equal(t, 1, rep.Pending["slack"])

	api.mu.Lock()
	api.down = false
	api.mu.Unlock()
	now = t0.Add(time.Minute)
	rep = d.RetryPending(ctx, now)
	require.Equal(t, 1, rep.Sent["slack"])

	now = t0.Add(20 * time.Minute)
	rep = d.Dispatch(ctx, []detect.Alert{alert(detect.TypeMemory, "orders", detect.StatusResolved, now)}, now)
	require.Equal(t, 1, rep.Sent["slack"])

	require.Len(t, api.posts, 2)
	require.Empty(t, api.posts[0].Get("thread_ts"))
	require.Equal(t, "1700000000.000001", api.posts[1].Get("thread_ts"))
	require.Contains(t, api.posts[1].Get("text"), "RESOLVED")
}
