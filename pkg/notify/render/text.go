package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks text that was cut to fit a limit.
const Ellipsis = "…"

// Clean makes log-derived text safe to place in any message: invalid UTF-8
// is replaced with U+FFFD, control characters (CR, LF, tabs, escapes,
// bidi overrides that could disguise the text) become spaces, runs of
// spaces collapse, and the result is cut to max runes (0: no limit).
func Clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(min(len(s), 4*max+4))
	space, cut := false, false
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
		n++
		if max > 0 && n > max {
			cut = true
			break
		}
	}
	out := strings.TrimSpace(b.String())
	if cut && utf8.RuneCountInString(out) <= max {
		// The text went on past max; say so even if trimming made it fit.
		return Truncate(out+" "+Ellipsis, max)
	}
	return Truncate(out, max)
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
