package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/store/dynamo"
)

// This file holds the stand-ins of the end-to-end test: the processor
// built as the Lambda bootstrap and run under the Runtime Interface
// Emulator, a Slack endpoint, SES reads and a DynamoDB call counter.

// buildBootstrap compiles the processor the way `make lambda` does, for
// this machine's architecture.
func buildBootstrap(t testing.TB) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "build bootstrap: %s", msg)
	return out
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// lockedBuffer collects the emulator's output (the bootstrap's logs and
// the emulator's REPORT lines) from its copying goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// emulator is the RIE running the bootstrap.
type emulator struct {
	cmd     *exec.Cmd
	url     string
	out     *lockedBuffer
	started time.Time
}

// startRIE starts the emulator with exactly env as the function's
// environment (the RIE passes its own to the bootstrap) and waits until it
// accepts connections. The bootstrap itself starts on the first invoke.
func startRIE(t testing.TB, rie, bootstrap string, env []string) *emulator {
	t.Helper()
	invoke, api := freeAddr(t), freeAddr(t)
	e := &emulator{out: &lockedBuffer{}, url: "http://" + invoke + "/2015-03-31/functions/function/invocations"}
	e.cmd = exec.Command(rie, "--runtime-interface-emulator-address", invoke, "--runtime-api-address", api, bootstrap)
	e.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	e.started = time.Now()
	require.NoError(t, e.cmd.Start())
	t.Cleanup(func() {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = e.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = e.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("emulator output:\n%s", e.out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", invoke, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return e
		}
		require.True(t, time.Now().Before(deadline), "the emulator did not listen on %s: %s", invoke, e.out.String())
		time.Sleep(20 * time.Millisecond)
	}
}

// invoke posts one event and returns the response body and how long the
// invocation took as seen by the caller.
func (e *emulator) invoke(t testing.TB, payload []byte) ([]byte, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := http.Post(e.url, "application/json", bytes.NewReader(payload))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	// A handler error is HTTP 200 with an errorMessage body under the RIE.
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	return body, time.Since(start)
}

// ok invokes and requires a successful summary.
func (e *emulator) ok(t testing.TB, payload []byte) map[string]any {
	t.Helper()
	body, _ := e.invoke(t, payload)
	var out map[string]any
	require.NoError(t, json.Unmarshal(body, &out), "%s", body)
	require.NotContains(t, out, "errorMessage", "%s", body)
	return out
}

// bootstrapPeakRSS reads the peak resident set (VmHWM) of the emulator's
// child process, the bootstrap, from /proc; 0 when unavailable.
func (e *emulator) bootstrapPeakRSS() int64 {
	pid := e.cmd.Process.Pid
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, child := range strings.Fields(string(b)) {
			status, err := os.ReadFile("/proc/" + child + "/status")
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(status), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
					return kb << 10
				}
			}
		}
	}
	return 0
}

// slackSink is an incoming-webhook endpoint that records what it accepts
// and can be taken down (HTTP 500).
type slackSink struct {
	mu       sync.Mutex
	down     bool
	attempts int
	posts    []string // raw JSON bodies accepted
}

func (s *slackSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.down {
		http.Error(w, "internal_error", http.StatusInternalServerError)
		return
	}
	s.posts = append(s.posts, string(body))
	_, _ = w.Write([]byte("ok"))
}

func (s *slackSink) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *slackSink) accepted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.posts...)
}

func (s *slackSink) tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// ddbCounter is a reverse proxy in front of dynalite that counts the
// DynamoDB operations the bootstrap makes, by X-Amz-Target.
type ddbCounter struct {
	mu    sync.Mutex
	calls map[string]int
	proxy *httputil.ReverseProxy
	// poison, when set, fails every request whose body contains it with a
	// non-retryable DynamoDB error (fault injection for one batch's keys).
	poison string
}

func (c *ddbCounter) setPoison(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.poison = s
}

func newDDBCounter(t testing.TB, endpoint string) (*ddbCounter, string) {
	t.Helper()
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	c := &ddbCounter{calls: map[string]int{}, proxy: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL
}

func (c *ddbCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	c.mu.Lock()
	c.calls[op]++
	poison := c.poison
	c.mu.Unlock()
	if poison != "" {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(poison)) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazon.coral.validate#ValidationException","message":"injected failure"}`))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	c.proxy.ServeHTTP(w, r)
}

func (c *ddbCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = map[string]int{}
	return out
}

// tables creates uniquely named state and threshold tables in dynalite and
// returns a state reader for assertions.
func tables(t testing.TB, endpoint string) (stateTable, configTable string, state *dynamo.State) {
	t.Helper()
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	stateTable, configTable = "e2e-state-"+suffix, "e2e-thresholds-"+suffix
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, dynamo.CreateTables(ctx, client, stateTable, configTable))
	return stateTable, configTable, dynamo.NewState(client, stateTable)
}

// records lists the live state records (key and version).
func records(t testing.TB, st *dynamo.State) map[string]int64 {
	t.Helper()
	recs, err := st.List(context.Background(), "", time.Now())
	require.NoError(t, err)
	out := map[string]int64{}
	for _, r := range recs {
		out[r.Key] = r.Version
	}
	return out
}

func newServer(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
