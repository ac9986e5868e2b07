package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks text that was cut to fit a limit.
const Ellipsis = "…"

// Clean is the one sanitizer for log-derived text shown to a person, used
// by every channel (Slack, email, console) and by the CLI's tables:
//
//   - invalid UTF-8 becomes U+FFFD;
//   - line breaks and tabs (CR, LF, VT, FF, NEL, U+2028, U+2029) become one
//     space, so a value stays on its line (no forged rows, no mail header
//     injection) and runs of spaces collapse;
//   - every other character that is invisible or changes how its
//     neighbours display is shown escaped as \u200b or \U000e0041: control
//     characters (ESC would drive a terminal), format characters (zero-width
//     space and joiners, bidi embeddings, overrides and isolates, the BOM,
//     soft hyphen, tag characters), variation selectors, other default
//     ignorables (Hangul fillers), private-use characters, noncharacters and
//     spaces other than U+0020 (U+00A0, U+3000…). "adm\u200bin" must not
//     read as "admin", nor "\u202egnp.exe" as "exe.png";
//   - the result is cut to max runes (0: no limit) with an ellipsis, never
//     inside an escape.
//
// Each channel still escapes the result for its medium (HTML, Slack mrkdwn).
func Clean(s string, max int) string {
	if plainASCII(s) && (max <= 0 || len(s) <= max) {
		return s // the common case, without allocating
	}
	var b cleaner
	b.max = max
	b.Grow(min(len(s), 4*max+8))
	if max > 0 {
		n := min(len(s), max) + 1
		b.ends, b.runes = make([]int, 0, n), make([]int, 0, n)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		var ok bool
		switch {
		case breaks(r):
			ok = b.space()
		case hidden(r):
			ok = b.token(escapeRune(r))
		default:
			ok = b.token(string(r))
		}
		if !ok {
			return b.cut()
		}
	}
	return b.String()
}

// Defang breaks URL schemes in log-derived text ("https://evil.example"
// becomes "https[:]//evil.example", as security tools write indicators):
// Slack, mail clients and terminals turn a bare URL into a link on their
// own, and the only links in an alert must be our own.
func Defang(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return strings.ReplaceAll(s, "://", "[:]//")
}

// plainASCII reports text Clean would return unchanged: printable ASCII,
// single spaces, none at either end.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || (c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ')) {
			return false
		}
	}
	return true
}

// breaks reports the characters that end a line or move the cursor.
func breaks(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// hidden reports characters a reader cannot see, or that change how the
// text around them displays.
func hidden(r rune) bool {
	if r < 0x7f {
		return r < 0x20 // C0 controls; the printable ASCII range is plain
	}
	return unicode.IsControl(r) ||
		unicode.In(r, unicode.Cf, unicode.Co, unicode.Zs, unicode.Variation_Selector,
			unicode.Other_Default_Ignorable_Code_Point, unicode.Noncharacter_Code_Point) ||
		r == '\u2800' // braille blank: shows as a space but is a letter
}

// escapeRune writes r the way Go and JSON readers know it: \u200b, or
// \U0001f600 beyond the BMP.
func escapeRune(r rune) string {
	var buf [10]byte
	n, digits := 6, 4
	buf[0], buf[1] = '\\', 'u'
	if r > 0xFFFF {
		n, digits, buf[1] = 10, 8, 'U'
	}
	for i := n - 1; i >= n-digits; i-- {
		buf[i] = hexDigits[r&15]
		r >>= 4
	}
	return string(buf[:n])
}

const hexDigits = "0123456789abcdef"

// cleaner builds Clean's output token by token, remembering where tokens
// end so that a cut never splits an escape.
type cleaner struct {
	strings.Builder
	max    int
	n      int   // runes written
	ends   []int // byte offset after each token (only with a limit)
	runes  []int // rune count after each token
	spaced bool  // last token was a space
}

// token appends t, preceded by the space seen before it (spaces are
// written lazily, so none leads or trails and a run of them is one); false
// means the limit is reached and the text goes on.
func (c *cleaner) token(t string) bool {
	if c.spaced && c.n > 0 && !c.add(" ") {
		return false
	}
	c.spaced = false
	return c.add(t)
}

func (c *cleaner) space() bool {
	c.spaced = true
	return true
}

func (c *cleaner) add(t string) bool {
	n := utf8.RuneCountInString(t)
	if c.max > 0 && c.n+n > c.max {
		return false
	}
	c.WriteString(t)
	c.n += n
	if c.max > 0 {
		c.ends = append(c.ends, c.Len())
		c.runes = append(c.runes, c.n)
	}
	return true
}

// cut ends the text with an ellipsis in the last max runes, dropping whole
// tokens (and a trailing space) to make room.
func (c *cleaner) cut() string {
	s := c.String()
	k := len(c.ends) - 1
	for k >= 0 && (c.runes[k] > c.max-1 || s[c.ends[k]-1] == ' ') {
		k--
	}
	if k < 0 {
		return Ellipsis
	}
	return s[:c.ends[k]] + Ellipsis
}

// CleanLines is Clean for multi-line text of our own making: newlines are
// kept, every line is cleaned.
func CleanLines(s string, max int) string {
	lines := strings.Split(strings.ToValidUTF8(s, "\uFFFD"), "\n")
	for i, l := range lines {
		lines[i] = Clean(l, 0)
	}
	return Truncate(strings.Join(lines, "\n"), max)
}

// Truncate cuts s to at most max runes, ending with an ellipsis when it had
// to cut. It never splits a rune; max <= 0 means no limit.
func Truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	if max == 1 {
		return Ellipsis
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + Ellipsis
		}
		n++
	}
	return s
}
