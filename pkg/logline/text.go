package logline

import (
	"net/netip"
	"strings"
)

// MaxUserLen caps attributed user names. Real user names are short; an
// attacker-chosen one can be a megabyte, and it travels into alerts.
const MaxUserLen = 256

// lowerASCII folds one ASCII letter to lower case.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// upperASCII folds one ASCII letter to upper case.
func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// equalFoldLower reports whether s equals lit (lower case) in ASCII case folding.
func equalFoldLower(s, lit string) bool {
	if len(s) != len(lit) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != lit[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with lit (lower case), ignoring ASCII case.
func hasPrefixFold(s, lit string) bool {
	return len(s) >= len(lit) && equalFoldLower(s[:len(lit)], lit)
}

// indexFold returns the first index of lit (lower case) in s, ignoring ASCII
// case, or -1. It is used only after the prefilter, so a plain loop will do.
func indexFold(s, lit string) int {
	n := len(lit)
	if n == 0 {
		return 0
	}
	c0, u0 := lit[0], upperASCII(lit[0])
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; (c == c0 || c == u0) && equalFoldLower(s[i:i+n], lit) {
			return i
		}
	}
	return -1
}

// containsFold reports whether s contains lit (lower case), ignoring ASCII case.
func containsFold(s, lit string) bool { return indexFold(s, lit) >= 0 }

// containsAnyFold reports whether s contains any of lits (lower case).
func containsAnyFold(s string, lits ...string) bool {
	for _, l := range lits {
		if indexFold(s, l) >= 0 {
			return true
		}
	}
	return false
}

// isSpace reports whether c is ASCII white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// nextToken returns the white-space separated token starting at or after i,
// and the index just past it.
func nextToken(s string, i int) (tok string, end int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[start:i], i
}

// parseIP validates and normalises an IP taken from a structural position:
// brackets, ports and zones are stripped, IPv4-mapped IPv6 becomes IPv4, and
// "-", host names and garbage give the zero Addr.
func parseIP(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if len(s) < 2 || len(s) > 64 {
		return netip.Addr{}
	}
	if s[0] == '[' { // [v6]:port or [v6]
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}
		}
		s = s[1:end]
	} else if c := strings.Count(s, ":"); c == 1 { // v4:port
		s = s[:strings.IndexByte(s, ':')]
	}
	if i := strings.IndexByte(s, '%'); i >= 0 { // zone: never an attribution
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// cleanUser trims a user name, drops placeholders and caps its length
// without merging distinct names (capUser).
func cleanUser(s string) string {
	s = strings.TrimSpace(s)
	if s == "-" || s == "" {
		return ""
	}
	return capUser(s)
}

// isUUIDish reports whether s looks like a Lambda request id (hex and dashes,
// 8-4-4-4-12). API Gateway ids have the same shape.
func isUUIDish(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// lambdaRequestID finds the request id in a Lambda runtime text line:
// Node "ts\tid\tLEVEL\t…", Python "[LEVEL]\tts\tid\t…", old timeouts "ts id Task…".
func lambdaRequestID(s string) string {
	end := 0
	for n := 0; n < 3; n++ {
		var tok string
		tok, end = nextToken(s, end)
		if tok == "" {
			return ""
		}
		if isUUIDish(tok) {
			return tok
		}
	}
	return ""
}
