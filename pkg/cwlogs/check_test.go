package cwlogs

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidTimestamp(t *testing.T) {
	tests := []struct {
		ms   int64
		want bool
	}{
		{math.MaxInt64, false},
		{math.MinInt64, false},
		{0, false},
		{-5, false},
		{946684799999, false}, // 1999-12-31T23:59:59.999Z
		{946684800000, true},  // 2000-01-01
		{1700000000000, true},
		{7258118399999, true},  // last millisecond of 2199
		{7258118400000, false}, // 2200-01-01
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, ValidTimestamp(tc.ms), "%d", tc.ms)
	}
}

// An event outside the sane range is dropped and reported, naming the
// document and the event; every other event of the batch is kept, and the
// record does not fail (a processor would otherwise drop or retry it all).
func TestBadTimestampDropsOnlyTheEvent(t *testing.T) {
	batches, err := DecodeKinesisRecord(gzipOf(t, badTimesDocument), Limits{})
	require.NoError(t, err, "bad events do not fail the record")
	require.Len(t, batches, 1)
	b := batches[0]
	var ids []string
	for _, ev := range b.LogEvents {
		ids = append(ids, ev.ID)
	}
	require.Equal(t, []string{"1", "7", "8"}, ids)
	require.Len(t, b.Rejected, 5)
	for _, err := range b.Rejected {
		require.ErrorIs(t, err, ErrTimestamp)
		var ie *InputError
		require.True(t, errors.As(err, &ie))
	}
	require.EqualError(t, b.Rejected[0], "logEvents[1] (id 2): timestamp outside 2000-01-01..2200-01-01: 9223372036854775807")

	// Decode (files) names the input and returns the rejections as errors.
	var got []Batch
	errs := Decode("clock.json", []byte(badTimesDocument), Limits{}, func(b Batch) { got = append(got, b) })
	require.Len(t, got, 1)
	require.Len(t, got[0].LogEvents, 3)
	require.Len(t, errs, 5)
	require.EqualError(t, errs[2], "clock.json: logEvents[3] (id 4): timestamp outside 2000-01-01..2200-01-01: -5")
}

// An unknown messageType fails its document alone: documents glued to it
// in the same record still decode.
func TestUnknownMessageType(t *testing.T) {
	_, err := DecodeFirehoseRecord(gzipOf(t, oddTypeDocument), Limits{})
	require.ErrorIs(t, err, ErrMessageType)
	require.ErrorContains(t, err, `unknown messageType "DEBUG_MESSAGE"`)

	batches, err := DecodeFirehoseRecord([]byte(reportDocument+oddTypeDocument+controlDocument), Limits{})
	require.ErrorIs(t, err, ErrMessageType)
	require.ErrorContains(t, err, "document 2: unknown messageType")
	require.Len(t, batches, 2)
	require.Equal(t, "/aws/lambda/echo-nodejs", batches[0].LogGroup)
	require.True(t, batches[1].IsControl())

	// A document without messageType (hand-made captures) is data.
	batches, err = DecodeFirehoseRecord([]byte(`{"logGroup":"g","logEvents":[{"id":"1","timestamp":1700000000000,"message":"m"}]}`), Limits{})
	require.NoError(t, err)
	require.Equal(t, DataMessage, batches[0].MessageType)
}
