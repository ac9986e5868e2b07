package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify/console"
	"github.com/logwarden/logwarden/pkg/notify/email"
	"github.com/logwarden/logwarden/pkg/notify/render"
	"github.com/logwarden/logwarden/pkg/notify/slack"
)

// consoleURL matches our own links, whose encoding uses '*'.
var consoleURL = regexp.MustCompile(`https://eu-west-1\.console\.aws\.amazon\.com/[^\s"<]+`)

var update = flag.Bool("update", false, "rewrite testdata/<case>/* from the renderers' output")

var (
	t0   = time.Date(2026, 3, 1, 3, 20, 0, 0, time.UTC)
	opts = render.Options{Region: "eu-west-1", Account: "111122223333"}
)

func alert(typ, sev string, f func(*detect.Alert)) detect.Alert {
	a := detect.Alert{Type: typ, Status: detect.StatusFiring, Severity: sev, Time: t0,
		WindowStart: t0.Add(-8 * time.Minute), Function: "orders", LogGroup: "/aws/lambda/orders",
		LogStream: "2026/03/01/[$LATEST]0c6c8f5b8f9b4a0f", Account: "111122223333", Key: typ + "#orders#"}
	f(&a)
	return a
}

// goldenCases are representative alerts of each type, with the summaries
// the detectors write, plus a resolved one and a digest.
func goldenCases() map[string][]detect.Alert {
	bf := alert(detect.TypeBruteForce, detect.SeverityWarning, func(a *detect.Alert) {
		a.Function, a.LogGroup = "login", "/aws/lambda/login"
		a.Summary = "41 failed logins from 203.0.113.7 in 7m58s (3 users: admin 30, root 9, test 2), threshold 10 in 10m0s"
		a.Value, a.Baseline, a.Unit, a.Samples = 41, 10, "failures", 41
		a.IP, a.TopUsers = "203.0.113.7", []detect.Count{{Value: "admin", Count: 30}, {Value: "root", Count: 9}, {Value: "test", Count: 2}}
		a.RequestIDs = []string{"8f5e1c2a-1b2c-4d5e-8f90-0a1b2c3d4e5f"}
	})
	return map[string][]detect.Alert{
		"duration": {alert(detect.TypeDuration, detect.SeverityCritical, func(a *detect.Alert) {
			a.Summary = "p50 29.8 s vs usual 3.1 s — 9.6×, 214 warm invocations since 03:12 UTC (z 6.3)"
			a.Value, a.Baseline, a.Unit, a.Samples = 29800, 3100, "ms", 214
		})},
		"cold_start": {alert(detect.TypeColdStart, detect.SeverityWarning, func(a *detect.Alert) {
			a.Summary = "init duration 2.4 s vs usual 410 ms — 5.9× over the last 20 cold starts"
			a.Value, a.Baseline, a.Unit, a.Samples = 2400, 410, "ms", 20
		})},
		"memory": {alert(detect.TypeMemory, detect.SeverityWarning, func(a *detect.Alert) {
			a.Summary = "max memory used 463 MB of 512 MB (90.43 % ≥ threshold 90 %)"
			a.Value, a.Baseline, a.Unit, a.Samples = 90.43, 90, "%", 1
			a.RequestIDs = []string{"13222b1e-f16b-4550-89df-869ab0a9806d"}
			a.WindowStart = time.Time{}
		})},
		"timeout": {alert(detect.TypeTimeout, detect.SeverityWarning, func(a *detect.Alert) {
			a.Summary = "3 invocations of orders timed out after 3 s"
			a.Value, a.Unit, a.Samples = 3, "invocations", 3
			a.RequestIDs = []string{"7c9567b5-107b-4a6c-8798-0157ac21db52", "b441820a-ebe5-4d5f-93bc-f945707b0225"}
		})},
		"crash": {alert(detect.TypeCrash, detect.SeverityCritical, func(a *detect.Alert) {
			a.Summary = "1 invocation of orders crashed (Runtime.ExitError)"
			a.Value, a.Unit, a.Samples = 1, "invocations", 1
			a.RequestIDs = []string{"6234bffe-149a-b642-81ff-2e8e376d8aff"}
		})},
		"cost": {alert(detect.TypeCost, detect.SeverityWarning, func(a *detect.Alert) {
			a.Summary = "≈ $12.40/h vs usual $1.10/h (11.3×) — 48211 invocations, 9120 GB-s since 02:20 vs 4100 invocations usually per 1h0m0s"
			a.Value, a.Baseline, a.Unit, a.Samples, a.CostPerHour = 12.4, 1.1, "USD/h", 48211, 12.4
		})},
		"brute_force": {bf},
		"credential_stuffing": {alert(detect.TypeCredentialStuffing, detect.SeverityCritical, func(a *detect.Alert) {
			a.Function, a.LogGroup = "login", "/aws/lambda/login"
			a.Summary = "90 failed logins for 23 different users from 198.51.100.9 in 6m2s (95 % tried at most 3 times)"
			a.Value, a.Baseline, a.Unit, a.Samples = 23, 10, "users", 90
			a.IP = "198.51.100.9"
			a.TopUsers = []detect.Count{{Value: "alice", Count: 5}, {Value: "bob", Count: 4}, {Value: "carol", Count: 4}, {Value: "dave", Count: 4}, {Value: "erin", Count: 3}, {Value: "frank", Count: 3}, {Value: "grace", Count: 3}}
		})},
		"distributed_brute_force": {alert(detect.TypeBruteForce, detect.SeverityWarning, func(a *detect.Alert) {
			a.Function, a.LogGroup = "login", "/aws/lambda/login"
			a.Summary = "60 failed logins for admin from 12 addresses in 9m40s (distributed), threshold 50 from 10 addresses in 10m0s"
			a.Value, a.Baseline, a.Unit, a.Samples = 60, 50, "failures", 60
			a.User = "admin"
			a.TopIPs = []detect.Count{{Value: "203.0.113.7", Count: 8}, {Value: "203.0.113.8", Count: 6}, {Value: "2001:db8::1", Count: 5}}
		})},
		"account_compromise": {alert(detect.TypeAccountCompromise, detect.SeverityCritical, func(a *detect.Alert) {
			a.Function, a.LogGroup = "login", "/aws/lambda/login"
			a.Summary = "successful login for admin from 203.0.113.7 after 12 failed attempts on it from the same address (threshold crossed at 03:14 UTC)"
			a.Value, a.Baseline, a.Unit, a.Samples = 41, 10, "failures", 41
			a.IP, a.User = "203.0.113.7", "admin"
		})},
		"resolved": {alert(detect.TypeMemory, detect.SeverityInfo, func(a *detect.Alert) {
			a.Status = detect.StatusResolved
			a.Summary = "max memory used back to 71 % of 512 MB (peak 97 %, 14 reports over the threshold since 01:02 UTC)"
			a.Value, a.Baseline, a.Unit, a.Samples = 71.2, 90, "%", 14
		})},
		"digest": {bf, alert(detect.TypeTimeout, detect.SeverityWarning, func(a *detect.Alert) {
			a.Summary = "1 invocation of orders timed out after 3 s"
			a.Value, a.Unit, a.Samples = 1, "invocations", 1
		})},
		"hostile": {hostile()},
	}
}

// hostile carries attacker-chosen text in every log-derived field: every
// trick #8 lists, for every channel.
func hostile() detect.Alert {
	return alert(detect.TypeAccountCompromise, detect.SeverityCritical, func(a *detect.Alert) {
		a.Function = "orders*pwned*"
		a.Summary = "successful login for adm\u200bin from 203.0.113.7 *bold* _it_ ~x~ `code` <!channel> <!here> @channel " +
			"<https://evil.example|click> <script>alert(1)</script> \u202egnp.exe\r\n> quoted\x1b[31m"
		a.Value, a.Baseline, a.Unit, a.Samples = 12, 10, "failures", 12
		a.IP = "203.0.113.7"
		a.User = "adm\u200bin"
		a.TopIPs = []detect.Count{{Value: "<!everyone>", Count: 3}, {Value: "> 10.0.0.1", Count: 2}}
		a.TopUsers = []detect.Count{{Value: "*root*", Count: 4}, {Value: "_admin_", Count: 3}, {Value: "`x`", Count: 2},
			{Value: "~y~", Count: 2}, {Value: "\u2066adm\u2069in\ufeff", Count: 1}}
		a.RequestIDs = []string{"<http://phish.example|open>", "req\u200b-1", strings.Repeat("A<b>", 300)}
	})
}

// TestGoldenAlertText renders each case on every channel and compares with
// testdata/<case>/: slack.json (the webhook payload), email.txt (subject
// and text part), email.html, console.txt. Run with -update to rewrite.
func TestGoldenAlertText(t *testing.T) {
	for name, alerts := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			out := renderAll(t, alerts)
			checkHostileInert(t, out)
			for file, got := range out {
				golden(t, filepath.Join("testdata", name, file), got)
			}
			if name != "hostile" {
				// Our own text carries no markup of another medium.
				for _, file := range []string{"email.txt", "email.html", "console.txt"} {
					text := consoleURL.ReplaceAllString(out[file], "")
					require.NotContains(t, text, "`", file)
					require.NotContains(t, text, "*", file)
				}
			}
			subject, _, _ := strings.Cut(out["email.txt"], "\n")
			var msg struct{ Text string }
			require.NoError(t, json.Unmarshal([]byte(out["slack.json"]), &msg))
			if len(alerts) == 1 {
				c := render.New(alerts[0], opts)
				require.Equal(t, "Subject: "+c.Headline, subject, "the email subject is the headline")
				if name != "hostile" {
					require.Equal(t, c.Headline, html.UnescapeString(msg.Text), "the Slack notification text is the headline")
				}
				require.Equal(t, 1, strings.Count(out["console.txt"], c.Headline), "the headline is said once")
			}
		})
	}
}

func renderAll(t *testing.T, alerts []detect.Alert) map[string]string {
	t.Helper()
	// Re-encoded without HTML escaping so the golden file reads as Slack
	// receives it (slack-go escapes & < > as \u0026 \u003c \u003e).
	raw, err := json.Marshal(slack.Message(alerts, opts))
	require.NoError(t, err)
	var payload any
	require.NoError(t, json.Unmarshal(raw, &payload))
	var pretty bytes.Buffer
	enc := json.NewEncoder(&pretty)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(payload))
	cs := render.All(alerts, opts)
	body, err := email.HTML(cs)
	require.NoError(t, err)
	var con bytes.Buffer
	_, err = console.New(&con, opts).Notify(context.Background(), alerts...)
	require.NoError(t, err)
	return map[string]string{
		"slack.json":  pretty.String(),
		"email.txt":   "Subject: " + email.Subject(cs) + "\n\n" + email.Text(cs),
		"email.html":  body,
		"console.txt": con.String(),
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./pkg/notify/render -update to create %s", path)
	require.Equal(t, string(want), got, path)
}

var (
	codeSpan = regexp.MustCompile("`[^`]*`")
	ownLink  = regexp.MustCompile(`<https://eu-west-1\.console\.aws\.amazon\.com/[^|<> ]+\|(Log events|Logs Insights)>`)
	// rawHidden are characters no output may carry unescaped.
	rawHidden = []string{"\u200b", "\u200d", "\u202e", "\u2066", "\u2069", "\ufeff", "\x1b", "\r", "\u0007"}
	// attackerWords only occur in the hostile alert's log-derived values.
	attackerWords = []string{"pwned", "root", "admin", "everyone", "phish", "bold", "10.0.0.1"}
)

// checkHostileInert checks every rendering, whatever the case: no raw
// hidden characters anywhere; in Slack, log-derived text appears only in
// plain_text objects or inside code spans of mrkdwn, never as markup, a
// mention or a link; the notification text carries no mrkdwn characters;
// the email HTML has no markup but ours.
func checkHostileInert(t *testing.T, out map[string]string) {
	t.Helper()
	for file, text := range out {
		for _, h := range rawHidden {
			require.NotContains(t, text, h, "%s carries a raw %q", file, h)
		}
	}
	var msg map[string]any
	require.NoError(t, json.Unmarshal([]byte(out["slack.json"]), &msg))
	require.Equal(t, "none", msg["parse"], "no mentions or channel links parsed from text")
	require.Equal(t, false, msg["unfurl_links"])
	require.NotContains(t, msg["text"], "<")
	require.False(t, strings.ContainsAny(msg["text"].(string), "*_~`"), "notification text: %q", msg["text"])
	walkTexts(msg, func(typ, text string) {
		switch typ {
		case "plain_text":
			require.False(t, strings.ContainsAny(text, "<>"), "raw < or > in %q", text)
		case "mrkdwn":
			rest := ownLink.ReplaceAllString(text, "")
			rest = codeSpan.ReplaceAllString(rest, "")
			require.False(t, strings.ContainsAny(rest, "<>`"), "raw markup outside code in %q", text)
			for _, w := range attackerWords {
				require.NotContains(t, rest, w, "log-derived text outside a code span in %q", text)
			}
		}
	})
	for _, bad := range []string{"<script", "<a href=\"https://evil", "<a href=\"http://phish", "<b>"} {
		require.NotContains(t, out["email.html"], bad)
	}
	// A URL in log text is never a link: schemes are defanged everywhere.
	for file, text := range out {
		require.NotContains(t, text, "https://evil", file)
		require.NotContains(t, text, "http://phish", file)
	}
	// Over-long values are cut (in runes, with an ellipsis) on every channel.
	for file, text := range out {
		require.NotContains(t, text, strings.Repeat("A<b>", 40), file)
		require.NotContains(t, text, strings.Repeat("A&lt;b&gt;", 40), file)
	}
}

// walkTexts calls f with the type and text of every text object.
func walkTexts(v any, f func(typ, text string)) {
	switch x := v.(type) {
	case map[string]any:
		if typ, ok := x["type"].(string); ok {
			if text, ok := x["text"].(string); ok {
				f(typ, text)
			}
		}
		for _, vv := range x {
			walkTexts(vv, f)
		}
	case []any:
		for _, vv := range x {
			walkTexts(vv, f)
		}
	}
}
