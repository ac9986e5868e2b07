package logline

import (
	"net/netip"
	"strings"
)

// Attribution slots (Event.IPFrom) set by the JSON and AWS readers. Each
// names where the service recorded its peer, so that an operator can audit
// why an address was blamed.
const (
	FromXFF        = "xff.rightmost_untrusted"    // X-Forwarded-For, Forwarded or X-Real-IP, walked from the right
	FromAPIGW      = "apigw.sourceIp"             // API Gateway requestContext / $context.identity.sourceIp
	FromWAF        = "waf.clientIp"               // AWS WAF httpRequest.clientIp
	FromCloudTrail = "cloudtrail.sourceIPAddress" // CloudTrail sourceIPAddress
)

// MaxForwarded caps Event.Forwarded. A forwarding header is client-written
// and can be as long as the request allows; only its right end matters,
// because that is where the proxies we may trust appended their hops.
const MaxForwarded = 512

// maxHops bounds the walk of a forwarding header.
const maxHops = 32

// parseAddr reads the token of an address slot: an IP in any of the forms
// services write (a.b.c.d, a.b.c.d:port, [v6]:port, v6, ::ffff:a.b.c.d) or a
// host name. It never resolves a name: a name is returned as host with a
// zero IP, and anything else gives neither.
func parseAddr(tok string) (netip.Addr, string) {
	tok = strings.TrimRight(strings.Trim(tok, " \t\r\n(),;'\"<>"), ".") // "from 203.0.113.5."
	if tok == "" {
		return netip.Addr{}, ""
	}
	// Brackets belong to the address only as a pair ("[v6]" or "[v6]:port").
	if tok[0] == '[' && strings.IndexByte(tok, ']') < 0 {
		tok = tok[1:]
	} else if tok[0] != '[' {
		tok = strings.TrimRight(tok, "]")
	}
	if ip := parseIP(tok); ip.IsValid() {
		return ip, ""
	}
	if h, port, ok := strings.Cut(tok, ":"); ok && isDottedHostname(h) && allDigits(port) {
		return netip.Addr{}, h
	}
	if isDottedHostname(tok) {
		return netip.Addr{}, tok
	}
	return netip.Addr{}, ""
}

// isDottedHostname reports whether s is a DNS name with at least two labels
// (letters, digits and hyphens, no leading or trailing hyphen) whose last
// label has a letter: "mail.example.com", "ec2.amazonaws.com". A single word
// ("unknown", "localhost") or a dotted number is not taken for a name,
// because free text puts ordinary words where a name could be.
func isDottedHostname(s string) bool {
	if len(s) < 3 || len(s) > 253 || s[len(s)-1] == '.' {
		return false
	}
	labels, labelLen, lastAlpha := 1, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if labelLen == 0 || s[i-1] == '-' {
				return false
			}
			labels, labelLen, lastAlpha = labels+1, 0, false
			continue
		case c == '-':
			if labelLen == 0 {
				return false
			}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			lastAlpha = true
		case '0' <= c && c <= '9':
		default:
			return false
		}
		labelLen++
		if labelLen > 63 {
			return false
		}
	}
	return labels >= 2 && lastAlpha && s[len(s)-1] != '-'
}

// ClientFromForwarded returns the client named by a forwarding header:
// X-Forwarded-For ("client, proxy1, proxy2"), RFC 7239 Forwarded
// ("for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\"") or X-Real-IP (one
// address). Every proxy appends the address it received the request from,
// so the entries on the left are whatever the client sent; the only ones to
// believe are those appended by proxies we run. The client is therefore the
// right-most hop that trusted does not accept (with trusted nil: the
// right-most hop). A hop that is not an address ("unknown", an obfuscated
// RFC 7239 identifier, garbage) where the walk needs one gives no client:
// what lies left of it cannot be trusted either.
func ClientFromForwarded(h string, trusted func(netip.Addr) bool) (netip.Addr, bool) {
	rest := h
	for n := 0; n < maxHops; n++ {
		rest = strings.TrimRight(rest, " \t,")
		if rest == "" {
			return netip.Addr{}, false
		}
		hop := rest
		if i := strings.LastIndexByte(rest, ','); i >= 0 {
			hop, rest = rest[i+1:], rest[:i]
		} else {
			rest = ""
		}
		ip := parseIP(forwardedFor(strings.TrimSpace(hop)))
		if !ip.IsValid() {
			return netip.Addr{}, false
		}
		if trusted == nil || !trusted(ip) {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// forwardedFor returns the node of an RFC 7239 forwarded-element
// ("for=…;proto=…", the value optionally quoted), or the hop itself when it
// is a plain X-Forwarded-For entry. An element without for= gives "".
func forwardedFor(hop string) string {
	if !strings.Contains(hop, "=") {
		return hop
	}
	for hop != "" {
		pair := hop
		if i := strings.IndexByte(hop, ';'); i >= 0 {
			pair, hop = hop[:i], hop[i+1:]
		} else {
			hop = ""
		}
		pair = strings.TrimSpace(pair)
		if len(pair) > 4 && equalFoldLower(pair[:4], "for=") {
			return strings.Trim(pair[4:], `"`)
		}
	}
	return ""
}

// capForwarded keeps the right end of a forwarding header, cut at a hop
// boundary, so that Event.Forwarded stays small and still holds the hops a
// trusted proxy appended.
func capForwarded(h string) string {
	h = strings.TrimSpace(h)
	if len(h) <= MaxForwarded {
		return h
	}
	h = h[len(h)-MaxForwarded:]
	if i := strings.IndexByte(h, ','); i >= 0 {
		return strings.TrimSpace(h[i+1:])
	}
	return ""
}

// TrustedProxies builds the trust test of ClientFromForwarded from a list of
// CIDRs and single addresses (the trusted_proxies threshold). Entries that do
// not parse are skipped: the thresholds package has already rejected them.
// An empty list gives nil, which trusts nothing.
func TrustedProxies(cidrs []string) func(netip.Addr) bool {
	var prefixes []netip.Prefix
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil {
			prefixes = append(prefixes, p.Masked())
		} else if a, err := netip.ParseAddr(strings.TrimSpace(c)); err == nil {
			a = a.Unmap()
			prefixes = append(prefixes, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	if len(prefixes) == 0 {
		return nil
	}
	return func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
}

// TrustProxies re-attributes an event that carries a forwarding header
// (Forwarded) with the proxies trusted for its function, which the parser
// cannot know. When the address came from the header, the header is walked
// again; when it came from the service's own peer slot and that peer is a
// trusted proxy (say, the ALB in front of the application, or CloudFront in
// front of a regional API), the client is the right-most untrusted hop of
// the header. If no hop qualifies the event keeps no address: naming our
// own proxy would block every user behind it.
func (e *Event) TrustProxies(trusted func(netip.Addr) bool) {
	if e.Forwarded == "" || trusted == nil {
		return
	}
	if e.IPFrom != FromXFF && !(e.IP.IsValid() && trusted(e.IP)) {
		return
	}
	ip, ok := ClientFromForwarded(e.Forwarded, trusted)
	e.IP, e.IPFrom, e.Host = ip, FromXFF, ""
	if !ok {
		e.IPFrom = ""
	}
}
