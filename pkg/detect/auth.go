package detect

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Ring sizes of the authentication records. 256 failures cover every
// default threshold (25 for stuffing) many times over; older failures only
// matter through the crossing time they already set.
const (
	maxFailRing = 256
	maxSuccRing = 64
	maxUsers    = 256
	maxComp     = 32
)

// authHit is one login attempt: when, and the other entity (the user for an
// IP record, the IP for a user record).
type authHit struct {
	T int64  `json:"t"`
	E string `json:"e,omitempty"`
	R string `json:"r,omitempty"`
}

// ipRecord is ip#<function>#<ip>: what one source address did.
type ipRecord struct {
	header
	IP      string    `json:"ip"`
	Fails   []authHit `json:"f,omitempty"`
	Succ    []authHit `json:"s,omitempty"`
	Crossed int64     `json:"x,omitempty"`  // last time a failure threshold was crossed
	BFLast  int64     `json:"bf,omitempty"` // latest failure of the alerted brute-force episode
	CSLast  int64     `json:"cs,omitempty"` // same for credential stuffing
	Comp    []string  `json:"cu,omitempty"` // users already reported compromised since Crossed
}

// ipEvents calls fn for each auth event of IP entity k, in input order,
// with the event's user entity.
func (p *plan) ipEvents(k int32, fn func(o *Observation, user string)) {
	for j := p.ips[k].first; j >= 0; j = p.auth[j].nextIP {
		a := &p.auth[j]
		fn(a.o, p.userName(a.user))
	}
}

// userEvents calls fn for each auth event of user entity k, in input
// order, with the event's IP entity.
func (p *plan) userEvents(k int32, fn func(o *Observation, ip string)) {
	for j := p.users[k].first; j >= 0; j = p.auth[j].nextUser {
		a := &p.auth[j]
		fn(a.o, p.ipName(a.ip))
	}
}

func (p *plan) ipName(k int32) string {
	if k < 0 {
		return ""
	}
	return p.ips[k].name
}

func (p *plan) userName(k int32) string {
	if k < 0 {
		return ""
	}
	return p.users[k].name
}

func (p *plan) applyIP(t target, data []byte) (Update, bool) {
	key, ip := t.key, p.ips[t.ent].name
	var rec ipRecord
	note := decodeRecord(key, data, &rec, p.ips[t.ent].events)
	if note != "" {
		rec = ipRecord{}
	}
	if rec.seen(p.in.BatchID) {
		return Update{}, false
	}
	rec.IP = ip
	th := &p.in.Thresholds
	var alerts []Alert
	// Attempts the tally kept before the address had a record written.
	seedF, seedS := p.seed(true, t.ent, max(lastHit(rec.Fails), lastHit(rec.Succ)))
	for _, h := range seedF {
		rec.Fails = push(rec.Fails, h, maxFailRing)
	}
	for _, h := range seedS {
		rec.Succ = push(rec.Succ, h, maxSuccRing)
	}
	failed := len(seedF) > 0
	p.failUsersOK = false
	shared := p.sharedIP(t.ent) // slowbrute.go: an office NAT's typos are no brute force
	p.ipEvents(t.ent, func(o *Observation, user string) {
		t := ms(o.Time)
		if o.Event.Kind == logline.KindAuthSuccess {
			rec.Succ = push(rec.Succ, authHit{T: t, E: user}, maxSuccRing)
			if a, ok := p.ipCompromise(&rec, o, user, shared); ok {
				alerts = append(alerts, a)
			}
			return
		}
		failed = true
		rec.Fails = push(rec.Fails, authHit{T: t, E: user, R: o.Event.RequestID}, maxFailRing)
		forgetOldIDs(rec.Fails)
		if p.failUsersOK && user != "" {
			p.failUsers[user] = struct{}{}
		}
		if a, ok := p.ipBruteForce(&rec, o, shared); ok {
			alerts = append(alerts, a)
		}
		if a, ok := p.stuffing(&rec, o); ok {
			alerts = append(alerts, a)
		}
	})
	if len(data) == 0 && !failed {
		return Update{}, false // successes alone are no evidence: keep no record
	}
	rec.remember(p.in.BatchID)
	last := max(lastHit(rec.Fails)+maxDur(th.BruteForceWindow, th.StuffingWindow, th.CompromiseWindow).Milliseconds(),
		rec.Crossed+th.CompromiseWindow.Milliseconds())
	return Update{Key: key, Data: p.fit(&rec, budgetIP), Expires: fromMs(last), Alerts: alerts, Note: note}, true
}

// ipBruteForce: BruteForceFailures failures from one address within
// BruteForceWindow. One alert per episode: an episode lasts while failures
// keep coming within the window of each other. From a shared address (an
// office NAT: slowbrute.go) the failures must also bunch on one user, at
// least half the threshold: a Monday morning's typos are one or two per
// employee, an attack from behind the NAT hammers its target.
func (p *plan) ipBruteForce(rec *ipRecord, o *Observation, shared bool) (Alert, bool) {
	th, t := &p.in.Thresholds, ms(o.Time)
	from := t - th.BruteForceWindow.Milliseconds()
	if rec.BFLast > 0 && rec.BFLast >= from {
		rec.BFLast, rec.Crossed = t, t
		return Alert{}, false
	}
	if countSince(rec.Fails, from) < th.BruteForceFailures {
		return Alert{}, false
	}
	hits := p.since(rec.Fails, from)
	users := p.countBy(hits)
	if shared && (len(users) == 0 || users[0].Count < max(3, (th.BruteForceFailures+1)/2)) {
		return Alert{}, false
	}
	rec.BFLast, rec.Crossed, rec.Comp = t, t, nil
	a := newAlert(p.in, TypeBruteForce, SeverityWarning, o, "ip:"+rec.IP)
	a.IP, a.TopUsers = rec.IP, top(users, 5)
	if len(users) == 1 {
		a.User = users[0].Value
	}
	a.Summary = fmt.Sprintf("%d failed logins from %s in %s (%s), threshold %d in %s",
		len(hits), rec.IP, fmtSpan(t-hits[0].T), describeUsers(users), th.BruteForceFailures, th.BruteForceWindow)
	if shared {
		a.Summary += "; a shared address (mostly successful logins of many users): not blocked"
	}
	a.Value, a.Baseline, a.Unit, a.Samples = float64(len(hits)), float64(th.BruteForceFailures), "failures", len(hits)
	a.WindowStart, a.RequestIDs = fromMs(hits[0].T), requestIDs(hits)
	return a, true
}

// stuffing is Elastic's single-source credential stuffing rule: within
// StuffingWindow at least StuffingFailures failures over StuffingUsers
// distinct users, with >= 80 % of the users tried at most
// StuffingMaxPerUser times. A shared NAT also shows many users with a
// failure or two, but mostly succeeds: the rule needs failures to outnumber
// successes two to one in the window.
func (p *plan) stuffing(rec *ipRecord, o *Observation) (Alert, bool) {
	th, t := &p.in.Thresholds, ms(o.Time)
	from := t - th.StuffingWindow.Milliseconds()
	if rec.CSLast > 0 && rec.CSLast >= from {
		rec.CSLast, rec.Crossed = t, t
		return Alert{}, false
	}
	n := countSince(rec.Fails, from)
	if n < th.StuffingFailures || 2*countSince(rec.Succ, from) > n || p.ringUsers(rec) < th.StuffingUsers {
		return Alert{}, false
	}
	hits := p.since(rec.Fails, from)
	users := p.countBy(hits)
	if len(users) < th.StuffingUsers {
		return Alert{}, false
	}
	few := 0
	for _, u := range users {
		if u.Count <= th.StuffingMaxPerUser {
			few++
		}
	}
	if few*5 < len(users)*4 {
		return Alert{}, false
	}
	rec.CSLast, rec.Crossed, rec.Comp = t, t, nil
	a := newAlert(p.in, TypeCredentialStuffing, SeverityCritical, o, "ip:"+rec.IP)
	a.IP, a.TopUsers = rec.IP, top(users, 5)
	a.Summary = fmt.Sprintf("%d failed logins for %d different users from %s in %s (%d %% tried at most %d times)",
		len(hits), len(users), rec.IP, fmtSpan(t-hits[0].T), few*100/len(users), th.StuffingMaxPerUser)
	a.Value, a.Baseline, a.Unit, a.Samples = float64(len(users)), float64(th.StuffingUsers), "users", len(hits)
	a.WindowStart, a.RequestIDs = fromMs(hits[0].T), requestIDs(hits)
	return a, true
}

// ipCompromise: a success from an address that crossed a failure threshold
// within CompromiseWindow is evidence when the user was one it attacked, or
// when the address mostly fails (an attacker's address). A shared NAT that
// mostly succeeds proves nothing about the users behind it; from a shared
// address (slowbrute.go) the user must be one the attack hammered, not an
// employee who mistyped once or twice that morning.
func (p *plan) ipCompromise(rec *ipRecord, o *Observation, user string, shared bool) (Alert, bool) {
	th, t := &p.in.Thresholds, ms(o.Time)
	if rec.Crossed == 0 || t-rec.Crossed > th.CompromiseWindow.Milliseconds() || user == "" ||
		slices.Contains(rec.Comp, user) {
		return Alert{}, false
	}
	from := rec.Crossed - th.CompromiseWindow.Milliseconds()
	fails := p.since(rec.Fails, from)
	targeted := slices.ContainsFunc(fails, func(h authHit) bool { return h.E == user })
	if shared && countOf(fails, user) < max(3, (th.BruteForceFailures+1)/2) {
		return Alert{}, false
	}
	if !targeted && 4*countSince(rec.Succ, from) > len(fails) {
		return Alert{}, false
	}
	rec.Comp = append(rec.Comp, user)
	if len(rec.Comp) > maxComp {
		rec.Comp = rec.Comp[1:]
	}
	a := newAlert(p.in, TypeAccountCompromise, SeverityCritical, o, "user:"+user)
	a.IP, a.User = rec.IP, user
	how := "after it attacked other accounts"
	if targeted {
		how = fmt.Sprintf("after %d failed attempts on it", countOf(fails, user))
	}
	a.Summary = fmt.Sprintf("successful login for %s from %s %s from the same address (threshold crossed at %s)",
		user, rec.IP, how, clock(fromMs(rec.Crossed)))
	a.Value, a.Baseline, a.Unit, a.Samples = float64(len(fails)), float64(th.BruteForceFailures), "failures", len(fails)
	a.WindowStart, a.RequestIDs = fromMs(rec.Crossed), nonEmpty(o.Event.RequestID)
	return a, true
}

// ringUsers is an upper bound of the distinct users in rec's failure ring
// (exact when built, then grown by every push, never shrunk): an address
// failing for a handful of users is ruled out of stuffing without counting
// its window on every failure.
func (p *plan) ringUsers(rec *ipRecord) int {
	if !p.failUsersOK {
		if p.failUsers == nil {
			p.failUsers = map[string]struct{}{}
		}
		clear(p.failUsers)
		for _, h := range rec.Fails {
			if h.E != "" {
				p.failUsers[h.E] = struct{}{}
			}
		}
		p.failUsersOK = true
	}
	return len(p.failUsers)
}

// since returns the hits at or after from (rings are in arrival order, which
// is time order but for late deliveries: filter, do not bisect), in the
// plan's scratch: valid until the next call.
func (p *plan) since(ring []authHit, from int64) []authHit {
	out := p.hits[:0]
	for _, h := range ring {
		if h.T >= from {
			out = append(out, h)
		}
	}
	p.hits = out
	return out
}

// countSince is len(since(ring, from)) without building it: most calls
// only need to know that a threshold is not reached.
func countSince(ring []authHit, from int64) int {
	n := 0
	for _, h := range ring {
		if h.T >= from {
			n++
		}
	}
	return n
}

func lastHit(ring []authHit) int64 {
	var last int64
	for _, h := range ring {
		last = max(last, h.T)
	}
	return last
}

// countBy counts hits per other entity, most frequent first, in the plan's
// scratch: valid until the next call (top copies what an alert keeps).
func (p *plan) countBy(hits []authHit) []Count {
	if p.countIdx == nil {
		p.countIdx = map[string]int{}
	}
	idx := p.countIdx
	clear(idx)
	out := p.counts[:0]
	for _, h := range hits {
		if h.E == "" {
			continue
		}
		if i, ok := idx[h.E]; ok {
			out[i].Count++
			continue
		}
		idx[h.E] = len(out)
		out = append(out, Count{Value: h.E, Count: 1})
	}
	p.counts = out
	slices.SortStableFunc(out, func(a, b Count) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

func countOf(hits []authHit, e string) int {
	n := 0
	for _, h := range hits {
		if h.E == e {
			n++
		}
	}
	return n
}

// top copies the first n counts (the rest of c is scratch).
func top(c []Count, n int) []Count {
	if len(c) == 0 {
		return nil
	}
	return slices.Clone(c[:min(n, len(c))])
}

func requestIDs(hits []authHit) []string {
	var ids []string
	for i := len(hits) - 1; i >= 0 && len(ids) < 5; i-- {
		if hits[i].R != "" {
			ids = append(ids, hits[i].R)
		}
	}
	return ids
}

func describeUsers(users []Count) string {
	switch len(users) {
	case 0:
		return "no user name"
	case 1:
		return "user " + users[0].Value
	}
	return fmt.Sprintf("%d users, most %s", len(users), users[0].Value)
}

// fmtSpan renders a span in ms as "4m10s".
func fmtSpan(v int64) string {
	d := fromMs(v).Sub(fromMs(0)).Round(1e9)
	return d.String()
}
