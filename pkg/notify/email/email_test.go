package email

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 3, 1, 3, 20, 0, 0, time.UTC)

var opts = render.Options{Region: "eu-west-1", Account: "111122223333"}

func hostileAlert() detect.Alert {
	return detect.Alert{
		Type: detect.TypeCredentialStuffing, Status: detect.StatusFiring, Severity: detect.SeverityCritical,
		Time: t0, WindowStart: t0.Add(-8 * time.Minute),
		Function: "orders\r\nBcc: attacker@evil.example", LogGroup: "/aws/lambda/orders",
		Summary: `<script>alert(1)</script><a href="http://evil.example">click</a> & "quotes"`,
		Value:   90, Samples: 90, Unit: "failures",
		IP:         "198.51.100.9",
		User:       strings.Repeat("<b>x</b>", 1300) + "\xff\xfe",
		TopUsers:   []detect.Count{{Value: `"><img src=x onerror=alert(1)>`, Count: 4}},
		RequestIDs: []string{"javascript:alert(1)"},
		Key:        "credential_stuffing#orders#198.51.100.9",
	}
}

func sesClient(endpoint string) *sesv2.Client {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.RetryMaxAttempts = 1 // the dispatcher owns retries
	})
}

func TestHostileContentIsInert(t *testing.T) {
	cs := render.All([]detect.Alert{hostileAlert()}, opts)
	subject := Subject(cs)
	require.NotContains(t, subject, "\r")
	require.NotContains(t, subject, "\n")
	require.LessOrEqual(t, utf8.RuneCountInString(subject), maxSubject)
	require.True(t, strings.HasPrefix(subject, "CRITICAL · Credential stuffing · orders Bcc: attacker@evil.example — 198.51.100.9: "), subject)

	html, err := HTML(cs)
	require.NoError(t, err)
	require.True(t, utf8.ValidString(html))
	for _, bad := range []string{"<script", "<img", `href="http://evil`, "<b>x", `href="javascript`} {
		require.NotContains(t, html, bad)
	}
	// Only our console links are anchors.
	require.Equal(t, strings.Count(html, "<a "), strings.Count(html, `<a href="https://eu-west-1.console.aws.amazon.com/`))
	text := Text(cs)
	require.True(t, utf8.ValidString(text))
	golden(t, "hostile.html", html)
	golden(t, "hostile.txt", text)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), got)
}

// TestSendThroughSESStandIn sends to aws-ses-v2-local and reads the mail
// back from its /store.
func TestSendThroughSESStandIn(t *testing.T) {
	endpoint := testenv.Require(t, testenv.SES)
	// Recipients of this run only: the stand-in is shared and never cleared.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	a, b := "a+"+run+"@example.com", "b+"+run+"@example.com"
	n, err := New(sesClient(endpoint), Config{From: "alerts@example.com", To: []string{"oncall@example.com"},
		ConfigurationSet: "logwarden", Render: opts})
	require.NoError(t, err)

	second := hostileAlert()
	second.Type, second.Key, second.Severity = detect.TypeTimeout, "timeout#orders#", detect.SeverityWarning
	route := notify.Route{EmailTo: []string{a, b, "not an address", a}}
	retry, err := n.Notify(notify.WithRoute(context.Background(), route), hostileAlert(), second)
	require.NoError(t, err)
	require.False(t, retry)

	mails := testenv.Mailbox{Endpoint: endpoint}.To(t, a)
	require.Len(t, mails, 1, "two alerts are one digest mail")
	m := mails[0]
	require.Equal(t, "alerts@example.com", m.From)
	require.Equal(t, []string{a, b}, m.Destination.To)
	require.Equal(t, "[CRITICAL] 2 alerts in orders Bcc: attacker@evil.example", m.Subject)
	require.Contains(t, m.Body.HTML, "&lt;script&gt;")
	require.NotContains(t, m.Body.HTML, "<script")
	require.Contains(t, m.Body.Text, "Credential stuffing")
	require.Contains(t, m.Body.Text, "Timeout")
}

func TestThrottlingIsRetryable(t *testing.T) {
	tests := []struct {
		name   string
		status int
		code   string
		retry  bool
		fix    string
	}{
		{"throttled", 429, "TooManyRequestsException", true, ""},
		{"limit exceeded", 400, "LimitExceededException", true, ""},
		{"server error", 500, "InternalFailure", true, ""},
		{"unverified identity", 400, "MessageRejected", false, "verify"},
		{"sending paused", 400, "SendingPausedException", false, "paused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-Errortype", tc.code)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"message":"injected"}`))
			}))
			defer srv.Close()
			n, err := New(sesClient(srv.URL), Config{From: "alerts@example.com", To: []string{"oncall@example.com"}})
			require.NoError(t, err)
			retry, err := n.Notify(context.Background(), hostileAlert())
			require.Error(t, err)
			require.Equal(t, tc.retry, retry)
			require.Equal(t, int32(1), hits.Load())
			if tc.fix != "" {
				require.Contains(t, notify.Fix(err), tc.fix)
			}
		})
	}
}

func TestNoRecipients(t *testing.T) {
	n, err := New(nil, Config{From: "alerts@example.com"})
	require.NoError(t, err)
	retry, err := n.Notify(context.Background(), hostileAlert())
	require.False(t, retry)
	require.Contains(t, notify.Fix(err), "LOGWARDEN_EMAIL_TO")
}
