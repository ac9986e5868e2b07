package logline

import "strings"

// Mail servers: Dovecot (IMAP/POP3) and Postfix SMTP AUTH.

// parseDovecot reads Dovecot's login and auth processes through syslog
// ("dovecot: imap-login: …") or its own log ("imap-login: Info: …"):
//
//	imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=203.0.113.5, lip=10.0.0.1, TLS, session=<x>
//	imap-login: Login: user=<bob>, method=PLAIN, rip=198.51.100.4, lip=10.0.0.1, mpid=7, TLS, session=<y>
//	auth: passwd-file(bob,203.0.113.5,<x>): unknown user
func parseDovecot(prog, msg string) (Event, bool) {
	if progName(prog) == "dovecot" { // "imap-login: …", "auth-worker(7): …"
		i := strings.Index(msg, ": ")
		if i < 0 {
			return Event{}, false
		}
		prog, msg = msg[:i], msg[i+2:]
	}
	for _, lvl := range [...]string{"Info: ", "Warning: ", "Error: "} {
		msg = strings.TrimPrefix(msg, lvl)
	}
	if strings.HasSuffix(progName(prog), "-login") {
		return dovecotLogin(msg)
	}
	if strings.HasPrefix(prog, "auth") {
		return dovecotAuth(msg)
	}
	return Event{}, false
}

// dovecotLogin reads a login process result. The user comes first and may
// contain ", rip=10.9.9.9": the peer is the LAST " rip=", after which Dovecot
// writes only its own fields.
func dovecotLogin(msg string) (Event, bool) {
	kind, reason := KindAuthSuccess, "login_success"
	if !strings.HasPrefix(msg, "Login: ") {
		p := strings.Index(msg, "(auth failed, ")
		if p < 0 || p > 64 {
			return Event{}, false
		}
		kind, reason = KindAuthFailure, "invalid_password"
	}
	u := strings.Index(msg, "user=<")
	k := strings.LastIndex(msg, ", rip=")
	if u < 0 || k < u {
		return slotEvent(kind, "dovecot", reason, ""), true
	}
	user := msg[u+len("user=<") : k]
	if m := strings.LastIndex(user, ", method="); m >= 0 {
		user = user[:m]
	}
	ev := slotEvent(kind, "dovecot", reason, strings.TrimSuffix(user, ">"))
	tok, _ := nextToken(msg, k+len(", rip="))
	ev.setPeer(strings.TrimSuffix(tok, ","), "dovecot.rip", false)
	return ev, true
}

// dovecotAuthResults are the auth process's messages after
// "<mech>(<user>,<ip>[,<session>]): ".
var dovecotAuthResults = [...]struct {
	text   string
	reason string
}{
	{"unknown user", "invalid_user"},
	{"Password mismatch", "invalid_password"},
	{"pam_authenticate() failed", "invalid_password"},
	{"User not found", "invalid_user"},
}

// dovecotAuth reads "<mech>(<user>,<ip>[,<session>]): <result>". The user
// may contain "): unknown user"; the result text is Dovecot's, so the LAST
// "): " followed by a known result ends the group.
func dovecotAuth(msg string) (Event, bool) {
	open := strings.IndexByte(msg, '(')
	if open < 0 {
		return Event{}, false
	}
	for k := len(msg); k > open; {
		k = strings.LastIndex(msg[:k], "): ")
		if k <= open {
			return Event{}, false
		}
		res := msg[k+3:]
		for _, r := range dovecotAuthResults {
			if !strings.HasPrefix(res, r.text) {
				continue
			}
			inside := msg[open+1 : k]
			if strings.HasSuffix(inside, ">") { // ",<session>"
				if c := strings.LastIndex(inside, ",<"); c >= 0 {
					inside = inside[:c]
				}
			}
			c := strings.LastIndexByte(inside, ',')
			if c < 0 {
				return slotEvent(KindAuthFailure, "dovecot", r.reason, inside), true
			}
			ev := slotEvent(KindAuthFailure, "dovecot", r.reason, inside[:c])
			ev.setPeer(inside[c+1:], "dovecot.rip", false)
			return ev, true
		}
	}
	return Event{}, false
}

// parsePostfix reads Postfix smtpd's SASL results (postfix/smtpd,
// postfix/submission/smtpd, …):
//
//	warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
//	4F9D195432: client=unknown[198.51.100.4], sasl_method=PLAIN, sasl_username=bob
//
// The peer is "<name>[<ip>]", the first field Postfix writes; the name is
// "unknown" unless reverse and forward DNS agree.
func parsePostfix(_, msg string) (Event, bool) {
	if rest, ok := strings.CutPrefix(msg, "warning: "); ok {
		b := strings.Index(rest, "]: SASL ")
		o := strings.IndexByte(rest, '[')
		if b < 0 || o < 0 || o > b || !strings.Contains(rest[b:], " authentication failed") {
			return Event{}, false
		}
		user := ""
		if u := strings.LastIndex(rest, ", sasl_username="); u >= 0 {
			user = rest[u+len(", sasl_username="):]
		}
		ev := slotEvent(KindAuthFailure, "postfix", "invalid_password", user)
		ev.setPeer(rest[o+1:b], "postfix.client", false)
		return ev, true
	}
	c := strings.Index(msg, ": client=")
	if c < 0 || c > 24 || !strings.Contains(msg, ", sasl_username=") {
		return Event{}, false
	}
	rest := msg[c+len(": client="):]
	o, b := strings.IndexByte(rest, '['), strings.Index(rest, "], ")
	if o < 0 || b < o {
		return Event{}, false
	}
	u := strings.Index(rest, ", sasl_username=")
	ev := slotEvent(KindAuthSuccess, "postfix", "login_success", rest[u+len(", sasl_username="):])
	ev.setPeer(rest[o+1:b], "postfix.client", false)
	return ev, true
}
