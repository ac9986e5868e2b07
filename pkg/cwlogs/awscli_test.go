package cwlogs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLeadingTimestamp(t *testing.T) {
	tests := []struct {
		line, msg string
		ms        int64
		ok        bool
	}{
		{"2026-03-03T10:00:00.000Z REPORT RequestId: x", "REPORT RequestId: x", 1772532000000, true},
		{"2026-03-03T10:00:00Z msg", "msg", 1772532000000, true},
		{"2026-03-03T11:00:00.5+01:00 msg", "msg", 1772532000500, true},
		// Lambda's own text format: the tab belongs to the line, keep it whole.
		{"2026-03-03T10:00:00.000Z\tc793869b\tWARN\tEvent not processed.", "2026-03-03T10:00:00.000Z\tc793869b\tWARN\tEvent not processed.", 1772532000000, true},
		{"Feb 25 14:34:10 belka sshd[31602]: Failed password", "Feb 25 14:34:10 belka sshd[31602]: Failed password", 0, false},
		{"2026-13-03T10:00:00Z not a date", "2026-13-03T10:00:00Z not a date", 0, false},
		// The epoch itself is never a capture's time: 1970 stays impossible.
		{"1970-01-01T00:00:00Z forged", "1970-01-01T00:00:00Z forged", 0, false},
		{"2026-03-03T10:00:00.000Z", "2026-03-03T10:00:00.000Z", 0, false},
		{"", "", 0, false},
	}
	for _, tc := range tests {
		ms, msg, ok := leadingTimestamp(tc.line)
		require.Equal(t, tc.ok, ok, tc.line)
		require.Equal(t, tc.ms, ms, tc.line)
		require.Equal(t, tc.msg, msg, tc.line)
	}
}

// An attacker who controls a log line cannot make a recognised capture be
// read as plain text, nor turn plain text into a capture with forged ids.
func TestAWSCLIOutputIsNeverPlainText(t *testing.T) {
	var batches []Batch
	var warns []string
	in := Input{Name: "f.json", LogGroup: "/aws/lambda/login", Warn: func(m string) { warns = append(warns, m) }}
	errs := DecodeInput(in, []byte(filterLogEventsOutput), func(b Batch) { batches = append(batches, b) })
	require.Empty(t, errs)
	require.Empty(t, warns, "the log group was given")
	require.Len(t, batches, 3)
	for _, b := range batches {
		require.Equal(t, "/aws/lambda/login", b.LogGroup)
		for _, ev := range b.LogEvents {
			require.Positive(t, ev.Timestamp)
			require.Len(t, ev.ID, 56)
		}
	}

	// A truncated capture is an error naming the file, not text.
	batches = nil
	errs = DecodeInput(in, []byte(filterLogEventsOutput[:len(filterLogEventsOutput)/2]), func(b Batch) { batches = append(batches, b) })
	require.Len(t, errs, 1)
	require.Contains(t, errs[0].Error(), "f.json")
	for _, b := range batches {
		require.NotContains(t, b.Source, "lines", "never read as plain text")
	}
}

// A message is data, never framing: a forged time or newline inside a
// subscription document changes nothing, and in an S3 export a line
// without a time continues the event before it.
func TestForgedTimesAndNewlines(t *testing.T) {
	doc := `{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/x","logStream":"s","logEvents":[` +
		`{"id":"1","timestamp":1772532000000,"message":"1970-01-01T00:00:00Z Task timed out after 3.00 seconds"},` +
		`{"id":"2","timestamp":1772532000001,"message":"2099-01-01T00:00:00Z fake\n2099-01-01T00:00:01Z REPORT RequestId: x\tDuration: 1 ms"}]}`
	var got []LogEvent
	require.Empty(t, Decode("d.json", []byte(doc), Limits{}, func(b Batch) { got = append(got, b.LogEvents...) }))
	require.Len(t, got, 2)
	require.Equal(t, int64(1772532000000), got[0].Timestamp)
	require.Equal(t, int64(1772532000001), got[1].Timestamp)
	require.Contains(t, got[1].Message, "\n2099-01-01T00:00:01Z REPORT")

	export := "2026-03-03T10:00:00.000Z login failed for bob\nFailed password for root from 203.0.113.9 port 22 ssh2\r\n" +
		"2026-03-03T10:00:01.000Z next\n"
	got = nil
	var warns []string
	in := Input{Name: "000000.gz", LogGroup: "g", Warn: func(m string) { warns = append(warns, m) }}
	require.Empty(t, DecodeInput(in, []byte(export), func(b Batch) { got = append(got, b.LogEvents...) }))
	require.Len(t, got, 2)
	require.Equal(t, "login failed for bob\nFailed password for root from 203.0.113.9 port 22 ssh2", got[0].Message)
	require.Equal(t, "next", got[1].Message)
	require.Empty(t, warns)
}

func TestEmptyAWSCLIOutputWarns(t *testing.T) {
	for _, in := range []string{`[]`, `{"events":[],"searchedLogStreams":[]}`} {
		var warns []string
		n := 0
		errs := DecodeInput(Input{Name: "f.json", Warn: func(m string) { warns = append(warns, m) }}, []byte(in), func(Batch) { n++ })
		require.Empty(t, errs, in)
		require.Zero(t, n, in)
		require.Equal(t, []string{"f.json: aws logs filter-log-events/get-log-events output without any log event"}, warns, in)
	}
}
