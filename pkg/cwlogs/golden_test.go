package cwlogs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/require"
)

var (
	update      = flag.Bool("update", false, "rewrite testdata/envelopes/*/expected.json from the decoder's output")
	writeInputs = flag.Bool("write-inputs", false, "rewrite testdata/envelopes/*/input.* from the samples in samples_test.go")
)

const envelopesDir = "../../testdata/envelopes"

// goldenInputs builds each envelope shape from the verbatim samples, the
// way the transport would deliver them.
func goldenInputs(t *testing.T) map[string][]byte {
	gz := func(docs ...string) []byte {
		var out bytes.Buffer
		for _, d := range docs { // one gzip member per document, as Firehose→S3 concatenates
			zw, err := gzip.NewWriterLevel(&out, 6)
			require.NoError(t, err)
			_, err = zw.Write([]byte(d))
			require.NoError(t, err)
			require.NoError(t, zw.Close())
		}
		return out.Bytes()
	}
	b64 := base64.StdEncoding.EncodeToString
	js := func(v any) []byte {
		b, err := json.MarshalIndent(v, "", "  ")
		require.NoError(t, err)
		return append(b, '\n')
	}
	type m = map[string]any
	kinesisRecord := func(data, seq string) m {
		return m{
			"kinesis": m{"kinesisSchemaVersion": "1.0", "partitionKey": "da10bf66b1f54bff5d96eae99149ad1f",
				"sequenceNumber": seq, "data": data, "approximateArrivalTimestamp": 1668093033.744},
			"eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": "shardId-000000000000:" + seq,
			"eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::231436140809:role/pt-kinesis-role",
			"awsRegion": "eu-west-1", "eventSourceARN": "arn:aws:kinesis:eu-west-1:231436140809:stream/pt-kinesis-stream",
		}
	}
	firehose := func(datas ...string) []byte {
		recs := []m{}
		for i, d := range datas {
			recs = append(recs, m{"recordId": "49546986683135544286507457936321625675700192471156785154000000" + string(rune('0'+i)),
				"approximateArrivalTimestamp": 1495072949453, "data": d})
		}
		return js(m{"invocationId": "invocationIdExample", "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/logwarden",
			"region": "us-east-1", "records": recs})
	}
	truncated := gz(reportDocument)
	truncated = truncated[:len(truncated)/2]
	return map[string][]byte{
		"lambda-event/input.json":        js(m{"awslogs": m{"data": awslogsSample}}),
		"lambda-event-report/input.json": js(m{"awslogs": m{"data": b64(gz(reportDocument))}}),
		"kinesis-event/input.json": js(m{"Records": []m{
			kinesisRecord(kinesisSample, "49635052289529725553291405521504870233219489715332317186"),
			kinesisRecord(b64(gz(timeoutDocument)), "49635052289529725553291405521504870233219489715332317187"),
		}}),
		"kinesis-bad-records/input.json": js(m{"Records": []m{
			kinesisRecord("not base64!", "1001"),
			kinesisRecord(b64(truncated), "1002"),
			kinesisRecord(b64(gz(`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1",`)), "1003"),
			kinesisRecord(b64(gz(`{"hello":"world"}`)), "1004"),
			kinesisRecord(b64(gz(authDocument)), "1005"),
		}}),
		"firehose-event/input.json":        firehose(b64(gz(controlDocument)), b64(gz(timeoutDocument)), b64(gz(authDocument))),
		"firehose-decompressed/input.json": firehose(b64([]byte(reportDocument)), b64([]byte(authDocument+controlDocument))),
		"gzip-file/input.gz":               gz(timeoutDocument),
		"s3-concatenated-gzip/input.gz":    gz(reportDocument, authDocument, timeoutDocument),
		"s3-concatenated-json/input.json":  []byte(authDocument + timeoutDocument + "\n" + reportDocument),
		"data-message/input.json":          []byte(reportDocument + "\n"),
		"control-message/input.json":       []byte(controlDocument + "\n"),
		"unicode/input.json":               []byte(unicodeDocument),
		"base64-data/input.txt":            []byte(b64(gz(authDocument)) + "\n"),
		"plain-text/input.log":             []byte(sshdLines),
		"bad-timestamps/input.json":        []byte(badTimesDocument),
		"unknown-message-type/input.json": firehose(b64(gz(oddTypeDocument)), b64(gz(reportDocument)),
			b64([]byte(oddTypeDocument+reportDocument))),
		"aws-cli-filter-log-events/input.json": []byte(filterLogEventsOutput),
		"aws-cli-get-log-events/input.json":    []byte(getLogEventsOutput),
		"aws-cli-query-events/input.json":      []byte(queryEventsOutput),
		"s3-export/000000.gz":                  gz(s3ExportLines),
		"json-app-lines/input.log":             []byte(jsonAppLines),
	}
}

type goldenBatch struct {
	Source string `json:"source"`
	Bytes  int    `json:"bytes"`
	Batch
}

type golden struct {
	Batches  []goldenBatch `json:"batches"`
	Errors   []string      `json:"errors"`
	Warnings []string      `json:"warnings,omitempty"`
}

func decodeGolden(t *testing.T, name string, input []byte) golden {
	got := golden{Batches: []goldenBatch{}, Errors: []string{}}
	// No log group given: shapes without one take the file name and say so.
	in := Input{Name: name, Warn: func(msg string) { got.Warnings = append(got.Warnings, msg) }}
	errs := DecodeInput(in, input, func(b Batch) {
		got.Batches = append(got.Batches, goldenBatch{Source: b.Source, Bytes: b.Bytes, Batch: b})
	})
	for _, err := range errs {
		got.Errors = append(got.Errors, err.Error())
	}
	return got
}

// TestGoldenEnvelopes decodes every testdata/envelopes/<shape>/input.* and
// compares with expected.json. Adding a shape is adding a folder.
func TestGoldenEnvelopes(t *testing.T) {
	if *writeInputs {
		for rel, data := range goldenInputs(t) {
			path := filepath.Join(envelopesDir, rel)
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, data, 0o644))
		}
	}
	inputs, err := filepath.Glob(filepath.Join(envelopesDir, "*", "input.*"))
	require.NoError(t, err)
	exports, err := filepath.Glob(filepath.Join(envelopesDir, "*", "0*.gz")) // S3 export object names
	require.NoError(t, err)
	inputs = append(inputs, exports...)
	require.GreaterOrEqual(t, len(inputs), len(goldenInputs(t)), "every sample shape has a golden folder")
	for _, in := range inputs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			input, err := os.ReadFile(in)
			require.NoError(t, err)
			got := decodeGolden(t, filepath.Base(in), input)
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			expectedPath := filepath.Join(dir, "expected.json")
			if *update {
				require.NoError(t, os.WriteFile(expectedPath, append(gotJSON, '\n'), 0o644))
			}
			want, err := os.ReadFile(expectedPath)
			require.NoError(t, err, "run go test ./pkg/cwlogs -run TestGoldenEnvelopes -update")
			require.JSONEq(t, string(want), string(gotJSON))
		})
	}
}
