package logline

import (
	"net/netip"
	"strings"
)

// parseNginx reads nginx basic-auth failures from the error log:
//
//	… *1 user "bob" was not found in "/etc/nginx/.htpasswd", client: 1.2.3.4, server: …
//	… *1 user "bob": password mismatch, client: 1.2.3.4, server: …
//
// The user name (before) and the referrer (after) are the client's input,
// so the IP is attributed only when every ", client: " in the line agrees.
func parseNginx(s string) (Event, bool) {
	start := strings.Index(s, ` user "`)
	if start < 0 {
		return Event{}, false
	}
	rest := s[start+len(` user "`):]
	reason := "invalid_user"
	end := strings.Index(rest, `" was not found in "`)
	if m := strings.Index(rest, `": password mismatch`); m >= 0 && (end < 0 || m < end) {
		end, reason = m, "invalid_password"
	}
	if end < 0 {
		return Event{}, false
	}
	ip, _ := agreedIP(s, ", client: ", ",")
	return authEvent(KindAuthFailure, RuleNginxAuth, reason, rest[:end], ip), true
}

// agreedIP collects the IPs after every occurrence of marker (up to stop or
// white space) and returns one only when they all agree: an injected copy of
// the marker makes the line ambiguous, and ambiguity attributes nothing.
func agreedIP(s, marker, stop string) (netip.Addr, bool) {
	var ip netip.Addr
	found := false
	for i := 0; ; {
		k := strings.Index(s[i:], marker)
		if k < 0 {
			break
		}
		i += k + len(marker)
		tok, _ := nextToken(s, i)
		if j := strings.Index(tok, stop); j >= 0 {
			tok = tok[:j]
		}
		a := parseIP(tok)
		if found && a != ip {
			return netip.Addr{}, false
		}
		ip, found = a, true
	}
	return ip, found && ip.IsValid()
}

// parseApache reads Apache 2.4 auth failures:
//
//	[…] [auth_basic:error] [pid 1] [client 1.2.3.4:5678] AH01617: user bob: authentication failure for "/": Password Mismatch
//	[…] [auth_basic:error] [pid 1] [client 1.2.3.4:5678] AH01618: user bob not found: /
//
// The client is the "[client …]" field of the fixed prefix, before the code.
func parseApache(s string) (Event, bool) {
	// The first code in the line is Apache's; later ones are client text.
	code := strings.Index(s, "] AH0161")
	if code < 0 || len(s) < code+len("] AH01617: user ") {
		return Event{}, false
	}
	code += 2
	var reason, endPhrase string
	switch s[code : code+len("AH01617: user ")] {
	case "AH01617: user ":
		reason, endPhrase = "invalid_password", ": authentication failure"
	case "AH01618: user ":
		reason, endPhrase = "invalid_user", " not found"
	default:
		return Event{}, false
	}
	rest := s[code+len("AH01617: user "):]
	end := strings.Index(rest, endPhrase)
	if end < 0 {
		return Event{}, false
	}
	var ip netip.Addr
	prefix := s[:code]
	if c := strings.Index(prefix, "[client "); c >= 0 {
		tok := prefix[c+len("[client "):]
		if e := strings.IndexByte(tok, ']'); e >= 0 {
			ip = parseIP(stripApachePort(tok[:e]))
		}
	}
	return authEvent(KindAuthFailure, RuleApacheAuth, reason, rest[:end], ip), true
}

// stripApachePort removes the ":port" Apache 2.4 appends even to unbracketed
// IPv6 addresses.
func stripApachePort(s string) string {
	if strings.Count(s, ":") < 2 || s[0] == '[' {
		return s
	}
	if k := strings.LastIndexByte(s, ':'); k > 0 && allDigits(s[k+1:]) && strings.Contains(s[:k], "::") {
		return s[:k]
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// apigwAuthResponse maps API Gateway response types that mean an
// authentication or authorization failure to a reason. AUTHORIZER_FAILURE and
// AUTHORIZER_CONFIGURATION_ERROR are the operator's faults, not the caller's.
func apigwAuthResponse(t string) string {
	switch t {
	case "UNAUTHORIZED":
		return "unauthorized"
	case "ACCESS_DENIED":
		return "access_denied"
	case "MISSING_AUTHENTICATION_TOKEN":
		return "missing_authentication_token"
	case "INVALID_API_KEY":
		return "invalid_api_key"
	case "INVALID_SIGNATURE":
		return "invalid_signature"
	case "EXPIRED_TOKEN":
		return "expired_token"
	}
	return ""
}

// parseAPIGWExec reads API Gateway execution logs, "(<id>) <text>".
// Both "Unauthorized request" and the matching "Gateway response type" line
// may appear for one request: they carry the same RequestID.
func parseAPIGWExec(s string) (Event, bool) {
	end := strings.IndexByte(s, ')')
	if end < 2 || end > 80 || len(s) < end+2 || s[end+1] != ' ' {
		return Event{}, false
	}
	id, msg := s[1:end], s[end+2:]
	switch {
	case strings.HasPrefix(msg, "Unauthorized request: "):
		ev := authEvent(KindAuthFailure, RuleAPIGWExec, "unauthorized", "", netip.Addr{})
		ev.RequestID = id
		return ev, true
	case strings.HasPrefix(msg, "Gateway response type: "):
		t, _ := nextToken(msg, len("Gateway response type: "))
		if r := apigwAuthResponse(t); r != "" {
			ev := authEvent(KindAuthFailure, RuleAPIGWExec, r, "", netip.Addr{})
			ev.RequestID = id
			return ev, true
		}
	}
	return Event{}, false
}

// parseAccessLog reads common/combined log format lines (nginx, Apache, API
// Gateway's CLF template): `<ip> <ident> <user> [<time>] "<request>" <status> …`.
// A 401 or 403 on a login-ish path is an authentication failure. The IP is
// the first token, which the client cannot influence.
func parseAccessLog(s string) (Event, bool) {
	ipTok, end := nextToken(s, 0)
	ip := parseIP(ipTok)
	if !ip.IsValid() {
		return Event{}, false
	}
	_, end = nextToken(s, end) // ident
	user, end := nextToken(s, end)
	open := strings.Index(s[end:], ` "`)
	if open < 0 || !strings.Contains(s[end:end+open], "[") {
		return Event{}, false
	}
	reqStart := end + open + 2
	status, reqEnd := "", -1
	for i := reqStart; i+5 <= len(s); i++ { // closing quote: `" NNN` not escaped
		if s[i] == '"' && s[i-1] != '\\' && s[i+1] == ' ' && allDigits(s[i+2:i+5]) && (i+5 == len(s) || isSpace(s[i+5])) {
			status, reqEnd = s[i+2:i+5], i
			break
		}
	}
	if reqEnd < 0 || (status != "401" && status != "403") {
		return Event{}, false
	}
	_, pe := nextToken(s[:reqEnd], reqStart) // method
	path, _ := nextToken(s[:reqEnd], pe)
	if !loginishPath(path) {
		return Event{}, false
	}
	reason := "http_401"
	if status == "403" {
		reason = "http_403"
	}
	return authEvent(KindAuthFailure, RuleAccessLog, reason, user, ip), true
}

// loginishPath reports whether a request path is where credentials are sent.
func loginishPath(p string) bool {
	if q := strings.IndexAny(p, "?#"); q >= 0 {
		p = p[:q]
	}
	return containsAnyFold(p, "login", "logon", "signin", "sign-in", "sign_in", "auth", "session",
		"token", "password", "passwd", "xmlrpc", "/admin", "account")
}
