package detect

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sampleRecords() []record {
	hdr := header{Batches: []string{"b1", "0123456789abcdef0123456789abcdef"}}
	return []record{
		&fnRecord{header: hdr, Fn: "checkout", Version: "$LATEST", Updated: 1718645035123,
			Warm: ewma{M: math.Log(412.5), V: 0.0123456789, N: 340},
			Ring: []sample{{T: 1718645035000, D: 412.37, R: "a-1"}, {T: 1718645034000, D: 0.5}, {T: 1718645036000, D: 29876.12, R: "c"}},
			Dur:  incident{Active: true, Since: 1718645000000, N: 6, Peak: 30123.45, Last: -5},
			Cold: ewma{M: 6.1, V: 0.2, N: 12}, Colds: []sample{{T: 1, D: 812.5, R: "x"}},
			ColdInc: incident{}, ColdN: 12, WarmN: 340, MemMB: 1024, MemUsed: 1001,
			Mem:  incident{Active: true, Since: 2, N: 3, Peak: 97.75, Last: 4},
			Seen: []string{"t:a-1", "c:b-2"},
			Cost: costState{Start: 1718643600000, GBs: 123.456789, Inv: 4000,
				Spend: ewma{M: 0.51, V: 0.01, N: 30}, Rate: ewma{M: 3900.5, V: 1e5, N: 30}, Inc: incident{Active: true, Peak: 2.5}},
			Sus: sustain{Start: 1718645000000, Sum: 18.25, N: 3, Level: ewma{M: 6.0123, V: 0.0021, N: 99},
				Hod: []float64{0.1234, -0.05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3},
				S:   4.5, Since: 1718644000000, Res: 0.81, ResN: 2, Inv: 7, Rule: ruleSustained, OK: 1, Esc: true, Prev: 1.25, Rho: 0.1234},
			Rates: rates{Hour: 477401, N0: 12, N1: 3, Hod: make([]float64, 24), Dow: []float64{1, 1, 0.4, 1, 1, 1.2, 0.5},
				Hours: 100, Day: 19891, DayN: 300, DayE: 280.5, Min: 28644083, Mins: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 900},
				Inc: incident{Active: true, Since: 5, N: 6, Peak: 7.5, Last: 8}},
			Dep: deployState{From: "7", To: "8", At: 1718640000000, Warm: ewma{M: 6, V: 0.04, N: 300}, N: 12, Sum: 80.5, Accept: true, ColdN: 2, ColdS: 13.5,
				Used: ewma{M: 5.7, V: 0.01, N: 300}, MemN: 3, MemS: 18.2, MemHit: true},
			Plat: platState{Cand: 10240, CandN: 1, CandT: 1718645035000, Changes: 1, MaxMs: 3003.16, MaxTO: 3, Suspect: 4, Why: "memory size",
				Vers: []string{"7", "8"}, Sizes: []int{1024, 2048}, Ns: []int{300, 2}},
			Used: ewma{M: 5.7, V: 0.02, N: 340}},
		&ipRecord{header: hdr, IP: "2001:db8::/64",
			Fails:   []authHit{{T: 10, E: "alice", R: "r1"}, {T: 9, E: "bob"}, {T: 30, R: "r3"}},
			Succ:    []authHit{{T: 40, E: "alice"}},
			Crossed: 30, BFLast: 30, CSLast: 0, Comp: []string{"alice"}},
		&userRecord{header: hdr, User: "eve\" from 10.9.9.9", Fails: []authHit{{T: 5, E: "203.0.113.7", R: "q"}},
			Crossed: 5, BFLast: 5, Comp: 5},
		&blockRecord{header: hdr, IP: "203.0.113.7", Fails: []int64{100, 90, 200}, Offences: 2,
			Until: 1718660000000, Reason: "10 failed logins in 4m10s on login (offence 2, blocked 8h0m0s)",
			LastAlert: 1718645035000, Function: "login"},
		&tallyRecord{header: hdr,
			IPs: []tallyEntry{{FP: 1<<63 + 5, N: 3, Last: 1718645035000, Fails: []authHit{{T: 1718645034000, E: "bob"}},
				Succ: []authHit{{T: 1718645035000}}}, {FP: 7, N: 12, Last: 9, Promoted: true,
				Slow: slowCounts{Len: 1800000, B: 954802, F: [4]int32{3, 0, 9, 1}, S: [4]int32{0, 2, 0, 0}, Users: 5, SUsers: 1 << 63, Alerted: 9}}},
			Users: []tallyEntry{{FP: 9, N: 1, Last: 2, Fails: []authHit{{T: 2, E: "2001:db8::/64"}}}}},
		&fnRecord{}, &ipRecord{}, &userRecord{}, &blockRecord{}, &tallyRecord{}, &authzRecord{},
		sampleSpray(hdr), &sprayRecord{},
	}
}

// sampleSpray is a spray shard with a few cells in two buckets.
func sampleSpray(hdr header) *sprayRecord {
	rec := &sprayRecord{header: hdr, Salt: 1<<63 + 12345, Len: 200_000, B: 8_590_000, N: [4]int64{3, 0, 0, 7}}
	rec.C[0], rec.C[3] = make([]uint32, sprayCells), make([]uint32, sprayCells)
	rec.C[0][0], rec.C[0][sprayCells-1], rec.C[3][700] = 3, 1<<31, 7
	rec.Fns = []sprayFn{{Name: "login", Last: 8_590_000, Bits: [4][2]uint64{{1, 1 << 63}, {}, {}, {5, 0}}}, {Name: "reset"}}
	return rec
}

func newOf(r record) record {
	switch r.(type) {
	case *fnRecord:
		return &fnRecord{}
	case *ipRecord:
		return &ipRecord{}
	case *userRecord:
		return &userRecord{}
	case *tallyRecord:
		return &tallyRecord{}
	case *authzRecord:
		return &authzRecord{}
	case *sprayRecord:
		return &sprayRecord{}
	}
	return &blockRecord{}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, rec := range sampleRecords() {
		var buf []byte
		data := encodeRecord(&buf, rec)
		require.Equal(t, byte(formatV2), data[0])
		got := newOf(rec)
		require.NoError(t, unmarshalRecord(data, got))
		require.Equal(t, rec, got)

		// The JSON of the first releases is still read, into the same values.
		js, err := json.Marshal(rec)
		require.NoError(t, err)
		legacy := newOf(rec)
		require.NoError(t, unmarshalRecord(js, legacy))
		require.Equal(t, rec, legacy)

		// A record under another kind's key is corrupt, not misread.
		for _, other := range sampleRecords()[:5] {
			if other.kind() != rec.kind() {
				require.Error(t, unmarshalRecord(data, newOf(other)))
			}
		}
	}
}

func TestFloatEncodingIsExact(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.01, 412.37, round2(1234.5678), 0.1 + 0.2,
		math.Pi, 1e300, -1e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1),
		math.NaN(), 1 << 53, 1<<50 - 1, -(1 << 49) / 100.0} {
		var w enc
		w.float(v)
		r := dec{s: string(w.b)}
		got := r.float()
		require.False(t, r.bad)
		require.Empty(t, r.s)
		require.Equal(t, math.Float64bits(v), math.Float64bits(got), "%v", v)
	}
	var w enc
	w.float(412.37)
	require.Len(t, w.b, 3, "hundredths are stored as a short varint")
}

// Every truncation and a flipped byte of a valid record either decodes or
// is reported; Evaluate starts such a record afresh with a note.
func TestCorruptRecordsReset(t *testing.T) {
	for _, rec := range sampleRecords()[:5] {
		var buf []byte
		data := encodeRecord(&buf, rec)
		for n := 1; n < len(data); n++ {
			require.Error(t, unmarshalRecord(data[:n], newOf(rec)), "truncated at %d", n)
		}
		for i := range data {
			bad := append([]byte(nil), data...)
			bad[i] ^= 0xff
			_ = unmarshalRecord(bad, newOf(rec)) // must not panic
		}
	}
	r := newRunner(t, Defaults())
	obs := []Observation{report(t0, 100, "r1"), fail(t0, "203.0.113.9", "bob")}
	r.feed("fn", obs)
	for k := range r.state {
		r.state[k] = []byte{formatV1, 'z', 1, 2}
	}
	in := Input{BatchID: "again", Function: "fn", Thresholds: Defaults(), Observations: obs}
	res, err := Evaluate(in, r.state)
	require.NoError(t, err)
	require.Len(t, res.Updates, len(r.state))
	for _, u := range res.Updates {
		require.Contains(t, u.Note, "unreadable and was reset")
	}
}

// State written by the JSON releases carries on: the same batch evaluated
// against the JSON form of every record gives the same records and alerts
// as against their binary form.
func TestLegacyJSONStateCarriesOn(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 120 {
		at := t0.Add(time.Duration(i) * time.Second)
		d := 100.0
		if i > 100 {
			d = 3000
		}
		obs = append(obs, report(at, d, "r"), fail(at, "198.51.100.4", "user"+strings.Repeat("x", i%20)))
	}
	r.feed("fn", obs[:120])
	legacy := map[string][]byte{}
	for k, v := range r.state {
		rec := recordFor(k)
		require.NoError(t, unmarshalRecord(v, rec))
		js, err := json.Marshal(rec)
		require.NoError(t, err)
		legacy[k] = js
	}
	in := Input{BatchID: "next", Function: "fn", LogGroup: "/aws/lambda/fn", Thresholds: Defaults(), Observations: obs[120:]}
	want, err := Evaluate(in, r.state)
	require.NoError(t, err)
	got, err := Evaluate(in, legacy)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.NotEmpty(t, got.Updates)
}

func recordFor(key string) record {
	switch {
	case strings.HasPrefix(key, prefixFunction):
		return &fnRecord{}
	case strings.HasPrefix(key, prefixIP):
		return &ipRecord{}
	case strings.HasPrefix(key, prefixUser):
		return &userRecord{}
	case strings.HasPrefix(key, prefixTally):
		return &tallyRecord{}
	case strings.HasPrefix(key, prefixAuthz):
		return &authzRecord{}
	case strings.HasPrefix(key, prefixSpray):
		return &sprayRecord{}
	}
	return &blockRecord{}
}

func TestViewsReadBothFormats(t *testing.T) {
	recs := sampleRecords()
	for _, enc := range []func(record) []byte{
		func(r record) []byte { var b []byte; return encodeRecord(&b, r) },
		func(r record) []byte { b, _ := json.Marshal(r); return b },
	} {
		v, err := DescribeBaseline(enc(recs[0]))
		require.NoError(t, err)
		require.Equal(t, "checkout", v.Function)
		require.Equal(t, 340, v.Samples)
		require.Len(t, v.RecentMs, 3)
		b, err := DecodeBlock(enc(recs[3]))
		require.NoError(t, err)
		require.Equal(t, "203.0.113.7", b.IP)
		require.Equal(t, 2, b.Offences)
	}
	_, err := DescribeBaseline(nil)
	require.Error(t, err)
	_, err = DecodeBlock([]byte{formatV1, kindFunction})
	require.Error(t, err)
}

// The incremental window median equals medianLog after every push, through
// ring wrap-around, ties, sub-millisecond values, NaN and resets.
func TestWindowMedianMatchesSort(t *testing.T) {
	for _, size := range []int{1, 2, 3, 10, ringSize} {
		var ring []sample
		var win window
		for i := range 400 {
			d := float64((i*7919)%23) * 37.5
			switch {
			case i%97 == 0:
				d = math.NaN()
			case i%13 == 0:
				d = 0.25
			}
			if i%150 == 0 {
				ring, win.ok = nil, false
			}
			old := ring
			ring = push(ring, sample{T: int64(i), D: d}, ringSize)
			w := min(size, len(ring))
			got, want := win.median(old, ring, w), medianLog(ring, w)
			require.Equal(t, math.Float64bits(want), math.Float64bits(got), "size %d push %d", size, i)
		}
	}
}

// A function record written by the format v1 releases (no detection v2
// state) is still read, with the v2 state zero.
func TestFunctionRecordV1StillRead(t *testing.T) {
	rec := sampleRecords()[0].(*fnRecord)
	var buf []byte
	data := append([]byte(nil), encodeRecord(&buf, rec)...)
	var tail enc
	rec.encodeV2(&tail)
	v1 := append([]byte{formatV1}, data[1:len(data)-len(tail.b)]...)
	var got fnRecord
	require.NoError(t, unmarshalRecord(v1, &got))
	want := *rec
	want.Sus, want.Rates, want.Dep, want.Plat, want.Used = sustain{}, rates{}, deployState{}, platState{}, ewma{}
	require.Equal(t, want, got)
}
