package detect

import (
	"encoding/binary"
	"math"
	"slices"
)

// The spray shard's binary form (spray.go): the counters are sparse, as
// (gap, value) pairs of the non-zero cells of each bucket, so a quiet
// account's shard is a few hundred bytes and a hot one a few KB.

func (x *sprayRecord) encode(w *enc) {
	w.header(&x.header)
	w.b = binary.LittleEndian.AppendUint64(w.b, x.Salt)
	w.int(x.Len)
	w.int(x.B)
	for i := range sprayBuckets {
		w.int(x.N[i])
		// Sparse: the non-zero cells as (gap, value) pairs.
		nz := 0
		for _, c := range x.C[i] {
			if c != 0 {
				nz++
			}
		}
		w.uvarint(uint64(nz))
		prev := -1
		for j, c := range x.C[i] {
			if c != 0 {
				w.uvarint(uint64(j - prev))
				w.uvarint(uint64(c))
				prev = j
			}
		}
	}
	w.uvarint(uint64(len(x.Fns)))
	for _, f := range x.Fns {
		w.str(f.Name)
		w.int(f.Last)
		for i := range sprayBuckets {
			w.b = binary.LittleEndian.AppendUint64(w.b, f.Bits[i][0])
			w.b = binary.LittleEndian.AppendUint64(w.b, f.Bits[i][1])
		}
	}
}

func (x *sprayRecord) decode(r *dec) {
	r.header(&x.header)
	x.Salt = r.u64()
	x.Len, x.B = r.int(), r.int()
	for i := range sprayBuckets {
		x.N[i] = r.int()
		if x.N[i] < 0 {
			r.bad = true
			return
		}
		nz := r.count(2)
		if nz == 0 {
			continue
		}
		if nz > sprayCells {
			r.bad = true
			return
		}
		x.C[i] = make([]uint32, sprayCells)
		j := -1
		for range nz {
			gap := r.uvarint()
			j += int(min(gap, sprayCells+1))
			c := r.uvarint()
			if gap == 0 || j >= sprayCells || c == 0 || c > math.MaxUint32 || r.bad {
				r.bad = true
				return
			}
			x.C[i][j] = uint32(c)
		}
	}
	n := r.count(1 + 1 + 16*sprayBuckets)
	if n > 0 {
		x.Fns = make([]sprayFn, n)
	}
	for k := range x.Fns {
		f := &x.Fns[k]
		f.Name, f.Last = r.str(), r.int()
		for i := range sprayBuckets {
			f.Bits[i][0], f.Bits[i][1] = r.u64(), r.u64()
		}
	}
	if x.Len < 0 || x.B < 0 || r.bad {
		r.bad = true
	}
}

// u64 reads 8 little-endian bytes.
func (r *dec) u64() uint64 {
	if len(r.s) < 8 {
		r.bad = true
		return 0
	}
	v := binary.LittleEndian.Uint64([]byte(r.s[:8]))
	r.s = r.s[8:]
	return v
}

// shrink drops the naming bits of the oldest half of the functions: the
// counts are the sketch itself and stay (they fit the budget whatever the
// input: at most sprayBuckets*sprayCells cells of a few bytes).
func (x *sprayRecord) shrink() bool {
	if len(x.Fns) == 0 {
		return false
	}
	slices.SortStableFunc(x.Fns, func(a, b sprayFn) int { return int(a.Last - b.Last) })
	x.Fns = x.Fns[len(x.Fns)/2:]
	if len(x.Fns) == 1 {
		x.Fns = nil
	}
	return true
}
