package cwlogs

import (
	"unicode/utf8"
	"unsafe"
)

// strInPlace unescapes the rest of a string over its own source: w is the
// write cursor, never past the read cursor s.i.
func (s *scanner) strInPlace() (string, error) {
	start := s.i
	w := start
	for {
		j := s.i + plainPrefix(s.b[s.i:])
		if w != s.i { // an escape shortened the string: shift the run left
			copy(s.b[w:], s.b[s.i:j])
		}
		w += j - s.i
		s.i = j
		if j >= len(s.b) {
			return "", s.fail("unterminated string")
		}
		switch c := s.b[j]; {
		case c == '"':
			s.i++
			if w == start {
				return "", nil
			}
			return unsafe.String(&s.b[start], w-start), nil
		case c == '\\':
			out, err := s.escape(s.b[start:w])
			if err != nil {
				return "", err
			}
			w = start + len(out)
		case c < 0x20:
			return "", s.fail("control character %#x in string", c)
		default:
			r, size := utf8.DecodeRune(s.b[j:])
			if r == utf8.RuneError && size == 1 {
				// U+FFFD takes three bytes where the invalid one took
				// one: finish this string in the arena instead.
				a := len(s.arena)
				s.arena = append(s.arena, s.b[start:w]...)
				return s.strArena(a)
			}
			w += copy(s.b[w:], s.b[j:j+size])
			s.i += size
		}
	}
}
