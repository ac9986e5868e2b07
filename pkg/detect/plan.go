package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"

	"github.com/logwarden/logwarden/pkg/logline"
)

// plan is the per-batch view Keys and Evaluate share: which records the
// batch touches, computed the same way both times so that Keys is exactly
// the set Evaluate reads.
type plan struct {
	in      Input
	allow   []netip.Prefix
	hasPerf bool
	hasAuth bool
	ips     []string // tracked IP entities (v4 address or v6 /64)
	failIPs []string // tracked IPs with at least one failure (blocklist keys)
	users   []string // tracked user entities
	// auth holds the batch's counted auth events with their entities,
	// computed once; byIP and byUser index it so each record walks only
	// its own events (not the whole batch once per key).
	auth   []authObs
	byIP   map[string][]int
	byUser map[string][]int
	// buf holds the encoded records of one Evaluate back to back.
	buf []byte
}

// authObs is an auth observation with its counting entities.
type authObs struct {
	o        *Observation
	ip, user string
}

// tally ranks entities of a batch by failures, then first appearance.
type tally struct {
	name  string
	fails int
	first int
}

func newPlan(in Input) *plan {
	p := &plan{in: in, allow: parseAllow(in.Thresholds.AllowCIDRs), byIP: map[string][]int{}, byUser: map[string][]int{}}
	var ips, users []tally
	ipPos, userPos := map[string]int{}, map[string]int{}
	for i := range in.Observations {
		o := &in.Observations[i]
		switch {
		case isPerf(o.Event.Kind):
			p.hasPerf = true
		case isAuth(o.Event.Kind):
			if p.allowed(o.Event.IP) {
				continue // own NAT, health checkers: never counted, never alerted
			}
			p.hasAuth = true
			a := authObs{o: o, user: entityUser(o.Event.User)}
			if o.Event.IP.IsValid() {
				a.ip = entityIP(o.Event.IP)
			}
			j := len(p.auth)
			p.auth = append(p.auth, a)
			fail := o.Event.Kind == logline.KindAuthFailure
			if a.ip != "" {
				ips = tallyAdd(ips, p.byIP, ipPos, a.ip, j, fail)
			}
			if a.user != "" {
				users = tallyAdd(users, p.byUser, userPos, a.user, j, fail)
			}
		}
	}
	for _, t := range topEntities(ips) {
		p.ips = append(p.ips, t.name)
		if t.fails > 0 {
			p.failIPs = append(p.failIPs, t.name)
		}
	}
	for _, t := range topEntities(users) {
		p.users = append(p.users, t.name)
	}
	return p
}

// tallyAdd indexes auth event j under name and counts it; pos maps names to
// their tally.
func tallyAdd(list []tally, idx map[string][]int, pos map[string]int, name string, j int, fail bool) []tally {
	idx[name] = append(idx[name], j)
	k, seen := pos[name]
	if !seen {
		k = len(list)
		pos[name] = k
		list = append(list, tally{name: name, first: j})
	}
	if fail {
		list[k].fails++
	}
	return list
}

// topEntities keeps the maxEntities busiest entities, in first-seen order.
func topEntities(list []tally) []tally {
	if len(list) <= maxEntities {
		return list
	}
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b tally) int { return b.fails - a.fails })
	list = list[:maxEntities]
	slices.SortFunc(list, func(a, b tally) int { return a.first - b.first })
	return list
}

// keys lists the plan's state keys, restricted to only when it is non-nil.
func (p *plan) keys(only []string) []string {
	var keys []string
	fn := p.in.Function
	if p.hasPerf {
		keys = append(keys, prefixFunction+fn)
	}
	for _, ip := range p.ips {
		keys = append(keys, prefixIP+fn+"#"+ip)
	}
	for _, u := range p.users {
		keys = append(keys, prefixUser+fn+"#"+u)
	}
	for _, ip := range p.failIPs {
		keys = append(keys, prefixBlock+ip)
	}
	if only == nil {
		return keys
	}
	return slices.DeleteFunc(keys, func(k string) bool { return !slices.Contains(only, k) })
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

// entityIP is the counting identity of an address: IPv4 as is, IPv6
// aggregated to its /64 (one customer or host gets a whole /64, so counting
// single v6 addresses lets an attacker rotate for free: fail2ban#1123).
func entityIP(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	pre, _ := ip.Prefix(64)
	return pre.String()
}

// maxUserKey keeps state keys well below DynamoDB's 2 KB key limit; longer
// (hostile) user names are truncated and made unique by a hash.
const maxUserKey = 128

// entityUser is the counting identity of a user name: trimmed and lower-cased
// (login names and e-mail addresses are case-insensitive in practice).
func entityUser(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if u == "" || u == "-" {
		return ""
	}
	if len(u) > maxUserKey {
		sum := sha256.Sum256([]byte(u))
		u = strings.ToValidUTF8(u[:maxUserKey-17], "") + "~" + hex.EncodeToString(sum[:8])
	}
	return u
}
