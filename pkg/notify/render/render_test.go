package render

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
)

func TestLogEventsURLMatchesConsoleFormat(t *testing.T) {
	// The verbatim sample from sinofseven/cloudwatch_logs_url.
	start := time.UnixMilli(1719759600000)
	end := time.UnixMilli(1722437999000)
	got := LogEventsURL("ap-northeast-1", "/aws/lambda/luciferous-devio-index-cl-FunctionCheckIndividualS-qNWf7JYCZBBM",
		"2024/06/30/[39]3ca88f3a2fff4810b2de52cf027d0a40", `{ $.level = "DEBUG" }`, start, end)
	require.Equal(t, "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/"+
		"$252Faws$252Flambda$252Fluciferous-devio-index-cl-FunctionCheckIndividualS-qNWf7JYCZBBM/log-events/"+
		"2024$252F06$252F30$252F$255B39$255D3ca88f3a2fff4810b2de52cf027d0a40$3FfilterPattern$3D$257B$2520$2524.level$2520$253D$2520$2522DEBUG$2522$2520$257D"+
		"$26start$3D1719759600000$26end$3D1722437999000", got)
	require.Contains(t, LogEventsURL("eu-west-1", "g", "[$LATEST]", "", start, end), "$255B$2524LATEST$255D")
}

func TestInsightsURL(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	got := InsightsURL("eu-west-2", []string{"/aws/lambda/my-fn"}, "fields @timestamp, @message\n| filter @requestId = 'x'", start, start.Add(time.Hour))
	require.Equal(t, "https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#logsV2:logs-insights$3FqueryDetail$3D~("+
		"end~'2024-01-01T01*3a00*3a00.000Z~start~'2024-01-01T00*3a00*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC~"+
		"editorString~'fields*20*40timestamp*2c*20*40message*0a*7c*20filter*20*40requestId*20*3d*20*27x*27~source~(~'*2faws*2flambda*2fmy-fn))", got)
	require.True(t, strings.HasPrefix(InsightsURL("cn-north-1", nil, "", start, start), "https://cn-north-1.console.amazonaws.cn/"))
}

func TestMeasureReadsAtAGlance(t *testing.T) {
	since := time.Date(2026, 3, 1, 3, 12, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    detect.Alert
		want string
	}{
		{"duration", detect.Alert{Type: detect.TypeDuration, Value: 29800, Baseline: 3100, Unit: "ms", Samples: 214,
			WindowStart: since, Time: since.Add(8 * time.Minute)},
			"duration 29.8 s vs usual 3.1 s — 9.6×, 214 invocations since 03:12 UTC"},
		{"memory percent", detect.Alert{Type: detect.TypeMemory, Value: 97.5, Baseline: 60, Unit: "%", Samples: 1},
			"memory used 97.5 % (threshold 60 %), 1 invocation"},
		{"cost", detect.Alert{Type: detect.TypeCost, Value: 12.4, Baseline: 1.1, Unit: "USD/h"},
			"cost $12.40/h vs usual $1.10/h — 11.3×"},
		{"count", detect.Alert{Type: detect.TypeBruteForce, Value: 41, Unit: "failures", Samples: 41},
			"41 failed logins"},
		{"minutes", detect.Alert{Type: detect.TypeDuration, Value: 150000, Baseline: 60000, Unit: "ms"},
			"duration 2.5 min vs usual 1 min — 2.5×"},
		{"none", detect.Alert{Type: detect.TypeCrash}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, Measure(tc.a)) })
	}
}

func TestCleanAndTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"a\r\nBcc: x", 0, "a Bcc: x"},
		{"bad\xffutf8", 0, "bad\uFFFDutf8"},
		{"héllo wörld", 5, "héll…"},
		{"日本語テキスト", 4, "日本語…"},
		{"\u202eevil\x1b[31m", 0, "evil [31m"},
		{"short", 10, "short"},
	}
	for _, tc := range tests {
		got := Clean(tc.in, tc.max)
		require.Equal(t, tc.want, got)
		require.True(t, utf8.ValidString(got))
	}
	long := Clean(strings.Repeat("é", 20000), MaxEntity)
	require.Equal(t, MaxEntity, utf8.RuneCountInString(long))
}

func TestContentLinksAndNextStep(t *testing.T) {
	at := time.Date(2026, 3, 1, 3, 20, 0, 0, time.UTC)
	a := detect.Alert{Type: detect.TypeDuration, Status: detect.StatusFiring, Severity: detect.SeverityCritical, Time: at,
		Function: "orders", LogGroup: "/aws/lambda/orders", Account: "999988887777", Value: 29800, Baseline: 3100, Unit: "ms",
		RequestIDs: []string{"r1\" | fields secret"}}
	c := New(a, Options{Region: "eu-west-1", Account: "111122223333"})
	require.Equal(t, "CRITICAL · Duration anomaly · orders", c.Title)
	require.Len(t, c.Links, 2)
	require.Contains(t, c.Links[1].URL, "arn*3aaws*3alogs*3aeu-west-1*3a999988887777*3alog-group*3a*2faws*2flambda*2forders",
		"cross-account evidence is queried by ARN")
	require.NotContains(t, c.Links[1].URL, "secret", "a hostile request id stays out of the query")
	require.Contains(t, c.NextStep, "logwarden thresholds set function#orders duration_ratio=11")

	require.Empty(t, New(a, Options{}).Links, "no region, no links")
	a.Status = detect.StatusResolved
	require.Equal(t, "RESOLVED · Duration anomaly · orders", New(a, Options{}).Title)
}
