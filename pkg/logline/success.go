package logline

import "strings"

// Success lines name the user before the verb more often than after it:
// "User alice logged in from 203.0.113.7". The name is read only from the
// fixed shape "user <name> <phrase>" (one token, or a quoted string), and
// the address only from the slot after the verb (verbAddr), so a name cannot
// move it.

// phraseUser reads the user of a phrase at s[start:end]: after it ("for
// bob", "user=bob", bounded by limit as in textUser), else right before it.
func phraseUser(s string, start, end, limit int) string {
	if u := textUser(s[end:], limit); u != "" {
		return u
	}
	return userBefore(s[:start])
}

// userBefore reads "user <name>" (or "username: <name>", "user=<name>")
// ending s, the text just before a phrase. Words that say the sentence is
// about something else ("User not logged in", "user must be …") give "".
func userBefore(s string) string {
	s = strings.TrimRight(s, " \t")
	if s == "" {
		return ""
	}
	var name string
	if q := s[len(s)-1]; q == '\'' || q == '"' || q == '`' {
		open := strings.LastIndexByte(s[:len(s)-1], q)
		if open < 0 {
			return ""
		}
		name, s = s[open+1:len(s)-1], s[:open]
	} else {
		i := strings.LastIndexAny(s, " \t")
		name, s = s[i+1:], s[:i+1]
		for _, p := range [...]string{"user=", "username="} {
			if hasPrefixFold(name, p) && (s == "" || !isWordByte(s[len(s)-1])) {
				return cleanName(name[len(p):])
			}
		}
	}
	s = strings.TrimRight(s, " \t")
	s = strings.TrimSuffix(s, ":")
	for _, w := range [...]string{"username", "user"} {
		if len(s) >= len(w) && equalFoldLower(s[len(s)-len(w):], w) && (len(s) == len(w) || !isWordByte(s[len(s)-len(w)-1])) {
			return cleanName(name)
		}
	}
	return ""
}

// cleanName drops quotes and stop words from a name read before a phrase.
func cleanName(name string) string {
	name = strings.TrimRight(strings.Trim(name, `'"`+"`"), ",;:")
	switch strings.ToLower(name) {
	case "", "not", "never", "is", "was", "has", "had", "have", "must", "be", "been", "already", "still",
		"successfully", "currently", "who", "that", "the", "a", "an", "should", "will", "can", "cannot",
		"to", "you", "session":
		return ""
	}
	return name
}

// loggedInPhrases are verbs that are a login only with a named subject.
var loggedInPhrases = [...]string{" logged in", " signed in", " logged on"}

// parseUserLoggedIn reads "User alice logged in [from 203.0.113.7]": the bare
// verb counts only in the shape "user <name> <verb>", since "must be logged
// in" and "not logged in" are not logins. A quoted name ("User 'a b' logged
// in") is preferred to an unquoted reading, because a verb inside the quotes
// is the name's.
func parseUserLoggedIn(s string) (Event, bool) {
	at, end, user, quoted := -1, 0, "", false
	for _, ph := range loggedInPhrases {
		for from := 0; from < len(s); {
			k := indexFold(s[from:], ph)
			if k < 0 {
				break
			}
			i := from + k
			from = i + len(ph)
			if !verbEnds(s[from:]) {
				continue
			}
			u := userBefore(s[:i])
			if u == "" {
				continue
			}
			q := strings.IndexByte("'\"`", s[i-1]) >= 0
			if at < 0 || (q && !quoted) {
				at, end, user, quoted = i, from, u, q
			}
		}
	}
	if at < 0 {
		return Event{}, false
	}
	scan := 0
	if quoted {
		scan = at
	}
	a := verbAddr(s, scan, end)
	return a.attribute(authEvent(KindAuthSuccess, RuleGenericText, "login_success", user, a.ip)), true
}

// verbEnds reports whether a verb ends at a word boundary ("logged in",
// "logged in.", "logged into"), not inside a word ("logged inside").
func verbEnds(rest string) bool {
	if rest == "" || !isWordByte(rest[0]) {
		return true
	}
	return hasPrefixFold(rest, "to") && (len(rest) == 2 || !isWordByte(rest[2]))
}

// verbAddr reads the address after a "logged in" verb ending at end, by
// phraseAddr's rules: the slot right after the verb, else markers that
// agree. A second verb in s[scan:] (after a quoted name, else in the whole
// line) may have come with a forged name, so then there is no address.
func verbAddr(s string, scan, end int) textAddr {
	n := 0
	for _, ph := range loggedInPhrases {
		for from := scan; ; n++ {
			k := indexFold(s[from:], ph)
			if k < 0 {
				break
			}
			from += k + len(ph)
		}
	}
	if n > 1 {
		return noAddr
	}
	if a := slotAfter(s, end); a.ok() {
		return a
	}
	return agreedAddr(s, end)
}
