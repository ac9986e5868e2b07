package cwlogs

import (
	"bytes"
	"fmt"
	"unsafe"
)

// DecodeAWSLogs decodes the awslogs.data string of a Lambda subscription
// event ({"awslogs":{"data":"<base64 gzip>"}}): base64, then gzip when the
// content starts with the gzip magic (AWS's own docs show an uncompressed
// example), then the subscription document(s).
//
// Messages and ids of the returned batches share one backing array per
// payload; clone them (strings.Clone) before keeping a few for long, or the
// whole payload stays in memory. Group, stream and owner have their own.
func DecodeAWSLogs(data string, lim Limits) ([]Batch, error) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := decodeBase64(buf, unsafe.Slice(unsafe.StringData(data), len(data))); err != nil {
		return nil, err
	}
	return decodePayload(buf.Bytes(), lim, "", nil)
}

// DecodeKinesisRecord decodes the data of one Kinesis Data Streams record
// (already base64-decoded, as aws-lambda-go's events.KinesisRecord.Data is):
// one gzip'd subscription document. A CONTROL_MESSAGE yields a batch with
// IsControl() true and no analysable events.
func DecodeKinesisRecord(data []byte, lim Limits) ([]Batch, error) {
	return decodePayload(data, lim, "", nil)
}

// DecodeFirehoseRecord decodes the data of one Firehose transformation
// record (already base64-decoded): gzip'd, or plain JSON when the delivery
// stream decompresses, possibly several documents glued together.
func DecodeFirehoseRecord(data []byte, lim Limits) ([]Batch, error) {
	return decodePayload(data, lim, "", nil)
}

// decodePayload inflates data if it is gzip (twice at most: Firehose's own
// S3 compression on top of CloudWatch's) and parses the documents in it.
func decodePayload(data []byte, lim Limits, source string, out []Batch) ([]Batch, error) {
	max := lim.maxInflated()
	owned := false // data is the caller's until we inflate our own copy
	for level := 0; isGzip(data); level++ {
		if level == 2 {
			return out, fmt.Errorf("%w: gzip nested more than twice", ErrGzip)
		}
		// Not pooled: the batches' messages are unescaped in place in it
		// and live as long as the caller keeps them.
		buf := new(bytes.Buffer)
		if err := inflate(buf, data, max); err != nil {
			return out, err
		}
		data, owned = buf.Bytes(), true
	}
	if int64(len(data)) > max {
		return out, fmt.Errorf("%w (%d bytes)", ErrTooLarge, max)
	}
	if p := firstByte(data); p == 0 {
		return out, fmt.Errorf("%w: empty payload", ErrNotSubscription)
	} else if p != '{' {
		return out, fmt.Errorf("%w: payload starts with %q, not a JSON object", ErrNotSubscription, p)
	}
	return documents(data, owned, source, out)
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
