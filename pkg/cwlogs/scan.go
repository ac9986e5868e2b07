package cwlogs

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// scanner is a small pull parser for the handful of JSON shapes this package
// reads. It exists instead of encoding/json because a max-size batch has
// thousands of events and reflection plus one allocation per string would
// cost more than inflating the batch. Unescaped strings are appended to one
// arena and handed out as strings sharing its memory; the arena is never
// written below its length again, so those strings stay immutable.
//
// When the scanner owns b (an inflated payload nobody else sees), strings
// are unescaped in place instead (inPlace): an unescaped string is never
// longer than its JSON form, so it is written over its own source at or
// before the read cursor, and nothing before the current string is written
// again. That saves copying every message once more, which was most of the
// decoder's own time, and the arena's allocation.
type scanner struct {
	b       []byte
	i       int
	arena   []byte
	inPlace bool
}

// newScanner returns a scanner over b; owned says b may be overwritten
// (and must then stay untouched by anyone else while strings live).
func newScanner(b []byte, owned bool) scanner {
	return scanner{b: b, inPlace: owned}
}

// plain marks bytes that can be copied verbatim inside a JSON string.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainPrefix returns how many leading bytes of b can be copied verbatim.
// It tests eight bytes at a time (SWAR): messages are mostly long runs of
// plain ASCII, and this loop is where decoding spends its time.
func plainPrefix(b []byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^(lo*'"'), w^(lo*'\\')
		special := w | ((w - lo*0x20) & ^w) | ((q - lo) & ^q) | ((bs - lo) & ^bs)
		if special&hi != 0 {
			break
		}
	}
	for i < len(b) && plain[b[i]] {
		i++
	}
	return i
}

func (s *scanner) fail(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrSyntax, s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// more reports whether anything but white space is left.
func (s *scanner) more() bool {
	s.ws()
	return s.i < len(s.b)
}

// peek returns the next non-space byte without consuming it (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) consume(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// object walks the object at the cursor, calling field for every key; field
// must consume the value. Keys are compared exactly (JSON is case-sensitive,
// unlike encoding/json's matching).
func (s *scanner) object(field func(key []byte) error) error {
	if !s.consume('{') {
		return s.fail("expected object")
	}
	if s.consume('}') {
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.fail("expected object key")
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		if !s.consume(':') {
			return s.fail("expected ':' after key")
		}
		s.ws()
		if err := field(key); err != nil {
			return err
		}
		if s.consume(',') {
			continue
		}
		if s.consume('}') {
			return nil
		}
		return s.fail("expected ',' or '}' in object")
	}
}

// array walks the array at the cursor (or a null), calling elem for each
// element; elem must consume it.
func (s *scanner) array(elem func(i int) error) error {
	if s.null() {
		return nil
	}
	if !s.consume('[') {
		return s.fail("expected array")
	}
	if s.consume(']') {
		return nil
	}
	for n := 0; ; n++ {
		s.ws()
		if err := elem(n); err != nil {
			return err
		}
		if s.consume(',') {
			continue
		}
		if s.consume(']') {
			return nil
		}
		return s.fail("expected ',' or ']' in array")
	}
}

// key returns an object key. Keys without escapes (all real ones) are
// returned as a view of the input; others are unescaped into the arena.
func (s *scanner) key() ([]byte, error) {
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:j], nil
		case c == '\\' || c < 0x20:
			v, err := s.str()
			return unsafe.Slice(unsafe.StringData(v), len(v)), err
		}
	}
	s.i = len(s.b)
	return nil, s.fail("unterminated string")
}

// null consumes a JSON null if one is at the cursor.
func (s *scanner) null() bool {
	s.ws()
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// str parses the string at the cursor, in place or into the arena. Invalid
// UTF-8 and unpaired surrogates become U+FFFD, exactly as encoding/json
// does, so that messages are always valid UTF-8 downstream (Slack,
// DynamoDB, JSON output).
func (s *scanner) str() (string, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", s.fail("expected string")
	}
	s.i++
	if s.inPlace {
		return s.strInPlace()
	}
	if cap(s.arena) == 0 {
		// Sized for a few ids, not the input: an envelope's strings are
		// short, and a document's grow the arena by doubling.
		s.arena = make([]byte, 0, min(len(s.b)-s.i, 64<<10))
	}
	return s.strArena(len(s.arena))
}

// strArena unescapes the rest of a string into the arena from start.
func (s *scanner) strArena(start int) (string, error) {
	for {
		j := s.i + plainPrefix(s.b[s.i:])
		s.arena = append(s.arena, s.b[s.i:j]...)
		s.i = j
		if j >= len(s.b) {
			return "", s.fail("unterminated string")
		}
		switch c := s.b[j]; {
		case c == '"':
			s.i++
			return s.arenaString(start), nil
		case c == '\\':
			var err error
			if s.arena, err = s.escape(s.arena); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", s.fail("control character %#x in string", c)
		default:
			r, size := utf8.DecodeRune(s.b[j:])
			if r == utf8.RuneError && size == 1 {
				s.arena = utf8.AppendRune(s.arena, utf8.RuneError)
			} else {
				s.arena = append(s.arena, s.b[j:j+size]...)
			}
			s.i += size
		}
	}
}

func (s *scanner) arenaString(start int) string {
	if len(s.arena) == start {
		return ""
	}
	return unsafe.String(&s.arena[start], len(s.arena)-start)
}

// escape decodes the escape sequence at the cursor (a backslash) and
// appends it to dst. It reads the whole sequence before writing, and writes
// at most as many bytes as it reads, so dst may end where the sequence
// starts (in-place unescaping).
func (s *scanner) escape(dst []byte) ([]byte, error) {
	if s.i+1 >= len(s.b) {
		return dst, s.fail("unterminated escape")
	}
	c := s.b[s.i+1]
	s.i += 2
	switch c {
	case '"', '\\', '/':
		dst = append(dst, c)
	case 'b':
		dst = append(dst, '\b')
	case 'f':
		dst = append(dst, '\f')
	case 'n':
		dst = append(dst, '\n')
	case 'r':
		dst = append(dst, '\r')
	case 't':
		dst = append(dst, '\t')
	case 'u':
		r, ok := hex4(s.b[s.i:])
		if !ok {
			return dst, s.fail("invalid \\u escape")
		}
		s.i += 4
		if utf16.IsSurrogate(r) {
			r2, ok := rune(-1), false
			if len(s.b)-s.i >= 6 && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
				r2, ok = hex4(s.b[s.i+2:])
			}
			if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
				s.i += 6
				r = dec
			} else {
				r = utf8.RuneError
			}
		}
		dst = utf8.AppendRune(dst, r)
	default:
		s.i -= 2
		return dst, s.fail("invalid escape \\%c", c)
	}
	return dst, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// numberToken consumes a JSON number and returns its text.
func (s *scanner) numberToken() ([]byte, error) {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	if s.i == start {
		return nil, s.fail("expected number")
	}
	return s.b[start:s.i], nil
}

// int64 parses an integer (or null, as 0). Fractions are rejected rather
// than truncated: a timestamp that is not an integer is not CloudWatch's.
func (s *scanner) int64() (int64, error) {
	if s.null() {
		return 0, nil
	}
	tok, err := s.numberToken()
	if err != nil {
		return 0, err
	}
	var n int64
	neg := tok[0] == '-'
	digits := tok
	if neg {
		digits = tok[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		v, err := strconv.ParseInt(string(tok), 10, 64)
		if err != nil {
			return 0, s.fail("invalid integer %q", tok)
		}
		return v, nil
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, s.fail("invalid integer %q", tok)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// text returns a string value, or a number's text (some tools write owner or
// id as numbers), or "" for null.
func (s *scanner) text() (string, error) {
	switch c := s.peek(); {
	case c == '"':
		return s.str()
	case c == 'n' && s.null():
		return "", nil
	case c == '-' || (c >= '0' && c <= '9'):
		tok, err := s.numberToken()
		if err != nil {
			return "", err
		}
		start := len(s.arena)
		s.arena = append(s.arena, tok...)
		return s.arenaString(start), nil
	default:
		return "", s.fail("expected string")
	}
}
