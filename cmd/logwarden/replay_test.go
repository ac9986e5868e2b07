package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// demoDay is one day of the demo capture: checkout's regression and its
// recovery happen on 2026-03-04, login's brute force on 2026-03-03.
var demoInputs = []string{
	"../../testdata/demo/2026-03-02-checkout.json", "../../testdata/demo/2026-03-03-checkout.json",
	"../../testdata/demo/2026-03-04-checkout.json", "../../testdata/demo/2026-03-03-login.json",
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestReplayJSONContract(t *testing.T) {
	stdout, stderr, code := runCLI(t, append([]string{"replay", "--json"}, demoInputs...)...)
	require.Equal(t, 0, code, stderr)
	var alerts []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var a map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &a), "one JSON object per line: %s", sc.Text())
		alerts = append(alerts, a)
	}
	types := map[string]int{}
	for _, a := range alerts {
		for _, f := range []string{"type", "status", "severity", "time", "function", "log_group", "summary", "value", "baseline", "samples", "key"} {
			require.Contains(t, a, f, "alert %v lacks %s", a, f)
		}
		types[a["type"].(string)+"/"+a["status"].(string)]++
	}
	require.Equal(t, 1, types["duration_anomaly/firing"], "checkout's 3 s → 30 s regression: %v", types)
	require.Equal(t, 1, types["duration_anomaly/resolved"], "and its recovery: %v", types)
	require.Positive(t, types["brute_force/firing"], "login's brute force: %v", types)
	require.Contains(t, stderr, "replayed 4 files")
	require.Contains(t, stderr, "duration_anomaly")

	// Deterministic: the events' own clock, a fresh store each time.
	again, _, _ := runCLI(t, append([]string{"replay", "--json"}, demoInputs...)...)
	require.Equal(t, stdout, again)
}

func TestReplayKeepsStateInGivenStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	_, stderr, code := runCLI(t, "replay", "--store", db, demoInputs[0])
	require.Equal(t, 0, code, stderr)
	out, stderr, code := runCLI(t, "baselines", "--store", db, "--json")
	require.Equal(t, 0, code, stderr)
	var v struct {
		Function string  `json:"function"`
		Samples  int     `json:"samples"`
		P50      float64 `json:"p50_ms"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &v))
	require.Equal(t, "checkout", v.Function)
	require.Positive(t, v.Samples)
	require.InDelta(t, 3000, v.P50, 1500, "checkout runs about 3 s")
}

func TestReplayThresholdsFileChangesWhatFires(t *testing.T) {
	th := filepath.Join(t.TempDir(), "th.json")
	require.NoError(t, os.WriteFile(th, []byte(`[{"id":"function#checkout","duration_ratio":20}]`), 0o600))
	stdout, stderr, code := runCLI(t, "replay", "--json", "--thresholds", th, demoInputs[0], demoInputs[1], demoInputs[2])
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stdout, "duration_anomaly", "a 9× regression is below a 20× ratio")

	require.NoError(t, os.WriteFile(th, []byte(`[{"id":"function#checkout","duration_ratio":0.5}]`), 0o600))
	_, stderr, code = runCLI(t, "replay", "--thresholds", th, demoInputs[0])
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "function#checkout: duration_ratio")
}

func TestReplayNotifySendsThroughConfiguredChannels(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, string(b))
		mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	defer sink.Close()
	t.Setenv("LOGWARDEN_SLACK_WEBHOOK_URL", sink.URL+"/services/T000/B000/XXXX")
	t.Setenv("AWS_REGION", "us-east-1")
	stdout, stderr, code := runCLI(t, "replay", "--notify", demoInputs[3])
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "Brute force")
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, posts, "the brute force went to Slack")
	require.Contains(t, strings.Join(posts, "\n"), "198.51.100.23")
}

func TestReplayUsage(t *testing.T) {
	_, stderr, code := runCLI(t, "replay")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "logwarden replay: want at least one input")
	require.Contains(t, stderr, "Run 'logwarden replay --help' for usage.")
	_, stderr, code = runCLI(t, "replay", "/does/not/exist")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "/does/not/exist")
}
