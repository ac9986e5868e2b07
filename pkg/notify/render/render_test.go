package render

import (
	"math"
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
			"duration 29.8 s vs usual 3.1 s (9.6×), 214 invocations since 03:12 UTC"},
		{"memory percent", detect.Alert{Type: detect.TypeMemory, Value: 97.5, Baseline: 60, Unit: "%", Samples: 1},
			"memory used 97.5 % ≥ threshold 60 %, 1 invocation"},
		{"memory at the threshold", detect.Alert{Type: detect.TypeMemory, Value: 90, Baseline: 90, Unit: "%", Samples: 1},
			"memory used 90 % ≥ threshold 90 %, 1 invocation"},
		{"resolved below", detect.Alert{Type: detect.TypeMemory, Status: detect.StatusResolved, Value: 71.2, Baseline: 90, Unit: "%", Samples: 4},
			"memory used 71.2 % < threshold 90 %, 4 invocations"},
		{"cost", detect.Alert{Type: detect.TypeCost, Value: 12.4, Baseline: 1.1, Unit: "USD/h"},
			"cost $12.40/h vs usual $1.10/h (11.3×)"},
		{"count", detect.Alert{Type: detect.TypeBruteForce, Value: 41, Unit: "failures", Samples: 41},
			"41 failed logins"},
		{"brute force threshold", detect.Alert{Type: detect.TypeBruteForce, Value: 41, Baseline: 10, Unit: "failures", Samples: 41,
			WindowStart: since, Time: since.Add(8 * time.Minute)},
			"41 failed logins ≥ threshold 10 since 03:12 UTC"},
		{"stuffing", detect.Alert{Type: detect.TypeCredentialStuffing, Value: 23, Baseline: 10, Unit: "users", Samples: 90},
			"23 users ≥ threshold 10, 90 failed logins"},
		{"negative duration", detect.Alert{Type: detect.TypeDuration, Value: -9.2e15, Baseline: 3100, Unit: "ms"},
			"duration ? vs usual 3.1 s"},
		{"minutes", detect.Alert{Type: detect.TypeDuration, Value: 150000, Baseline: 60000, Unit: "ms"},
			"duration 2.5 min vs usual 1 min (2.5×)"},
		{"none", detect.Alert{Type: detect.TypeCrash}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, Measure(tc.a)) })
	}
}

// TestCleanShowsHiddenCharacters pins the shared sanitizer every channel
// and the CLI use: what a reader cannot see is shown escaped, line breaks
// become spaces, and cuts are in runes, never inside an escape.
func TestCleanShowsHiddenCharacters(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"header injection", "a\r\nBcc: x", 0, "a Bcc: x"},
		{"invalid UTF-8", "bad\xffutf8", 0, "bad\uFFFDutf8"},
		{"cut in runes", "héllo wörld", 5, "héll…"},
		{"cut wide runes", "日本語テキスト", 4, "日本語…"},
		{"short", "short", 10, "short"},
		{"zero-width space", "adm\u200bin", 0, `adm\u200bin`},
		{"zero-width joiners", "ad\u200dm\u200cin\u2060", 0, `ad\u200dm\u200cin\u2060`},
		{"right-to-left override", "\u202egnp.exe", 0, `\u202egnp.exe`},
		{"bidi isolates and marks", "\u2066a\u2069\u200e\u200f\u061c", 0, `\u2066a\u2069\u200e\u200f\u061c`},
		{"BOM and soft hyphen", "\ufeffad\u00admin", 0, `\ufeffad\u00admin`},
		{"terminal escape", "evil\x1b[31m\x07", 0, `evil\u001b[31m\u0007`},
		{"C1 control", "a\u009bb", 0, `a\u009bb`},
		{"no-break and ideographic spaces", "admin\u00a0\u3000", 0, `admin\u00a0\u3000`},
		{"tag characters", "x\U000E0041\U000E007F", 0, `x\U000e0041\U000e007f`},
		{"Hangul filler", "ad\u3164min", 0, `ad\u3164min`},
		{"variation selector", "a\ufe0fb", 0, `a\ufe0fb`},
		{"private use", "a\ue000b", 0, `a\ue000b`},
		{"line separators", "a\u2028b\u2029c\u0085d\te", 0, "a b c d e"},
		{"runs of space collapse", "  a \t\n b  ", 0, "a b"},
		{"cut never splits an escape", "abc\u200bdef", 6, "abc…"},
		{"escape that fits", "ab\u200b", 8, `ab\u200b`},
		{"cut drops a trailing space", "abcd efgh", 6, "abcd…"},
		{"trailing space is no cut", "abc \t\n ", 3, "abc"},
		{"exact fit", "abcdef", 6, "abcdef"},
		{"limit one", "abcdef", 1, "…"},
		{"emoji kept", "ok 🔒", 0, "ok 🔒"},
		{"letters of other scripts kept", "Grüße مرحبا", 0, "Grüße مرحبا"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Clean(tc.in, tc.max)
			require.Equal(t, tc.want, got)
			require.True(t, utf8.ValidString(got))
			if tc.max > 0 {
				require.LessOrEqual(t, utf8.RuneCountInString(got), tc.max)
			}
		})
	}
	long := Clean(strings.Repeat("é", 20000), MaxEntity)
	require.Equal(t, MaxEntity, utf8.RuneCountInString(long))
	require.True(t, strings.HasSuffix(long, Ellipsis))
	zw := Clean(strings.Repeat("\u200b", 5000), MaxEntity)
	require.LessOrEqual(t, utf8.RuneCountInString(zw), MaxEntity)
	require.True(t, strings.HasPrefix(zw, `\u200b\u200b`))
}

// FuzzClean: whatever the input, the output is valid UTF-8, within the
// limit, on one line and free of every character Clean must escape.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"adm\u200bin", "\u202eevil", "a\r\nb", "\xff\xfe", "日本語", "x\U000E0041"} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max % 200
		if max < 0 {
			max = -max
		}
		got := Clean(s, max)
		require.True(t, utf8.ValidString(got))
		if max > 0 {
			require.LessOrEqual(t, utf8.RuneCountInString(got), max)
		}
		for _, r := range got {
			require.False(t, hidden(r) || (breaks(r) && r != ' '), "%q left in %q", r, got)
		}
	})
}

func TestContentLinksAndNextStep(t *testing.T) {
	at := time.Date(2026, 3, 1, 3, 20, 0, 0, time.UTC)
	a := detect.Alert{Type: detect.TypeDuration, Status: detect.StatusFiring, Severity: detect.SeverityCritical, Time: at,
		Function: "orders", LogGroup: "/aws/lambda/orders", Account: "999988887777", Value: 29800, Baseline: 3100, Unit: "ms",
		RequestIDs: []string{"r1\" | fields secret"}}
	c := New(a, Options{Region: "eu-west-1", Account: "111122223333"})
	require.Equal(t, "CRITICAL · Duration anomaly · orders", c.Title)
	require.Equal(t, "CRITICAL · Duration anomaly · orders — duration 29.8 s vs usual 3.1 s (9.6×)", c.Headline)
	require.Len(t, c.Links, 2)
	require.Contains(t, c.Links[1].URL, "arn*3aaws*3alogs*3aeu-west-1*3a999988887777*3alog-group*3a*2faws*2flambda*2forders",
		"cross-account evidence is queried by ARN")
	require.NotContains(t, c.Links[1].URL, "secret", "a hostile request id stays out of the query")
	require.Contains(t, c.NextStep, Span{Text: "logwarden thresholds set function#orders duration_ratio=11", Code: true})

	require.Empty(t, New(a, Options{}).Links, "no region, no links")
	a.Status = detect.StatusResolved
	require.Equal(t, "RESOLVED · Duration anomaly · orders", New(a, Options{}).Title)
}

// TestAbsurdTimesShowNothingNegative: decoding rejects such times, but an
// alert built another way must still not say "in -2562047h" or link to
// year 292277026596.
func TestAbsurdTimesShowNothingNegative(t *testing.T) {
	start := time.Date(2026, 3, 1, 3, 12, 0, 0, time.UTC)
	for _, at := range []time.Time{time.UnixMilli(math.MaxInt64), time.UnixMilli(math.MinInt64), {}} {
		a := detect.Alert{Type: detect.TypeBruteForce, Status: detect.StatusFiring, Severity: detect.SeverityWarning,
			Time: at, WindowStart: start, Function: "login", LogGroup: "/aws/lambda/login", IP: "203.0.113.7",
			Value: 12, Baseline: 10, Unit: "failures", Samples: 12}
		c := New(a, Options{Region: "eu-west-1"})
		text := PlainText(c)
		require.Empty(t, c.Links, "no links into an absurd time range")
		require.NotContains(t, text, "When:")
		require.NotContains(t, text, "-2562047")
		require.NotContains(t, text, "292277026596")
		require.Contains(t, c.Headline, "12 failed logins ≥ threshold 10")
	}
	require.Equal(t, "?", Quantity(-1, "ms"))
	require.Equal(t, "?", Quantity(math.Inf(1), "ms"))
	require.Equal(t, "?", Quantity(math.NaN(), "%"))
}

// BenchmarkClean: plain ASCII (the common case, no allocation) and text
// full of hidden characters, at the entity limit.
func BenchmarkClean(b *testing.B) {
	for _, in := range []struct{ name, s string }{
		{"ascii", "alice.smith@example.com from 203.0.113.7"},
		{"hostile", strings.Repeat("adm\u200bin \u202e", 40)},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Clean(in.s, MaxEntity)
			}
		})
	}
}

func TestDefang(t *testing.T) {
	require.Equal(t, "open https[:]//evil.example/x or HTTP[:]//a.b", Defang("open https://evil.example/x or HTTP://a.b"))
	require.Equal(t, "alice@example.com", Defang("alice@example.com"))
	a := New(detect.Alert{Type: detect.TypeDuration, User: "http://u.example", Summary: "see https://evil.example",
		TopUsers: []detect.Count{{Value: "ftp://x", Count: 1}}, RequestIDs: []string{"https://r"}}, Options{})
	require.Equal(t, "http[:]//u.example", a.Alert.User)
	require.Equal(t, "see https[:]//evil.example", a.What)
	require.Equal(t, "ftp[:]//x", a.TopUsers[0].Value)
	require.Equal(t, []string{"https[:]//r"}, a.RequestIDs)
}
