package cwlogs

import "bytes"

// skip consumes any JSON value.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return s.fail("nesting deeper than %d", maxDepth)
	}
	switch c := s.peek(); c {
	case '{':
		return s.object(func([]byte) error { return s.skip(depth + 1) })
	case '[':
		return s.array(func(int) error { return s.skip(depth + 1) })
	case '"':
		return s.skipString()
	case 't', 'f', 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return nil
			}
		}
		return s.fail("invalid literal")
	default:
		_, err := s.numberToken()
		return err
	}
}

func (s *scanner) skipString() error {
	for j := s.i + 1; j < len(s.b); j++ {
		switch s.b[j] {
		case '"':
			s.i = j + 1
			return nil
		case '\\':
			j++
		}
	}
	s.i = len(s.b)
	return s.fail("unterminated string")
}

// rawString returns the content of the string at the cursor without
// allocating when it has no escapes (base64 data never needs any, though
// some encoders write "\/"); otherwise it unescapes into scratch. The
// search is bytes.IndexByte's (vectorised): the string is a whole
// compressed payload.
func (s *scanner) rawString(scratch []byte) ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.fail("expected string")
	}
	start := s.i + 1
	end := bytes.IndexByte(s.b[start:], '"')
	if end < 0 {
		s.i = len(s.b)
		return nil, s.fail("unterminated string")
	}
	if bytes.IndexByte(s.b[start:start+end], '\\') < 0 {
		s.i = start + end + 1
		return s.b[start : start+end], nil
	}
	saved, inPlace := s.arena, s.inPlace
	s.arena, s.inPlace = scratch[:0], false
	v, err := s.str()
	s.arena, s.inPlace = saved, inPlace
	return []byte(v), err
}
