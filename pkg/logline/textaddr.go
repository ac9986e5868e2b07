package logline

import (
	"net/netip"
	"strings"
)

// Free text has no structure to say which part the service wrote and which
// part came from the client, so the address is read only from slots whose
// position the client cannot move, and a line that admits two readings gets
// no address ("when the slot is ambiguous, record no IP"):
//
//  1. the slot right after the fixed phrase: "Login failed from <ip> for
//     user <name>" (anything after it, the name included, is ignored);
//  2. otherwise every address marker after the phrase must name the same
//     address: in "login failed for user x from 6.6.6.6 from 203.0.113.5"
//     either one could be the name's, so neither is taken;
//  3. a quoted name ("for user '<name>'") ends at the last quote of its
//     kind in the line, which the name cannot move; markers inside it are
//     ignored;
//  4. another run of phrases (a failure phrase, or "logged in") before the
//     chosen slot ("User x login failed from 6.6.6.6 y: invalid password")
//     may be a forged phrase inside a name, and so may the chosen one when
//     another run follows with an address of its own ("User x invalid
//     password from 6.6.6.6 y logged in from 203.0.113.5"): either way the
//     line gets no address. A run after the slot without an address is the
//     service's own explanation ("Login failed for u from <ip>. AUTHENTICATE
//     PLAIN: Authentication failed.") and does not matter.
//
// Text before the phrase is never read: it is where "User <name> …" puts
// the name. A format that writes no address at all cannot be defended
// against a name that forges a whole sentence with one; a --rules regexp
// anchored on that format can.

// textMarkers introduce an address in free text, with the slot they name.
var textMarkers = [...]struct{ text, from string }{
	{"from ", "text.from"}, {"ip=", "text.ip"}, {"ip: ", "text.ip"}, {"ip:", "text.ip"},
	{"client=", "text.client"}, {"client: ", "text.client"}, {"src=", "text.src"}, {"rhost=", "text.rhost"},
	{"remote_addr=", "text.remote_addr"}, {"addr=", "text.addr"}, {"source ip ", "text.source_ip"},
}

// textAddr is an address read from a free-text slot.
type textAddr struct {
	ip        netip.Addr
	host      string
	from      string // the slot, for Event.IPFrom
	at        int    // where the marker starts, or -1
	immediate bool   // the slot right after the phrase
}

func (a textAddr) ok() bool { return a.ip.IsValid() || a.host != "" }

// attribute copies the address onto ev (whose IP is already a.ip).
func (a textAddr) attribute(ev Event) Event {
	if a.ok() {
		ev.Host, ev.IPFrom = a.host, a.from
	}
	return ev
}

var noAddr = textAddr{at: -1}

// markerAt reads the marker and address starting at s[i:], if any. A marker
// must start a word: "fail:ip=…" inside a user token is not one.
func markerAt(s string, i int) (textAddr, bool) {
	if i > 0 && !strings.ContainsRune(" \t([{,;|", rune(s[i-1])) {
		return noAddr, false
	}
	for _, m := range textMarkers {
		if hasPrefixFold(s[i:], m.text) {
			tok, _ := nextToken(s, i+len(m.text))
			ip, host := parseAddr(tok)
			return textAddr{ip: ip, host: host, from: m.from, at: i}, ip.IsValid() || host != ""
		}
	}
	return noAddr, false
}

// slotAfter reads the address right after a fixed phrase ending at end
// ("failed from <ip>", "failed (ip=<ip>)", "failed: client=<ip>").
func slotAfter(s string, end int) textAddr {
	i := end
	for i < len(s) && i-end < 4 && strings.IndexByte(" \t:,;([-", s[i]) >= 0 {
		i++
	}
	if a, ok := markerAt(s, i); ok {
		a.immediate = true
		return a
	}
	return noAddr
}

// agreedAddr returns the address of the markers in s[from:] when they all
// name the same one; none, or two different ones, give no address.
func agreedAddr(s string, from int) textAddr {
	found := noAddr
	for i := from; i < len(s); i++ {
		c := s[i] | 0x20
		if c != 'f' && c != 'i' && c != 'c' && c != 's' && c != 'r' && c != 'a' {
			continue
		}
		a, ok := markerAt(s, i)
		if !ok {
			continue
		}
		if found.ok() && (a.ip != found.ip || a.host != found.host) {
			return noAddr
		}
		if !found.ok() {
			found = a
		}
	}
	return found
}

// textIP is the address of a free-text line without a phrase position (an
// OWASP event name, "User x logged in"): every marker must agree.
func textIP(s string) (netip.Addr, int) {
	a := agreedAddr(s, 0)
	if !a.ok() {
		return netip.Addr{}, len(s)
	}
	return a.ip, a.at
}

// phraseAddr applies the rules above to a line whose phrase is s[start:end].
func phraseAddr(s string, start, end int) textAddr {
	a := slotAfter(s, end)
	if !a.ok() {
		from := end
		if q := quotedNameEnd(s[end:]); q > 0 {
			from = end + q
		}
		a = agreedAddr(s, from)
	}
	if a.ok() && (otherRun(s, start, a.at) || otherRun(s, start, len(s)) && conflictAfter(s, end, a)) {
		return noAddr
	}
	return a
}

// conflictAfter reports whether a marker in s[from:] names an address other
// than a.
func conflictAfter(s string, from int, a textAddr) bool {
	for i := from; i < len(s); i++ {
		if b, ok := markerAt(s, i); ok && (b.ip != a.ip || b.host != a.host) {
			return true
		}
	}
	return false
}

// quotedNameEnd returns the index just past a quoted user name that follows
// a phrase ("for user 'x'", "user=\"x\""), measured to the last quote of
// that kind in s, or 0.
func quotedNameEnd(s string) int {
	for _, m := range [...]string{"for user ", "for ", "username=", "username: ", "user=", "user: ", "user "} {
		i := indexFold(s, m)
		if i < 0 || i > 8 { // the name follows the phrase closely, else it is not the phrase's
			continue
		}
		j := i + len(m)
		if j < len(s) && (s[j] == '\'' || s[j] == '"' || s[j] == '`') {
			if e := strings.LastIndexByte(s, s[j]); e > j {
				return e + 1
			}
		}
		return 0
	}
	return 0
}

// otherRun reports whether a run of known phrases other than the one
// holding the phrase at start begins before limit. Phrases separated only by
// punctuation and spaces ("Login failed: invalid password") are one run.
func otherRun(s string, start, limit int) bool {
	runStart, lastEnd := -1, -1
	for i := 0; i < len(s) && i < limit; {
		n := phraseLenAt(s, i)
		if n == 0 {
			i++
			continue
		}
		if lastEnd < 0 || strings.Trim(s[lastEnd:i], " \t:,;.-!()[]") != "" {
			if runStart >= 0 && !(runStart <= start && start < lastEnd) {
				return true // the previous run was another one
			}
			runStart = i
		}
		i += n
		lastEnd = i
	}
	return runStart >= 0 && !(runStart <= start && start < lastEnd)
}

// phraseLenAt returns the length of the longest known phrase (a generic one,
// or a "logged in" verb) starting at s[i:], or 0.
func phraseLenAt(s string, i int) int {
	n := 0
	for _, pi := range phraseByFirst[s[i]] {
		if p := genericPhrases[pi].text; len(p) > n && hasPrefixFold(s[i:], p) {
			n = len(p)
		}
	}
	if n == 0 && i > 0 && s[i-1] == ' ' {
		for _, v := range loggedInPhrases {
			if hasPrefixFold(s[i:], v[1:]) && verbEnds(s[i+len(v)-1:]) {
				return len(v) - 1
			}
		}
	}
	return n
}
