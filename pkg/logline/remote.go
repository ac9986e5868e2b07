package logline

import "strings"

// Remote access services other than OpenSSH: dropbear, xrdp, OpenVPN.

// parseDropbear reads dropbear's syslog messages:
//
//	Bad password attempt for 'root' from 203.0.113.5:50112
//	Login attempt for nonexistent user 'x' from 203.0.113.5:50112
//	Exit before auth from <203.0.113.5:50112>: (user 'root', 10 fails): Max auth tries reached - user 'root'
//	Password auth succeeded for 'root' from 198.51.100.4:50113
//
// The quoted user is the client's; the peer "ip:port" ends the line, so it
// is the token after the last " from ".
func parseDropbear(_, msg string) (Event, bool) {
	type shape struct {
		prefix string
		kind   Kind
		reason string
	}
	for _, p := range [...]shape{
		{"Bad password attempt for ", KindAuthFailure, "invalid_password"},
		{"Login attempt for nonexistent user", KindAuthFailure, "invalid_user"},
		{"Password auth succeeded for ", KindAuthSuccess, "accepted_password"},
		{"Pubkey auth succeeded for ", KindAuthSuccess, "accepted_publickey"},
	} {
		rest, ok := strings.CutPrefix(msg, p.prefix)
		if !ok {
			continue
		}
		k := strings.LastIndex(rest, " from ")
		if k < 0 {
			return Event{}, false
		}
		user := strings.TrimLeft(rest[:k], " ")
		if p.reason == "accepted_publickey" { // "'root' with ssh-rsa key SHA256:…"
			if w := strings.LastIndex(user, "' with "); w >= 0 {
				user = user[:w+1]
			}
		}
		ev := slotEvent(p.kind, "dropbear", p.reason, unquote(user))
		if tok := rest[k+len(" from "):]; !strings.ContainsAny(tok, " \t") {
			ev.setPeer(tok, "dropbear.from", false)
		}
		return ev, true
	}
	if rest, ok := strings.CutPrefix(msg, "Exit before auth from <"); ok {
		e := strings.Index(rest, ">: ")
		if e < 0 || !strings.Contains(rest[e:], "Max auth tries reached") {
			return Event{}, false
		}
		user := ""
		if u, ok := strings.CutPrefix(rest[e+3:], "(user '"); ok {
			if q := strings.LastIndex(u, "', "); q >= 0 {
				user = u[:q]
			}
		}
		ev := slotEvent(KindAuthFailure, "dropbear", "too_many_failures", user)
		ev.setPeer(rest[:e], "dropbear.from", false)
		return ev, true
	}
	return Event{}, false
}

// parseXrdpMsg reads xrdp-sesman's messages after the syslog tag; the
// sesman log file has a "[time] [LEVEL] " head instead (parseXrdp).
//
//	[INFO ] AUTHFAIL: user=bob ip=::ffff:203.0.113.5 time=1700000000
//	[INFO ] ++ created session (access granted): username bob, ip ::ffff:198.51.100.4:50000 - socket: 12
//	[ERROR] xrdp_wm_log_msg: login failed for display 0
//
// The user comes first and may contain " ip=": the peer is the token of the
// last " ip=" that is followed by " time=<digits>" at the end.
func parseXrdpMsg(_, msg string) (Event, bool) { return xrdpMsg(msg) }

// parseXrdp reads the sesman log, whose lines start "[20240302-10:06:00] ".
func parseXrdp(s string) (Event, bool) {
	if s == "" || s[0] != '[' {
		return Event{}, false
	}
	if h := strings.Index(s, "] "); h < 0 || h > 24 || !isTimeHead(s[1:h]) {
		return Event{}, false
	}
	return xrdpMsg(s)
}

func xrdpMsg(s string) (Event, bool) {
	if i := headIndex(s, "AUTHFAIL: user=", 64); i >= 0 {
		rest := s[i+len("AUTHFAIL: user="):]
		k := strings.LastIndex(rest, " ip=")
		if k < 0 {
			return slotEvent(KindAuthFailure, "xrdp", "invalid_password", ""), true
		}
		ev := slotEvent(KindAuthFailure, "xrdp", "invalid_password", rest[:k])
		tok, end := nextToken(rest, k+len(" ip="))
		if t, ok := strings.CutPrefix(rest[end:], " time="); ok && allDigits(strings.TrimSpace(t)) {
			ev.setPeer(tok, "xrdp.ip", false)
		}
		return ev, true
	}
	if headIndex(s, "xrdp_wm_log_msg: login failed for display ", 64) >= 0 {
		return slotEvent(KindAuthFailure, "xrdp", "login_failed", ""), true
	}
	if i := headIndex(s, "++ created session (access granted): username ", 64); i >= 0 {
		i += len("++ created session ")
		rest := s[i+len("(access granted): username "):]
		k := strings.LastIndex(rest, ", ip ")
		if k < 0 {
			return Event{}, false
		}
		ev := slotEvent(KindAuthSuccess, "xrdp", "login_success", rest[:k])
		tok, end := nextToken(rest, k+len(", ip "))
		if strings.HasPrefix(rest[end:], " - socket: ") {
			ev.setPeer(tok, "xrdp.ip", false)
		}
		return ev, true
	}
	return Event{}, false
}

// openvpnShapes are the OpenVPN server messages that follow the peer,
// written as "<ip>:<port> " or, once the certificate is known,
// "<common name>/<ip>:<port> ".
var openvpnShapes = [...]struct {
	text   string
	reason string
}{
	{" TLS Auth Error: ", "tls_auth_error"},
	{" SENT CONTROL [", "auth_failed"}, // only with 'AUTH_FAILED'
}

// parseOpenVPNMsg reads an OpenVPN message after the syslog tag.
func parseOpenVPNMsg(_, msg string) (Event, bool) { return openvpnMsg(msg, false) }

// parseOpenVPN reads OpenVPN's own log, whose lines start with a time.
func parseOpenVPN(s string) (Event, bool) { return openvpnMsg(s, true) }

// openvpnMsg reads OpenVPN's auth failures, from syslog or its own log
// (whose lines start with a time, timeHead):
//
//	203.0.113.5:50112 TLS Auth Error: Auth Username/Password verification failed for peer
//	bob/203.0.113.5:50112 SENT CONTROL [bob]: 'AUTH_FAILED' (status=1)
//
// The slot is the token right before the fixed text, which must occur once:
// a common name (with username-as-common-name, the client's login) that
// repeats it makes the line ambiguous. The address is what follows the
// last '/' of the token.
func openvpnMsg(s string, timeHead bool) (Event, bool) {
	for _, sh := range openvpnShapes {
		i := strings.Index(s, sh.text)
		if i < 0 {
			continue
		}
		if sh.reason == "auth_failed" && !strings.Contains(s[i:], "'AUTH_FAILED'") {
			return Event{}, false
		}
		if sh.reason == "tls_auth_error" && !containsAnyFold(s[i:], "verification failed", "auth_failed") {
			return Event{}, false
		}
		tok, start := tokenBefore(s, i)
		if timeHead && (start > 40 || !isTimeHead(s[:start]) || !peerIP(tok[strings.LastIndexByte(tok, '/')+1:]).IsValid()) {
			return Event{}, false // not OpenVPN's line: its fixed text is the client's
		}
		if start > 40 || !isTimeHead(s[:start]) || strings.Count(s, sh.text) != 1 { // the peer follows a time or the syslog tag
			tok = ""
		}
		user := ""
		if k := strings.LastIndexByte(tok, '/'); k >= 0 {
			user, tok = tok[:k], tok[k+1:]
		}
		ev := slotEvent(KindAuthFailure, "openvpn", sh.reason, user)
		ev.setPeer(tok, "openvpn.peer", false)
		return ev, true
	}
	return Event{}, false
}
