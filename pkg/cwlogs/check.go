package cwlogs

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// The sane range of event timestamps, checked once at decode so that
// nothing downstream has to. Decoding has no clock (a replay of last
// year's capture must decode as it did then), so the range is absolute:
// CloudWatch Logs launched in 2014, so no real event predates 2000; 2200
// is far beyond any clock skew, and it keeps the span between any two
// accepted events inside what time.Duration holds (±292 years), so no
// "-2562047h" can come out of event times. PutLogEvents itself refuses
// events more than 2 hours ahead or older than 14 days (or the retention
// period), relative to ingestion, but that is relative to a clock.
var (
	MinTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

var (
	minMillis = MinTime.UnixMilli()
	maxMillis = MaxTime.UnixMilli()
)

var (
	// ErrTimestamp: an event's timestamp is missing or outside
	// MinTime..MaxTime. The event is dropped and reported in
	// Batch.Rejected; the rest of its batch is kept.
	ErrTimestamp = errors.New("timestamp outside 2000-01-01..2200-01-01")
	// ErrMessageType: a document's messageType is neither DATA_MESSAGE nor
	// CONTROL_MESSAGE. The document is rejected as a whole: nothing in it
	// can be trusted to mean what a data message means.
	ErrMessageType = errors.New("unknown messageType")
)

// ValidTimestamp reports whether ms (epoch milliseconds) is in the sane
// range.
func ValidTimestamp(ms int64) bool { return ms >= minMillis && ms < maxMillis }

// check validates a decoded document: its message type, then every
// event's timestamp. Events out of range are removed and listed in
// b.Rejected, each naming the document and the event (index and id).
// A missing messageType is taken as DATA_MESSAGE (hand-made captures omit
// it); an unknown one fails the document.
func check(b *Batch) error {
	switch b.MessageType {
	case DataMessage, ControlMessage:
	case "":
		b.MessageType = DataMessage
	default:
		return fmt.Errorf("%w %q (want %s or %s)", ErrMessageType, truncate(b.MessageType, 40), DataMessage, ControlMessage)
	}
	keep := b.LogEvents[:0]
	for i, ev := range b.LogEvents {
		if ValidTimestamp(ev.Timestamp) {
			keep = append(keep, ev)
			continue
		}
		src := fmt.Sprintf("logEvents[%d]", i)
		if ev.ID != "" {
			src += " (id " + truncate(ev.ID, 64) + ")"
		}
		if b.Source != "" {
			src = b.Source + ": " + src
		}
		b.Rejected = append(b.Rejected, &InputError{Source: src, Err: fmt.Errorf("%w: %d", ErrTimestamp, ev.Timestamp)})
	}
	clear(b.LogEvents[len(keep):]) // do not pin dropped messages
	b.LogEvents = keep
	return nil
}

// truncate bounds attacker-sized values quoted in errors.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
