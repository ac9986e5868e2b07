package handler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
)

func TestDirectSubscriptionRaisesBruteForceOnce(t *testing.T) {
	f := newFixture(t)
	payload := direct(t, loginFailures("login", "198.51.100.23", "alice", 12))

	out, err := f.h.Invoke(context.Background(), payload)
	require.NoError(t, err)
	sum := out.(Summary)
	require.Equal(t, 1, sum.Batches)
	require.Equal(t, 12, sum.Events)
	require.Equal(t, 1, sum.Alerts)
	require.Equal(t, 1, sum.Sent["rec"])
	alerts := f.rec.alerts()
	require.Len(t, alerts, 1)
	require.Equal(t, detect.TypeBruteForce, alerts[0].Type)
	require.Equal(t, "198.51.100.23", alerts[0].IP)
	require.Contains(t, f.metrics.String(), `"EventsIn":12`, "one EMF line per invocation")

	// Lambda retries an asynchronous invocation it thinks failed: the same
	// delivery must change nothing.
	before := snapshot(t, f)
	out, err = f.h.Invoke(context.Background(), payload)
	require.NoError(t, err)
	require.Zero(t, out.(Summary).Alerts)
	require.Len(t, f.rec.alerts(), 1)
	require.Equal(t, before, snapshot(t, f), "a redelivered batch changes no record")
}

// TestThroughLambdaHandler runs the payload through aws-lambda-go's own
// (de)serialisation, as the runtime does.
func TestThroughLambdaHandler(t *testing.T) {
	f := newFixture(t)
	lh := lambda.NewHandler(func(ctx context.Context, p json.RawMessage) (any, error) { return f.h.Invoke(ctx, p) })
	out, err := lh.Invoke(context.Background(), direct(t, loginFailures("login", "198.51.100.23", "alice", 12)))
	require.NoError(t, err)
	var sum Summary
	require.NoError(t, json.Unmarshal(out, &sum))
	require.Equal(t, 1, sum.Alerts)
}

func TestControlMessageAndOwnLogGroupAreSkipped(t *testing.T) {
	for name, b := range map[string]cwlogs.Batch{
		"control message": control(),
		"own log group":   loginFailures("logwarden-processor", "198.51.100.23", "alice", 12),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			out, err := f.h.Invoke(context.Background(), direct(t, b))
			require.NoError(t, err)
			sum := out.(Summary)
			require.Equal(t, 1, sum.Skipped)
			require.Zero(t, sum.Alerts)
			require.Empty(t, f.rec.alerts())
			require.Zero(t, f.mem.Calls.Put, "a skipped batch leaves no state")
		})
	}
}

func kinesisEvent(t *testing.T, data ...[]byte) []byte {
	t.Helper()
	var ev events.KinesisEvent
	for i, d := range data {
		var r events.KinesisEventRecord
		r.EventSource = "aws:kinesis"
		r.EventSourceArn = "arn:aws:kinesis:eu-west-1:123456789012:stream/logs"
		r.Kinesis.SequenceNumber = "4959" + strings.Repeat("0", 10) + string(rune('0'+i))
		r.Kinesis.Data = d
		ev.Records = append(ev.Records, r)
	}
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

func TestKinesisReportsFailuresFromTheFailedRecordOn(t *testing.T) {
	f := newFixture(t)
	f.state.fail = "payments"
	payload := kinesisEvent(t,
		document(t, loginFailures("login", "198.51.100.23", "alice", 12)),
		[]byte("not gzip, not json"), // undecodable: dropped, never retried
		document(t, loginFailures("payments", "203.0.113.9", "bob", 3)),
		document(t, loginFailures("login", "198.51.100.99", "carol", 12)),
	)
	out, err := f.h.Invoke(context.Background(), payload)
	require.NoError(t, err, "Kinesis failures are reported per record, never by failing the invocation")
	resp := out.(events.KinesisEventResponse)
	var ids []string
	for _, fl := range resp.BatchItemFailures {
		ids = append(ids, fl.ItemIdentifier)
	}
	var ev events.KinesisEvent
	require.NoError(t, json.Unmarshal(payload, &ev))
	require.Equal(t, []string{ev.Records[2].Kinesis.SequenceNumber, ev.Records[3].Kinesis.SequenceNumber}, ids,
		"Lambda resumes at the first failed record; the undecodable one before it is not replayed")

	// The record before the failure was processed and its alert delivered.
	alerts := f.rec.alerts()
	require.Len(t, alerts, 1)
	require.Equal(t, "198.51.100.23", alerts[0].IP)
	require.Contains(t, f.metrics.String(), `"Dropped":1`)

	// All fine: an empty (not null) batchItemFailures list.
	f.state.fail = ""
	out, err = f.h.Invoke(context.Background(), kinesisEvent(t, document(t, control())))
	require.NoError(t, err)
	js, err := json.Marshal(out)
	require.NoError(t, err)
	require.JSONEq(t, `{"batchItemFailures":[]}`, string(js))
}

func firehoseEvent(t *testing.T, data ...[]byte) []byte {
	t.Helper()
	ev := events.KinesisFirehoseEvent{InvocationID: "inv-1", DeliveryStreamArn: "arn:aws:firehose:eu-west-1:123456789012:deliverystream/logs", Region: "eu-west-1"}
	for i, d := range data {
		ev.Records = append(ev.Records, events.KinesisFirehoseEventRecord{RecordID: "rec-" + string(rune('a'+i)),
			ApproximateArrivalTimestamp: events.MilliSecondsEpochTime{Time: t0}, Data: d})
	}
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

func TestFirehoseAnswersEveryRecord(t *testing.T) {
	f := newFixture(t)
	good := document(t, loginFailures("login", "198.51.100.23", "alice", 12))
	ctl := document(t, control())
	bad := []byte{0x1f, 0x8b, 0x08, 0x00, 0x01} // truncated gzip
	out, err := f.h.Invoke(context.Background(), firehoseEvent(t, good, bad, ctl))
	require.NoError(t, err)
	resp := out.(events.KinesisFirehoseResponse)
	require.Len(t, resp.Records, 3)
	want := []struct {
		id, result string
		data       []byte
	}{
		{"rec-a", events.KinesisFirehoseTransformedStateOk, good},
		{"rec-b", events.KinesisFirehoseTransformedStateProcessingFailed, bad},
		{"rec-c", events.KinesisFirehoseTransformedStateOk, ctl},
	}
	for i, w := range want {
		require.Equal(t, w.id, resp.Records[i].RecordID)
		require.Equal(t, w.result, resp.Records[i].Result)
		require.Equal(t, w.data, resp.Records[i].Data, "records pass through unchanged")
	}
	require.Len(t, f.rec.alerts(), 1)

	// A transient state failure fails the invocation, so Firehose retries it.
	f.state.fail = "payments"
	_, err = f.h.Invoke(context.Background(), firehoseEvent(t, document(t, loginFailures("payments", "203.0.113.9", "bob", 3))))
	require.ErrorIs(t, err, errUnavailable)
	require.NotErrorIs(t, err, ErrMalformed)
}

func TestMalformedPayloads(t *testing.T) {
	junkJSON := gz(t, []byte(`{"messageType":"DATA_MESSAGE","logEvents":[`))
	cases := map[string]string{
		"empty":                "",
		"not json":             "hello",
		"null":                 "null",
		"array":                "[1,2]",
		"unknown object":       `{"detail-type":"Scheduled Event"}`,
		"awslogs not object":   `{"awslogs":1}`,
		"awslogs null":         `{"awslogs":null}`,
		"awslogs no data":      `{"awslogs":{}}`,
		"data not base64":      `{"awslogs":{"data":"%%%not base64%%%"}}`,
		"data not gzip":        `{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString([]byte("plain words")) + `"}}`,
		"data truncated gzip":  `{"awslogs":{"data":"H4sIAAAAAAAA"}}`,
		"data truncated json":  string(awslogs(t, junkJSON)),
		"kinesis records junk": `{"Records":"x"}`,
		"firehose records junk": `{"invocationId":"x","deliveryStreamArn":"arn:aws:firehose:eu-west-1:1:deliverystream/x",` +
			`"records":5}`,
	}
	for name, payload := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			require.NotPanics(t, func() {
				_, err := f.h.Invoke(context.Background(), []byte(payload))
				require.ErrorIs(t, err, ErrMalformed)
			})
			require.Empty(t, f.rec.alerts())
			require.Contains(t, f.metrics.String(), `"Dropped":1`, "a dropped event is counted")
		})
	}
}

// TestDeadlineNearExpiry: with less time left than the reserve, no batch is
// worked on (nothing half-written) and the error says a retry can help.
func TestDeadlineNearExpiry(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := f.h.Invoke(ctx, direct(t, loginFailures("login", "198.51.100.23", "alice", 12)))
	require.Error(t, err)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	require.NotErrorIs(t, err, ErrMalformed)
	require.Zero(t, f.mem.Calls.Put, "no state written after the work deadline")
	require.Empty(t, f.rec.alerts())

	// The next invocation, with time to spare, processes the same event.
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	out, err := f.h.Invoke(ctx2, direct(t, loginFailures("login", "198.51.100.23", "alice", 12)))
	require.NoError(t, err)
	require.Equal(t, 1, out.(Summary).Alerts)
}

// TestBadTimestampLosesOnlyItsEvent: an event at int64-max milliseconds
// (once "in -2562047h" in an alert) is dropped at decode with a counted
// error; the invocation succeeds and the rest of the batch still alerts.
func TestBadTimestampLosesOnlyItsEvent(t *testing.T) {
	f := newFixture(t)
	b := loginFailures("login", "198.51.100.23", "alice", 12)
	bad := b.LogEvents[11]
	bad.ID, bad.Timestamp = "clock-from-the-future", math.MaxInt64
	b.LogEvents = append(b.LogEvents, bad)

	out, err := f.h.Invoke(context.Background(), direct(t, b))
	require.NoError(t, err)
	sum := out.(Summary)
	require.Equal(t, 12, sum.Events)
	require.Equal(t, 1, sum.Alerts)
	require.Equal(t, 1, sum.Sent["rec"], "delivered, nothing stuck as undeliverable")
	a := f.rec.alerts()[0]
	require.True(t, a.Time.Before(t0.Add(time.Hour)) && !a.Time.Before(t0), "alert time %s", a.Time)
	require.NotContains(t, a.Summary, "-")
	require.Contains(t, f.metrics.String(), `"Dropped":1`)
}
