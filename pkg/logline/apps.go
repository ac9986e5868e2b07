package logline

import "strings"

// Web applications with their own login: Vaultwarden, Grafana, GitLab,
// Gitea, Proxmox VE and Webmin. (Keycloak and Guacamole are in sso.go;
// Roundcube, WordPress and Drupal in webapps.go.)

// endsWithPeer returns the address token of "<marker><addr>" when it ends
// the line (a trailing '.' allowed), the shape of services that write the
// client's text first and the peer last.
func endsWithPeer(s, marker string) (tok string, at int, ok bool) {
	k := strings.LastIndex(s, marker)
	if k < 0 {
		return "", -1, false
	}
	tok = strings.TrimRight(s[k+len(marker):], " \t\r\n")
	tok = strings.TrimSuffix(tok, ".")
	if tok == "" || strings.ContainsAny(tok, " \t") {
		return "", k, false
	}
	return tok, k, true
}

// parseVaultwarden reads Vaultwarden (formerly bitwarden_rs) log lines:
//
//	[2024-03-02 10:00:01.123][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: 203.0.113.5. Username: bob.
//	[2024-03-02 10:00:02.456][vaultwarden::api::admin][ERROR] Invalid admin token. IP: 203.0.113.5
//	[2024-03-02 10:00:03.789][vaultwarden::api::identity][INFO] User bob@example.com logged in successfully. IP: 198.51.100.4
//
// On failures the peer follows the fixed text directly and the user comes
// after it; on success the user comes first and the peer ends the line.
func parseVaultwarden(s string) (Event, bool) {
	i := headIndex(s, "::api::", 48) // "[<time>][vaultwarden::api::identity][ERROR] "
	if i < 0 || s[0] != '[' {
		return Event{}, false
	}
	m := strings.Index(s[i:], "] ")
	if m < 0 {
		return Event{}, false
	}
	msg := s[i+m+2:]
	for _, f := range [...]struct{ text, reason string }{
		{"Username or password is incorrect. Try again. IP: ", "invalid_password"},
		{"Invalid admin token. IP: ", "invalid_admin_token"},
	} {
		rest, ok := strings.CutPrefix(msg, f.text)
		if !ok {
			continue
		}
		tok, end := nextToken(rest, 0)
		user := ""
		if u, ok := strings.CutPrefix(rest[end:], " Username: "); ok {
			user = strings.TrimSuffix(u, ".")
		}
		ev := slotEvent(KindAuthFailure, "vaultwarden", f.reason, user)
		ev.setPeer(strings.TrimSuffix(tok, "."), "vaultwarden.ip", false)
		return ev, true
	}
	if strings.HasPrefix(msg, "Invalid TOTP code!") {
		ev := slotEvent(KindAuthFailure, "vaultwarden", "invalid_totp", "")
		if tok, _, ok := endsWithPeer(msg, " IP: "); ok {
			ev.setPeer(tok, "vaultwarden.ip", false)
		}
		return ev, true
	}
	if rest, ok := strings.CutPrefix(msg, "User "); ok {
		tok, k, ok := endsWithPeer(rest, " logged in successfully. IP: ")
		if !ok {
			return Event{}, false
		}
		ev := slotEvent(KindAuthSuccess, "vaultwarden", "login_success", rest[:k])
		ev.setPeer(tok, "vaultwarden.ip", false)
		return ev, true
	}
	return Event{}, false
}

// parseGrafana reads Grafana's logfmt lines:
//
//	logger=context userId=0 orgId=0 uname= t=… level=info msg="Invalid username or password" error="invalid username or password" remote_addr=203.0.113.5
//	logger=context … msg="Request Completed" method=POST path=/login status=401 remote_addr=203.0.113.5 …
//
// Fields are read as logfmt (quoted values may hold "remote_addr=…"
// without being taken for the field). Grafana fills remote_addr from
// X-Real-IP or the first X-Forwarded-For hop when a request has them, so it
// is only as good as the proxy in front of Grafana.
func parseGrafana(s string) (Event, bool) {
	if !strings.HasPrefix(s, "logger=") && !strings.HasPrefix(s, "t=") { // a whole logfmt record
		return Event{}, false
	}
	msg, ok := kvValue(s, "msg", ' ')
	if !ok {
		return Event{}, false
	}
	kind, reason := KindOther, ""
	switch msg {
	case "Invalid username or password":
		kind, reason = KindAuthFailure, "invalid_password"
	case "Failed to authenticate request":
		if c, _ := kvValue(s, "client", ' '); c == "auth.client.form" || c == "auth.client.basic" {
			kind, reason = KindAuthFailure, "invalid_password"
		}
	case "Request Completed":
		st, _ := kvValue(s, "status", ' ')
		p, _ := kvValue(s, "path", ' ')
		if (st == "401" || st == "403") && loginishPath(p) {
			kind, reason = KindAuthFailure, "http_"+st
		}
	case "Successful Login":
		kind, reason = KindAuthSuccess, "login_success"
	}
	if kind == KindOther {
		// Grafana's own "Failed to authenticate request" from a session or
		// render-key client is not a login failure, and its verdict is
		// final: the generic phrases must not read "… user token not found"
		// as a failed login of user "token". Any other record falls through.
		return Event{}, msg == "Failed to authenticate request"
	}
	user, _ := kvValue(s, "uname", ' ')
	if u, ok := kvValue(s, "User", ' '); ok {
		user = u
	}
	ev := slotEvent(kind, "grafana", reason, user)
	if a, ok := kvValue(s, "remote_addr", ' '); ok {
		ev.setPeer(a, "grafana.remote_addr", false)
	}
	return ev, true
}

// parseGitLab reads GitLab's application log:
//
//	2024-03-02T10:00:01.123Z: Failed Login: username=bob ip=203.0.113.5
//	2024-03-02T10:00:02.456Z: Successful Login: username=bob ip=198.51.100.4 method=standard admin=false
//
// The user name comes first and may contain " ip=": the peer is the last
// " ip=", after which GitLab writes only its own fields.
func parseGitLab(s string) (Event, bool) {
	kind, lit := KindAuthFailure, "Failed Login: username="
	i := headIndex(s, lit, 40) // after "<time>: "
	if i < 0 {
		kind, lit = KindAuthSuccess, "Successful Login: username="
		if i = headIndex(s, lit, 40); i < 0 {
			return Event{}, false
		}
	}
	if i > 0 && (i < 2 || s[i-2:i] != ": " || strings.ContainsAny(s[:i-2], " [")) { // one time token, then ": "
		return Event{}, false
	}
	rest := s[i+len(lit):]
	k := strings.LastIndex(rest, " ip=")
	reason := "invalid_password"
	if kind == KindAuthSuccess {
		reason = "login_success"
	}
	if k < 0 {
		return slotEvent(kind, "gitlab", reason, rest), true
	}
	ev := slotEvent(kind, "gitlab", reason, rest[:k])
	tok, end := nextToken(rest, k+len(" ip="))
	if t := rest[end:]; t == "" || strings.HasPrefix(t, " method=") {
		ev.setPeer(tok, "gitlab.ip", false)
	}
	return ev, true
}

// parseGitea reads Gitea's (and Forgejo's) sign-in failures:
//
//	2024/03/02 10:00:01 …/auth/auth.go:200:SignInPost() [I] Failed authentication attempt for bob from 203.0.113.5:50112: user does not exist [uid: 0, name: bob]
//
// The user is written before the peer and again in the error after it, so
// a " from <ip>:<port>: " inside the name can appear on both sides. The peer
// is the one reading that fits; when the name makes several fit, the one
// whose user matches the error's "name: …]" wins, else there is no address.
func parseGitea(s string) (Event, bool) {
	const lit = "] Failed authentication attempt for " // after the level "[I]"
	i := headIndex(s, lit, 160)
	if i < 20 || s[4] != '/' || s[7] != '/' || s[i-2] != '[' || strings.ContainsAny(s[:i-2], `"'=[]`) {
		return Event{}, false
	}
	rest := s[i+len(lit):]
	var user, tok string
	n, named := 0, 0
	var namedUser, namedTok string
	for from := 0; ; {
		k := strings.Index(rest[from:], " from ")
		if k < 0 {
			break
		}
		k += from
		from = k + len(" from ")
		t := rest[from:]
		c := strings.Index(t, ": ")
		if c < 0 || strings.ContainsAny(t[:c], " \t") || !parseIP(t[:c]).IsValid() {
			continue
		}
		n++
		user, tok = rest[:k], t[:c]
		if strings.HasSuffix(s, "name: "+user+"]") {
			named++
			namedUser, namedTok = user, tok
		}
	}
	if n > 1 {
		user, tok = "", ""
		if named == 1 {
			user, tok = namedUser, namedTok
		}
	}
	reason := "invalid_password"
	if strings.Contains(rest, "user does not exist") {
		reason = "invalid_user"
	}
	ev := slotEvent(KindAuthFailure, "gitea", reason, user)
	ev.setPeer(tok, "gitea.from", false)
	return ev, true
}

// parseProxmox reads Proxmox VE's API daemons:
//
//	authentication failure; rhost=::ffff:203.0.113.5 user=root@pam msg=Authentication failure
//
// rhost comes first, before the client's user name.
func parseProxmox(_, msg string) (Event, bool) {
	rest, ok := strings.CutPrefix(msg, "authentication failure; rhost=")
	if !ok {
		// "<root@pam> successful auth for user 'root@pam'" names no peer.
		if i := strings.Index(msg, "> successful auth for user '"); i > 0 && msg[0] == '<' {
			u := strings.TrimSuffix(msg[i+len("> successful auth for user '"):], "'")
			return slotEvent(KindAuthSuccess, "proxmox", "login_success", u), true
		}
		return Event{}, false
	}
	tok, end := nextToken(rest, 0)
	user := ""
	if u, ok := strings.CutPrefix(rest[end:], " user="); ok {
		if m := strings.LastIndex(u, " msg="); m >= 0 {
			u = u[:m]
		}
		user = u
	}
	ev := slotEvent(KindAuthFailure, "proxmox", "invalid_password", user)
	ev.setPeer(tok, "proxmox.rhost", true)
	return ev, true
}

// parseWebmin reads Webmin's (and Usermin's) login results through syslog:
// "Invalid login as root from 203.0.113.5", "Non-existent login as bob from
// …", "Successful login as root from …". The peer ends the line.
func parseWebmin(_, msg string) (Event, bool) {
	for _, w := range [...]struct {
		prefix string
		kind   Kind
		reason string
	}{
		{"Invalid login as ", KindAuthFailure, "invalid_password"},
		{"Non-existent login as ", KindAuthFailure, "invalid_user"},
		{"Successful login as ", KindAuthSuccess, "login_success"},
	} {
		rest, ok := strings.CutPrefix(msg, w.prefix)
		if !ok {
			continue
		}
		tok, k, ok := endsWithPeer(rest, " from ")
		if k < 0 {
			return slotEvent(w.kind, "webmin", w.reason, rest), true
		}
		ev := slotEvent(w.kind, "webmin", w.reason, rest[:k])
		if ok {
			ev.setPeer(tok, "webmin.from", true)
		}
		return ev, true
	}
	return Event{}, false
}
