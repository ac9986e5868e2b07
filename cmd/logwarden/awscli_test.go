package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// filterLogEventsTimeout is `aws logs filter-log-events` output with one
// timeout and its REPORT, as an operator would save it to f.json (a
// timeout line without its REPORT is not believed: see detect's
// platformcheck).
const filterLogEventsTimeout = `{
    "events": [
        {
            "logStreamName": "2026/03/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "timestamp": 1772532003003,
            "message": "2026-03-03T10:00:03.003Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n\n",
            "ingestionTime": 1772532003512,
            "eventId": "39483049887000000000000000000000000000000000000000000001"
        },
        {
            "logStreamName": "2026/03/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "timestamp": 1772532003010,
            "message": "REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\tStatus: timeout\n",
            "ingestionTime": 1772532003512,
            "eventId": "39483049887000000000000000000000000000000000000000000002"
        }
    ],
    "searchedLogStreams": []
}
`

// The report: `aws logs filter-log-events … > f.json` replayed as
// "WARNING · Timeout · f.json … When: 1970-01-01". It must be impossible.
func TestReplayOfAWSCLIOutputIsNever1970(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f.json")
	require.NoError(t, os.WriteFile(f, []byte(filterLogEventsTimeout), 0o644))

	out, stderr, code := runCLI(t, "replay", "--log-group", "/aws/lambda/checkout", f)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "checkout")
	require.Contains(t, out, "2026-03-03")
	require.NotContains(t, out, "1970")
	require.NotContains(t, stderr, "warning")

	// Without --log-group the file name stands in, and stderr says so.
	out, stderr, code = runCLI(t, "replay", "--json", f)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, `logwarden replay: warning: `+f+`: aws logs filter-log-events/get-log-events output names no log group: using "`+f+`" (pass --log-group NAME)`)
	alerts := parseJsonLines(t, out)
	require.Len(t, alerts, 1)
	require.Equal(t, "2026-03-03T10:00:03.003Z", alerts[0]["time"])
	require.Equal(t, f, alerts[0]["log_group"])

	// parse agrees: timestamp and id kept.
	out, _, code = runCLI(t, "parse", "--json", "--log-group", "/aws/lambda/checkout", f)
	require.Equal(t, 0, code)
	ev := parseJsonLines(t, out)[0]
	require.Equal(t, float64(1772532003003), ev["timestamp"])
	require.Equal(t, "39483049887000000000000000000000000000000000000000000001", ev["id"])
	require.Equal(t, "/aws/lambda/checkout", ev["log_group"])
}

// Plain text without timestamps: a warning, the events skipped, no alert
// at the epoch — including a line that forges a 1970 time of its own.
func TestReplayOfUntimedTextWarnsAndSkips(t *testing.T) {
	f := filepath.Join(t.TempDir(), "f.log")
	require.NoError(t, os.WriteFile(f, []byte(
		"7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n"+
			"1970-01-01T00:00:00Z 8d9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n"), 0o644))
	out, stderr, code := runCLI(t, "replay", "--log-group", "/aws/lambda/checkout", f)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, strings.TrimSpace(out), "no alert without a time")
	require.Contains(t, stderr, "plain text: 2 of 2 lines have no leading RFC 3339 timestamp")
	require.Contains(t, stderr, "skipped 2 events without a timestamp")

	out, stderr, code = runCLI(t, "parse", "--json", f)
	require.Equal(t, 0, code, stderr)
	require.Len(t, parseJsonLines(t, out), 2, "parse still shows them, without a timestamp")
	require.NotContains(t, out, `"timestamp"`)
	require.Contains(t, stderr, "logwarden parse: warning: ")
}
