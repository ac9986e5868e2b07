package logline

import "strings"

// Lambda's Node and Python runtimes prefix every application line in TEXT
// log format (formats.md §3.4):
//
//	Node:   <RFC3339 time>\t<request id | "undefined">\t<LEVEL>\t<payload>
//	Python: [<LEVEL>]\t<RFC3339 time>\t<request id | "">\t<payload>
//
// The payload is what the application wrote, very often a JSON object
// (console.warn(JSON.stringify(…)), Powertools in text mode). Cutting the
// prefix lets the payload be classified as what it is, and the prefix's
// request id is the runtime's own, which the application cannot forge.

// maxPrefixField bounds each prefix field, so that a line that merely starts
// with a date is given up on after a few bytes.
const maxPrefixField = 48

// cutRuntimePrefix splits a Lambda runtime text line into its request id
// ("" during init) and payload. ok is false when s has no runtime prefix.
// It only looks at fixed positions and the first three tab-separated fields.
func cutRuntimePrefix(s string) (id, payload string, ok bool) {
	if len(s) < 12 {
		return "", "", false
	}
	if s[0] == '[' { // Python
		level, rest, ok := cutField(s[1:], ']')
		if !ok || !isLevel(level) || rest == "" || rest[0] != '\t' {
			return "", "", false
		}
		ts, rest, ok := cutField(rest[1:], '\t')
		if !ok || !isTimestamp(ts) {
			return "", "", false
		}
		id, rest, ok = cutField(rest, '\t')
		if !ok || (id != "" && !isRequestID(id)) {
			return "", "", false
		}
		return id, rest, true
	}
	// Node: the time has a fixed length, so its tab is at a fixed position
	// ("2024-06-07T19:11:20.564Z\t"); anything else is no runtime line.
	const nodeTime = len("2024-06-07T19:11:20.564Z")
	if len(s) <= nodeTime || s[nodeTime] != '\t' || !isTimestamp(s[:nodeTime]) {
		return "", "", false
	}
	id, rest, ok := cutField(s[nodeTime+1:], '\t')
	if !ok || !(id == "undefined" || isRequestID(id)) {
		return "", "", false
	}
	level, rest, ok := cutField(rest, '\t')
	if !ok || !isLevel(level) {
		return "", "", false
	}
	if id == "undefined" {
		id = ""
	}
	return id, rest, true
}

// cutField splits s at the first sep within maxPrefixField bytes.
func cutField(s string, sep byte) (field, rest string, ok bool) {
	i := strings.IndexByte(s[:min(len(s), maxPrefixField+1)], sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// isTimestamp checks the shape of an RFC 3339 time: "2024-06-07T19:11:20…".
func isTimestamp(s string) bool {
	return len(s) >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') &&
		s[13] == ':' && s[16] == ':' && allDigits(s[:4])
}

// isLevel accepts the runtimes' level names: upper-case letters only.
func isLevel(s string) bool {
	if len(s) < 3 || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// isRequestID accepts a Lambda request id: a UUID, or (for local runners
// and older runtimes) one token of letters, digits and dashes.
func isRequestID(s string) bool {
	if isUUIDish(s) {
		return true
	}
	if len(s) < 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
