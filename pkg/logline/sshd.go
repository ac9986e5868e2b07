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

// sshdFrom is the slot of every sshd shape: the peer sshd writes after the
// user name ("for <user> from <ip> port <n>", "user <user> <ip> port <n>").
const sshdFrom = "sshd.from"

// sshdPrefixes are the messages that name the user and then the peer as
// "<user> from <ip> [port N …]", with their kind and reason. The user may
// hold anything ("x from 10.9.9.9 port 22"): the peer is the LAST " from ",
// which sshd writes after the name.
var sshdPrefixes = [...]struct {
	prefix string
	kind   Kind
	reason string
}{
	{"Invalid user ", KindAuthFailure, "invalid_user"},
	{"Illegal user ", KindAuthFailure, "invalid_user"},
	{"PAM: Authentication failure for illegal user ", KindAuthFailure, "invalid_user"},
	{"PAM: Authentication failure for ", KindAuthFailure, "invalid_password"},
	{"maximum authentication attempts exceeded for invalid user ", KindAuthFailure, "too_many_failures"},
	{"maximum authentication attempts exceeded for ", KindAuthFailure, "too_many_failures"},
}

// sshdClosed are the OpenSSH ≥ 7.5 shapes "<prefix><user> <ip> port <n>
// [preauth]": a session that authenticated as nobody. The peer is the token
// before the last " port ".
var sshdClosed = [...]struct {
	prefix string
	reason string
}{
	{"Connection closed by authenticating user ", "closed_preauth"},
	{"Connection closed by invalid user ", "invalid_user"},
	{"Connection reset by authenticating user ", "closed_preauth"},
	{"Connection reset by invalid user ", "invalid_user"},
	{"Disconnected from authenticating user ", "closed_preauth"},
	{"Disconnected from invalid user ", "invalid_user"},
	{"Disconnecting authenticating user ", "too_many_failures"},
	{"Disconnecting invalid user ", "invalid_user"},
}

// parseSSHDMsg reads one OpenSSH message (after the syslog tag).
func parseSSHDMsg(_, msg string) (Event, bool) {
	msg = strings.TrimPrefix(msg, "error: ")
	switch {
	case strings.HasPrefix(msg, "Failed "), strings.HasPrefix(msg, "Accepted "):
		return sshdMethod(msg)
	case strings.HasPrefix(msg, "User ") && strings.Contains(msg, " not allowed because "):
		return sshdNotAllowed(msg)
	case strings.HasPrefix(msg, "ROOT LOGIN REFUSED FROM "):
		ev := slotEvent(KindAuthFailure, RuleSSHD, "root_login_refused", "root")
		tok, _ := nextToken(msg, len("ROOT LOGIN REFUSED FROM "))
		ev.setPeer(tok, sshdFrom, true)
		return ev, true
	case strings.HasPrefix(msg, "Disconnecting: Too many authentication failures"):
		rest, _ := strings.CutPrefix(msg[len("Disconnecting: Too many authentication failures"):], " for ")
		rest = strings.TrimSuffix(strings.TrimSpace(rest), "[preauth]")
		rest = strings.TrimPrefix(rest, "invalid user ")
		return slotEvent(KindAuthFailure, RuleSSHD, "too_many_failures", rest), true
	}
	for _, p := range sshdPrefixes {
		if rest, ok := strings.CutPrefix(msg, p.prefix); ok {
			return sshdUserFrom(p.kind, p.reason, rest), true
		}
	}
	for _, p := range sshdClosed {
		if rest, ok := strings.CutPrefix(msg, p.prefix); ok {
			return sshdUserPeer(p.reason, rest)
		}
	}
	return Event{}, false
}

// sshdMethod reads "Failed|Accepted <method> for [invalid user ]<user> from
// <ip> port <n> ssh2[: <key>]".
func sshdMethod(msg string) (Event, bool) {
	verb, end := nextToken(msg, 0)
	method, end := nextToken(msg, end)
	rest, ok := strings.CutPrefix(msg[end:], " for ")
	if !ok {
		return Event{}, false
	}
	if verb == "Accepted" {
		return sshdUserFrom(KindAuthSuccess, acceptedReason(method), rest), true
	}
	reason := "invalid_password"
	switch method {
	case "publickey":
		reason = "invalid_publickey"
	case "keyboard-interactive/pam", "keyboard-interactive":
		reason = "invalid_keyboard_interactive"
	case "none":
		reason = "invalid_method_none"
	}
	if r, ok := strings.CutPrefix(rest, "invalid user "); ok {
		rest, reason = r, "invalid_user"
	}
	return sshdUserFrom(KindAuthFailure, reason, rest), true
}

// sshdUserFrom splits "<user> from <peer> [port N …]" at the LAST " from ".
// When the last " from " is not followed by an address, no address is
// attributed (an earlier one could be part of the user name). sshd writes
// a host name there when UseDNS is on.
func sshdUserFrom(kind Kind, reason, rest string) Event {
	k := strings.LastIndex(rest, " from ")
	if k < 0 {
		tok, _ := nextToken(rest, 0)
		return slotEvent(kind, RuleSSHD, reason, tok)
	}
	ev := slotEvent(kind, RuleSSHD, reason, rest[:k])
	tok, _ := nextToken(rest, k+len(" from "))
	ev.setPeer(tok, sshdFrom, true)
	return ev
}

// sshdUserPeer reads "<user> <ip> port <n>[: …][ [preauth]]": the peer is
// the token before the last " port ", the user everything before it.
func sshdUserPeer(reason, rest string) (Event, bool) {
	k := strings.LastIndex(rest, " port ")
	if k < 0 || !portTail(rest[k:]) {
		return Event{}, false
	}
	tok, start := tokenBefore(rest, k)
	if start == 0 {
		return Event{}, false
	}
	ev := slotEvent(KindAuthFailure, RuleSSHD, reason, rest[:start-1])
	ev.setPeer(tok, sshdFrom, true)
	return ev, true
}

// sshdNotAllowed reads "User <user> from <peer> not allowed because <why>".
// The reason text is sshd's own; the peer is the token before its last
// occurrence, so a user name cannot supply it.
func sshdNotAllowed(msg string) (Event, bool) {
	rest := msg[len("User "):]
	k := strings.LastIndex(rest, " not allowed because ")
	if k < 0 {
		return Event{}, false
	}
	head := rest[:k]
	f := strings.LastIndex(head, " from ")
	if f < 0 { // "User bob not allowed because account is locked"
		return slotEvent(KindAuthFailure, RuleSSHD, "user_not_allowed", head), true
	}
	ev := slotEvent(KindAuthFailure, RuleSSHD, "user_not_allowed", head[:f])
	if tok := head[f+len(" from "):]; !strings.ContainsAny(tok, " \t") {
		ev.setPeer(tok, sshdFrom, true)
	}
	return ev, true
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
