package detect

import "encoding/binary"

// Binary layouts of the four records (see codec.go). Adding a field means
// a new format version: append it here under the new version and keep
// reading the old one.

func (*fnRecord) kind() byte    { return kindFunction }
func (*ipRecord) kind() byte    { return kindIP }
func (*userRecord) kind() byte  { return kindUser }
func (*blockRecord) kind() byte { return kindBlock }

func (x *fnRecord) encode(w *enc) {
	w.header(&x.header)
	w.str(x.Fn)
	w.str(x.Version)
	w.int(x.Updated)
	w.ewma(&x.Warm)
	w.samples(x.Ring)
	w.incident(&x.Dur)
	w.ewma(&x.Cold)
	w.samples(x.Colds)
	w.incident(&x.ColdInc)
	w.int(int64(x.ColdN))
	w.int(int64(x.WarmN))
	w.int(int64(x.MemMB))
	w.int(int64(x.MemUsed))
	w.incident(&x.Mem)
	w.strs(x.Seen)
	c := &x.Cost
	w.int(c.Start)
	w.float(c.GBs)
	w.int(int64(c.Inv))
	w.ewma(&c.Spend)
	w.ewma(&c.Rate)
	w.incident(&c.Inc)
	x.encodeV2(w)
}

func (x *fnRecord) decode(r *dec) {
	r.header(&x.header)
	x.Fn = r.str()
	x.Version = r.str()
	x.Updated = r.int()
	r.ewma(&x.Warm)
	x.Ring = r.samples()
	r.incident(&x.Dur)
	r.ewma(&x.Cold)
	x.Colds = r.samples()
	r.incident(&x.ColdInc)
	x.ColdN = int(r.int())
	x.WarmN = int(r.int())
	x.MemMB = int(r.int())
	x.MemUsed = int(r.int())
	r.incident(&x.Mem)
	x.Seen = r.strs()
	c := &x.Cost
	c.Start = r.int()
	c.GBs = r.float()
	c.Inv = int(r.int())
	r.ewma(&c.Spend)
	r.ewma(&c.Rate)
	r.incident(&c.Inc)
	if r.ver >= formatV2 {
		x.decodeV2(r)
	}
}

func (x *ipRecord) encode(w *enc) {
	w.header(&x.header)
	w.str(x.IP)
	w.hits(x.Fails)
	w.hits(x.Succ)
	w.int(x.Crossed)
	w.int(x.BFLast)
	w.int(x.CSLast)
	w.strs(x.Comp)
}

func (x *ipRecord) decode(r *dec) {
	r.header(&x.header)
	x.IP = r.str()
	x.Fails = r.hits()
	x.Succ = r.hits()
	x.Crossed = r.int()
	x.BFLast = r.int()
	x.CSLast = r.int()
	x.Comp = r.strs()
}

func (x *userRecord) encode(w *enc) {
	w.header(&x.header)
	w.str(x.User)
	w.hits(x.Fails)
	w.int(x.Crossed)
	w.int(x.BFLast)
	w.int(x.Comp)
}

func (x *userRecord) decode(r *dec) {
	r.header(&x.header)
	x.User = r.str()
	x.Fails = r.hits()
	x.Crossed = r.int()
	x.BFLast = r.int()
	x.Comp = r.int()
}

func (x *blockRecord) encode(w *enc) {
	w.header(&x.header)
	w.str(x.IP)
	w.uvarint(uint64(len(x.Fails)))
	var prev int64
	for _, t := range x.Fails {
		w.int(t - prev)
		prev = t
	}
	w.int(int64(x.Offences))
	w.int(x.Until)
	w.str(x.Reason)
	w.int(x.LastAlert)
	w.str(x.Function)
}

func (x *blockRecord) decode(r *dec) {
	r.header(&x.header)
	x.IP = r.str()
	if n := r.count(1); n > 0 {
		x.Fails = make([]int64, n)
		var prev int64
		for i := range x.Fails {
			prev += r.int()
			x.Fails[i] = prev
		}
	}
	x.Offences = int(r.int())
	x.Until = r.int()
	x.Reason = r.str()
	x.LastAlert = r.int()
	x.Function = r.str()
}

func (w *enc) ewma(e *ewma) {
	w.float(e.M)
	w.float(e.V)
	w.int(int64(e.N))
}

func (r *dec) ewma(e *ewma) {
	e.M = r.float()
	e.V = r.float()
	e.N = int(r.int())
}

func (w *enc) incident(i *incident) {
	w.bool(i.Active)
	w.int(i.Since)
	w.int(int64(i.N))
	w.float(i.Peak)
	w.int(i.Last)
}

func (r *dec) incident(i *incident) {
	i.Active = r.bool()
	i.Since = r.int()
	i.N = int(r.int())
	i.Peak = r.float()
	i.Last = r.int()
}

func (w *enc) samples(ss []sample) {
	w.uvarint(uint64(len(ss)))
	var prev int64
	for _, s := range ss {
		w.int(s.T - prev)
		prev = s.T
		w.float(s.D)
		w.str(s.R)
	}
}

func (r *dec) samples() []sample {
	n := r.count(3)
	if n == 0 {
		return nil
	}
	out := make([]sample, n, n+r.extra)
	var prev int64
	for i := range out {
		prev += r.int()
		out[i] = sample{T: prev, D: r.float(), R: r.str()}
	}
	return out
}

func (w *enc) hits(hs []authHit) {
	w.uvarint(uint64(len(hs)))
	var prev int64
	for _, h := range hs {
		w.int(h.T - prev)
		prev = h.T
		w.str(h.E)
		w.str(h.R)
	}
}

func (r *dec) hits() []authHit {
	n := r.count(3)
	if n == 0 {
		return nil
	}
	out := make([]authHit, n, n+r.extra)
	var prev int64
	for i := range out {
		prev += r.int()
		out[i] = authHit{T: prev, E: r.str(), R: r.str()}
	}
	return out
}

func (x *tallyRecord) encode(w *enc) {
	w.header(&x.header)
	for _, es := range [][]tallyEntry{x.IPs, x.Users} {
		w.uvarint(uint64(len(es)))
		for i := range es {
			e := &es[i]
			w.b = binary.LittleEndian.AppendUint64(w.b, e.FP)
			w.int(int64(e.N))
			w.int(e.Last)
			w.bool(e.Promoted)
			w.hits(e.Fails)
			w.hits(e.Succ)
		}
	}
	x.encodeSlow(w)
}

func (x *tallyRecord) decode(r *dec) {
	r.header(&x.header)
	for _, es := range []*[]tallyEntry{&x.IPs, &x.Users} {
		n := r.count(13)
		if n == 0 {
			continue
		}
		*es = make([]tallyEntry, n)
		for i := range *es {
			e := &(*es)[i]
			if len(r.s) < 8 {
				r.bad = true
				return
			}
			e.FP = binary.LittleEndian.Uint64([]byte(r.s[:8]))
			r.s = r.s[8:]
			e.N = int(r.int())
			e.Last = r.int()
			e.Promoted = r.bool()
			e.Fails = r.hits()
			e.Succ = r.hits()
		}
	}
	x.decodeSlow(r)
}
