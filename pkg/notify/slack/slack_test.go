package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/store"
)

// recorder is a /chat.postMessage handler: the stock slacktest server does
// not record web-API posts.
type recorder struct {
	mu    sync.Mutex
	posts []url.Values
	reply func(n int) (int, string) // status, body
}

func (r *recorder) handle(w http.ResponseWriter, req *http.Request) {
	_ = req.ParseForm()
	r.mu.Lock()
	r.posts = append(r.posts, req.PostForm)
	n := len(r.posts)
	reply := r.reply
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if reply != nil {
		status, body := reply(n)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return
	}
	_, _ = w.Write([]byte(`{"ok":true,"channel":"C1","ts":"1700000000.00010` + strconv.Itoa(n) + `"}`))
}

func newTokenNotifier(t *testing.T, rec *recorder, th Threads) *Notifier {
	t.Helper()
	s := slacktest.NewTestServer(func(c slacktest.Customize) { c.Handle("/chat.postMessage", rec.handle) })
	s.Start()
	t.Cleanup(s.Stop)
	n, err := New(Config{Token: "xoxb-test-token", Channel: "#alerts", APIURL: s.GetAPIURL(), Render: opts, Threads: th,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	require.NoError(t, err)
	return n
}

func TestThreadedFollowUpsAndResolution(t *testing.T) {
	rec := &recorder{}
	now := t0
	n := newTokenNotifier(t, rec, StateThreads{State: store.NewMemory(), Now: func() time.Time { return now }})
	ctx := context.Background()
	firing := hostileAlert()

	_, err := n.Notify(ctx, firing)
	require.NoError(t, err)
	resolved := firing
	resolved.Status = detect.StatusResolved
	other := firing
	other.Key = "crash#payments#"
	// A routed channel for the second delivery: the same thread store
	// keys threads per channel, so #alerts' thread is reused.
	_, err = n.Notify(notify.WithRoute(ctx, notify.Route{}), resolved, other)
	require.NoError(t, err)

	require.Len(t, rec.posts, 3)
	first := rec.posts[0]
	require.Equal(t, "#alerts", first.Get("channel"))
	require.Empty(t, first.Get("thread_ts"))
	require.Equal(t, "false", first.Get("unfurl_links"))
	require.Equal(t, "false", first.Get("unfurl_media"))
	var blocks slack.Blocks
	require.NoError(t, json.Unmarshal([]byte(first.Get("blocks")), &blocks))
	require.Equal(t, slack.MBTHeader, blocks.BlockSet[0].BlockType())

	require.Equal(t, "1700000000.000101", rec.posts[1].Get("thread_ts"), "resolution goes into the first message's thread")
	require.Equal(t, "true", rec.posts[1].Get("reply_broadcast"))
	require.Contains(t, rec.posts[1].Get("text"), "RESOLVED")
	require.Empty(t, rec.posts[2].Get("thread_ts"), "a new key starts its own message")
}

func TestRoutedChannel(t *testing.T) {
	rec := &recorder{}
	n := newTokenNotifier(t, rec, nil)
	_, err := n.Notify(notify.WithRoute(context.Background(), notify.Route{SlackChannel: "C0PAYMENTS"}), hostileAlert())
	require.NoError(t, err)
	require.Equal(t, "C0PAYMENTS", rec.posts[0].Get("channel"))
}

func TestWebAPIFaults(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		retry      bool
		retryAfter time.Duration
		fix        string
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, `{"ok":false,"error":"ratelimited"}`, true, 7 * time.Second, ""},
		{"500", http.StatusInternalServerError, `oops`, true, 0, ""},
		{"503", http.StatusServiceUnavailable, ``, true, 0, ""},
		{"ok:false channel_not_found", 200, `{"ok":false,"error":"channel_not_found"}`, false, 0, "channel does not exist"},
		{"ok:false invalid_auth", 200, `{"ok":false,"error":"invalid_auth"}`, false, 0, "bot token is wrong"},
		{"ok:false not_in_channel", 200, `{"ok":false,"error":"not_in_channel"}`, false, 0, "invite the bot"},
		{"ok:false internal_error", 200, `{"ok":false,"error":"internal_error"}`, true, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{reply: func(int) (int, string) { return tc.status, tc.body }}
			n := newTokenNotifier(t, rec, nil)
			retry, err := n.Notify(context.Background(), hostileAlert())
			require.Error(t, err)
			require.Equal(t, tc.retry, retry)
			require.Equal(t, tc.retryAfter, notify.RetryAfter(err))
			if tc.fix != "" {
				require.Contains(t, notify.Fix(err), tc.fix)
			}
			require.NotContains(t, err.Error(), "xoxb-test-token")
		})
	}
}

func TestWebhookFaults(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     http.Header
		delay      time.Duration
		retry      bool
		retryAfter time.Duration
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}, 0, true, 7 * time.Second},
		{"500", http.StatusInternalServerError, nil, 0, true, 0},
		{"404 revoked webhook", http.StatusNotFound, nil, 0, false, 0},
		{"timeout", 200, nil, 500 * time.Millisecond, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &sink{status: tc.status, header: tc.header, delay: tc.delay}
			srv := httptest.NewServer(s)
			defer srv.Close()
			hook := srv.URL + "/services/T0/B0/SuperSecretPart"
			n, err := New(Config{WebhookURL: hook, HTTPClient: &http.Client{Timeout: 100 * time.Millisecond}})
			require.NoError(t, err)
			retry, err := n.Notify(context.Background(), hostileAlert())
			require.Error(t, err)
			require.Equal(t, tc.retry, retry)
			require.Equal(t, tc.retryAfter, notify.RetryAfter(err))
			require.NotContains(t, err.Error(), "SuperSecretPart")
		})
	}
}

func TestWebhookURLNeverInErrors(t *testing.T) {
	// Nothing listens on port 1: the transport error quotes the URL.
	n, err := New(Config{WebhookURL: "http://127.0.0.1:1/services/T0/B0/SuperSecretPart"})
	require.NoError(t, err)
	retry, err := n.Notify(context.Background(), hostileAlert())
	require.True(t, retry)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "SuperSecretPart")
	require.Contains(t, err.Error(), "[redacted]")
	var ne *notify.Error
	require.True(t, errors.As(err, &ne))
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{})
	require.Error(t, err)
	_, err = New(Config{Token: "xoxb-1", APIURL: "http://127.0.0.1:9/api"})
	require.ErrorContains(t, err, "end in /")
	_, err = New(Config{Token: "xoxb-1", WebhookURL: "https://x"})
	require.ErrorContains(t, err, "not both")
}
