package logline

import (
	"net/netip"
	"strings"
)

// parseNginx reads nginx basic-auth failures from the error log:
//
//	… [error] 12#12: *1 user "bob" was not found in "/etc/nginx/.htpasswd", client: 1.2.3.4, server: …
//	… [error] 12#12: *2 user "bob": password mismatch, client: 1.2.3.4, server: …
//
// The slot is the ", client: " right after the fixed message. A basic-auth
// user name cannot contain ':' (it ends at the first colon of the decoded
// credentials) and the file path is configuration, so the first ", client: "
// after the user is nginx's own; the request, host and referrer that may
// also carry "client: 1.1.1.1" come after it.
func parseNginx(s string) (Event, bool) {
	start := headIndex(s, ` user "`, 64)
	if start < 20 || s[4] != '/' || s[7] != '/' || s[19] != ' ' || s[20] != '[' {
		return Event{}, false
	}
	// "[error] 31#31: *1": the level, "pid#tid: *connection", nothing else.
	if l := strings.Index(s[20:start], "] "); l < 0 || !strings.Contains(s[20+l:start], "#") ||
		!strings.Contains(s[20+l:start], ": *") || strings.ContainsAny(s[21:start], `"'=(`) {
		return Event{}, false
	}
	rest := s[start+len(` user "`):]
	c := strings.Index(rest, ", client: ")
	if c < 0 {
		return Event{}, false
	}
	head := rest[:c]
	var ev Event
	switch {
	case strings.HasSuffix(head, `": password mismatch`):
		ev = slotEvent(KindAuthFailure, RuleNginxAuth, "invalid_password", head[:len(head)-len(`": password mismatch`)])
	case strings.Contains(head, `" was not found in "`):
		ev = slotEvent(KindAuthFailure, RuleNginxAuth, "invalid_user", head[:strings.LastIndex(head, `" was not found in "`)])
	default:
		return Event{}, false
	}
	tok := rest[c+len(", client: "):]
	if e := strings.IndexByte(tok, ','); e >= 0 && strings.HasPrefix(tok[e:], ", server: ") {
		ev.setPeer(tok[:e], "nginx.client", false)
	}
	return ev, true
}

// apacheMessages are the Apache httpd error-log messages (2.2 and 2.4,
// after the "AHnnnnn: " code) that mean an authentication or access
// failure, with the text that ends the user name.
var apacheMessages = [...]struct {
	prefix, userEnd, reason string
}{
	{"user ", ": authentication failure for ", "invalid_password"}, // mod_auth_basic AH01617
	{"user ", " not found: ", "invalid_user"},                      // AH01618
	{"Digest: user ", ": password mismatch: ", "invalid_password"}, // mod_auth_digest
	{"Digest: user `", "' in realm `", "invalid_user"},
	{"user ", ": authorization failure for ", "authz_failure"},             // mod_authz_core AH01631
	{"client used wrong authentication scheme: ", "", "wrong_auth_scheme"}, // AH01614
	{"client denied by server configuration: ", "", "access_denied"},       // AH01797, AH01630
}

// parseApache reads Apache auth failures from the error log:
//
//	[…] [auth_basic:error] [pid 1] [client 1.2.3.4:5678] AH01617: user bob: authentication failure for "/": Password Mismatch
//	[…] [error] [client 1.2.3.4] user bob not found: /private
//
// The client is the "[client …]" group of the fixed prefix, before the
// message: nothing the client sends is written before it.
func parseApache(s string) (Event, bool) {
	client, msg, ok := apacheHead(s)
	if !ok {
		return Event{}, false
	}
	if len(msg) > 9 && msg[0] == 'A' && msg[1] == 'H' && allDigits(msg[2:7]) && msg[7] == ':' {
		msg = msg[9:]
	}
	for _, m := range apacheMessages {
		rest, ok := strings.CutPrefix(msg, m.prefix)
		if !ok {
			continue
		}
		user := ""
		if m.userEnd != "" {
			e := strings.LastIndex(rest, m.userEnd) // the path after it has no spaces
			if e < 0 {
				continue
			}
			user = rest[:e]
		}
		ev := slotEvent(KindAuthFailure, RuleApacheAuth, m.reason, user)
		ev.setPeer(client, "apache.client", false)
		return ev, true
	}
	return Event{}, false
}

// apacheHead reads the leading "[…] " groups of an Apache error-log line and
// returns the "[client …]" address and the message after the groups.
func apacheHead(s string) (client, msg string, ok bool) {
	i := 0
	for i < len(s) && s[i] == '[' {
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			return "", "", false
		}
		if g := s[i+1 : i+j]; strings.HasPrefix(g, "client ") {
			client, ok = g[len("client "):], true
		}
		i += j + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	return client, s[i:], ok
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
	ip := peerIP(ipTok)
	if !ip.IsValid() && strings.IndexByte(ipTok, ':') > 0 { // Apache vhost_combined: "host:port ip …"
		ipTok, end = nextToken(s, end)
		ip = peerIP(ipTok)
	}
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
	ev := authEvent(KindAuthFailure, RuleAccessLog, reason, user, netip.Addr{})
	ev.setPeerIP(ip, "access.client")
	return ev, true
}

// loginishPath reports whether a request path is where credentials are sent.
func loginishPath(p string) bool {
	if q := strings.IndexAny(p, "?#"); q >= 0 {
		p = p[:q]
	}
	return containsAnyFold(p, "login", "logon", "signin", "sign-in", "sign_in", "auth", "session",
		"token", "password", "passwd", "xmlrpc", "/admin", "account")
}

// parseLighttpd reads lighttpd's mod_auth failures:
//
//	2024-03-02 10:00:01: (mod_auth.c.525) password doesn't match for /admin/ username: bob, IP: 203.0.113.5
//	2024-03-02 10:00:02: (mod_auth.c.1136) digest: auth failed for bob: wrong password, IP: 203.0.113.5
//	2024-03-02 10:00:03: (mod_auth.c.452) get_password failed, IP: 203.0.113.5
//
// The path and user come first; the peer is the last "IP: " and ends the line.
func parseLighttpd(s string) (Event, bool) {
	c := headIndex(s, "_auth.c.", 32)
	if c < 5 || !isTimeHead(strings.TrimSuffix(strings.TrimSuffix(s[:c-4], "("), " (")) {
		return Event{}, false
	}
	p := strings.Index(s[c:], ") ")
	if p < 0 || p > 16 {
		return Event{}, false
	}
	s = s[c+p+1:] // " <message>"
	var ev Event
	switch {
	case strings.HasPrefix(s, " password doesn't match for "):
		u := strings.Index(s, " username: ")
		if u < 0 {
			return Event{}, false
		}
		ev = slotEvent(KindAuthFailure, "lighttpd", "invalid_password", "")
		user := s[u+len(" username: "):]
		if k := strings.LastIndex(user, " IP: "); k >= 0 {
			ev.User = cleanUser(strings.TrimSuffix(user[:k], ","))
		}
	case strings.HasPrefix(s, " digest: auth failed"):
		ev = slotEvent(KindAuthFailure, "lighttpd", "invalid_password", "")
	case strings.HasPrefix(s, " get_password failed"):
		ev = slotEvent(KindAuthFailure, "lighttpd", "invalid_user", "")
	default:
		return Event{}, false
	}
	if tok, _, ok := endsWithPeer(s, " IP: "); ok {
		ev.setPeer(tok, "lighttpd.ip", false)
	}
	return ev, true
}
