package detect

import (
	"net/netip"
	"strings"

	"github.com/logwarden/logwarden/pkg/logline"
)

// plan is the per-batch view Keys and Evaluate share: which records the
// batch touches, computed the same way both times so that Keys is exactly
// the set Evaluate reads. It is built in one pass over the batch with no
// allocation per event: entities are interned by address or name, and each
// entity's events are a linked list through auth, so a record walks only
// its own events.
type plan struct {
	in      Input
	allow   []netip.Prefix
	hasPerf bool
	hasAuth bool
	auth    []authObs // the batch's counted auth events, in input order
	ips     []entity  // every IP entity (v4 address or v6 /64), first seen first
	users   []entity  // every user entity
	targets []target  // the records the batch touches, in Keys order
	// buf holds the encoded records of one Evaluate back to back.
	buf []byte
	// The function's tally as this batch leaves it (see tally.go).
	tally     tallyRecord
	tallied   bool // loadTally ran
	tallySeen bool // the stored tally had applied this batch already
	tallyNote string
	// slowAlerts are the slow brute-force alerts applyTally raised; they
	// go out with the tally's write.
	slowAlerts []Alert
	keysOnly   bool // MoreKeys: only which entities are exact matters
	// The spray shards the batch's failing addresses hash to (spray.go).
	shards    uint8 // bit n: spray#<n>
	sprayed   bool  // loadSpray ran
	spray     [sprayShards]sprayRecord
	spraySeen [sprayShards]bool
	sprayNote [sprayShards]string
	// Scratch of the auth detectors (valid until their next call).
	hits     []authHit
	counts   []Count
	countIdx map[string]int
	// failUsers backs ringUsers for the IP record being evaluated.
	failUsers   map[string]struct{}
	failUsersOK bool
	// authz are the batch's seclog authz_fail denials by culprit
	// addresses (authz.go), with the authz detector's scratch.
	authz      []authzObs
	authzRes   map[uint64]struct{}
	authzUsers map[uint64]struct{}
}

// authObs is an auth observation with its counting entities (indexes into
// plan.ips and plan.users, -1 for none) and the next event of each.
type authObs struct {
	o                *Observation
	ip, user         int32
	nextIP, nextUser int32
}

// entity is an IP or user of the batch: its counting identity, failures,
// and the first and last of its auth events.
type entity struct {
	name        string
	full        string // users: the whole normalised name
	id          string // users: hash of the whole name, naming the record (identify)
	fp          uint64 // identity in the tally
	tally       int32  // index of its tally entry, -1 for none
	exact       bool   // written to its own records this batch
	slowFired   int64  // IPs: time the slow brute-force rule fired this batch (0: did not)
	fails       int
	events      int
	first, last int32

	// IPs: the account-wide view (spray.go), and whether it alone
	// promoted the address to its block# (not exact).
	spray      sprayEst
	sprayBlock bool
}

// target is one record of the plan.
type target struct {
	key  string
	kind byte // kindFunction, kindIP, kindUser, kindBlock
	ent  int32
}

func newPlan(in Input) *plan {
	p := &plan{in: in, allow: parseAllow(in.Thresholds.AllowCIDRs)}
	n := 0 // size everything for the batch's auth events up front
	for i := range in.Observations {
		if isAuth(in.Observations[i].Event.Kind) {
			n++
		}
	}
	p.auth, p.ips = make([]authObs, 0, n), make([]entity, 0, n)
	ipIdx, userIdx := make(map[netip.Addr]int32, n), map[string]int32{}
	names := make([]byte, 0, 16*n) // IP names back to back; one string at the end
	nameEnd := make([]int, 0, n)
	for i := range in.Observations {
		o := &in.Observations[i]
		switch {
		case isPerf(o.Event.Kind):
			p.hasPerf = true
		case o.Event.AuthzDenied():
			// A denied resource is not a failed password: authz.go only.
			if culprit(o.Event.IP) && !p.allowed(o.Event.IP) {
				p.authz = append(p.authz, authzObs{o: o, ip: entityIP(o.Event.IP)})
			}
		case isAuth(o.Event.Kind):
			if p.allowed(o.Event.IP) {
				continue // own NAT, health checkers: never counted, never alerted
			}
			p.hasAuth = true
			j := int32(len(p.auth))
			a := authObs{o: o, ip: -1, user: -1, nextIP: -1, nextUser: -1}
			fail := o.Event.Kind == logline.KindAuthFailure
			// The event still counts for its user; only the address is
			// never made a culprit (one predicate for every auth detector).
			if culprit(o.Event.IP) {
				id, pre := ipIdentity(o.Event.IP)
				k, ok := ipIdx[id]
				if !ok {
					k = int32(len(p.ips))
					ipIdx[id] = k
					p.ips = append(p.ips, entity{first: j, last: -1, tally: -1})
					names = appendIPName(names, id, pre)
					nameEnd = append(nameEnd, len(names))
				}
				a.ip = k
				if e := &p.ips[k]; e.last >= 0 {
					p.auth[e.last].nextIP = j
				}
				p.ips[k].count(j, fail)
			}
			if u := entityUser(o.Event.User); u != "" {
				k, ok := userIdx[u]
				if !ok {
					k = int32(len(p.users))
					userIdx[u] = k
					// Hashed only when the tally or a key needs it (identify).
					p.users = append(p.users, entity{name: userDisplay(u, ""), full: u, first: j, last: -1, tally: -1})
				}
				a.user = k
				if e := &p.users[k]; e.last >= 0 {
					p.auth[e.last].nextUser = j
				}
				p.users[k].count(j, fail)
			}
			p.auth = append(p.auth, a)
		}
	}
	all, from := string(names), 0
	for k, end := range nameEnd {
		p.ips[k].name, from = all[from:end], end
	}
	p.plan()
	return p
}

// count makes event j the entity's last (the caller linked it).
func (e *entity) count(j int32, fail bool) {
	e.last = j
	e.events++
	if fail {
		e.fails++
	}
}

// ipIdentity is the counting identity of an address: IPv4 as is, IPv6
// aggregated to its /64 (one customer or host gets a whole /64, so counting
// single v6 addresses lets an attacker rotate for free: fail2ban#1123).
func ipIdentity(ip netip.Addr) (netip.Addr, bool) {
	ip = ip.Unmap()
	if ip.Is4() {
		return ip, false
	}
	pre, _ := ip.Prefix(64)
	return pre.Addr(), true
}

func appendIPName(b []byte, id netip.Addr, v6 bool) []byte {
	if v6 {
		return netip.PrefixFrom(id, 64).AppendTo(b)
	}
	return id.AppendTo(b)
}

// plan lays out the targets the batch touches before any state is read:
// the function record and the tally. The exact records of promoted
// entities follow once the tally is known (addExact).
func (p *plan) plan() {
	fn := p.in.Function
	if p.hasPerf {
		p.targets = append(p.targets, target{kind: kindFunction, ent: -1, key: prefixFunction + fn})
	}
	if p.hasAuth {
		p.targets = append(p.targets, target{kind: kindTally, ent: -1, key: prefixTally + fn})
		// The spray shards of the failing addresses (spray.go): a batch
		// without failures reads and writes none.
		for k := range p.ips {
			if e := &p.ips[k]; e.fails > 0 {
				e.fp = ipFP(e.name)
				p.shards |= 1 << ipShard(e.fp)
			}
		}
		for n := range sprayShards {
			if p.shards&(1<<n) != 0 {
				p.targets = append(p.targets, target{kind: kindSpray, ent: int32(n), key: SprayKey(n)})
			}
		}
	}
	if len(p.authz) > 0 {
		p.targets = append(p.targets, target{kind: kindAuthz, ent: -1, key: prefixAuthz + fn})
	}
}

// addExact appends the targets of the exact entities (loadTally chose
// them), their keys built in one buffer: one allocation for all of them.
func (p *plan) addExact() {
	fn := p.in.Function
	var ips, users []int32
	var sprayed []int32
	for k := range p.ips {
		if p.ips[k].exact {
			ips = append(ips, int32(k))
		} else if p.ips[k].sprayBlock {
			sprayed = append(sprayed, int32(k))
		}
	}
	for k := range p.users {
		if p.users[k].exact {
			users = append(users, int32(k))
		}
	}
	n := 2*len(ips) + len(users) + len(sprayed)
	kb := make([]byte, 0, n*(len(prefixUser)+len(fn)+34))
	ends := make([]int, 0, n)
	first := len(p.targets)
	add := func(kind byte, ent int32, parts ...string) {
		for _, s := range parts {
			kb = append(kb, s...)
		}
		ends = append(ends, len(kb))
		p.targets = append(p.targets, target{kind: kind, ent: ent})
	}
	for _, k := range ips {
		add(kindIP, k, prefixIP, fn, "#", p.ips[k].name)
	}
	for _, k := range users {
		add(kindUser, k, prefixUser, fn, "#", p.users[k].id)
	}
	for _, k := range ips {
		if p.ips[k].fails > 0 || len(p.tally.IPs[p.ips[k].tally].Fails) > 0 {
			add(kindBlock, k, prefixBlock, p.ips[k].name)
		}
	}
	for _, k := range sprayed {
		add(kindBlock, k, prefixBlock, p.ips[k].name)
	}
	all, from := string(kb), 0
	for i, end := range ends {
		p.targets[first+i].key, from = all[from:end], end
	}
}

// selected lists the targets, restricted to only when it is non-nil.
func (p *plan) selected(only []string) []target {
	if only == nil {
		return p.targets
	}
	want := make(map[string]bool, len(only))
	for _, k := range only {
		want[k] = true
	}
	var out []target
	for _, t := range p.targets {
		if want[t.key] {
			out = append(out, t)
		}
	}
	return out
}

// keys lists the plan's state keys, restricted to only when it is non-nil.
func (p *plan) keys(only []string) []string {
	ts := p.selected(only)
	if len(ts) == 0 {
		return nil
	}
	keys := make([]string, len(ts))
	for i, t := range ts {
		keys[i] = t.key
	}
	return keys
}

// allowed reports whether ip is in an allow-listed CIDR.
func (p *plan) allowed(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	for _, pre := range p.allow {
		if pre.Contains(ip) {
			return true
		}
	}
	return false
}

// parseAllow parses the allow list; package thresholds validates it, so a bad
// entry here (a test's hand-made value) is skipped rather than fatal. Plain
// addresses are accepted as /32 or /128.
func parseAllow(cidrs []string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if pre, err := netip.ParsePrefix(c); err == nil {
			out = append(out, pre.Masked())
		} else if a, err := netip.ParseAddr(c); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out
}

// entityIP is the counting identity of an address as a string.
func entityIP(ip netip.Addr) string {
	id, v6 := ipIdentity(ip)
	return string(appendIPName(nil, id, v6))
}

// entityUser is the counting identity of a user name: trimmed and lower-cased
// (login names and e-mail addresses are case-insensitive in practice). Its
// record is named by a hash of it and it is shown capped (userIdentity).
func entityUser(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if u == "" || u == "-" {
		return ""
	}
	return u
}
