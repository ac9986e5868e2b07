package logline

import (
	"net/netip"
	"strings"
)

// Rule names of the built-in text matchers (Event.Rule).
const (
	RuleSSHD         = "sshd"
	RulePAM          = "pam"
	RuleNginxAuth    = "nginx_basic_auth"
	RuleApacheAuth   = "apache_basic_auth"
	RuleAccessLog    = "web_access_log"
	RuleAPIGWExec    = "apigw_execution"
	RuleAPIGWAccess  = "apigw_access"
	RuleJSONAccess   = "json_access_log" // request loggers with nested req/res (pino-http)
	RuleOWASP        = "owasp_vocabulary"
	RuleGenericText  = "generic_text"
	RuleJSONApp      = "json_app"
	RuleCloudTrail   = "cloudtrail"
	RuleCloudTrailAZ = "cloudtrail_authz"
)

func authEvent(kind Kind, rule, reason, user string, ip netip.Addr) Event {
	return Event{Kind: kind, Rule: rule, Reason: reason, User: cleanUser(user), IP: ip}
}

// parseSSHD reads OpenSSH lines as shipped raw by the CloudWatch agent.
// The source IP is taken only from the LAST " from <ip>" of the line: the
// user name comes first and may itself contain " from 10.9.9.9 port 1"
// (fail2ban's injection sample).
func parseSSHD(s string) (Event, bool) {
	prog, msg, ok := syslogMessage(s)
	if !ok || !strings.HasPrefix(prog, "sshd") {
		return Event{}, false
	}
	msg = strings.TrimPrefix(msg, "error: ")
	switch {
	case strings.HasPrefix(msg, "Failed "):
		method, end := nextToken(msg, len("Failed "))
		rest, ok := strings.CutPrefix(msg[end:], " for ")
		if !ok {
			return Event{}, false
		}
		reason := "invalid_password"
		if method == "publickey" {
			reason = "invalid_publickey"
		}
		if r, ok := strings.CutPrefix(rest, "invalid user "); ok {
			rest, reason = r, "invalid_user"
		}
		user, ip := userFromLast(rest)
		return authEvent(KindAuthFailure, RuleSSHD, reason, user, ip), true
	case strings.HasPrefix(msg, "Invalid user "):
		user, ip := userFromLast(msg[len("Invalid user "):])
		return authEvent(KindAuthFailure, RuleSSHD, "invalid_user", user, ip), true
	case strings.HasPrefix(msg, "Accepted "):
		method, end := nextToken(msg, len("Accepted "))
		rest, ok := strings.CutPrefix(msg[end:], " for ")
		if !ok {
			return Event{}, false
		}
		user, ip := userFromLast(rest)
		return authEvent(KindAuthSuccess, RuleSSHD, acceptedReason(method), user, ip), true
	case strings.HasPrefix(msg, "ROOT LOGIN REFUSED FROM "):
		ipTok, _ := nextToken(msg, len("ROOT LOGIN REFUSED FROM "))
		return authEvent(KindAuthFailure, RuleSSHD, "root_login_refused", "root", parseIP(ipTok)), true
	case strings.HasPrefix(msg, "PAM: Authentication failure for "):
		user, ip := userFromLast(msg[len("PAM: Authentication failure for "):])
		return authEvent(KindAuthFailure, RuleSSHD, "invalid_password", user, ip), true
	case strings.HasPrefix(msg, "maximum authentication attempts exceeded for "):
		rest := strings.TrimPrefix(msg[len("maximum authentication attempts exceeded for "):], "invalid user ")
		user, ip := userFromLast(rest)
		return authEvent(KindAuthFailure, RuleSSHD, "too_many_failures", user, ip), true
	case strings.HasPrefix(msg, "Disconnecting: Too many authentication failures"):
		rest, _ := strings.CutPrefix(msg[len("Disconnecting: Too many authentication failures"):], " for ")
		rest = strings.TrimSuffix(strings.TrimSpace(rest), "[preauth]")
		rest = strings.TrimPrefix(rest, "invalid user ")
		return authEvent(KindAuthFailure, RuleSSHD, "too_many_failures", rest, netip.Addr{}), true
	}
	return Event{}, false
}

// syslogMessage splits a syslog line at its program tag: the first ": "
// ends "<time> <host> <prog>[pid]". Timestamps contain colons but no ": ".
// Anchoring here keeps text that an attacker injects in the message from
// selecting the matcher.
func syslogMessage(s string) (prog, msg string, ok bool) {
	i := strings.Index(s, ": ")
	if i < 0 || i > 256 {
		return "", "", false
	}
	head := s[:i]
	if j := strings.LastIndexAny(head, " \t"); j >= 0 {
		head = head[j+1:]
	}
	return head, s[i+2:], true
}

// acceptedReason keeps the reason a short, known token (and allocation free).
func acceptedReason(m string) string {
	switch m {
	case "password":
		return "accepted_password"
	case "publickey":
		return "accepted_publickey"
	case "keyboard-interactive/pam":
		return "accepted_keyboard_interactive"
	case "hostbased":
		return "accepted_hostbased"
	case "gssapi-with-mic":
		return "accepted_gssapi"
	}
	return "accepted_other"
}

// userFromLast splits "<user> from <ip> [port N …]" at the LAST " from ".
// When the last " from " is not followed by a valid IP, no IP is attributed
// (an earlier one could be part of the user name).
func userFromLast(rest string) (string, netip.Addr) {
	k := strings.LastIndex(rest, " from ")
	if k < 0 {
		tok, _ := nextToken(rest, 0)
		return tok, netip.Addr{}
	}
	ipTok, _ := nextToken(rest, k+len(" from "))
	return rest[:k], parseIP(ipTok)
}

// parsePAM reads pam_unix's "authentication failure; logname= uid=0 euid=0
// tty=ssh ruser= rhost=1.2.3.4  user=root". rhost is the first after the
// fixed fields; user= is the rest of the line (it is the attacker's input, so
// it must come after rhost is read).
func parsePAM(s string) (Event, bool) {
	_, msg, ok := syslogMessage(s)
	if !ok || !strings.HasPrefix(msg, "pam_") {
		return Event{}, false
	}
	i := strings.Index(msg, "): authentication failure;")
	if i < 0 || i > 64 {
		return Event{}, false
	}
	rest := msg[i:]
	var ip netip.Addr
	user := ""
	if k := strings.Index(rest, " rhost="); k >= 0 {
		tok, end := nextToken(rest, k+len(" rhost="))
		if strings.HasPrefix(tok, "user=") { // empty rhost
			tok, end = "", k+len(" rhost=")
		}
		ip = parseIP(tok)
		if u := strings.Index(rest[end:], "user="); u >= 0 {
			user = rest[end+u+len("user="):]
		}
	}
	return authEvent(KindAuthFailure, RulePAM, "invalid_password", strings.TrimRight(user, " \t\r\n"), ip), true
}
