package cwlogs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/batchgen"
)

func gzipOf(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestDecodeAWSLogs(t *testing.T) {
	batches, err := DecodeAWSLogs(awslogsSample, Limits{})
	require.NoError(t, err)
	require.Len(t, batches, 1)
	b := batches[0]
	require.Equal(t, "123456789123", b.Owner)
	require.Equal(t, []string{"testFilter"}, b.SubscriptionFilters)
	require.Equal(t, []LogEvent{
		{ID: "eventId1", Timestamp: 1440442987000, Message: "[ERROR] First test message"},
		{ID: "eventId2", Timestamp: 1440442987001, Message: "[ERROR] Second test message"},
	}, b.LogEvents)

	// The Lambda guide's example is base64 of uncompressed JSON: accepted by content.
	plain, err := DecodeAWSLogs(base64.StdEncoding.EncodeToString([]byte(reportDocument)), Limits{})
	require.NoError(t, err)
	require.Equal(t, "/aws/lambda/echo-nodejs", plain[0].LogGroup)
	// Unpadded base64 is accepted too.
	unpadded, err := DecodeAWSLogs(strings.TrimRight(awslogsSample, "="), Limits{})
	require.NoError(t, err)
	require.Equal(t, batches, unpadded)
}

func TestDecodeRecordErrors(t *testing.T) {
	good := gzipOf(t, reportDocument)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"truncated gzip", good[:len(good)-10], Limits{}, ErrGzip},
		{"corrupt gzip header", append([]byte{0x1f, 0x8b, 0x01}, good[3:]...), Limits{}, ErrGzip},
		{"trailing garbage after member", append(append([]byte{}, good...), "junk"...), Limits{}, ErrGzip},
		{"invalid JSON", gzipOf(t, `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1x}]}`), Limits{}, ErrSyntax},
		{"bad escape", []byte(`{"logEvents":[{"message":"\q"}]}`), Limits{}, ErrSyntax},
		{"control char in string", []byte("{\"logEvents\":[{\"message\":\"a\x01b\"}]}"), Limits{}, ErrSyntax},
		{"fractional timestamp", []byte(`{"logEvents":[{"timestamp":1.5}]}`), Limits{}, ErrSyntax},
		{"not a document", []byte(`{"hello":"world"}`), Limits{}, ErrNotSubscription},
		{"plain text", []byte("REPORT RequestId: x"), Limits{}, ErrNotSubscription},
		{"empty", nil, Limits{}, ErrNotSubscription},
		{"too deep", []byte(`{"x":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `,"logEvents":[]}`), Limits{}, ErrSyntax},
		{"over limit uncompressed", []byte(reportDocument), Limits{MaxInflated: 100}, ErrTooLarge},
		{"over limit compressed", good, Limits{MaxInflated: 100}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeKinesisRecord(tt.data, tt.lim)
			require.ErrorIs(t, err, tt.want)
			_, err = DecodeFirehoseRecord(tt.data, tt.lim)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err := DecodeAWSLogs("%%%", Limits{})
	require.ErrorIs(t, err, ErrBase64)
}

// A gzip bomb (64 MiB of zeros in ~64 KB) must be refused after reading at
// most the limit, without inflating the rest.
func TestGzipBomb(t *testing.T) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 {
		_, _ = zw.Write(zero)
	}
	require.NoError(t, zw.Close())
	_, err := DecodeKinesisRecord(b.Bytes(), Limits{})
	require.ErrorIs(t, err, ErrTooLarge)
	require.Contains(t, err.Error(), "16777216")

	errs := Decode("bomb.gz", b.Bytes(), Limits{MaxInflated: 1 << 20}, func(Batch) { t.Fatal("no batch expected") })
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrTooLarge)
	var ie *InputError
	require.True(t, errors.As(errs[0], &ie))
	require.Equal(t, "bomb.gz", ie.Source)
}

func TestControlMessage(t *testing.T) {
	batches, err := DecodeFirehoseRecord(gzipOf(t, controlDocument), Limits{})
	require.NoError(t, err)
	require.Len(t, batches, 1)
	require.True(t, batches[0].IsControl())
	require.Equal(t, "CloudwatchLogs", batches[0].Owner)
	require.Empty(t, batches[0].SubscriptionFilters)
}

// Tolerance: unknown fields anywhere, nulls, numeric owner/id, key order.
func TestTolerance(t *testing.T) {
	doc := `{"logEvents":[{"extra":{"a":[1,2,{"b":null}]},"message":"m","timestamp":1700000000000,"id":12345}],
		"owner":123456789012,"subscriptionFilters":null,"logGroup":null,"messageType":"DATA_MESSAGE",
		"emitSystemFields":{"@aws.account":"1"},"policyLevel":"LOG_GROUP_LEVEL_POLICY","flag":true}`
	batches, err := DecodeFirehoseRecord([]byte(doc), Limits{})
	require.NoError(t, err)
	b := batches[0]
	require.Equal(t, "123456789012", b.Owner)
	require.Equal(t, "LOG_GROUP_LEVEL_POLICY", b.PolicyLevel)
	require.Equal(t, []LogEvent{{ID: "12345", Timestamp: 1700000000000, Message: "m"}}, b.LogEvents)
}

// The scanner must agree with encoding/json on the realistic max batch.
func TestMatchesEncodingJSON(t *testing.T) {
	gen := batchgen.Generate(batchgen.Options{Events: 800, Seed: 3})
	var want Batch
	require.NoError(t, json.Unmarshal(gen.Document, &want))
	got, err := DecodeAWSLogs(gen.Base64, Limits{})
	require.NoError(t, err)
	require.Len(t, got, 1)
	want.Bytes = len(gen.Document)
	require.Equal(t, want, got[0])
}

func TestDecodePlainTextAndJSONLines(t *testing.T) {
	in := "{\"level\":\"INFO\",\"msg\":\"hello\"}\r\n\n{\"level\":\"WARN\",\"msg\":\"login failed\"}\n"
	var got []Batch
	errs := Decode("app.log", []byte(in), Limits{}, func(b Batch) { got = append(got, b) })
	require.Empty(t, errs)
	require.Len(t, got, 1)
	require.Equal(t, "app.log", got[0].LogGroup)
	require.Equal(t, `{"level":"INFO","msg":"hello"}`, got[0].LogEvents[0].Message)
	require.Len(t, got[0].LogEvents, 2)

	// A recognised file with a broken tail reports the error and keeps what came before.
	got = nil
	errs = Decode("cut.json", []byte(reportDocument+`{"messageType":"DATA_`), Limits{}, func(b Batch) { got = append(got, b) })
	require.Len(t, got, 1)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrSyntax)
	require.Contains(t, errs[0].Error(), "cut.json: value 2")
}

func TestPlainTextBatchesAreBounded(t *testing.T) {
	in := strings.Repeat("line\n", textBatchEvents+3)
	var sizes []int
	errs := Decode("big.log", []byte(in), Limits{}, func(b Batch) { sizes = append(sizes, len(b.LogEvents)) })
	require.Empty(t, errs)
	require.Equal(t, []int{textBatchEvents, 3}, sizes)
}

// Messages share an arena; later decodes must never overwrite earlier ones.
func TestArenaStringsAreStable(t *testing.T) {
	first, err := DecodeAWSLogs(awslogsSample, Limits{})
	require.NoError(t, err)
	for range 50 {
		_, err := DecodeAWSLogs(batchgen.Max().Base64, Limits{})
		require.NoError(t, err)
	}
	require.Equal(t, "[ERROR] First test message", first[0].LogEvents[0].Message)
	require.Equal(t, "eventId2", first[0].LogEvents[1].ID)
}
