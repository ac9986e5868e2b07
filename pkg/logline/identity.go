package logline

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// userHashLen is the number of hex digits of the whole name's hash kept in a
// capped user name: 64 bits, so that an attacker cannot make two distinct
// long names collide on purpose within any feasible effort.
const userHashLen = 16

// capUser caps a user name to MaxUserLen bytes without merging identities:
// a longer name keeps a prefix (cut on a rune boundary) plus "~" and a hash
// of the whole name. Detection counts failures per user, so two long names
// that share their first MaxUserLen bytes must stay two users; truncation
// alone would let an attacker spread one account's failures over many
// names, or pile many accounts onto one. Short names are returned as they
// are, without allocating.
func capUser(s string) string {
	if len(s) <= MaxUserLen {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	cut := MaxUserLen - 1 - userHashLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	b := make([]byte, 0, cut+1+userHashLen)
	b = append(b, s[:cut]...)
	b = append(b, '~')
	b = hex.AppendEncode(b, sum[:userHashLen/2])
	return string(b)
}
