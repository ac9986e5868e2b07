package seclog

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Length limits of user-supplied values, in bytes of the escaped text. A
// log line is not the place for a megabyte "user name".
const (
	MaxValueLen = 1024 // reason, resource, header values, ...
	MaxUserLen  = 256
)

// Escape makes a user-supplied value safe to show: control characters
// (C0, C1, DEL), format characters (Unicode Cf: zero-width spaces and
// joiners, the bidi overrides and isolates that reorder what a reader sees,
// the BOM), line and paragraph separators and invalid UTF-8 are written as
// visible escapes (\u200B, \x00), and the result is cut to max bytes on a
// character boundary with a trailing "…". Printable text, including
// non-Latin scripts, is kept. It returns s itself when nothing changed.
func Escape(s string, max int) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if mustEscape(r, n) {
			break
		}
		i += n
	}
	if i == len(s) && len(s) <= max {
		return s
	}
	if i > max { // a long clean prefix: just cut it
		return string(truncate([]byte(s[:max+1]), max))
	}
	b := make([]byte, 0, min(len(s)+16, max+8))
	b = append(b, s[:i]...)
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\x`...)
			b = appendHex(b, uint32(s[i]), 2)
		case mustEscape(r, n):
			if r > 0xFFFF {
				b = append(b, `\U`...)
				b = appendHex(b, uint32(r), 8)
			} else {
				b = append(b, `\u`...)
				b = appendHex(b, uint32(r), 4)
			}
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
		if len(b) > max {
			return string(truncate(b, max))
		}
	}
	return string(b)
}

func mustEscape(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		return true
	}
	return r < 0x20 || r == 0x7f || (r >= 0x80 && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		r == '\u2028' || r == '\u2029'))
}

func appendHex(b []byte, v uint32, width int) []byte {
	var buf [8]byte
	h := strconv.AppendUint(buf[:0], uint64(v), 16)
	for range width - len(h) {
		b = append(b, '0')
	}
	for _, c := range h {
		if 'a' <= c && c <= 'f' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// truncate cuts b to at most max bytes on a character boundary and marks
// the cut with "…" (which may take the result 3 bytes past max).
func truncate(b []byte, max int) []byte {
	if len(b) <= max {
		return b
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return append(b[:cut], "…"...)
}

// clean is what every user-supplied value goes through: secrets out, then
// escaping and the length cap.
func clean(s string, max int) string {
	return Escape(RedactValue(s), max)
}

// Clean redacts secret-looking parts of a user-supplied value (RedactValue)
// and escapes it (Escape) to at most max bytes: what seclog does to every
// value it writes, for front ends in other packages.
func Clean(s string, max int) string { return clean(s, max) }
