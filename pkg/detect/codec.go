package detect

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Records are stored in a compact binary form: JSON spent most of a batch's
// detection time decoding and encoding ring buffers of a few hundred
// entries. The first byte is the format version, so a later layout can
// still read this one; a record whose first byte is '{' is the JSON of the
// first releases and is still read (state written by them is not lost).
//
// Layout after the version byte: one byte of record kind (a record under
// the wrong key is corrupt, not silently misread), then the fields in
// declaration order. Integers are zigzag varints, times in rings are
// deltas from the previous entry, strings are a uvarint length and the
// bytes, slices a uvarint count and the elements, floats see putFloat.
const formatV1 = 1

// formatV2 appends the detection v2 state to the function record (sustained
// shift, seasonal rates, surge, deploy and platform-check state; see
// records_v2.go). Other records are unchanged; a v1 record is read with the
// v2 fields zero, as a function that has not learned them yet.
const formatV2 = 2

// Record kinds (second byte).
const (
	kindFunction = 'f'
	kindIP       = 'i'
	kindUser     = 'u'
	kindBlock    = 'b'
	kindTally    = 't' // before the slow brute force: read, no longer written
	kindTally2   = 'T' // the tally with its long-window counts (slowbrute.go)
	kindAuthz    = 'z'
	kindSpray    = 's' // spray#<n>: failures per address of every function (spray.go)
)

var errCorrupt = errors.New("truncated or malformed record")

// enc appends a record to a buffer.
type enc struct{ b []byte }

func (w *enc) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *enc) int(v int64)      { w.b = binary.AppendVarint(w.b, v) }

func (w *enc) str(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *enc) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// float stores most values in a few bytes: durations and percentages are
// rounded to hundredths before they are kept, so a value that is exactly
// k/100 is written as the varint 2*zigzag(k); anything else (means,
// variances) as 1 and its 8 IEEE bytes. Both round-trip bit for bit.
func (w *enc) float(v float64) {
	if math.Abs(v) < 1<<50 {
		k := int64(math.Round(v * 100))
		if math.Float64bits(float64(k)/100) == math.Float64bits(v) {
			w.uvarint(zigzag(k) << 1)
			return
		}
	}
	w.uvarint(1)
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v))
}

func (w *enc) strs(ss []string) {
	w.uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *enc) header(h *header) { w.strs(h.Batches) }

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// dec reads a record from a string copy of its bytes: every decoded string
// is a substring of it, so a record costs one allocation for its text
// however many request ids and names its rings hold. A read past the end
// or a malformed value sets bad and yields zeros; callers check bad once
// at the end, so corrupt input can never panic or allocate without bound.
type dec struct {
	s   string
	bad bool
	// extra is spare capacity for rings about to be pushed to (the
	// batch's events for the record), so pushing does not regrow them.
	extra int
	// ver is the record's format version (formatV1 or formatV2).
	ver byte
	// kind is the record kind read (a record may read an older kind).
	kind byte
}

func (r *dec) byte() byte {
	if len(r.s) == 0 {
		r.bad = true
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

func (r *dec) uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if len(r.s) == 0 {
			break
		}
		c := r.s[0]
		r.s = r.s[1:]
		if shift == 63 && c > 1 {
			break
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.bad = true
	return 0
}

func (r *dec) int() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// count reads a slice length; each element takes at least min bytes, so a
// count the remaining input cannot hold is corrupt (no huge allocations).
func (r *dec) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.s)/min) {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *dec) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.bad = true
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *dec) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.bad = true
	return false
}

func (r *dec) float() float64 {
	u := r.uvarint()
	if u&1 == 0 {
		k := int64(u>>2) ^ -int64((u>>1)&1)
		return float64(k) / 100
	}
	if u != 1 || len(r.s) < 8 {
		r.bad = true
		return 0
	}
	v := binary.LittleEndian.Uint64([]byte(r.s[:8]))
	r.s = r.s[8:]
	return math.Float64frombits(v)
}

func (r *dec) strs() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *dec) header(h *header) {
	h.Batches = r.strs()
	if h.Batches != nil {
		h.Batches = slices.Grow(h.Batches, 1) // remember pushes one
	}
}

// record is implemented by the four record types.
type record interface {
	kind() byte
	encode(w *enc)
	decode(r *dec)
}

// decodeRecord fills v from data: the binary format, or the JSON of the
// first releases. A corrupt record is not an error: the caller starts
// afresh and says so in the returned note.
func decodeRecord(key string, data []byte, v record, extra int) (note string) {
	if len(data) == 0 {
		return ""
	}
	if err := unmarshalRecordCap(data, v, extra); err != nil {
		return fmt.Sprintf("record %s was unreadable and was reset: %v", key, err)
	}
	return ""
}

func unmarshalRecord(data []byte, v record) error { return unmarshalRecordCap(data, v, 0) }

func unmarshalRecordCap(data []byte, v record, extra int) error {
	if len(data) == 0 {
		return errCorrupt
	}
	switch data[0] {
	case '{':
		return json.Unmarshal(data, v)
	case formatV1, formatV2:
	default:
		return fmt.Errorf("unknown record format %d", data[0])
	}
	r := dec{s: string(data[1:]), extra: min(max(extra, 0), 1024), ver: data[0]}
	r.kind = r.byte()
	if r.kind != v.kind() && !(r.kind == kindTally && v.kind() == kindTally2) {
		return fmt.Errorf("not a %c record", v.kind())
	}
	v.decode(&r)
	if r.bad || len(r.s) != 0 {
		return errCorrupt
	}
	return nil
}

// encodeRecord appends v's binary form to buf and returns the record's
// bytes (capacity clipped, so a later append to buf cannot reach them).
func encodeRecord(buf *[]byte, v record) []byte {
	start := len(*buf)
	w := enc{b: append(*buf, formatV2, v.kind())}
	v.encode(&w)
	*buf = w.b
	return w.b[start:len(w.b):len(w.b)]
}
