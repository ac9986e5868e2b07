package detect

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Slow brute force (low and slow): an address that tries a password every
// minute or two for hours stays under every short window (brute_force_window
// holds five or ten of its tries at most) but not under a long one. The
// tally entry of every address keeps its failures and successes in four
// buckets of a quarter of SlowBruteWindow each, so the rule needs no per-IP
// record for the long tail: one more small field per entry of the tally
// that already counts them all. The rule is SlowBruteFailures failures in
// the buckets (the last 3/4 to 4/4 of the window) and a failure ratio
// f/(f+s) of at least SlowBruteRatio: an attacker almost never succeeds, a
// shared NAT (an office, a mobile carrier) with as many failures has far
// more successes: fail2ban's classic false positive (fail2ban#779, #4199).
//
// It is a rule of brute_force, not an alert type of its own: the same
// threat and the same response (the address is blocked), and the same
// dedupe key (type, function, address), so an address caught by both the
// short and the long window is one incident, and muting or tuning
// brute_force covers both. Rule, Window, Expected and Observed tell them
// apart.
const (
	slowBuckets = 4
	// RuleSlowBrute is the Rule of a brute_force alert raised by the long window.
	RuleSlowBrute = "slow_window"
)

// slowCounts is what an address's tally entry keeps for the long window.
type slowCounts struct {
	Len    int64              // bucket length in ms the counts were made with
	B      int64              // index of the newest bucket (time / Len)
	F, S   [slowBuckets]int32 // failures and successes per bucket (B % slowBuckets)
	Users  uint64             // users failed for, as bits of their fingerprints (linear counting)
	SUsers uint64             // users that logged in, the same way (shared)
	// Alerted is the latest failure of the alerted episode: one alert per
	// episode, which lasts while failures keep coming within the window.
	Alerted int64
	Fired   int64 // the failure that raised the episode's alert
}

// add counts one attempt at t (ms) with buckets of length bl.
func (s *slowCounts) add(t, bl int64, fail bool, user uint64) {
	if s.Len != bl {
		*s = slowCounts{Len: bl, B: t / bl, Alerted: s.Alerted} // new window setting: start over
	}
	b := t / bl
	switch {
	case b > s.B:
		if b-s.B >= slowBuckets {
			s.F, s.S, s.Users, s.SUsers = [slowBuckets]int32{}, [slowBuckets]int32{}, 0, 0
		} else {
			for i := s.B + 1; i <= b; i++ {
				s.F[i%slowBuckets], s.S[i%slowBuckets] = 0, 0
			}
		}
		s.B = b
	case b <= s.B-slowBuckets:
		return // older than the window (a late delivery)
	}
	i := b % slowBuckets
	if fail {
		s.F[i] = satAdd(s.F[i])
		if user != 0 {
			s.Users |= 1 << (user % 64)
		}
	} else {
		s.S[i] = satAdd(s.S[i])
		if user != 0 {
			s.SUsers |= 1 << (user % 64)
		}
	}
}

// excused reports whether the address's successes explain its failures:
// under ratio of its logins failed, and the successes those of many users
// (sharedMinUsers). An attacker who logs in to an account of his own
// between guesses lowers his ratio but not the users behind it.
func (s *slowCounts) excused(ratio float64) bool {
	f, succ := s.sum()
	return float64(f) < ratio*float64(f+succ) && bits.OnesCount64(s.SUsers) >= sharedMinUsers
}

// sharedMinUsers is how many distinct users must log in from an address
// for it to count as shared: an attacker would need as many accounts of
// his own, logging in between his guesses, to pass for an office.
const sharedMinUsers = 10

// shared reports whether the address is a shared one (an office NAT, a
// carrier gateway): over the long window its logins mostly succeed, for
// many users. Its typos, bunched on a Monday morning, reach
// brute_force_failures in brute_force_window without any attack, and
// blocking it locks out the office (fail2ban#779, #4199): the short
// window neither alerts on nor blocks a shared address. An attack from
// behind it still shows in the users attacked (the distributed rule) and
// in a ratio that turns.
func (s *slowCounts) shared() bool {
	f, succ := s.sum()
	return 2*succ > f && bits.OnesCount64(s.SUsers) >= sharedMinUsers
}

// sharedIP is shared for IP entity k (false when it has no tally entry).
func (p *plan) sharedIP(k int32) bool {
	i := p.ips[k].tally
	return i >= 0 && int(i) < len(p.tally.IPs) && p.tally.IPs[i].Slow.shared()
}

func satAdd(v int32) int32 {
	if v == math.MaxInt32 {
		return v
	}
	return v + 1
}

// sum is the failures and successes in the window.
func (s *slowCounts) sum() (f, succ int) {
	for i := range slowBuckets {
		f += int(s.F[i])
		succ += int(s.S[i])
	}
	return f, succ
}

// spread is how many buckets hold failures. The rule needs three of the
// four: a slow attack is one that lasts, and a fast one (a 15-minute
// credential stuffing run, which the short windows report) fills one or
// two buckets and must not be reported twice.
func (s *slowCounts) spread() int {
	n := 0
	for _, f := range s.F {
		if f > 0 {
			n++
		}
	}
	return n
}

// users estimates the distinct users failed for (linear counting on 64
// bits: exact enough up to ~40, saturated past ~250).
func (s *slowCounts) users() int {
	zero := 64 - bits.OnesCount64(s.Users)
	if zero == 0 {
		return 256
	}
	return int(math.Round(-64 * math.Log(float64(zero)/64)))
}

// slowBucket is the bucket length of the long window.
func slowBucket(th *Thresholds) int64 {
	return max(1, th.SlowBruteWindow.Milliseconds()/slowBuckets)
}

// countSlow counts the batch's attempts of IP entity k in its tally entry
// and returns the alert of the failure that completed the rule, if any.
func (p *plan) countSlow(t *tallyEntry, k int32) (Alert, bool) {
	th := &p.in.Thresholds
	bl := slowBucket(th)
	var alert Alert
	fired := false
	for j := p.ips[k].first; j >= 0; j = p.auth[j].nextIP {
		a := &p.auth[j]
		fail := a.o.Event.Kind == logline.KindAuthFailure
		var ufp uint64
		if a.user >= 0 {
			ufp = p.users[a.user].fp
		}
		t.Slow.add(ms(a.o.Time), bl, fail, ufp)
		if !fail || fired {
			continue
		}
		if al, ok := p.slowBrute(t, k, a.o); ok {
			alert, fired = al, true
		}
	}
	return alert, fired
}

// slowBrute judges the long window at failure o.
func (p *plan) slowBrute(t *tallyEntry, k int32, o *Observation) (Alert, bool) {
	th, at := &p.in.Thresholds, ms(o.Time)
	s := &t.Slow
	win := th.SlowBruteWindow.Milliseconds()
	if s.Alerted > 0 && s.Alerted >= at-win {
		s.Alerted = at
		return Alert{}, false
	}
	f, succ := s.sum()
	if f < th.SlowBruteFailures || s.spread() < slowBuckets-1 || s.excused(th.SlowBruteRatio) {
		return Alert{}, false
	}
	s.Alerted, s.Fired = at, at
	from := (s.B - slowBuckets + 1) * s.Len
	// The users and request ids: the attempts the tally kept and the batch's.
	hits := p.hits[:0]
	for _, h := range t.Fails {
		if h.T >= from {
			hits = append(hits, h)
		}
	}
	p.ipEvents(k, func(e *Observation, user string) {
		if e.Event.Kind == logline.KindAuthFailure && !e.Time.After(o.Time) {
			hits = append(hits, authHit{T: ms(e.Time), E: user, R: e.Event.RequestID})
		}
	})
	p.hits = hits
	users := p.countBy(hits)
	name := p.ips[k].name
	a := newAlert(p.in, TypeBruteForce, SeverityWarning, o, "ip:"+name)
	a.IP, a.TopUsers = name, top(users, 5)
	if len(users) == 1 && s.users() <= 1 {
		a.User = users[0].Value
	}
	ratio := float64(f) / float64(f+succ)
	a.Summary = fmt.Sprintf("%d failed and %d successful logins from %s in %s (%.0f %% failed, about %d user(s)): "+
		"a slow brute force under every short window; threshold %d failures and %.0f %% failed in %s",
		f, succ, name, fmtSpan(at-from), ratio*100, s.users(), th.SlowBruteFailures, th.SlowBruteRatio*100, th.SlowBruteWindow)
	if ratio < th.SlowBruteRatio {
		a.Summary += fmt.Sprintf("; its successes are of %d account(s) at most, not a shared address's", bits.OnesCount64(s.SUsers))
	}
	a.Value, a.Baseline, a.Unit, a.Samples = float64(f), float64(th.SlowBruteFailures), "failures", f+succ
	a.Rule, a.Window = RuleSlowBrute, fmtSpan(at-from)
	a.Expected, a.Observed = th.SlowBruteRatio*100, ratio*100
	a.WindowStart, a.RequestIDs = fromMs(from), requestIDs(hits)
	p.ips[k].slowFired = at
	t.Promoted = true // its block record is written this batch (pickExact)
	return a, true
}

// encodeSlow writes the long-window counts of the tally's addresses after
// the lists, in a record of kind kindTally2; a tally of the older kind
// (kindTally) has none and reads as empty counts. A new kind rather than
// a new format version of every record.
func (x *tallyRecord) encodeSlow(w *enc) {
	n := 0
	for i := range x.IPs {
		if x.IPs[i].Slow.Len > 0 {
			n++
		}
	}
	w.uvarint(uint64(n))
	for i := range x.IPs {
		s := &x.IPs[i].Slow
		if s.Len == 0 {
			continue
		}
		w.uvarint(uint64(i))
		w.int(s.Len)
		w.int(s.B)
		for b := range slowBuckets {
			w.int(int64(s.F[b]))
			w.int(int64(s.S[b]))
		}
		w.b = binary.LittleEndian.AppendUint64(w.b, s.Users)
		w.b = binary.LittleEndian.AppendUint64(w.b, s.SUsers)
		w.int(s.Alerted)
		w.int(s.Fired)
	}
}

// recoverSlowFired finds, when the stored tally had applied the batch
// already (a retry of the records whose write conflicted), the slow alerts
// the batch raised then: their failure is in the batch. The alert went out
// with that tally write; the block record retried now still blocks.
func (p *plan) recoverSlowFired(rec *tallyRecord) {
	idx := indexEntries(rec.IPs)
	for k := range p.ips {
		i := lookup(idx, p.ips[k].fp)
		if i < 0 || rec.IPs[i].Slow.Fired == 0 {
			continue
		}
		fired := rec.IPs[i].Slow.Fired
		p.ipEvents(int32(k), func(o *Observation, _ string) {
			if o.Event.Kind == logline.KindAuthFailure && ms(o.Time) == fired {
				p.ips[k].slowFired = fired
			}
		})
	}
}

func (x *tallyRecord) decodeSlow(r *dec) {
	if r.kind == kindTally || r.bad {
		return
	}
	n := r.count(29)
	for range n {
		i := r.uvarint()
		if i >= uint64(len(x.IPs)) {
			r.bad = true
			return
		}
		s := &x.IPs[i].Slow
		s.Len, s.B = r.int(), r.int()
		for b := range slowBuckets {
			f, succ := r.int(), r.int()
			if f < 0 || succ < 0 || f > math.MaxInt32 || succ > math.MaxInt32 {
				r.bad = true
				return
			}
			s.F[b], s.S[b] = int32(f), int32(succ)
		}
		if len(r.s) < 16 {
			r.bad = true
			return
		}
		s.Users = binary.LittleEndian.Uint64([]byte(r.s[:8]))
		s.SUsers = binary.LittleEndian.Uint64([]byte(r.s[8:16]))
		r.s = r.s[16:]
		s.Alerted, s.Fired = r.int(), r.int()
		if s.Len <= 0 {
			r.bad = true
			return
		}
	}
}
