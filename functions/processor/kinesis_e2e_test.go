package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// kinesisRecord turns a captured direct-subscription envelope into the
// data of a Kinesis record as CloudWatch Logs writes it (the gzip'd
// payload; the event carries it base64-encoded), optionally renaming the
// log group.
func kinesisRecord(t *testing.T, envelope []byte, logGroup string) []byte {
	t.Helper()
	bs := decodeEvent(t, envelope)
	require.Len(t, bs, 1)
	if logGroup != "" {
		bs[0].LogGroup = logGroup
	}
	doc, err := json.Marshal(bs[0])
	require.NoError(t, err)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, err = w.Write(doc)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return gz.Bytes()
}

func kinesisPayload(t *testing.T, seqs []string, data [][]byte) []byte {
	t.Helper()
	var ev events.KinesisEvent
	for i, d := range data {
		var r events.KinesisEventRecord
		r.EventSource, r.EventName, r.EventVersion = "aws:kinesis", "aws:kinesis:record", "1.0"
		r.EventSourceArn = "arn:aws:kinesis:us-east-1:123456789012:stream/logwarden-LogStream-1"
		r.EventID = "shardId-000000000000:" + seqs[i]
		r.Kinesis.KinesisSchemaVersion = "1.0"
		r.Kinesis.PartitionKey = "9f3c"
		r.Kinesis.SequenceNumber = seqs[i]
		r.Kinesis.Data = d
		ev.Records = append(ev.Records, r)
	}
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

func failedItems(t *testing.T, body []byte) []string {
	t.Helper()
	var resp events.KinesisEventResponse
	require.NoError(t, json.Unmarshal(body, &resp), "%s", body)
	require.NotContains(t, string(body), "errorMessage")
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// TestKinesisUnderRIE runs the built processor on a Kinesis event source
// mapping's event with one record that cannot be processed now (its state
// reads fail: fault injection in front of dynalite) and one that can never
// be decoded. The handler's contract: the undecodable record is dropped and
// logged (retrying cannot fix it), the failing record and every record
// after it are named in batchItemFailures so Lambda resumes exactly there,
// and the alerts of the records processed before are delivered at once.
func TestKinesisUnderRIE(t *testing.T) {
	s := startStack(t)
	fx := fixtures(t)
	seqs := []string{
		"49655552289529725553291405521504870233219489715332317186",
		"49655552289529725553291405521504870233219489715332317187",
		"49655552289529725553291405521504870233219489715332317188",
		"49655552289529725553291405521504870233219489715332317189",
	}
	good := kinesisRecord(t, fx["brute-force.json"][0], "")
	poisoned := kinesisRecord(t, fx["quiet.json"][0], "/aws/lambda/payments")
	later := kinesisRecord(t, fx["brute-force-2.json"][0], "")

	s.ddb.setPoison("fn#payments")
	body, _ := s.rie.invoke(t, kinesisPayload(t, seqs, [][]byte{good, []byte("not gzip: a corrupt record"), poisoned, later}))
	require.Equal(t, []string{seqs[2], seqs[3]}, failedItems(t, body),
		"the failed record and the ones after it, not the undecodable one before")
	require.Contains(t, s.rie.out.String(), "undecodable Kinesis record dropped")

	posts := s.slack.accepted()
	require.Len(t, posts, 1, "the record before the failure alerted")
	require.Contains(t, slackText(t, posts[0]), attackerIP)
	require.NotContains(t, slackText(t, posts[0]), attacker2IP, "nothing after the failed record was alerted yet")
	mails := s.ses.To(t, s.recipient)
	require.Len(t, mails, 1)
	require.Contains(t, mails[0].Subject+mails[0].Body.Text, attackerIP)

	// Lambda retries from the first reported record; the store is back.
	s.ddb.setPoison("")
	body, _ = s.rie.invoke(t, kinesisPayload(t, seqs[2:], [][]byte{poisoned, later}))
	require.Empty(t, failedItems(t, body))
	posts = s.slack.accepted()
	require.Len(t, posts, 2)
	require.Contains(t, slackText(t, posts[1]), attacker2IP)
	require.Contains(t, s.state(), "fn#payments")
	for k := range s.state() {
		require.False(t, strings.HasPrefix(k, "pending#"), "nothing left pending: %s", k)
	}
}
