package detect

import "math"

// The function record's detection v2 state (format v2, appended after the
// v1 fields; see codec.go). Each part belongs to one detector file.

// sustain is the sustained-shift detector's state (sustained.go).
type sustain struct {
	Start int64   `json:"s,omitempty"`   // current bucket start, epoch ms
	Sum   float64 `json:"sum,omitempty"` // sum of clipped ln ms in the bucket
	N     int     `json:"n,omitempty"`   // warm invocations in the bucket
	// Level: M is the deseasonalised level (ln ms) of bucket means, V the
	// variance of bucket means beyond what their invocation count explains
	// (minute-to-minute wander, duplicated points), N the buckets learned.
	Level ewma      `json:"lvl"`
	Hod   []float64 `json:"hod,omitempty"` // 24 offsets (ln) by hour of day, UTC
	S     float64   `json:"cusum,omitempty"`
	Since int64     `json:"since,omitempty"` // first bucket of the current evidence
	Res   float64   `json:"res,omitempty"`   // sum of bucket residuals since Since
	ResN  int       `json:"resn,omitempty"`  // buckets since Since
	Inv   int       `json:"inv,omitempty"`   // invocations since Since
	Rule  string    `json:"rule,omitempty"`  // rule that opened the duration incident
	OK    int       `json:"ok,omitempty"`    // normal buckets in a row during an incident
	Esc   bool      `json:"esc,omitempty"`   // the incident was escalated to critical
	// Prev is the previous bucket's standardised residual and Rho the
	// learned correlation of neighbouring buckets (a slow wander, or a
	// metric series whose points each stand for several invocations).
	Prev float64 `json:"prev,omitempty"`
	Rho  float64 `json:"rho,omitempty"`
}

// rates is the invocation-rate model and surge detector's state (surge.go).
type rates struct {
	Hour  int64     `json:"h,omitempty"`   // oldest open hour, epoch hours
	N0    int       `json:"n0,omitempty"`  // invocations in Hour
	N1    int       `json:"n1,omitempty"`  // invocations in Hour+1 (late events of Hour still count)
	Hod   []float64 `json:"hod,omitempty"` // 24: invocations per hour by hour of day, weekday effect removed
	Dow   []float64 `json:"dow,omitempty"` // 7: day-of-week factor (Sunday first)
	Hours int       `json:"hours,omitempty"`
	Day   int64     `json:"day,omitempty"`  // day of DayN, epoch days
	DayN  float64   `json:"dayn,omitempty"` // invocations folded into Day
	DayE  float64   `json:"daye,omitempty"` // what Hod expected for them
	Min   int64     `json:"min,omitempty"`  // newest minute, epoch minutes
	Mins  []int     `json:"mins,omitempty"` // invocations per minute, the last surgeMinutes ending at Min
	Inc   incident  `json:"inc"`
}

// deployState is a new version under comparison with the previous one (deploy.go).
type deployState struct {
	From   string  `json:"from,omitempty"`
	To     string  `json:"to,omitempty"`
	At     int64   `json:"at,omitempty"`
	Warm   ewma    `json:"warm"`             // previous version's warm baseline
	Cold   ewma    `json:"cold"`             // previous version's init baseline
	N      int     `json:"n,omitempty"`      // warm invocations of To
	Sum    float64 `json:"sum,omitempty"`    // sum of clipped ln ms of To
	Accept bool    `json:"accept,omitempty"` // the operator accepted the current behaviour
	ColdN  int     `json:"coldn,omitempty"`  // cold starts of To
	ColdS  float64 `json:"colds,omitempty"`  // sum of clipped ln init ms of To
	Used   ewma    `json:"used"`             // previous version's max memory used (ln MB)
	MemN   int     `json:"memn,omitempty"`   // REPORTs of To with memory
	MemS   float64 `json:"mems,omitempty"`   // sum of ln max memory used of To
	MemHit bool    `json:"memhit,omitempty"` // the memory comparison alerted
}

// platState is what the platform-line checks believe (platformcheck.go).
type platState struct {
	Cand    int     `json:"cand,omitempty"`    // a memory size not confirmed yet
	CandN   int     `json:"candn,omitempty"`   // REPORTs in a row showing it
	CandT   int64   `json:"candt,omitempty"`   // first of them
	Changes int     `json:"changes,omitempty"` // memory size changes accepted
	MaxMs   float64 `json:"maxms,omitempty"`   // longest believed duration
	MaxTO   float64 `json:"maxto,omitempty"`   // longest believed timeout, s
	Suspect int     `json:"suspect,omitempty"`
	Why     string  `json:"why,omitempty"` // the latest suspect line's reason
	// The memory size each of the last two versions runs with, and how
	// many REPORTs showed it (a canary runs two versions, each with its
	// own configuration).
	Vers  []string `json:"vers,omitempty"`
	Sizes []int    `json:"sizes,omitempty"`
	Ns    []int    `json:"ns,omitempty"`
}

func (x *fnRecord) encodeV2(w *enc) {
	s := &x.Sus
	w.int(s.Start)
	w.float(s.Sum)
	w.int(int64(s.N))
	w.ewma(&s.Level)
	w.fixeds(s.Hod)
	w.float(s.S)
	w.int(s.Since)
	w.float(s.Res)
	w.int(int64(s.ResN))
	w.int(int64(s.Inv))
	w.str(s.Rule)
	w.int(int64(s.OK))
	w.bool(s.Esc)
	w.float(s.Prev)
	w.float(s.Rho)
	r := &x.Rates
	w.int(r.Hour)
	w.int(int64(r.N0))
	w.int(int64(r.N1))
	w.fixeds(r.Hod)
	w.fixeds(r.Dow)
	w.int(int64(r.Hours))
	w.int(r.Day)
	w.float(r.DayN)
	w.float(r.DayE)
	w.int(r.Min)
	w.ints(r.Mins)
	w.incident(&r.Inc)
	d := &x.Dep
	w.str(d.From)
	w.str(d.To)
	w.int(d.At)
	w.ewma(&d.Warm)
	w.ewma(&d.Cold)
	w.int(int64(d.N))
	w.float(d.Sum)
	w.bool(d.Accept)
	w.int(int64(d.ColdN))
	w.float(d.ColdS)
	w.ewma(&d.Used)
	w.int(int64(d.MemN))
	w.float(d.MemS)
	w.bool(d.MemHit)
	p := &x.Plat
	w.int(int64(p.Cand))
	w.int(int64(p.CandN))
	w.int(p.CandT)
	w.int(int64(p.Changes))
	w.float(p.MaxMs)
	w.float(p.MaxTO)
	w.int(int64(p.Suspect))
	w.str(p.Why)
	w.strs(p.Vers)
	w.ints(p.Sizes)
	w.ints(p.Ns)
	w.ewma(&x.Used)
}

func (w *enc) ints(vs []int) {
	w.uvarint(uint64(len(vs)))
	for _, v := range vs {
		w.int(int64(v))
	}
}

func (r *dec) ints() []int {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(r.int())
	}
	return out
}

func (x *fnRecord) decodeV2(r *dec) {
	s := &x.Sus
	s.Start = r.int()
	s.Sum = r.float()
	s.N = int(r.int())
	r.ewma(&s.Level)
	s.Hod = r.fixeds()
	s.S = r.float()
	s.Since = r.int()
	s.Res = r.float()
	s.ResN = int(r.int())
	s.Inv = int(r.int())
	s.Rule = r.str()
	s.OK = int(r.int())
	s.Esc = r.bool()
	s.Prev = r.float()
	s.Rho = r.float()
	rt := &x.Rates
	rt.Hour = r.int()
	rt.N0 = int(r.int())
	rt.N1 = int(r.int())
	rt.Hod = r.fixeds()
	rt.Dow = r.fixeds()
	rt.Hours = int(r.int())
	rt.Day = r.int()
	rt.DayN = r.float()
	rt.DayE = r.float()
	rt.Min = r.int()
	rt.Mins = r.ints()
	r.incident(&rt.Inc)
	d := &x.Dep
	d.From = r.str()
	d.To = r.str()
	d.At = r.int()
	r.ewma(&d.Warm)
	r.ewma(&d.Cold)
	d.N = int(r.int())
	d.Sum = r.float()
	d.Accept = r.bool()
	d.ColdN = int(r.int())
	d.ColdS = r.float()
	r.ewma(&d.Used)
	d.MemN = int(r.int())
	d.MemS = r.float()
	d.MemHit = r.bool()
	p := &x.Plat
	p.Cand = int(r.int())
	p.CandN = int(r.int())
	p.CandT = r.int()
	p.Changes = int(r.int())
	p.MaxMs = r.float()
	p.MaxTO = r.float()
	p.Suspect = int(r.int())
	p.Why = r.str()
	p.Vers = r.strs()
	p.Sizes = r.ints()
	p.Ns = r.ints()
	r.ewma(&x.Used)
}

// fixedScale is the resolution of profile values (ln offsets, rates): 1e-4
// is far below anything a detector distinguishes, and a profile of 24
// values then costs 2-4 bytes each instead of 9.
const fixedScale = 1e4

// fixeds writes a profile as fixed-point varints. Profiles are rounded to
// the same resolution when they are learned (roundFixed), so they
// round-trip exactly.
func (w *enc) fixeds(vs []float64) {
	w.uvarint(uint64(len(vs)))
	for _, v := range vs {
		k := int64(math.Round(v * fixedScale))
		if k > maxFixed || k < -maxFixed {
			k = 0
		}
		w.int(k)
	}
}

func (r *dec) fixeds() []float64 {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		k := r.int()
		if k > maxFixed || k < -maxFixed {
			r.bad = true // never written: exact only below 2^53
			return nil
		}
		out[i] = float64(k) / fixedScale
	}
	return out
}

// maxFixed bounds stored profile values (|v| < 1e11 at 1e-4 resolution),
// so that every one is an exact float64.
const maxFixed = 1e15

// roundFixed rounds a profile value to what fixeds stores, and keeps it
// finite and within what a varint holds.
func roundFixed(v float64) float64 {
	if !(math.Abs(v) < maxFixed/fixedScale) {
		return 0
	}
	return math.Round(v*fixedScale) / fixedScale
}
