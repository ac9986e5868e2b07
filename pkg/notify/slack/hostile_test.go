package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 3, 1, 3, 20, 0, 0, time.UTC)

var opts = render.Options{Region: "eu-west-1", Account: "111122223333"}

// hostileAlert carries attacker-controlled text in every log-derived field.
func hostileAlert() detect.Alert {
	huge := strings.Repeat("A<!channel>", 1000) // 11 KB
	return detect.Alert{
		Type: detect.TypeBruteForce, Status: detect.StatusFiring, Severity: detect.SeverityCritical,
		Time: t0, WindowStart: t0.Add(-8 * time.Minute),
		Function: "orders<!here>", LogGroup: "/aws/lambda/orders", LogStream: "2026/03/01/[$LATEST]abc",
		Account: "444455556666",
		Summary: "login failed for <!channel> <@U123> <http://evil.example|click here> & <script>alert(1)</script>\r\nBcc: x@evil",
		Value:   41, Baseline: 0, Unit: "failures", Samples: 41,
		IP:     "203.0.113.7",
		User:   huge,
		TopIPs: []detect.Count{{Value: "203.0.113.7", Count: 30}, {Value: "<!everyone>", Count: 11}},
		TopUsers: []detect.Count{{Value: "adm\xffin\xc3", Count: 20}, {Value: "<mailto:a@b|x>", Count: 3},
			{Value: "\u202eevil", Count: 1}},
		RequestIDs: []string{"req-1", "<https://phish.example|open>"},
		Key:        "brute_force#orders#203.0.113.7",
	}
}

// sink records webhook posts.
type sink struct {
	mu     sync.Mutex
	bodies [][]byte
	status int
	header http.Header
	delay  time.Duration
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	status, delay := s.status, s.delay
	for k, v := range s.header {
		w.Header()[k] = v
	}
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte("ok"))
}

func TestHostileAlertArrivesInert(t *testing.T) {
	s := &sink{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	n, err := New(Config{WebhookURL: srv.URL + "/services/T000/B000/secret", Render: opts})
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		alerts []detect.Alert
	}{
		{"hostile", []detect.Alert{hostileAlert()}},
		{"hostile_digest", digestOf(60)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			retry, err := n.Notify(context.Background(), tc.alerts...)
			require.NoError(t, err)
			require.False(t, retry)
			body := s.bodies[len(s.bodies)-1]
			checkInert(t, body)
			golden(t, tc.name+".json", body)
		})
	}
}

func digestOf(n int) []detect.Alert {
	var out []detect.Alert
	for i := range n {
		a := hostileAlert()
		a.Key += string(rune('a' + i%26))
		if i%3 == 0 {
			a.Status = detect.StatusResolved
		}
		out = append(out, a)
	}
	return out
}

var ownLink = regexp.MustCompile(`<https://eu-west-1\.console\.aws\.amazon\.com/cloudwatch/home\?region=eu-west-1#logsV2:[^|<> ]+\|(Log events|Logs Insights)>`)

// checkInert walks every text in the payload: no raw '<' except our own
// console links, valid UTF-8, and Slack's limits.
func checkInert(t *testing.T, body []byte) {
	t.Helper()
	require.True(t, utf8.Valid(body))
	var msg struct {
		Text        string           `json:"text"`
		Blocks      []map[string]any `json:"blocks"`
		UnfurlLinks *bool            `json:"unfurl_links"`
		UnfurlMedia *bool            `json:"unfurl_media"`
	}
	require.NoError(t, json.Unmarshal(body, &msg))
	require.NotNil(t, msg.UnfurlLinks)
	require.False(t, *msg.UnfurlLinks)
	require.False(t, *msg.UnfurlMedia)
	require.LessOrEqual(t, len(msg.Blocks), maxBlocks)
	require.LessOrEqual(t, utf8.RuneCountInString(msg.Text), maxText)
	texts := []string{msg.Text}
	for _, b := range msg.Blocks {
		collect(b, "", &texts)
	}
	for _, tx := range texts {
		stripped := ownLink.ReplaceAllString(tx, "")
		require.NotContains(t, stripped, "<", "unescaped '<' in %q", tx)
		require.NotContains(t, stripped, ">")
		require.NotContains(t, tx, "\r")
		require.NotContains(t, tx, "\u202e")
		require.True(t, utf8.ValidString(tx))
		require.LessOrEqual(t, utf8.RuneCountInString(tx), maxSection)
	}
	for _, b := range msg.Blocks {
		if b["type"] == "header" {
			txt := b["text"].(map[string]any)["text"].(string)
			require.LessOrEqual(t, utf8.RuneCountInString(txt), maxHeader)
		}
	}
}

func collect(v any, key string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			collect(vv, k, out)
		}
	case []any:
		for _, vv := range x {
			collect(vv, key, out)
		}
	case string:
		if key == "text" {
			*out = append(*out, x)
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, got, "", "  "))
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, pretty.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), pretty.String())
}

func BenchmarkBlocksDigest(b *testing.B) {
	cs := render.All(digestOf(20), opts)
	for b.Loop() {
		_ = blocks(cs)
	}
}

// TestFitNeverLeavesAnOpenCodeSpan: a cut inside a code span would let the
// rest of a log-derived value be read as mrkdwn.
func TestFitNeverLeavesAnOpenCodeSpan(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"*Users*\n`*root*` (4)", 12, "*Users*\n…"},
		{"*Users*\n`ab` `*root*`", 14, "*Users*\n`ab` …"},
		{"a &amp; b", 4, "a …"},
		{"short", 10, "short"},
	}
	for _, tc := range tests {
		got := fit(tc.in, tc.max)
		require.Equal(t, tc.want, got, tc.in)
		require.Zero(t, strings.Count(got, "`")%2)
	}
}
