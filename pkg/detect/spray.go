package detect

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Spraying across functions: an address that fails a few times on each of
// several functions stays under half a threshold in every function's tally
// (tally.go), so no function promotes it and its block# (shared by all
// functions) is never written. The account-wide view is a few sharded
// spray#<n> records (n = hash(address) mod sprayShards) holding a count-min
// sketch of failures per address over the brute-force window, in rotating
// time buckets. Only batches with failures write them, and only the shards
// their failing addresses hash to, so REPORT-only traffic never touches
// them. An address whose account-wide estimate reaches half of
// brute_force_failures, and that failed on another function too, is
// promoted to its exact block#, which counts exactly from then on (seeded
// with every attempt this function's tally kept of it, in time order,
// each once: functions' logs arrive out of order); the block is made when
// the exact record holds at least that half, a lower bound of the
// account-wide count (the exact one, or the sketch's over the three
// buckets inside the window) reaches the threshold, and the address's
// successes (a third row of the sketch) do not explain its failures.
//
// Decoys cost the attacker, never the defender: a sketch is fixed in size
// whatever the number of addresses (a flood raises every cell a little,
// which the count-mean-min correction subtracts), promotions per batch are
// capped (maxSprayBlocks) and a false promotion costs one bounded write,
// never a block (the exact record decides). The cells are salted by a
// value derived from the first batch that made the shard (its id hashes
// CloudWatch event ids, which a client never sees), so an attacker who has
// read this code cannot pick decoys that land on a victim's cells.
//
// Shards are hot items (every function's processors write them): they stay
// a few KB (WCU are per KB) and a lost race costs the pipeline one re-read
// and re-evaluation, the other records skipping the batch by its id.
const (
	prefixSpray  = "spray#"
	sprayShards  = 4
	sprayWidth   = 512
	sprayRows    = 2                            // failure rows; one more row counts successes
	sprayCells   = (sprayRows + 1) * sprayWidth // per bucket
	sprayBuckets = 4
	// maxSprayFns is how many functions a shard names (newest activity
	// kept): the alert lists the functions an address failed on.
	maxSprayFns = 16
	// maxSprayBlocks caps the block# records the spray view adds to a
	// batch (each is a read and a write): the budget of 20 writes
	// per max batch. A sprayer with more addresses has them blocked over
	// the next batches; counting is never capped.
	maxSprayBlocks = 2
	budgetSpray    = 64 << 10
	// RuleSpray is the Rule of a brute_force alert raised by failures
	// spread over several functions.
	RuleSpray = "across_functions"
)

// sprayRecord is spray#<n>: failures (and successes) per address of every
// function, in sprayBuckets buckets of a third of the BruteForceWindow of
// the function that made the shard (the newest is partial, so the buckets
// always cover that window; a function with a longer one sees at most the
// four buckets: fewer failures, never more).
type sprayRecord struct {
	header
	Salt uint64
	Len  int64                  // bucket length in ms the counts were made with
	B    int64                  // index of the newest bucket (time / Len)
	N    [sprayBuckets]int64    // failures counted per bucket
	C    [sprayBuckets][]uint32 // sprayCells counters per bucket (nil: all zero)
	Fns  []sprayFn
}

// sprayFn is a function with failures in the shard's window, with its
// failing addresses as one salted bit each per bucket (naming only).
type sprayFn struct {
	Name string
	Last int64 // newest bucket with a failure
	Bits [sprayBuckets][2]uint64
}

func (*sprayRecord) kind() byte { return kindSpray }

// SprayKey is the state key of spray shard n.
func SprayKey(n int) string { return prefixSpray + strconv.Itoa(n) }

// sprayEst is what the shard says of one address of the batch.
type sprayEst struct {
	est, lo, succ int
	fns           []string // set for promotion candidates only (functions)
	crowded       bool     // the shard names maxSprayFns functions: others were dropped
}

// ipShard is the shard of an address's fingerprint.
func ipShard(fp uint64) int { return int(fp % sprayShards) }

// sprayMix is splitmix64's finaliser: fnv's output spread over all bits.
func sprayMix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// cells are an address's two failure cells, its success cell and its bit.
func (x *sprayRecord) cells(name string) (f0, f1, s, bit int) {
	h := uint64(fnvOffset)
	for i := range 8 {
		h = (h ^ uint64(byte(x.Salt>>(8*i)))) * fnvPrime
	}
	h = fnv64a(h, name)
	m1, m2 := sprayMix(h), sprayMix(h+1)
	return int(m1 % sprayWidth), sprayWidth + int((m1>>32)%sprayWidth), 2*sprayWidth + int(m2%sprayWidth), int((m2 >> 32) % 128)
}

// FNV-1a, 64 bits, inline: hash/fnv's hasher escapes to the heap, and the
// shards hash every attempt of a batch.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64a(h uint64, s string) uint64 {
	for i := range len(s) {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// slot rotates the buckets to t and returns t's bucket, -1 when t is older
// than the window (a late delivery).
func (x *sprayRecord) slot(t, bl int64) int {
	if t < 0 {
		return -1 // before 1970: no bucket (indexes stay non-negative)
	}
	if x.Len <= 0 {
		// A new shard takes the bucket length of the function that makes
		// it and keeps it while it lives: functions with windows of their
		// own share it (resetting it to each writer's would let them wipe
		// each other's counts); estimate reads the buckets inside each
		// function's window.
		*x = sprayRecord{header: x.header, Salt: x.Salt, Len: bl, B: t / bl}
	}
	bl = x.Len
	b := t / bl
	switch {
	case b > x.B:
		for i := x.B + 1; i <= b && i <= x.B+sprayBuckets; i++ {
			j := i % sprayBuckets
			x.N[j], x.C[j] = 0, nil
			for f := range x.Fns {
				x.Fns[f].Bits[j] = [2]uint64{}
			}
		}
		x.B = b
		x.Fns = slices.DeleteFunc(x.Fns, func(f sprayFn) bool { return f.Last <= b-sprayBuckets })
	case b <= x.B-sprayBuckets:
		return -1
	}
	return int(b % sprayBuckets)
}

// add counts one attempt of address name on function fn at t.
func (x *sprayRecord) add(fn, name string, t, bl int64, fail bool) {
	i := x.slot(t, bl)
	if i < 0 {
		return
	}
	if x.C[i] == nil {
		x.C[i] = make([]uint32, sprayCells)
	}
	f0, f1, s, bit := x.cells(name)
	if !fail {
		x.C[i][s] = satAdd32(x.C[i][s])
		return
	}
	x.C[i][f0], x.C[i][f1] = satAdd32(x.C[i][f0]), satAdd32(x.C[i][f1])
	x.N[i]++
	k := slices.IndexFunc(x.Fns, func(f sprayFn) bool { return f.Name == fn })
	if k < 0 {
		if len(x.Fns) >= maxSprayFns {
			// The function idle longest makes room.
			old := 0
			for j := range x.Fns {
				if x.Fns[j].Last < x.Fns[old].Last {
					old = j
				}
			}
			x.Fns = slices.Delete(x.Fns, old, old+1)
		}
		x.Fns = append(x.Fns, sprayFn{Name: capString(fn, 256)})
		k = len(x.Fns) - 1
	}
	f := &x.Fns[k]
	f.Last = max(f.Last, t/x.Len)
	f.Bits[i][bit/64] |= 1 << (bit % 64)
}

// noiseBound is the smallest m with P(Poisson(lam) > m) <= 1/sqrt(1000):
// the noise a cell exceeds that rarely, so that both rows of an address do
// with probability under 1/1000.
func noiseBound(lam float64) int64 {
	const tail = 0.0316
	if lam > 30 { // normal approximation; the pmf below would underflow
		return int64(math.Ceil(lam + 1.86*math.Sqrt(lam) + 0.5))
	}
	pmf := math.Exp(-lam)
	cdf := pmf
	m := int64(0)
	for 1-cdf > tail {
		m++
		pmf *= lam / float64(m)
		cdf += pmf
	}
	return m
}

func satAdd32(v uint32) uint32 {
	if v == math.MaxUint32 {
		return v
	}
	return v + 1
}

// estimate is the address's failures in the window: est, a point estimate
// (count-mean-min: the smaller cell less the average noise of a cell), and
// lo, a lower bound (the smaller cell less a noise both rows exceed with
// probability under 1/1000: rows are independent, so an innocent address
// is over-credited only when both its cells drew a rare excess); succ
// bounds its successes from above. Under a flood of decoys the noise rises and both fall: decoys make
// the sprayer spend more failures, they never make an address look worse.
func (x *sprayRecord) estimate(name string, win int64) sprayEst {
	f0, f1, s, _ := x.cells(name)
	var n, succ int64
	for i := range sprayBuckets {
		n += x.N[i]
	}
	// All buckets for the point estimate; for the lower bound only the
	// newest and the k before it that lie inside the window (with buckets
	// of a third of it, the newest three: the oldest overhangs it by up to
	// a bucket, and counting it could block on failures older than
	// brute_force_window).
	// A window shorter than a bucket has none inside it (k = -1): only the
	// exact record counts.
	k := int64(sprayBuckets - 1)
	if x.Len > 0 {
		k = min(win/x.Len-1, k)
	}
	var v, in [sprayRows]int64
	for d := range int64(sprayBuckets) {
		i := (x.B - d) % sprayBuckets
		if x.B-d < 0 || x.C[i] == nil {
			continue
		}
		v[0] += int64(x.C[i][f0])
		v[1] += int64(x.C[i][f1])
		succ += int64(x.C[i][s])
		if d <= k {
			in[0] += int64(x.C[i][f0])
			in[1] += int64(x.C[i][f1])
		}
	}
	c := min(v[0], v[1])
	lam := float64(max(n-c, 0)) / float64(sprayWidth-1)
	est := float64(c) - lam
	lo := min(in[0], in[1]) - noiseBound(lam)
	return sprayEst{est: int(max(est, 0)), lo: int(max(lo, 0)), succ: int(min(succ, math.MaxInt32))}
}

// functions are the functions the address likely failed on in the window
// (its bit is set in their buckets): only asked for the few addresses a
// promotion or a block is considered for.
func (x *sprayRecord) functions(name string) (fns []string, crowded bool) {
	_, _, _, bit := x.cells(name)
	for _, f := range x.Fns {
		for i := range sprayBuckets {
			if f.Bits[i][bit/64]&(1<<(bit%64)) != 0 {
				fns = append(fns, f.Name)
				break
			}
		}
	}
	return fns, len(x.Fns) >= maxSprayFns
}

// loadSpray decodes the batch's shards, applies the batch's attempts to
// those that have not seen it, estimates every failing address, and picks
// the addresses promoted to their block# by the account-wide count. It
// runs after loadTally (it needs the exact entities and the tally counts).
func (p *plan) loadSpray(state map[string][]byte) {
	if p.sprayed || p.shards == 0 {
		return
	}
	p.sprayed = true
	th := &p.in.Thresholds
	bl := max(1, th.BruteForceWindow.Milliseconds()/(sprayBuckets-1))
	for n := range sprayShards {
		if p.shards&(1<<n) == 0 {
			continue
		}
		key := SprayKey(n)
		rec := &p.spray[n]
		if note := decodeRecord(key, state[key], rec, 0); note != "" {
			*rec = sprayRecord{}
			p.sprayNote[n] = note
		}
		if rec.Salt == 0 {
			rec.Salt = fnv64a(fnvOffset, p.in.BatchID) | 1
		}
		p.spraySeen[n] = rec.seen(p.in.BatchID)
	}
	for k := range p.ips {
		e := &p.ips[k]
		n := ipShard(e.fp)
		if p.shards&(1<<n) == 0 || p.spraySeen[n] {
			continue
		}
		p.ipEvents(int32(k), func(o *Observation, _ string) {
			p.spray[n].add(p.in.Function, e.name, ms(o.Time), bl, o.Event.Kind == logline.KindAuthFailure)
		})
	}
	at := max(2, (th.BruteForceFailures+1)/2)
	var cands []int32
	for k := range p.ips {
		e := &p.ips[k]
		if e.fails == 0 {
			continue
		}
		e.spray = p.spray[ipShard(e.fp)].estimate(e.name, th.BruteForceWindow.Milliseconds())
		own := 0
		if e.tally >= 0 && int(e.tally) < len(p.tally.IPs) {
			own = p.tally.IPs[e.tally].N
		}
		if e.exact || e.spray.est < at || e.spray.est <= own {
			continue
		}
		e.spray.fns, e.spray.crowded = p.spray[ipShard(e.fp)].functions(e.name)
		// Promoted by the account-wide count: it fails elsewhere too.
		if !e.exact && e.spray.est >= at && e.spray.est > own && p.elsewhere(e.spray) {
			cands = append(cands, int32(k))
		}
	}
	slices.SortStableFunc(cands, func(a, b int32) int { return p.ips[b].spray.est - p.ips[a].spray.est })
	for _, k := range cands[:min(len(cands), maxSprayBlocks)] {
		p.ips[k].sprayBlock = true
	}
}

// applySpray writes shard n as loadSpray left it.
func (p *plan) applySpray(t target) (Update, bool) {
	n := int(t.ent)
	if p.spraySeen[n] {
		return Update{}, false
	}
	rec := &p.spray[n]
	rec.remember(p.in.BatchID)
	exp := (rec.B+1)*rec.Len + p.in.Thresholds.BruteForceWindow.Milliseconds()
	return Update{Key: t.key, Data: p.fit(rec, budgetSpray), Expires: fromMs(exp), Note: p.sprayNote[n]}, true
}

// sprayCheck blocks an address that is not blocked yet on the account-wide
// count: its exact record (rec, counted this batch) holds at least half of
// brute_force_failures within the window, and the lower bound of its
// account-wide failures reaches the threshold while its successes do not
// explain them (a shared address: slowbrute.go). o is the address's latest
// failure of the batch.
func (p *plan) sprayCheck(rec *blockRecord, k int32, o *Observation, block func(int64, string)) (Alert, bool) {
	th, at, e := &p.in.Thresholds, ms(o.Time), &p.ips[k]
	win := th.BruteForceWindow.Milliseconds()
	exact := 0
	for _, f := range rec.Fails {
		if f >= at-win {
			exact++
		}
	}
	s := e.spray
	if s.fns == nil {
		s.fns, s.crowded = p.spray[ipShard(e.fp)].functions(e.name)
	}
	// The exact record's count is a lower bound too (the sketch's bound
	// may be below it when the noise is high).
	s.lo = max(s.lo, exact)
	if at < rec.Until || !p.elsewhere(s) || exact < max(2, (th.BruteForceFailures+1)/2) || s.lo < th.BruteForceFailures || 2*s.succ > s.lo {
		return Alert{}, false
	}
	fns := s.fns
	if !slices.Contains(fns, p.in.Function) {
		fns = append(fns, p.in.Function)
	}
	list := strings.Join(fns, ", ")
	block(at, fmt.Sprintf("%d+ failed logins across %d functions (%s) in %s", s.lo, len(fns), capString(list, 160), th.BruteForceWindow))
	a := newAlert(p.in, TypeBruteForce, SeverityWarning, o, "ip:"+e.name)
	a.IP = e.name
	a.Summary = fmt.Sprintf("at least %d failed logins from %s across %d functions (%s) within %s, fewer than %d on each; "+
		"threshold %d in %s account-wide: blocked", s.lo, e.name, len(fns), list, th.BruteForceWindow,
		th.BruteForceFailures, th.BruteForceFailures, th.BruteForceWindow)
	a.Value, a.Baseline, a.Unit, a.Samples = float64(s.lo), float64(th.BruteForceFailures), "failures", s.lo
	a.Rule, a.Window = RuleSpray, th.BruteForceWindow.String()
	a.WindowStart = fromMs(at - win)
	return a, true
}

// elsewhere reports whether the address failed on a function other than
// the batch's: an address failing on one function only is that function's
// tally's. A shard that had to drop functions (more than maxSprayFns with
// failures in the window) may have dropped the other one: then it is
// assumed, and the counts alone decide.
func (p *plan) elsewhere(s sprayEst) bool {
	return s.crowded || slices.ContainsFunc(s.fns, func(f string) bool { return f != p.in.Function })
}

// lastFailure is the latest failure of IP entity k in the batch.
func (p *plan) lastFailure(k int32) *Observation {
	var last *Observation
	p.ipEvents(k, func(o *Observation, _ string) {
		if o.Event.Kind == logline.KindAuthFailure && (last == nil || !o.Time.Before(last.Time)) {
			last = o
		}
	})
	return last
}
