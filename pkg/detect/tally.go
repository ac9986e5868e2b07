package detect

import (
	"encoding/binary"
	"encoding/hex"
	"slices"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Every failure counts, however many addresses and accounts an attacker
// spreads them over. A function's tally#<function> record counts the
// failures of every address (v6: /64) and every user seen failing within
// the auth windows, keeping each one's recent attempts; only an entity
// whose failures reach a fraction of its smallest threshold is promoted to
// its own exact records (ip#, user#, block#), seeded with what the tally
// kept, so the long tail of one-off failures costs one write per batch and
// the detectors see every failure an entity made. Decoys (thousands of
// fresh addresses with a failure or two) grow only the tally, which has a
// byte budget: past it the entries with the fewest failures and the oldest
// activity go first, so decoys push out decoys, never the attacker whose
// count keeps rising.
const (
	prefixTally = "tally#"
	// maxTallyHits is how many recent attempts an entry keeps for seeding.
	maxTallyHits = 16
	budgetTally  = 64 << 10
)

// tallyEntry is one address or user in the tally.
type tallyEntry struct {
	FP       uint64     // hash of the entity's identity
	N        int        // failures counted in the window (never capped)
	Last     int64      // latest event
	Promoted bool       // has (or gets) its own exact records
	Fails    []authHit  // newest attempts not in an exact record (E: the other entity)
	Succ     []authHit  // addresses only: newest successes, for the shared-NAT check
	Slow     slowCounts // addresses only: the long window of the slow brute force (slowbrute.go)
}

// tallyRecord is tally#<function>.
type tallyRecord struct {
	header
	IPs   []tallyEntry
	Users []tallyEntry
}

func (*tallyRecord) kind() byte { return kindTally2 }

// TallyKey is the state key of a function's failure tally.
func TallyKey(function string) string { return prefixTally + function }

// identify sets the tally identity of every entity and the record name of
// every user. A user's is the first 64 bits of its SHA-256 id (a chosen
// name must not share a victim's entry: its attempts would seed the
// victim's record). An address's is its FNV-1a hash: an attacker controls
// a few /64s or addresses at most, far too few to find a collision.
func (p *plan) identify() {
	for k := range p.users {
		e := &p.users[k]
		if e.id == "" {
			e.id = userID(e.full)
		}
		var b [8]byte
		_, _ = hex.Decode(b[:], []byte(e.id[:16]))
		e.fp = binary.LittleEndian.Uint64(b[:])
	}
	for k := range p.ips {
		p.ips[k].fp = ipFP(p.ips[k].name)
	}
}

// ipFP is an address's tally identity (and its spray shard's input).
func ipFP(name string) uint64 { return fnv64a(fnvOffset, name) }

// promoteAt is the failure count that gives an entity its exact records:
// half its smallest threshold, so an attack is tracked exactly well before
// it fires.
func promoteAt(th *Thresholds, ip bool) int {
	n := th.DistributedFailures
	if ip {
		n = min(th.BruteForceFailures, th.StuffingFailures)
	}
	return max(2, (n+1)/2)
}

// keepPromoted is how long a promoted entity stays in the tally after its
// last event: its records are consulted while a success can be a compromise.
func keepPromoted(th *Thresholds) int64 {
	return max(tallyWindow(th), th.CompromiseWindow.Milliseconds())
}

// tallyWindow is how long an entity's failures count in the tally.
func tallyWindow(th *Thresholds) int64 {
	return maxDur(th.BruteForceWindow, th.StuffingWindow, th.DistributedWindow).Milliseconds()
}

// idleWindow is how long an entry stays without events: an address's for
// the slow brute force's long window too.
func idleWindow(th *Thresholds, ip bool) int64 {
	if ip {
		return max(tallyWindow(th), th.SlowBruteWindow.Milliseconds())
	}
	return tallyWindow(th)
}

func indexEntries(es []tallyEntry) map[uint64]int {
	idx := make(map[uint64]int, len(es))
	for i := range es {
		idx[es[i].FP] = i
	}
	return idx
}

func lookup(idx map[uint64]int, fp uint64) int {
	if i, ok := idx[fp]; ok {
		return i
	}
	return -1
}

// entries returns the tally's list for a kind.
func (x *tallyRecord) entries(ip bool) *[]tallyEntry {
	if ip {
		return &x.IPs
	}
	return &x.Users
}

// loadTally decodes the stored tally and applies the batch to it unless it
// was applied already (then it is as the first application left it), and
// decides which entities are exact. It must run before any record target
// is evaluated or listed.
func (p *plan) loadTally(data []byte) {
	if !p.hasAuth || p.tallied {
		return
	}
	p.tallied = true
	p.identify()
	var rec tallyRecord
	p.tallyNote = decodeRecord(TallyKey(p.in.Function), data, &rec, 0)
	if p.tallyNote != "" {
		rec = tallyRecord{}
	}
	p.tallySeen = rec.seen(p.in.BatchID)
	if !p.tallySeen {
		p.applyTally(&rec)
	} else {
		p.recoverSlowFired(&rec)
	}
	p.tally = rec
	p.pickExact()
}

// applyTally counts the batch's events in rec and marks promotions.
func (p *plan) applyTally(rec *tallyRecord) {
	th := &p.in.Thresholds
	latest := int64(0)
	for _, a := range p.auth {
		latest = max(latest, ms(a.o.Time))
	}
	for _, ip := range []bool{true, false} {
		from := latest - idleWindow(th, ip)
		list := rec.entries(ip)
		// Entities idle for a whole window start again from nothing; a
		// promoted one stays while a success could still be a compromise.
		*list = slices.DeleteFunc(*list, func(e tallyEntry) bool {
			return e.Last < from && (!e.Promoted || e.Last < latest-keepPromoted(th))
		})
		idx := indexEntries(*list)
		ents := p.users
		if ip {
			ents = p.ips
		}
		at := promoteAt(th, ip)
		for k := range ents {
			e := &ents[k]
			i := lookup(idx, e.fp)
			if i < 0 {
				if e.fails == 0 {
					continue // successes alone are no evidence: nothing kept
				}
				*list = append(*list, tallyEntry{FP: e.fp})
				i = len(*list) - 1
				idx[e.fp] = i
			}
			t := &(*list)[i]
			t.N += e.fails
			t.Promoted = t.Promoted || t.N >= at
			p.eachEvent(ip, int32(k), func(o *Observation, other string) {
				t.Last = max(t.Last, ms(o.Time))
			})
			if ip {
				if a, ok := p.countSlow(t, int32(k)); ok {
					p.slowAlerts = append(p.slowAlerts, a)
				}
			}
		}
	}
}

// pickExact chooses the entities written to exact records this batch: the
// promoted ones with events in it, at most maxEntities per kind (the most
// failures first) so a batch's writes stay bounded; the others' attempts
// wait in the tally and seed their records in a later batch.
func (p *plan) pickExact() {
	for _, ip := range []bool{true, false} {
		ents, list := p.users, p.tally.Users
		if ip {
			ents, list = p.ips, p.tally.IPs
		}
		var picked []int32
		idx := indexEntries(list)
		for k := range ents {
			if i := lookup(idx, ents[k].fp); i >= 0 && list[i].Promoted {
				ents[k].tally = int32(i)
				picked = append(picked, int32(k))
			} else {
				ents[k].tally = int32(i)
			}
		}
		if len(picked) > maxEntities {
			// An address the slow rule just caught comes first: its block
			// record must be written with the alert.
			slices.SortStableFunc(picked, func(a, b int32) int {
				if sa, sb := ents[a].slowFired > 0, ents[b].slowFired > 0; sa != sb {
					if sa {
						return -1
					}
					return 1
				}
				return ents[b].fails - ents[a].fails
			})
			picked = picked[:maxEntities]
			slices.Sort(picked)
		}
		for _, k := range picked {
			ents[k].exact = true
		}
	}
	if !p.tallySeen && !p.keysOnly {
		p.keepWaiting()
	}
}

// keepWaiting stores, in the tally, the attempts of every entity that has
// no exact record written this batch.
func (p *plan) keepWaiting() {
	for _, ip := range []bool{true, false} {
		ents, list := p.users, p.tally.Users
		if ip {
			ents, list = p.ips, p.tally.IPs
		}
		for k := range ents {
			e := &ents[k]
			if e.exact || e.tally < 0 {
				continue
			}
			t := &list[e.tally]
			p.eachEvent(ip, int32(k), func(o *Observation, other string) {
				h := authHit{T: ms(o.Time), E: other}
				if o.Event.Kind == logline.KindAuthSuccess {
					if ip {
						t.Succ = push(t.Succ, h, maxTallyHits)
					}
					return
				}
				t.Fails = push(t.Fails, h, maxTallyHits)
			})
		}
	}
}

// eachEvent walks the events of entity k of a kind.
func (p *plan) eachEvent(ip bool, k int32, fn func(o *Observation, other string)) {
	if ip {
		p.ipEvents(k, fn)
	} else {
		p.userEvents(k, fn)
	}
}

// seed returns the tally's waiting attempts of an exact entity that are
// newer than its record's newest (they were kept while it had no record
// written), so a record starts with, or catches up on, every attempt.
func (p *plan) seed(ip bool, k int32, newest int64) (fails, succ []authHit) {
	ents, list := p.users, p.tally.Users
	if ip {
		ents, list = p.ips, p.tally.IPs
	}
	i := ents[k].tally
	if i < 0 {
		return nil, nil
	}
	for _, h := range list[i].Fails {
		if h.T > newest {
			fails = append(fails, h)
		}
	}
	for _, h := range list[i].Succ {
		if h.T > newest {
			succ = append(succ, h)
		}
	}
	return fails, succ
}

// applyTallyRecord writes the tally as loadTally left it.
func (p *plan) applyTallyRecord(key string) (Update, bool) {
	if p.tallySeen {
		return Update{}, false
	}
	rec := &p.tally
	rec.remember(p.in.BatchID)
	last := int64(0)
	for _, es := range [][]tallyEntry{rec.IPs, rec.Users} {
		for _, e := range es {
			last = max(last, e.Last)
		}
	}
	data := encodeRecord(&p.buf, rec)
	if len(data) > budgetTally {
		// Shrinking reorders and drops entries: work on a copy, the exact
		// records still seed from the entries by index.
		out := *rec
		out.IPs, out.Users = slices.Clone(rec.IPs), slices.Clone(rec.Users)
		data = p.fit(&out, budgetTally)
	}
	keep := max(keepPromoted(&p.in.Thresholds), idleWindow(&p.in.Thresholds, true))
	return Update{Key: key, Data: data, Expires: fromMs(last + keep), Note: p.tallyNote, Alerts: p.slowAlerts}, true
}

// shrink drops the waiting attempts of the entries not promoted, then the
// entries with the fewest failures (oldest activity first among equal
// counts); promoted entries go last.
func (x *tallyRecord) shrink() bool {
	for _, list := range []*[]tallyEntry{&x.IPs, &x.Users} {
		slices.SortStableFunc(*list, func(a, b tallyEntry) int {
			switch {
			case a.Promoted != b.Promoted:
				if a.Promoted {
					return 1
				}
				return -1
			case a.N != b.N:
				return a.N - b.N
			}
			return int(a.Last - b.Last)
		})
	}
	// Attempts go first, from every entry not promoted (each keeps its
	// newest): an entry costs a few bytes without them, so entries, and the
	// counts with them, go only under a flood of thousands.
	shed := false
	for _, list := range []*[]tallyEntry{&x.IPs, &x.Users} {
		for i := range *list {
			e := &(*list)[i]
			if !e.Promoted && len(e.Fails)+len(e.Succ) > 1 {
				e.Fails, e.Succ = halve(e.Fails), halve(e.Succ)
				shed = true
			}
		}
	}
	if shed {
		return true
	}
	if len(x.IPs) <= 1 && len(x.Users) <= 1 {
		return false
	}
	drop := func(es []tallyEntry) []tallyEntry {
		if len(es) <= 1 {
			return es
		}
		return es[max(1, len(es)/4):]
	}
	x.IPs, x.Users = drop(x.IPs), drop(x.Users)
	return true
}
