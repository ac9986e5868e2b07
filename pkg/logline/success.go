package logline

import "strings"

// Success lines name the user before the verb more often than after it:
// "User alice logged in from 203.0.113.7". The name is read only from the
// fixed shape "user <name> <phrase>" (one token, or a quoted string), and
// the IP only by textIP's rules, so a name cannot move the IP.

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
// in" and "not logged in" are not logins.
func parseUserLoggedIn(s string) (Event, bool) {
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
			if user := userBefore(s[:i]); user != "" {
				ip, _ := textIP(s)
				return authEvent(KindAuthSuccess, RuleGenericText, "login_success", user, ip), true
			}
		}
	}
	return Event{}, false
}

// verbEnds reports whether a verb ends at a word boundary ("logged in",
// "logged in.", "logged into"), not inside a word ("logged inside").
func verbEnds(rest string) bool {
	if rest == "" || !isWordByte(rest[0]) {
		return true
	}
	return hasPrefixFold(rest, "to") && (len(rest) == 2 || !isWordByte(rest[2]))
}
