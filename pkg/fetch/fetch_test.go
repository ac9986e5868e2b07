package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/fetch"
)

// flakyLogs is a fault-injecting CloudWatch Logs: it serves fixed events
// per group, pages of two, and throttles the first calls. Only fault
// injection uses a fake; the real API is exercised against moto.
type flakyLogs struct {
	events   map[string][]types.FilteredLogEvent
	throttle int // calls to fail before serving
	calls    int
	groups   []string
}

func (f *flakyLogs) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.calls++
	if f.throttle > 0 {
		f.throttle--
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	var match []types.FilteredLogEvent
	for _, e := range f.events[aws.ToString(in.LogGroupName)] {
		if ts := aws.ToInt64(e.Timestamp); ts >= aws.ToInt64(in.StartTime) && ts <= aws.ToInt64(in.EndTime) {
			match = append(match, e)
		}
	}
	start := 0
	if in.NextToken != nil {
		_, _ = fmt.Sscan(aws.ToString(in.NextToken), &start)
	}
	end := min(start+2, len(match))
	out := &cloudwatchlogs.FilterLogEventsOutput{Events: match[start:end]}
	if end < len(match) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (f *flakyLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, g := range f.groups {
		out.LogGroups = append(out.LogGroups, types.LogGroup{LogGroupName: aws.String(g)})
	}
	return out, nil
}

func ev(stream string, ts int64, id, msg string) types.FilteredLogEvent {
	return types.FilteredLogEvent{LogStreamName: aws.String(stream), Timestamp: aws.Int64(ts), EventId: aws.String(id), Message: aws.String(msg)}
}

func decode(t *testing.T, capture []byte) []cwlogs.Batch {
	var out []cwlogs.Batch
	errs := cwlogs.Decode("capture", capture, cwlogs.Limits{}, func(b cwlogs.Batch) {
		b.LogEvents = append([]cwlogs.LogEvent(nil), b.LogEvents...)
		out = append(out, b)
	})
	require.Empty(t, errs)
	return out
}

func TestFetchMergesGroupsInTimeAndRetriesThrottling(t *testing.T) {
	t0 := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return t0.Add(d).UnixMilli() }
	api := &flakyLogs{throttle: 3, groups: []string{"/aws/lambda/b"}, events: map[string][]types.FilteredLogEvent{
		"/aws/lambda/a": {ev("s1", ms(time.Minute), "a1", "one"), ev("s1", ms(2*time.Minute), "a2", "two"),
			ev("s2", ms(3*time.Minute), "a3", "three"), ev("s1", ms(61*time.Minute), "a4", "next chunk")},
		"/aws/lambda/b": {ev("x", ms(90*time.Second), "b1", "b one"), ev("x", ms(2*time.Hour), "b2", "at End: excluded")},
	}}
	var slept []time.Duration
	var progress []fetch.Progress
	o := fetch.Options{Groups: []string{"/aws/lambda/a"}, Prefix: "/aws/lambda/b", Start: t0, End: t0.Add(2 * time.Hour),
		Sleep:    func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
		Progress: func(p fetch.Progress) { progress = append(progress, p) }}
	var buf bytes.Buffer
	st, err := fetch.Fetch(context.Background(), api, o, &buf)
	require.NoError(t, err)
	require.Equal(t, fetch.Stats{Groups: 2, Events: 5, Documents: 5, Pages: 5, Throttled: 3}, st)
	require.Len(t, slept, 3)
	require.NotEmpty(t, progress)

	type row struct{ group, stream, id string }
	var got []row
	for _, b := range decode(t, buf.Bytes()) {
		require.Equal(t, []string{fetch.FilterName}, b.SubscriptionFilters)
		for _, e := range b.LogEvents {
			got = append(got, row{b.LogGroup, b.LogStream, e.ID})
		}
	}
	require.Equal(t, []row{{"/aws/lambda/a", "s1", "a1"}, {"/aws/lambda/b", "x", "b1"}, {"/aws/lambda/a", "s1", "a2"},
		{"/aws/lambda/a", "s2", "a3"}, {"/aws/lambda/a", "s1", "a4"}}, got, "time order across groups, End exclusive")
}

func TestFetchGivesUpOnPersistentThrottling(t *testing.T) {
	api := &flakyLogs{throttle: 100}
	o := fetch.Options{Groups: []string{"g"}, Start: time.Unix(0, 0).Add(time.Hour), End: time.Unix(0, 0).Add(2 * time.Hour),
		MaxRetries: 4, Sleep: func(context.Context, time.Duration) error { return nil }}
	st, err := fetch.Fetch(context.Background(), api, o, &bytes.Buffer{})
	require.ErrorContains(t, err, "log group g: ")
	require.True(t, fetch.Throttled(err))
	require.Equal(t, 5, api.calls)
	require.Equal(t, 4, st.Throttled)
}

func TestFetchErrors(t *testing.T) {
	t0 := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	_, err := fetch.Fetch(context.Background(), &flakyLogs{}, fetch.Options{Prefix: "/nope", Start: t0, End: t0.Add(time.Hour)}, &bytes.Buffer{})
	require.EqualError(t, err, `no log group starts with "/nope"`)
	_, err = fetch.Fetch(context.Background(), &flakyLogs{}, fetch.Options{Groups: []string{"g"}, Start: t0, End: t0}, &bytes.Buffer{})
	require.ErrorContains(t, err, "empty time range")
	require.False(t, fetch.Throttled(errors.New("ThrottlingException")), "only the API's error code counts")
}

func TestBackoff(t *testing.T) {
	for attempt, want := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		d := fetch.Backoff(attempt)
		require.GreaterOrEqual(t, d, want/2)
		require.LessOrEqual(t, d, want)
	}
	require.LessOrEqual(t, fetch.Backoff(50), 20*time.Second)
}
