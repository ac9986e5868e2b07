package detect

import (
	"testing"
	"time"
)

// FuzzRecordDecode feeds arbitrary bytes as a stored record of every kind.
// Decoding must never panic; what decodes must re-encode stably; and
// Evaluate must apply the batch either way, with a note when it reset.
func FuzzRecordDecode(f *testing.F) {
	for _, rec := range sampleRecords() {
		var buf []byte
		f.Add(encodeRecord(&buf, rec))
	}
	f.Add([]byte(`{"fn":"x","ring":[{"t":1,"d":2}]}`))
	f.Add([]byte{formatV1, kindIP, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	th := Defaults()
	obs := []Observation{report(t0, 120, "r1"), fail(t0.Add(time.Second), "203.0.113.9", "bob"),
		success(t0.Add(2*time.Second), "203.0.113.9", "bob"), denied(t0.Add(3*time.Second), "203.0.113.9", "bob", "GET /a")}
	in := Input{BatchID: "fuzz", Function: "fn", LogGroup: "/aws/lambda/fn", Thresholds: th, Observations: obs}
	keys := Keys(in)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, rec := range sampleRecords()[5:] {
			if unmarshalRecord(data, rec) != nil {
				continue
			}
			var b1, b2 []byte
			once := encodeRecord(&b1, rec)
			again := newOf(rec)
			if err := unmarshalRecord(once, again); err != nil {
				t.Fatalf("re-encoded %T does not decode: %v", rec, err)
			}
			if twice := encodeRecord(&b2, again); string(once) != string(twice) {
				t.Fatalf("%T does not round-trip:\n%x\n%x", rec, once, twice)
			}
		}
		state := map[string][]byte{}
		for _, k := range keys {
			state[k] = data
		}
		res, err := Evaluate(in, state)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range res.Updates {
			if unmarshalRecord(data, recordFor(u.Key)) != nil && len(data) > 0 && u.Note == "" {
				t.Fatalf("%s: unreadable record reset without a note", u.Key)
			}
		}
	})
}
