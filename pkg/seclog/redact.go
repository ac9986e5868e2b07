package seclog

import (
	"encoding/base64"
	"strings"
)

// Replacement texts. They name what was removed (so a reader knows a value
// was there and why it is gone) but nothing of the value itself.
const (
	Redacted     = "[REDACTED]" // a field whose name says it carries a secret
	redactedJWT  = "[REDACTED:jwt]"
	redactedAWS  = "[REDACTED:aws_secret]"
	redactedAuth = "[REDACTED:credentials]" // bearer/basic credentials
	redactedCard = "[REDACTED:card]"
)

// secretWords are substrings of normalised field names (lower case, with
// '_', '-', '.' and ' ' removed) that say the field carries a secret.
// "session" also matches session ids and "token" refresh_token, x-amz-security-token
// and csrf tokens: all bearer secrets.
var secretWords = [...]string{
	"password", "passwd", "passphrase", "secret", "token", "authorization", "cookie",
	"apikey", "session", "credential", "privatekey", "accesskey", "signature", "jwt",
	"bearer", "sessid", "xauth",
}

// secretNames are short names matched whole: as substrings they would hit
// ordinary words ("pin" in "mapping", "otp" in "footprint").
var secretNames = [...]string{"pwd", "pin", "otp", "cvv", "cvc", "ssn", "auth", "sid"}

// IsSecretKey reports whether a field name says its value is a secret. The
// comparison ignores case and the separators '_', '-', '.' and ' ', so
// "X-Api-Key", "api_key" and "apiKey" are one name.
func IsSecretKey(key string) bool {
	var buf [64]byte
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			break // a very long name: judge its first 64 bytes
		}
		buf[n] = c
		n++
	}
	norm := string(buf[:n]) // does not escape: no allocation
	for _, w := range secretNames {
		if norm == w {
			return true
		}
	}
	for _, w := range secretWords {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

// RedactValue replaces the parts of s that look like secrets: JSON Web
// Tokens, bearer and basic credentials, AWS secret access keys and card
// numbers that pass the Luhn check. It returns s itself (no allocation) when
// nothing matched.
func RedactValue(s string) string {
	var b []byte // nil until the first replacement
	last := 0    // s[last:i] not yet copied to b
	for i := 0; i < len(s); {
		start, end, repl := secretAt(s, i)
		if repl == "" {
			i = end
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(b, s[last:start]...)
		b = append(b, repl...)
		last, i = end, end
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

// secretAt looks at the token that starts at or after i. It returns the span
// to replace and its replacement, or repl == "" and end = where to resume.
func secretAt(s string, i int) (start, end int, repl string) {
	// Skip to the start of the next word: secrets are whole tokens.
	for i < len(s) && !isTokenByte(s[i]) {
		i++
	}
	start = i
	for i < len(s) && isTokenByte(s[i]) {
		i++
	}
	end = i
	if start == end {
		return start, end, ""
	}
	tok := s[start:end]
	switch {
	case isJWT(tok):
		return start, end, redactedJWT
	case isAWSSecret(tok):
		return start, end, redactedAWS
	}
	if equalFold(tok, "bearer") || equalFold(tok, "basic") {
		// "Bearer <token>": the credential is the next token.
		j := end
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && (isTokenByte(s[k]) || s[k] == '=' || s[k] == '~') {
			k++
		}
		if k-j >= 8 && (equalFold(tok, "bearer") || isBasicCredential(s[j:k])) {
			return j, k, redactedAuth
		}
		return start, end, ""
	}
	// A card number may sit inside a token ("/orders/4111…", "pan=4111…"):
	// try each run of digits that does not follow a letter or digit.
	for p := start; p < end; p++ {
		if c := s[p]; '2' <= c && c <= '6' && (p == start || !isAlnum(s[p-1])) {
			if cs, ce, ok := cardAt(s, p); ok {
				return cs, ce, redactedCard
			}
		}
	}
	return start, end, ""
}

// isTokenByte: letters, digits and the characters of base64, base64url and
// JWTs. Separators of card numbers (' ', '-') are handled by cardAt.
func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '/' || c == '+'
}

func equalFold(a, lower string) bool {
	if len(a) != len(lower) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// isJWT: a JWS/JWE compact serialisation. The header is base64url JSON, so
// it starts with "eyJ" ('{"'); two or more dot-separated base64url parts.
func isJWT(t string) bool {
	if len(t) < 20 || !strings.HasPrefix(t, "eyJ") {
		return false
	}
	parts := 1
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '.':
			parts++
		case c == '/' || c == '+':
			return false
		}
	}
	return parts >= 2
}

// isAWSSecret: an AWS secret access key is 40 characters of base64
// (A-Z a-z 0-9 / +). Requiring upper, lower and digits keeps 40-character
// hex digests (git commits, SHA-1) out.
func isAWSSecret(t string) bool {
	if len(t) != 40 {
		return false
	}
	var up, low, dig bool
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case 'A' <= c && c <= 'Z':
			up = true
		case 'a' <= c && c <= 'z':
			low = true
		case '0' <= c && c <= '9':
			dig = true
		case c == '/' || c == '+':
		default:
			return false
		}
	}
	return up && low && dig
}

// isBasicCredential: "Basic" is followed by base64("user:password").
func isBasicCredential(t string) bool {
	var buf [96]byte
	if base64.StdEncoding.DecodedLen(len(t)) > len(buf) {
		return true // too long to check cheaply: assume it is one
	}
	n, err := base64.StdEncoding.Decode(buf[:], []byte(t))
	return err == nil && strings.IndexByte(string(buf[:n]), ':') > 0
}

// cardAt reads a card number at i: 13 to 19 digits, optionally grouped by
// single spaces or dashes, starting with 2-6 (the issuer ranges of Visa,
// Mastercard, Amex, Discover, JCB, UnionPay; 13-digit epoch milliseconds
// start with 1), not glued to other digits, and passing the Luhn check.
func cardAt(s string, i int) (start, end int, ok bool) {
	if i > 0 && '0' <= s[i-1] && s[i-1] <= '9' {
		return 0, 0, false
	}
	var digits [19]byte
	n, j, lastDigit := 0, i, i
	for j < len(s) {
		c := s[j]
		if '0' <= c && c <= '9' {
			if n == len(digits) {
				return 0, 0, false // too long for a card
			}
			digits[n] = c - '0'
			n++
			j++
			lastDigit = j
			continue
		}
		if (c == ' ' || c == '-') && j+1 < len(s) && '0' <= s[j+1] && s[j+1] <= '9' && j > i {
			j++
			continue
		}
		break
	}
	if n < 13 || (lastDigit < len(s) && isAlnum(s[lastDigit])) {
		return 0, 0, false
	}
	return i, lastDigit, luhn(digits[:n])
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i])
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}
