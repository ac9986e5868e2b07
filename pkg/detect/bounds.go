package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Every string that reaches a stored record comes from a log line an
// attacker may have written, so each has a cap, and each record type a
// byte budget well under DynamoDB's 400 KB item limit (a record over it
// fails every retry of its batch, taking unrelated alerts with it).
const (
	// maxIDBytes caps stored request ids (real ones are 36-byte UUIDs).
	maxIDBytes = 128
	// maxUserDisplay caps a user name as records and alerts show it; the
	// user's identity and record key use a hash of the whole name.
	maxUserDisplay = 64
	// keptIDs is how many of a ring's newest entries keep their request id:
	// alerts quote at most 5.
	keptIDs = 8
)

// Byte budgets per record type. A record that would exceed its budget
// sheds samples (oldest first) and keeps its counts; it never fails.
const (
	budgetFunction = 96 << 10
	budgetIP       = 64 << 10
	budgetUser     = 64 << 10
	budgetBlock    = 8 << 10
)

// capString truncates s to at most n bytes without splitting a UTF-8
// sequence and replaces invalid bytes.
func capString(s string, n int) string {
	if len(s) > n {
		s = s[:n]
		for len(s) > 0 && !utf8.ValidString(s[max(0, len(s)-utf8.UTFMax):]) {
			s = s[:len(s)-1]
		}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return s
}

// boundInput returns obs with every request id capped, copying the slice
// only when one is over the cap (a friendly batch costs nothing).
func boundInput(obs []Observation) []Observation {
	copied := false
	for i := range obs {
		if len(obs[i].Event.RequestID) <= maxIDBytes {
			continue
		}
		if !copied {
			obs, copied = append([]Observation(nil), obs...), true
		}
		obs[i].Event.RequestID = capString(obs[i].Event.RequestID, maxIDBytes)
	}
	return obs
}

// userIdentity returns the display form of a normalised user name (capped,
// made unique by a hash of the whole name when cut) and the hash that names
// its record.
func userIdentity(norm string) (display, id string) {
	id = userID(norm)
	return userDisplay(norm, id), id
}

// userID is the SHA-256 (truncated to 128 bits, hex) of a normalised user
// name: an attacker must not be able to pick a name that shares another
// user's record.
func userID(norm string) string {
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:16])
}

// userDisplay is the name as records and alerts show it; id is userID's
// (only needed, and only computed by callers, when norm is too long).
func userDisplay(norm, id string) string {
	if len(norm) <= maxUserDisplay {
		return norm
	}
	if id == "" {
		id = userID(norm)
	}
	return capString(norm, maxUserDisplay-17) + "~" + id[:16]
}

// forgetOldIDs clears the request id of the entry that just left the
// newest keptIDs of ring.
func forgetOldIDs(ring []authHit) {
	if i := len(ring) - 1 - keptIDs; i >= 0 {
		ring[i].R = ""
	}
}

// shrinker is a record that can shed samples to fit its budget.
type shrinker interface {
	record
	// shrink drops about half of the record's samples, oldest first, and
	// reports false when there is nothing left to drop.
	shrink() bool
}

// fit encodes rec and, while it is over budget, sheds samples and encodes
// it again. The earlier encodings stay in buf unused (rare: only hostile
// input gets here).
func (p *plan) fit(rec shrinker, budget int) []byte {
	data := encodeRecord(&p.buf, rec)
	for len(data) > budget && rec.shrink() {
		data = encodeRecord(&p.buf, rec)
	}
	return data
}

func halve[T any](ring []T) []T { return ring[len(ring)/2:] }

func (x *ipRecord) shrink() bool {
	if len(x.Fails) <= 1 && len(x.Succ) <= 1 && len(x.Comp) <= 1 {
		return false
	}
	x.Fails, x.Succ, x.Comp = halve(x.Fails), halve(x.Succ), halve(x.Comp)
	return true
}

func (x *userRecord) shrink() bool {
	if len(x.Fails) <= 1 {
		return false
	}
	x.Fails = halve(x.Fails)
	return true
}

func (x *blockRecord) shrink() bool {
	if len(x.Fails) <= 1 && len(x.Reason) <= 256 {
		return false
	}
	x.Fails, x.Reason = halve(x.Fails), capString(x.Reason, 256)
	return true
}

// shrink drops the oldest samples and remembered request ids; the
// baselines (EWMAs, counters, incidents) are kept.
func (x *fnRecord) shrink() bool {
	if len(x.Ring) <= 1 && len(x.Colds) <= 1 && len(x.Seen) <= 1 {
		return false
	}
	x.Ring, x.Colds, x.Seen = halve(x.Ring), halve(x.Colds), halve(x.Seen)
	return true
}
