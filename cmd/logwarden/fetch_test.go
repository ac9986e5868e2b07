package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// TestFetchThenReplayAgainstMoto is the backtest loop an operator runs:
// fetch a group from CloudWatch Logs (moto), then parse and replay the
// capture. Group, stream, event ids and timestamps round-trip, and the
// alerts carry the events' own times.
func TestFetchThenReplayAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", env.Endpoint)
	t.Setenv("AWS_REGION", subscribetest.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("LOGWARDEN_STATE_TABLE", "")
	t.Setenv("LOGWARDEN_CONFIG_TABLE", "")
	t.Setenv("LOGWARDEN_STACK", "")
	ctx := context.Background()
	fn := "fetch-" + env.Suffix
	group := "/aws/lambda/" + fn
	now := time.Now().Truncate(time.Millisecond)
	at := func(d time.Duration) *int64 { return aws.Int64(now.Add(d).UnixMilli()) }
	_, err := env.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	require.NoError(t, err)
	streams := map[string][]types.InputLogEvent{
		"2026/03/03/[$LATEST]aaaa": {
			{Timestamp: at(-20 * time.Minute), Message: aws.String("START RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52 Version: $LATEST\n")},
			{Timestamp: at(-20*time.Minute + 3003*time.Millisecond), Message: aws.String("2026-03-03T10:00:03.003Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n")},
			{Timestamp: at(-20*time.Minute + 3100*time.Millisecond), Message: aws.String("REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52\tDuration: 3003.16 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\tStatus: timeout\n")},
		},
		"2026/03/03/[$LATEST]bbbb": {
			{Timestamp: at(-10 * time.Minute), Message: aws.String("REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\tBilled Duration: 27 ms\tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n")},
		},
	}
	for s, evs := range streams {
		_, err := env.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)})
		require.NoError(t, err)
		_, err = env.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s), LogEvents: evs})
		require.NoError(t, err)
	}
	// What CloudWatch Logs says it holds: the ids to find in the capture.
	want, err := env.Logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	require.NoError(t, err)
	require.Len(t, want.Events, 4)

	capture := filepath.Join(t.TempDir(), "capture.jsonl")
	_, stderr, code := runCLI(t, "fetch", "--log-group", group, "--since", "1h", "--out", capture)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "fetched 4 events from 1 log groups")

	out, stderr, code := runCLI(t, "parse", "--json", capture)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stderr, "warning", "a fetch names its group and times")
	got := parseJsonLines(t, out)
	require.Len(t, got, 4)
	byID := map[string]map[string]any{}
	for _, e := range got {
		byID[e["id"].(string)] = e
	}
	for _, w := range want.Events {
		e, ok := byID[aws.ToString(w.EventId)]
		require.True(t, ok, "event id %s kept", aws.ToString(w.EventId))
		require.Equal(t, group, e["log_group"])
		require.Equal(t, aws.ToString(w.LogStreamName), e["log_stream"])
		require.Equal(t, float64(aws.ToInt64(w.Timestamp)), e["timestamp"])
	}

	out, stderr, code = runCLI(t, "replay", "--json", capture)
	require.Equal(t, 0, code, stderr)
	alerts := parseJsonLines(t, out)
	require.NotEmpty(t, alerts, "the timeout fires")
	for _, a := range alerts {
		require.Equal(t, fn, a["function"])
		require.Equal(t, group, a["log_group"])
		when, err := time.Parse(time.RFC3339, a["time"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, now.Add(-15*time.Minute), when, 10*time.Minute, "the event's own time, never 1970")
	}

	// A failed fetch leaves no partial capture behind.
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	_, stderr, code = runCLI(t, "fetch", "--log-group", "/nope-"+env.Suffix, "--since", "1h", "--out", bad)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "logwarden fetch: log group /nope-"+env.Suffix)
	require.NoFileExists(t, bad)
	entries, err := os.ReadDir(filepath.Dir(bad))
	require.NoError(t, err)
	require.Empty(t, entries, "the temporary file is removed too")
}
