package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// glued is one gzip'd payload of several subscription documents with no
// delimiter, as Firehose and replays of S3 objects carry them; a raw part
// is glued as it is (a document broken off mid-way).
func glued(t *testing.T, parts ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		switch p := p.(type) {
		case cwlogs.Batch:
			js, err := json.Marshal(p)
			require.NoError(t, err)
			buf.Write(js)
		case string:
			buf.WriteString(p)
		}
	}
	return gz(t, buf.Bytes())
}

// logTo sends the handler's log to a buffer the test reads.
func logTo(f *fixture) *bytes.Buffer {
	var buf bytes.Buffer
	l := logrus.New()
	l.SetOutput(&buf)
	l.SetFormatter(&logrus.JSONFormatter{})
	f.h.Log = logrus.NewEntry(l)
	return &buf
}

// TestBadDocumentDoesNotLoseItsNeighbours: a document the decoder rejects
// (an unknown messageType, or JSON broken off after good documents) is
// dropped alone, logged and counted, in every transport: the documents
// beside it are processed and alert, and nothing is retried for it.
func TestBadDocumentDoesNotLoseItsNeighbours(t *testing.T) {
	alice := loginFailures("login", "198.51.100.23", "alice", 12)
	bob := loginFailures("login", "203.0.113.50", "bob", 12)
	late := bob.LogEvents[11]
	late.ID, late.Timestamp = "clock-from-the-future", math.MaxInt64
	bob.LogEvents = append(bob.LogEvents, late) // dropped alone at decode too
	strange := loginFailures("login", "192.0.2.66", "mallory", 12)
	strange.MessageType = "SURPRISE_MESSAGE"
	payloads := map[string][]byte{
		"unknown messageType between good documents": glued(t, alice, strange, bob),
		"document broken off after good ones":        glued(t, alice, bob, `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"x",`),
	}
	transports := map[string]func(t *testing.T, f *fixture, data []byte){
		"direct": func(t *testing.T, f *fixture, data []byte) {
			out, err := f.h.Invoke(context.Background(), awslogs(t, data))
			require.NoError(t, err, "a retry cannot fix the bad document; the good ones are done")
			require.Equal(t, 2, out.(Summary).Dropped)
			require.Equal(t, 2, out.(Summary).Alerts)
		},
		"kinesis": func(t *testing.T, f *fixture, data []byte) {
			out, err := f.h.Invoke(context.Background(), kinesisEvent(t, data, document(t, control())))
			require.NoError(t, err)
			require.Empty(t, out.(events.KinesisEventResponse).BatchItemFailures, "the record is not retried for its bad document")
		},
		"firehose": func(t *testing.T, f *fixture, data []byte) {
			out, err := f.h.Invoke(context.Background(), firehoseEvent(t, data))
			require.NoError(t, err)
			rec := out.(events.KinesisFirehoseResponse).Records[0]
			require.Equal(t, events.KinesisFirehoseTransformedStateOk, rec.Result, "the record's data still goes to the destination")
			require.Equal(t, data, rec.Data)
		},
	}
	for pname, data := range payloads {
		for tname, invoke := range transports {
			t.Run(tname+"/"+pname, func(t *testing.T) {
				f := newFixture(t)
				logs := logTo(f)
				invoke(t, f, data)
				var ips []string
				for _, a := range f.rec.alerts() {
					ips = append(ips, a.IP)
				}
				require.ElementsMatch(t, []string{"198.51.100.23", "203.0.113.50"}, ips)
				require.Contains(t, f.metrics.String(), `"Dropped":2`, "the bad document and the bad event are counted")
				require.Contains(t, logs.String(), "dropped at decode")
				require.NotContains(t, logs.String(), "192.0.2.66", "nothing of the rejected document is processed")
			})
		}
	}
}

// TestBadDocumentKeepsTheRetryContract: a transient state failure in a
// good document beside a bad one is still retried the transport's way; the
// retry, with the store back, completes without tripping on the bad one.
func TestBadDocumentKeepsTheRetryContract(t *testing.T) {
	strange := loginFailures("login", "192.0.2.66", "mallory", 12)
	strange.MessageType = "SURPRISE_MESSAGE"
	data := glued(t, loginFailures("payments", "203.0.113.9", "bob", 12), strange)

	t.Run("direct", func(t *testing.T) {
		f := newFixture(t)
		f.state.fail = "payments"
		_, err := f.h.Invoke(context.Background(), awslogs(t, data))
		require.ErrorIs(t, err, errUnavailable, "Lambda retries the invocation")
		require.NotErrorIs(t, err, ErrMalformed)
		f.state.fail = ""
		out, err := f.h.Invoke(context.Background(), awslogs(t, data))
		require.NoError(t, err)
		require.Equal(t, 1, out.(Summary).Alerts)
	})
	t.Run("kinesis", func(t *testing.T) {
		f := newFixture(t)
		f.state.fail = "payments"
		payload := kinesisEvent(t, data)
		out, err := f.h.Invoke(context.Background(), payload)
		require.NoError(t, err)
		require.Len(t, out.(events.KinesisEventResponse).BatchItemFailures, 1, "the record is retried from where it failed")
		f.state.fail = ""
		out, err = f.h.Invoke(context.Background(), payload)
		require.NoError(t, err)
		require.Empty(t, out.(events.KinesisEventResponse).BatchItemFailures)
		require.Len(t, f.rec.alerts(), 1)
	})
	t.Run("firehose", func(t *testing.T) {
		f := newFixture(t)
		f.state.fail = "payments"
		_, err := f.h.Invoke(context.Background(), firehoseEvent(t, data))
		require.ErrorIs(t, err, errUnavailable, "Firehose retries the invocation")
		f.state.fail = ""
		_, err = f.h.Invoke(context.Background(), firehoseEvent(t, data))
		require.NoError(t, err)
		require.Len(t, f.rec.alerts(), 1)
	})
}
