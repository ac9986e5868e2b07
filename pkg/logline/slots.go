package logline

import (
	"net/netip"
	"strings"
)

// Reading the peer address out of a service's structural slot. Each text
// matcher finds the slot by the service's fixed format; these helpers only
// turn the token in it into an IP or a host name and record which slot it
// was. They never search a line for an address.

// slotEvent builds an auth event of a catalogue source.
func slotEvent(kind Kind, rule, reason, user string) Event {
	return Event{Kind: kind, Rule: rule, Reason: reason, User: cleanUser(user)}
}

// setPeer stores the address in tok (an IP in any of the shapes services
// write: "ip", "[ip]", "ip:port", "[ip]:port", "::ffff:a.b.c.d") and names
// the slot. When names is true a host name in the slot is kept as Host (no
// DNS lookup); anything else leaves the event unattributed.
func (e *Event) setPeer(tok, from string, names bool) {
	tok = strings.TrimSpace(tok)
	if a := peerIP(stripApachePort(tok)); a.IsValid() {
		e.IP, e.IPFrom = a, from
		return
	}
	if names && isSlotHostName(tok) {
		e.Host, e.IPFrom = tok, from
	}
}

// peerIP is parseIP for a token that may well be a word or a host name:
// only a token made of address characters is parsed, since a failed parse
// allocates its error and most tokens on the hot path are words.
func peerIP(tok string) netip.Addr {
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F', c == '.', c == ':', c == '[', c == ']', c == '%':
		default:
			return netip.Addr{}
		}
	}
	return parseIP(tok)
}

// setPeerIP stores an address already parsed from its slot.
func (e *Event) setPeerIP(a netip.Addr, from string) {
	if a.IsValid() {
		e.IP, e.IPFrom = a, from
	}
}

// isSlotHostName reports whether s is a plausible DNS name (letters, digits,
// '-', '.', '_', at least one letter), not a placeholder such as "unknown"
// or "?" that services write when they have no name. It is laxer than
// isDottedHostname (free text) on purpose: a structural slot holds a peer
// name or nothing, and single-label names ("ws-042" in PAM's rhost) are real.
func isSlotHostName(s string) bool {
	if len(s) == 0 || len(s) > 253 || s[0] == '-' || s[0] == '.' {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			letter = true
		case '0' <= c && c <= '9', c == '-', c == '.', c == '_':
		default:
			return false
		}
	}
	return letter && s != "unknown" && s != "UNKNOWN"
}

// portTail reports whether rest is " port <digits>" followed only by
// trailing words sshd appends (" ssh2", " [preauth]", ": RSA …").
func portTail(rest string) bool {
	r, ok := strings.CutPrefix(rest, " port ")
	if !ok {
		return false
	}
	n := 0
	for n < len(r) && '0' <= r[n] && r[n] <= '9' {
		n++
	}
	return n > 0 && (n == len(r) || r[n] == ' ' || r[n] == ':')
}

// tokenBefore returns the white-space delimited token that ends at s[:i].
func tokenBefore(s string, i int) (tok string, start int) {
	j := i
	for j > 0 && !isSpace(s[j-1]) {
		j--
	}
	return s[j:i], j
}

// headIndex returns the index of key when it starts within the first max
// bytes of s, else -1. Keyed matchers find their service's fixed text only
// in the head of the line, where the service writes it: the same text
// further on is the client's (a user name, a referrer) and must not make
// another service's matcher read the line.
func headIndex(s, key string, max int) int {
	if len(s) > max+len(key) {
		s = s[:max+len(key)]
	}
	return strings.Index(s, key)
}

// isTimeHead reports whether h holds only what a log line's time (and
// a thread or process number) is written with: digits, ASCII letters,
// spaces and ":-.,+/T". A key found after anything else (a bracket, a
// quote, '=', '(') is not at the head of its own service's line.
func isTimeHead(h string) bool {
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == ' ', c == ':', c == '-', c == '.', c == ',', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// unquote strips one pair of matching quotes (', ", `) around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"' || s[0] == '`') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// kvValue returns the value of key in a "key=value" sequence separated by
// sep, reading only whole keys at field boundaries; quoted values ("…")
// may contain sep and "key=" text without being split, and a backslash
// escapes the next byte. ok is false when key is absent.
func kvValue(s, key string, sep byte) (val string, ok bool) {
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == sep || s[i] == ' ') {
			i++
		}
		k := i
		for i < len(s) && s[i] != '=' && s[i] != sep && s[i] != ' ' {
			i++
		}
		name := s[k:i]
		if i >= len(s) || s[i] != '=' {
			continue
		}
		i++
		v := i
		if i < len(s) && s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			if i < len(s) {
				i++
			}
		} else {
			for i < len(s) && s[i] != sep && s[i] != ' ' {
				i++
			}
		}
		if name == key {
			return unquote(s[v:min(i, len(s))]), true
		}
	}
	return "", false
}
