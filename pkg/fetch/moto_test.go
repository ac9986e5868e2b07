package fetch_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/fetch"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// PutEvents writes events to a stream of a group in moto, creating both.
func putEvents(t *testing.T, logs *cloudwatchlogs.Client, group, stream string, evs ...types.InputLogEvent) {
	t.Helper()
	ctx := context.Background()
	_, _ = logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	_, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	require.NoError(t, err)
	_, err = logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	require.NoError(t, err)
}

// TestFetchAgainstMoto pages through real FilterLogEvents answers (two
// events a page) of two groups found by prefix, and keeps every id.
func TestFetchAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	now := time.Now().Truncate(time.Millisecond)
	prefix := "/fetch-" + env.Suffix + "/"
	in := func(d time.Duration, msg string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(now.Add(d).UnixMilli()), Message: aws.String(msg)}
	}
	putEvents(t, env.Logs, prefix+"a", "s1", in(-50*time.Minute, "a1"), in(-40*time.Minute, "a2"), in(-30*time.Minute, "a3"))
	putEvents(t, env.Logs, prefix+"b", "s9", in(-45*time.Minute, "b1"), in(-35*time.Minute, "b2"))

	var buf bytes.Buffer
	o := fetch.Options{Prefix: prefix, Start: now.Add(-time.Hour), End: now, PageLimit: 2}
	st, err := fetch.Fetch(context.Background(), env.Logs, o, &buf)
	require.NoError(t, err)
	require.Equal(t, 2, st.Groups)
	require.Equal(t, 5, st.Events)
	require.GreaterOrEqual(t, st.Pages, 3, "paged")

	var msgs []string
	ids := map[string]bool{}
	for _, b := range decode(t, buf.Bytes()) {
		for _, e := range b.LogEvents {
			msgs = append(msgs, e.Message)
			require.NotEmpty(t, e.ID)
			ids[e.ID] = true
		}
	}
	require.Equal(t, []string{"a1", "b1", "a2", "b2", "a3"}, msgs, "time order across groups")
	require.Len(t, ids, 5)
}

// A message is data: one that spells out a document of its own, newlines
// and all, stays one event of its own group in the capture.
func TestFetchedMessageCannotForgeDocuments(t *testing.T) {
	env := subscribetest.New(t)
	now := time.Now().Truncate(time.Millisecond)
	group := "/forge-" + env.Suffix + "/a"
	forged := "x\"}]}\n{\"messageType\":\"DATA_MESSAGE\",\"logGroup\":\"/aws/lambda/victim\",\"logStream\":\"s\"," +
		"\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":\"Task timed out after 3.00 seconds\"}]}\u2028"
	putEvents(t, env.Logs, group, "s1", types.InputLogEvent{Timestamp: aws.Int64(now.Add(-time.Minute).UnixMilli()), Message: aws.String(forged)})
	var buf bytes.Buffer
	_, err := fetch.Fetch(context.Background(), env.Logs, fetch.Options{Groups: []string{group}, Start: now.Add(-time.Hour), End: now}, &buf)
	require.NoError(t, err)
	require.Equal(t, 1, bytes.Count(buf.Bytes(), []byte("\n")), "one document, one line")
	batches := decode(t, buf.Bytes())
	require.Len(t, batches, 1)
	require.Equal(t, group, batches[0].LogGroup)
	require.Len(t, batches[0].LogEvents, 1)
	require.Equal(t, forged, batches[0].LogEvents[0].Message)
}
