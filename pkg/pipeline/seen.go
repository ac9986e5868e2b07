package pipeline

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// Every log event counts once, whatever the grouping it arrives in: the
// same events as one batch and again split 3+3, through two subscription
// filters, or replayed twice into one store. CloudWatch gives every event
// a unique id, so each log stream has a seen#<hash of group and stream>
// record: the fingerprints of the last seenEvents events it applied and of
// the last seenBatches deliveries. A batch already listed is dropped whole;
// of any other, the events listed are dropped before detection.
//
// The record is written only once the batch's state records are (in the
// same atomic commit where the store has one), so it never lists an event
// whose effects are not stored: a batch whose state write failed is retried
// with all its events, and the records that did apply it skip it by batch
// id (detect's header).
//
// The memory is bounded (5 KB a stream: it is rewritten with every batch,
// so its size is paid in write units) and so is its window: an
// event counts once if its duplicate arrives while it is among the last
// seenEvents observed events of its stream (detection-relevant events only:
// REPORTs, timeouts, crashes, logins), or in the same grouping within the
// last seenBatches deliveries of the stream. The record expires seenTTL
// after its last write, CloudWatch Logs' redelivery horizon.
const (
	seenPrefix  = "seen#"
	seenEvents  = 512
	seenBatches = 128
	seenTTL     = 24 * time.Hour
	seenFormat  = 1 // first byte of the record
)

// seenSet is a stream's applied deliveries and events, oldest first.
type seenSet struct {
	batches, events []uint64
	index           map[uint64]struct{} // of events and batches
}

// seenKey names the seen record of a batch's stream.
func seenKey(b *cwlogs.Batch) string {
	h := sha256.New()
	h.Write([]byte(b.LogGroup))
	h.Write([]byte{0})
	h.Write([]byte(b.LogStream))
	return seenPrefix + hex.EncodeToString(h.Sum(nil)[:16])
}

// noFingerprint marks an event without an id (bare lines from Firehose's
// message extraction, plain-text captures): two identical failures in the
// same millisecond are two failures, so such an event is never taken for a
// duplicate of another; only its whole delivery can be (by batch id).
const noFingerprint = 0

// eventFingerprint identifies one event of a stream by its CloudWatch id.
func eventFingerprint(ev *cwlogs.LogEvent) uint64 {
	if ev.ID == "" {
		return noFingerprint
	}
	sum := sha256.Sum256([]byte("i" + ev.ID))
	return max(binary.LittleEndian.Uint64(sum[:]), 1)
}

// batchFingerprint is the 64-bit form of a BatchID.
func batchFingerprint(id string) uint64 {
	sum := sha256.Sum256([]byte("b" + id))
	return binary.LittleEndian.Uint64(sum[:])
}

// decodeSeen reads a seen record; an absent or unreadable one is empty (the
// records' own batch memory still applies).
func decodeSeen(data []byte) seenSet {
	s := seenSet{index: map[uint64]struct{}{}}
	if len(data) < 1 || data[0] != seenFormat {
		return s
	}
	rest := data[1:]
	read := func() ([]uint64, bool) {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k)/8 {
			return nil, false
		}
		rest = rest[k:]
		out := make([]uint64, n)
		for i := range out {
			out[i] = binary.LittleEndian.Uint64(rest)
			rest = rest[8:]
		}
		return out, true
	}
	b, ok1 := read()
	e, ok2 := read()
	if !ok1 || !ok2 || len(rest) != 0 {
		return s
	}
	s.batches, s.events = b, e
	for _, v := range b {
		s.index[v] = struct{}{}
	}
	for _, v := range e {
		s.index[v] = struct{}{}
	}
	return s
}

func (s *seenSet) encode() []byte {
	out := make([]byte, 0, 1+2*binary.MaxVarintLen64+8*(len(s.batches)+len(s.events)))
	out = append(out, seenFormat)
	for _, ring := range [][]uint64{s.batches, s.events} {
		out = binary.AppendUvarint(out, uint64(len(ring)))
		for _, v := range ring {
			out = binary.LittleEndian.AppendUint64(out, v)
		}
	}
	return out
}

// has reports whether the fingerprint of an event or batch is listed.
func (s *seenSet) has(fp uint64) bool {
	_, ok := s.index[fp]
	return ok
}

// add records a delivery and its events as applied, keeping the newest.
func (s *seenSet) add(batch uint64, events []uint64) {
	if s.index == nil {
		s.index = map[uint64]struct{}{}
	}
	if !s.has(batch) {
		s.batches = append(s.batches, batch)
		s.index[batch] = struct{}{}
	}
	for _, e := range events {
		if e != noFingerprint && !s.has(e) {
			s.events = append(s.events, e)
			s.index[e] = struct{}{}
		}
	}
	// The index keeps the dropped ones until the next decode: harmless,
	// the set is written right after.
	s.batches = s.batches[max(0, len(s.batches)-seenBatches):]
	s.events = s.events[max(0, len(s.events)-seenEvents):]
}
