package detect

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// authz_fail enumeration: one address denied on many distinct resources in
// a short window is walking ids it does not own (IDOR scanning,
// enumeration). A seclog authz_fail is a resource denied, not a password
// guessed: it never counts toward the login detectors (isAuth), and login
// failures never count here. Only seclog records are read (AuthzDenied):
// an access log's 403 on a non-login path says nothing of who was denied
// what, and the parsers mark a 403 only on login paths, as a login failure.
//
// State is one authz#<function> record: per address (v6: /64), the
// denials of the window with a fingerprint of the resource and of the
// user, so the record never holds attacker text but the address. A
// shared NAT is many users each denied a resource or two; a scan is one
// account (or none) walking many, so the rule also needs at least
// authzPerUser distinct resources per distinct user.
const (
	prefixAuthz = "authz#"
	// maxAuthzHits bounds an address's denials kept (authz_resources is at
	// most this).
	maxAuthzHits = 256
	budgetAuthz  = 64 << 10
	authzPerUser = 4
	// RuleAuthzResources is the Rule of an authz_enumeration alert.
	RuleAuthzResources = "distinct_resources"
)

// authzHit is one denial: when, and fingerprints of the resource and the
// user (0: no user).
type authzHit struct {
	T    int64
	Res  uint64
	User uint64
}

// authzEntry is one address's denials.
type authzEntry struct {
	IP   string
	Hits []authzHit
	// Alerted is the latest denial of the alerted episode: one alert per
	// episode, which lasts while denials keep coming within the window.
	Alerted int64
}

// authzRecord is authz#<function>.
type authzRecord struct {
	header
	IPs []authzEntry
}

func (*authzRecord) kind() byte { return kindAuthz }

// AuthzKey is the state key of a function's authz_fail record.
func AuthzKey(function string) string { return prefixAuthz + function }

// authzObs is a denial of the batch by a culprit address.
type authzObs struct {
	o  *Observation
	ip string // counting identity (v6: /64)
}

func fingerprint(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64() | 1 // never 0, which means "none"
}

// applyAuthz counts the batch's denials and judges each address.
func (p *plan) applyAuthz(key string, data []byte) (Update, bool) {
	var rec authzRecord
	note := decodeRecord(key, data, &rec, 0)
	if note != "" {
		rec = authzRecord{}
	}
	if rec.seen(p.in.BatchID) {
		return Update{}, false
	}
	th := &p.in.Thresholds
	win := th.AuthzWindow.Milliseconds()
	first := ms(p.authz[0].o.Time)
	for _, a := range p.authz {
		first = min(first, ms(a.o.Time))
	}
	// What no denial of the batch can count any more goes.
	rec.IPs = slices.DeleteFunc(rec.IPs, func(e authzEntry) bool {
		return lastAuthz(e.Hits) < first-win
	})
	idx := make(map[string]int, len(rec.IPs))
	for i := range rec.IPs {
		idx[rec.IPs[i].IP] = i
	}
	var alerts []Alert
	for _, a := range p.authz {
		i, ok := idx[a.ip]
		if !ok {
			i = len(rec.IPs)
			idx[a.ip] = i
			rec.IPs = append(rec.IPs, authzEntry{IP: a.ip})
		}
		e := &rec.IPs[i]
		h := authzHit{T: ms(a.o.Time), Res: fingerprint(strings.TrimSpace(a.o.Event.Resource))}
		if u := entityUser(a.o.Event.User); u != "" {
			h.User = fingerprint(u)
		}
		e.Hits = push(e.Hits, h, maxAuthzHits)
		if al, ok := p.authzEnum(e, a); ok {
			alerts = append(alerts, al)
		}
	}
	rec.remember(p.in.BatchID)
	last := int64(0)
	for i := range rec.IPs {
		last = max(last, lastAuthz(rec.IPs[i].Hits))
	}
	return Update{Key: key, Data: p.fit(&rec, budgetAuthz), Expires: fromMs(last + win), Alerts: alerts, Note: note}, true
}

// authzEnum: AuthzResources distinct resources denied to one address within
// AuthzWindow, at least authzPerUser of them per distinct user.
func (p *plan) authzEnum(e *authzEntry, a authzObs) (Alert, bool) {
	th, t := &p.in.Thresholds, ms(a.o.Time)
	from := t - th.AuthzWindow.Milliseconds()
	if e.Alerted > 0 && e.Alerted >= from {
		e.Alerted = t
		return Alert{}, false
	}
	if len(e.Hits) < th.AuthzResources {
		return Alert{}, false
	}
	if p.authzRes == nil {
		p.authzRes, p.authzUsers = map[uint64]struct{}{}, map[uint64]struct{}{}
	}
	res, users := p.authzRes, p.authzUsers
	clear(res)
	clear(users)
	n, start := 0, t
	for _, h := range e.Hits {
		if h.T < from || h.T > t {
			continue
		}
		n++
		start = min(start, h.T)
		res[h.Res], users[h.User] = struct{}{}, struct{}{}
	}
	if len(res) < th.AuthzResources || len(res) < authzPerUser*len(users) {
		return Alert{}, false
	}
	e.Alerted = t
	al := newAlert(p.in, TypeAuthzEnumeration, SeverityWarning, a.o, "ip:"+e.IP)
	al.IP = e.IP
	who := fmt.Sprintf("%d users", len(users))
	if len(users) == 1 {
		who = "no user"
		if u := entityUser(a.o.Event.User); u != "" {
			al.User = userDisplay(u, "")
			who = "user " + al.User
		}
	}
	al.Summary = fmt.Sprintf("%d distinct resources denied to %s in %s (%s, e.g. %q): enumeration or IDOR scanning; threshold %d in %s",
		len(res), e.IP, fmtSpan(t-start), who, capString(a.o.Event.Resource, 80), th.AuthzResources, th.AuthzWindow)
	al.Value, al.Baseline, al.Unit, al.Samples = float64(len(res)), float64(th.AuthzResources), "resources", n
	al.Rule, al.Window = RuleAuthzResources, th.AuthzWindow.String()
	al.Expected, al.Observed = float64(th.AuthzResources), float64(len(res))
	al.WindowStart, al.RequestIDs = fromMs(start), p.authzRequestIDs(e.IP, a.o)
	return al, true
}

// authzRequestIDs are the newest request ids (at most 5) of the address's
// denials in the batch up to o.
func (p *plan) authzRequestIDs(ip string, o *Observation) []string {
	var ids []string
	for i := len(p.authz) - 1; i >= 0 && len(ids) < 5; i-- {
		a := p.authz[i]
		if a.ip == ip && a.o.Event.RequestID != "" && !a.o.Time.After(o.Time) {
			ids = append(ids, a.o.Event.RequestID)
		}
	}
	return ids
}

func lastAuthz(hs []authzHit) int64 {
	var last int64
	for _, h := range hs {
		last = max(last, h.T)
	}
	return last
}

// shrink drops the addresses with the fewest denials (the oldest first
// among equals): decoys go before a scanner, whose count keeps rising;
// the last one left sheds its oldest denials.
func (x *authzRecord) shrink() bool {
	if len(x.IPs) > 1 {
		slices.SortStableFunc(x.IPs, func(a, b authzEntry) int {
			if c := cmp.Compare(len(a.Hits), len(b.Hits)); c != 0 {
				return c
			}
			return cmp.Compare(lastAuthz(a.Hits), lastAuthz(b.Hits))
		})
		x.IPs = x.IPs[max(1, len(x.IPs)/4):]
		return true
	}
	if len(x.IPs) == 1 && len(x.IPs[0].Hits) > 1 {
		x.IPs[0].Hits = halve(x.IPs[0].Hits)
		return true
	}
	return false
}

func (x *authzRecord) encode(w *enc) {
	w.header(&x.header)
	w.uvarint(uint64(len(x.IPs)))
	for i := range x.IPs {
		e := &x.IPs[i]
		w.str(e.IP)
		w.int(e.Alerted)
		w.uvarint(uint64(len(e.Hits)))
		var prev int64
		for _, h := range e.Hits {
			w.int(h.T - prev)
			prev = h.T
			w.b = binary.LittleEndian.AppendUint64(w.b, h.Res)
			w.b = binary.LittleEndian.AppendUint64(w.b, h.User)
		}
	}
}

func (x *authzRecord) decode(r *dec) {
	r.header(&x.header)
	n := r.count(3)
	if n == 0 {
		return
	}
	x.IPs = make([]authzEntry, n)
	for i := range x.IPs {
		e := &x.IPs[i]
		e.IP = r.str()
		e.Alerted = r.int()
		m := r.count(17)
		if m > 0 {
			e.Hits = make([]authzHit, m, min(m+8, maxAuthzHits))
		}
		var prev int64
		for j := range e.Hits {
			prev += r.int()
			if len(r.s) < 16 {
				r.bad = true
				return
			}
			e.Hits[j] = authzHit{T: prev, Res: binary.LittleEndian.Uint64([]byte(r.s[:8])),
				User: binary.LittleEndian.Uint64([]byte(r.s[8:16]))}
			r.s = r.s[16:]
		}
		if r.bad {
			return
		}
	}
}
