// Package cwlogs decodes CloudWatch Logs subscription deliveries into batches
// of log events: the Lambda subscription event, Kinesis Data Streams records,
// Firehose transformation records (compressed or already decompressed), raw
// gzip files and concatenated JSON/gzip documents as Firehose writes them to S3.
//
// Everything it reads is untrusted: it never panics, caps the inflated size of
// every payload and names the failing input in its errors. What can be
// checked once is checked here, so nothing downstream has to: an unknown
// messageType fails its document, and an event timestamp outside
// MinTime..MaxTime drops that event alone (Batch.Rejected).
package cwlogs

// LogEvent is one CloudWatch Logs event. ID is a 56-digit decimal string in
// real deliveries (too large for any integer type) and empty in control
// messages.
type LogEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"` // epoch milliseconds, event time
	Message   string `json:"message"`
}

// Batch is one decoded subscription document: every event of one log group
// and one log stream.
type Batch struct {
	// Source names where the batch came from (file, record id, line) so that
	// errors and outputs can point at it.
	Source              string     `json:"-"`
	MessageType         string     `json:"messageType"`
	Owner               string     `json:"owner"`
	LogGroup            string     `json:"logGroup"`
	LogStream           string     `json:"logStream"`
	SubscriptionFilters []string   `json:"subscriptionFilters"`
	PolicyLevel         string     `json:"policyLevel,omitempty"`
	LogEvents           []LogEvent `json:"logEvents"`
	// Bytes is the inflated size of the document the batch was decoded from.
	Bytes int `json:"-"`
	// Rejected lists the events removed at decode, one *InputError each
	// naming the document and the event (ErrTimestamp). The other events
	// are all in LogEvents: one bad event loses nothing else. Callers
	// count and log them; Decode returns them with its errors.
	Rejected []error `json:"-"`
}

// Message types as written by CloudWatch Logs.
const (
	DataMessage    = "DATA_MESSAGE"
	ControlMessage = "CONTROL_MESSAGE"
)

// IsControl reports whether the batch is a CONTROL_MESSAGE (a reachability
// probe that carries no log data and must be acknowledged, never analysed).
func (b *Batch) IsControl() bool { return b.MessageType == ControlMessage }
