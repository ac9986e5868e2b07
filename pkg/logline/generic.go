package logline

import "strings"

// owaspEvent classifies an OWASP Logging Vocabulary event name
// (cheatsheetseries.owasp.org, Logging Vocabulary Cheat Sheet).
func owaspEvent(name string) Kind {
	switch name {
	case "authn_login_fail", "authn_login_fail_max", "authn_login_lock", "authn_password_change_fail",
		"authn_impossible_travel", "authn_token_reuse", "authz_fail":
		return KindAuthFailure
	case "authn_login_success", "authn_login_successafterfail":
		return KindAuthSuccess
	}
	return KindOther
}

// parseOWASP finds "authn_…[:userid,…]" or "authz_…" in s and returns the
// event name and its first argument (the user id, by the vocabulary).
func parseOWASP(s string) (kind Kind, name, user string) {
	for from := 0; from < len(s); {
		k := strings.Index(s[from:], "auth")
		if k < 0 {
			return KindOther, "", ""
		}
		i := from + k
		from = i + 4
		if i+6 > len(s) || (s[i+4] != 'n' && s[i+4] != 'z') || s[i+5] != '_' {
			continue
		}
		if i > 0 && isWordByte(s[i-1]) {
			continue
		}
		j := i + 6
		for j < len(s) && (s[j] == '_' || 'a' <= s[j] && s[j] <= 'z') {
			j++
		}
		name = s[i:j]
		kind = owaspEvent(name)
		if kind == KindOther {
			continue
		}
		if j < len(s) && s[j] == ':' {
			a := j + 1
			e := a
			for e < len(s) && s[e] != ',' && s[e] != '"' && !isSpace(s[e]) {
				e++
			}
			user = s[a:e]
		}
		return kind, name, user
	}
	return KindOther, "", ""
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Generic free-text phrases, lower case. A phrase decides the kind and the
// reason; attribution comes from markers around it.
var genericPhrases = [...]struct {
	text   string
	kind   Kind
	reason string
}{
	{"invalid username or password", KindAuthFailure, "invalid_credentials"},
	{"incorrect username or password", KindAuthFailure, "invalid_credentials"}, // Cognito, passport-local
	{"wrong username or password", KindAuthFailure, "invalid_credentials"},
	{"invalid email or password", KindAuthFailure, "invalid_credentials"}, // Devise
	{"credentials do not match", KindAuthFailure, "invalid_credentials"},  // Laravel
	{"invalid login attempt", KindAuthFailure, "login_failed"},            // ASP.NET Core Identity
	{"failed to authenticate", KindAuthFailure, "authentication_failed"},  // Spring Security
	{"invalid credentials", KindAuthFailure, "invalid_credentials"},
	{"incorrect credentials", KindAuthFailure, "invalid_credentials"},
	{"bad credentials", KindAuthFailure, "invalid_credentials"},
	{"invalid password", KindAuthFailure, "invalid_password"},
	{"incorrect password", KindAuthFailure, "invalid_password"},
	{"wrong password", KindAuthFailure, "invalid_password"},
	{"bad password", KindAuthFailure, "invalid_password"},
	{"password mismatch", KindAuthFailure, "invalid_password"},
	{"account locked", KindAuthFailure, "account_locked"},
	{"login failed", KindAuthFailure, "login_failed"},
	{"login failure", KindAuthFailure, "login_failed"},
	{"failed login", KindAuthFailure, "login_failed"},
	{"failed to log in", KindAuthFailure, "login_failed"},
	{"failed to login", KindAuthFailure, "login_failed"},
	{"log in failed", KindAuthFailure, "login_failed"},
	{"logon failed", KindAuthFailure, "login_failed"},
	{"logon failure", KindAuthFailure, "login_failed"},
	{"failed logon", KindAuthFailure, "login_failed"},
	{"sign-in failed", KindAuthFailure, "login_failed"},
	{"signin failed", KindAuthFailure, "login_failed"},
	{"sign in failed", KindAuthFailure, "login_failed"},
	{"failed sign-in", KindAuthFailure, "login_failed"},
	{"failed sign in", KindAuthFailure, "login_failed"},
	{"authentication failed", KindAuthFailure, "authentication_failed"},
	{"authentication failure", KindAuthFailure, "authentication_failed"},
	{"failed authentication", KindAuthFailure, "authentication_failed"},
	{"auth failed", KindAuthFailure, "authentication_failed"},
	{"auth failure", KindAuthFailure, "authentication_failed"},
	{"access denied", KindAuthFailure, "access_denied"},
	{"unauthorized", KindAuthFailure, "unauthorized"},
	{"login succeeded", KindAuthSuccess, "login_success"},
	{"login successful", KindAuthSuccess, "login_success"},
	{"successful login", KindAuthSuccess, "login_success"},
	{"successfully logged in", KindAuthSuccess, "login_success"},
	{"logged in successfully", KindAuthSuccess, "login_success"},
	{"authentication succeeded", KindAuthSuccess, "login_success"},
	{"authentication successful", KindAuthSuccess, "login_success"},
	{"successfully authenticated", KindAuthSuccess, "login_success"},
	{"sign-in succeeded", KindAuthSuccess, "login_success"},
	{"signed in successfully", KindAuthSuccess, "login_success"},
	{"successfully signed in", KindAuthSuccess, "login_success"},
	{"accepted login", KindAuthSuccess, "login_success"},
	{"login accepted", KindAuthSuccess, "login_success"},
}

// needsAttribution marks reasons too generic to count without a user or IP:
// "unauthorized" and "access denied" are also what a service says about its
// own failed call to another one.
func needsAttribution(reason string) bool {
	return reason == "unauthorized" || reason == "access_denied"
}

// phraseByFirst buckets genericPhrases by first byte, so one pass over a
// line tests only the phrases that can start at each position.
var phraseByFirst [256][]uint8

func init() {
	for i, p := range genericPhrases {
		c := p.text[0]
		phraseByFirst[c] = append(phraseByFirst[c], uint8(i))
		if u := upperASCII(c); u != c {
			phraseByFirst[u] = append(phraseByFirst[u], uint8(i))
		}
	}
}

// genericPhrase returns the highest-priority known phrase in s (earlier in
// genericPhrases wins), where it starts and the index just past it.
func genericPhrase(s string) (kind Kind, reason string, start, end int) {
	best := len(genericPhrases)
	for i := 0; i < len(s); i++ {
		for _, pi := range phraseByFirst[s[i]] {
			if int(pi) < best && hasPrefixFold(s[i:], genericPhrases[pi].text) {
				best, start = int(pi), i
			}
		}
	}
	if best == len(genericPhrases) {
		return KindOther, "", 0, 0
	}
	p := &genericPhrases[best]
	return p.kind, p.reason, start, start + len(p.text)
}

// parseGenericText classifies free text such as "login failed for bob from
// 203.0.113.9" or "Authentication failed for user 'alice' (ip=203.0.113.10)".
// The address comes from phraseAddr's slots only.
func parseGenericText(s string) (Event, bool) {
	kind, reason, start, end := genericPhrase(s)
	if kind == KindOther {
		return parseUserLoggedIn(s)
	}
	a := phraseAddr(s, start, end)
	limit := -1
	if !a.immediate && a.at >= end {
		limit = a.at - end
	}
	user := phraseUser(s, start, end, limit)
	if needsAttribution(reason) && user == "" && !a.ok() {
		return Event{}, false
	}
	return a.attribute(authEvent(kind, RuleGenericText, reason, user, a.ip)), true
}

// textUser reads the user after a phrase: "for user 'alice'", "for bob",
// "user=bob", "username: bob". limit bounds it at the IP marker.
func textUser(s string, limit int) string {
	if limit >= 0 && limit < len(s) {
		s = s[:limit]
	}
	for _, m := range [...]string{"for user ", "for ", "username=", "username: ", "user=", "user: ", "user "} {
		i := indexFold(s, m)
		if i < 0 {
			continue
		}
		rest := strings.TrimLeft(s[i+len(m):], " ")
		if rest == "" {
			continue
		}
		if q := rest[0]; q == '\'' || q == '"' || q == '`' {
			if e := strings.LastIndexByte(rest, q); e > 0 {
				return rest[1:e]
			}
		}
		tok, _ := nextToken(rest, 0)
		return strings.TrimRight(tok, ",;:.)")
	}
	return ""
}
