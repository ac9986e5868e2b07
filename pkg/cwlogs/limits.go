package cwlogs

import (
	"errors"
	"fmt"
)

// DefaultMaxInflated is the default cap on the inflated size of one payload.
// A real subscription payload must fit Lambda's 1 MB asynchronous invoke limit
// once gzip'd and base64'd, so it inflates to a few MB at most; 16 MiB leaves
// ample room for unusually compressible batches while stopping a gzip bomb
// long before it threatens a Lambda's memory.
const DefaultMaxInflated = 16 << 20

// maxDepth bounds JSON nesting in skipped values so hostile input cannot
// drive unbounded recursion.
const maxDepth = 256

// textBatchEvents is how many plain-text lines go into one Batch, mirroring
// PutLogEvents' 10,000-event maximum so downstream code sees familiar sizes.
const textBatchEvents = 10000

// Limits bounds the resources one decode may use. The zero value applies the
// defaults.
type Limits struct {
	// MaxInflated caps the decompressed (or, for uncompressed payloads, raw)
	// size in bytes of one payload. Zero or negative means DefaultMaxInflated.
	MaxInflated int64
}

func (l Limits) maxInflated() int64 {
	if l.MaxInflated <= 0 {
		return DefaultMaxInflated
	}
	return l.MaxInflated
}

// Sentinel errors callers can branch on with errors.Is.
var (
	// ErrTooLarge: a payload inflates beyond Limits.MaxInflated (a gzip bomb
	// or a misrouted stream). The payload is rejected as a whole.
	ErrTooLarge = errors.New("payload exceeds the inflated size limit")
	// ErrSyntax: the payload is not valid JSON where JSON is required.
	ErrSyntax = errors.New("invalid JSON")
	// ErrBase64: a data field is not valid base64.
	ErrBase64 = errors.New("invalid base64")
	// ErrGzip: a payload starts with the gzip magic but does not inflate
	// (truncated or corrupt stream).
	ErrGzip = errors.New("invalid gzip stream")
	// ErrNotSubscription: valid JSON that is not a CloudWatch Logs
	// subscription document or envelope.
	ErrNotSubscription = errors.New("not a CloudWatch Logs subscription document")
)

// InputError names the input (file, record, document) a decoding error
// belongs to, so that operators can find the failing record and Lambda
// handlers can report it back (Kinesis batchItemFailures, Firehose recordId).
type InputError struct {
	Source string // e.g. "capture.json: Records[3] (sequenceNumber 4963…)"
	Err    error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Source, e.Err) }

// Unwrap gives access to the sentinel errors above.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(source string, err error) error {
	if source == "" {
		return err
	}
	return &InputError{Source: source, Err: err}
}
