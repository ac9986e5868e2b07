package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
)

// faultProxy stands in front of dynalite and injects the failures issue #9
// was measured with: HTTP 500 on writes of chosen keys, connection resets,
// and slow answers. Everything else passes through.
type faultProxy struct {
	mu    sync.Mutex
	rules []faultRule
	hits  map[string]int
	proxy *httputil.ReverseProxy
}

// faultRule applies to requests of operation op (X-Amz-Target suffix)
// whose body mentions key.
type faultRule struct {
	op, key string
	fail    string // "500", "reset" or "" (only delay)
	delay   time.Duration
}

func newFaultProxy(t testing.TB, endpoint string) (*faultProxy, string) {
	t.Helper()
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	f := &faultProxy{hits: map[string]int{}, proxy: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *faultProxy) set(rules ...faultRule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.hits = rules, map[string]int{}
}

func (f *faultProxy) injected(fail string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[fail]
}

func (f *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	f.mu.Lock()
	var rule *faultRule
	for i := range f.rules {
		if f.rules[i].op == op && strings.Contains(string(body), f.rules[i].key) {
			rule = &f.rules[i]
			f.hits[rule.fail]++
			break
		}
	}
	f.mu.Unlock()
	if rule == nil {
		f.proxy.ServeHTTP(w, r)
		return
	}
	time.Sleep(rule.delay)
	switch rule.fail {
	case "500":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected fault"}`))
	case "reset":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
				_ = tc.SetLinger(0) // RST, not FIN
			}
			_ = conn.Close()
		}
	default:
		f.proxy.ServeHTTP(w, r)
	}
}

// faultStack is the processor under the RIE with dynalite behind a fault
// proxy and a Slack webhook sink (no email: one channel keeps the counts
// plain).
type faultStack struct {
	rie    *emulator
	slack  *slackSink
	faults *faultProxy
	state  func() map[string]int64
}

func startFaultStack(t *testing.T) *faultStack {
	t.Helper()
	rie := testenv.Require(t, testenv.RIE)
	ddbURL := testenv.Require(t, testenv.DynamoDB)
	bootstrap := buildBootstrap(t)
	stateTable, configTable, st := tables(t, ddbURL)
	faults, proxied := newFaultProxy(t, ddbURL)
	sink := &slackSink{}
	slackSrv := newServer(t, sink)
	env := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_DYNAMODB=" + proxied,
		"AWS_LAMBDA_FUNCTION_NAME=logwarden-processor", "AWS_LAMBDA_FUNCTION_TIMEOUT=15",
		"LOGWARDEN_STATE_TABLE=" + stateTable, "LOGWARDEN_CONFIG_TABLE=" + configTable,
		"LOGWARDEN_SLACK_WEBHOOK_URL=" + slackSrv + "/services/T000/B000/XXXX",
		"LOGWARDEN_DEADLINE_RESERVE=2s",
	}
	return &faultStack{rie: startRIE(t, rie, bootstrap, env), slack: sink, faults: faults,
		state: func() map[string]int64 { return records(t, st) }}
}

// errorBody reports whether an RIE response is a handler error.
func errorBody(t *testing.T, body []byte) bool {
	t.Helper()
	return strings.Contains(string(body), `"errorMessage"`)
}

// TestPartialWriteFailureUnderRIE pins issue #9's lost alert under the
// emulator: when one of a batch's writes fails (a 500 or a reset on a
// chosen key), the alert of a record whose write won is sent before the
// invocation fails, the retry sends only what the failed record raises,
// and a further redelivery sends nothing: every alert exactly once.
func TestPartialWriteFailureUnderRIE(t *testing.T) {
	s := startFaultStack(t)
	fx := fixtures(t)
	attack := fx["brute-force.json"][0]

	t.Run("500 on the block record: the brute force is sent at once", func(t *testing.T) {
		s.faults.set(faultRule{op: "PutItem", key: "block#" + attackerIP, fail: "500"})
		body, _ := s.rie.invoke(t, attack)
		require.True(t, errorBody(t, body), "the batch failed, so Lambda retries it: %s", body)
		require.Positive(t, s.faults.injected("500"))
		require.Len(t, s.slack.accepted(), 1, "the alert of the written ip# record is not lost")
		require.NotContains(t, s.state(), "block#"+attackerIP)

		s.faults.set()
		for range 2 { // Lambda's two retries of the failed invocation
			out := s.rie.ok(t, attack)
			require.EqualValues(t, 0, out["alerts"])
		}
		require.Len(t, s.slack.accepted(), 1, "and not sent twice")
		require.Contains(t, s.state(), "block#"+attackerIP, "the retry wrote the failed record")
	})

	t.Run("reset on the ip# record: the retry raises and sends the alert once", func(t *testing.T) {
		ev := fx["brute-force-2.json"][0]
		posts := len(s.slack.accepted())
		s.faults.set(faultRule{op: "PutItem", key: "ip#login#" + attacker2IP, fail: "reset"})
		body, _ := s.rie.invoke(t, ev)
		require.True(t, errorBody(t, body), "%s", body)
		require.Positive(t, s.faults.injected("reset"))
		require.Len(t, s.slack.accepted(), posts, "nothing was raised by a record that was not written")

		s.faults.set()
		out := s.rie.ok(t, ev)
		require.EqualValues(t, 1, out["alerts"])
		out = s.rie.ok(t, ev)
		require.EqualValues(t, 0, out["alerts"])
		got := s.slack.accepted()[posts:]
		require.Len(t, got, 1)
		require.Contains(t, slackText(t, got[0]), attacker2IP)
	})

	t.Run("slow DynamoDB answers: the batch completes, once", func(t *testing.T) {
		posts := len(s.slack.accepted())
		s.faults.set(faultRule{op: "PutItem", key: "tally#", delay: 1500 * time.Millisecond},
			faultRule{op: "BatchGetItem", key: "tally#", delay: 500 * time.Millisecond})
		out := s.rie.ok(t, fx["quiet.json"][0])
		require.EqualValues(t, 0, out["alerts"])
		s.faults.set()
		require.Len(t, s.slack.accepted(), posts)
	})
}

// hangingSlack is a webhook that, while hung, accepts requests and never
// answers (until the client gives up); otherwise it records them.
type hangingSlack struct {
	mu    sync.Mutex
	hung  bool
	tries int
	posts []string
}

func (h *hangingSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.tries++
	hung := h.hung
	if !hung {
		h.posts = append(h.posts, string(body))
	}
	h.mu.Unlock()
	if hung {
		<-r.Context().Done()
		return
	}
	_, _ = w.Write([]byte("ok"))
}

func (h *hangingSlack) set(hung bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hung = hung
}

func (h *hangingSlack) accepted() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.posts...)
}

// TestHangingSlackNeverStallsTheProcessorUnderRIE pins issue #9's stall:
// with a Slack that accepts connections and never answers, every
// invocation answers before its 15 s timeout (they used to end in "Task
// timed out", which the emulator returns as an errorMessage body), the
// email goes out, the Slack alert is parked, and
// it reaches Slack once Slack answers again.
func TestHangingSlackNeverStallsTheProcessorUnderRIE(t *testing.T) {
	rie := testenv.Require(t, testenv.RIE)
	ddbURL := testenv.Require(t, testenv.DynamoDB)
	sesURL := testenv.Require(t, testenv.SES)
	bootstrap := buildBootstrap(t)
	stateTable, configTable, _ := tables(t, ddbURL)
	slack := &hangingSlack{hung: true}
	slackSrv := newServer(t, slack)
	ses := testenv.Mailbox{Endpoint: sesURL}
	recipient := "oncall+" + stateTable + "@example.com"
	env := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_DYNAMODB=" + ddbURL, "AWS_ENDPOINT_URL_SESV2=" + sesURL,
		"AWS_LAMBDA_FUNCTION_NAME=logwarden-processor", "AWS_LAMBDA_FUNCTION_TIMEOUT=15",
		"LOGWARDEN_STATE_TABLE=" + stateTable, "LOGWARDEN_CONFIG_TABLE=" + configTable,
		"LOGWARDEN_SLACK_WEBHOOK_URL=" + slackSrv + "/services/T000/B000/XXXX",
		"LOGWARDEN_EMAIL_FROM=logwarden@example.com", "LOGWARDEN_EMAIL_TO=" + recipient,
		"LOGWARDEN_DEADLINE_RESERVE=2s",
	}
	e := startRIE(t, rie, bootstrap, env)
	fx := fixtures(t)

	body, took := e.invoke(t, fx["brute-force.json"][0])
	t.Logf("invocation with a hanging Slack: %v", took)
	require.NotContains(t, string(body), "errorMessage", "%s", body)
	var out map[string]any
	require.NoError(t, json.Unmarshal(body, &out))
	require.Equal(t, map[string]any{"slack": 1.0}, out["pending"], "the Slack alert is parked")
	require.Len(t, ses.To(t, recipient), 1, "the email went out")

	for i := range 3 { // the invocations that used to time out
		body, took := e.invoke(t, fx["quiet.json"][0])
		t.Logf("next invocation %d: %v", i+1, took)
		require.NotContains(t, string(body), "errorMessage", "%s", body)
	}
	require.Empty(t, slack.accepted())

	slack.set(false)
	e.ok(t, fx["brute-force-2.json"][0])
	posts := slack.accepted()
	require.Len(t, posts, 2, "the parked alert and the new one reach Slack")
	require.Contains(t, slackText(t, posts[0]), attackerIP, "the parked alert first, once")
	require.Contains(t, slackText(t, posts[1]), attacker2IP)
}
