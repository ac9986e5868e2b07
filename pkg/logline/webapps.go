package logline

import "strings"

// PHP web applications: Roundcube, WordPress (WP fail2ban's syslog
// messages) and Drupal (its syslog module).

// parseRoundcube reads Roundcube's userlogins and errors logs (file or
// syslog):
//
//	[02-Mar-2024 10:00:01 +0000]: <k3x1> Failed login for bob from 203.0.113.5 in session abc123 (error: 0)
//	[02-Mar-2024 10:00:01 +0000]: IMAP Error: Login failed for bob against imap.example.com from 203.0.113.5. AUTHENTICATE PLAIN: Authentication failed. in /var/www/rcube_imap.php on line 211 (POST /?_task=login&_action=login)
//	… Login failed for bob from 10.0.0.2(X-Real-IP: 203.0.113.5,X-Forwarded-For: 203.0.113.5). …
//	… Successful login for bob (ID: 7) from 198.51.100.4 in session abc123
//
// The peer (REMOTE_ADDR) directly follows " from "; the user before it and
// the forwarding headers after it are the client's. The peer is the one
// " from <ip>" that ends in '(', '.', " in session" or the line: when the
// client's text makes several fit, there is no address.
func parseRoundcube(_, msg string) (Event, bool) { return roundcubeMsg(msg) }

// parseRoundcubeLine reads Roundcube's own log, whose lines start with
// "[02-Mar-2024 10:28:00 +0000]: [<sess> ][IMAP Error: ]".
func parseRoundcubeLine(s string) (Event, bool) {
	if s == "" || s[0] != '[' {
		return Event{}, false
	}
	{
		h := strings.Index(s, "]: ")
		if h < 0 || h > 32 || !isTimeHead(s[1:h]) {
			return Event{}, false
		}
		r := s[h+3:]
		if strings.HasPrefix(r, "<") {
			if e := strings.Index(r, "> "); e > 0 && e < 40 {
				r = r[e+2:]
			}
		}
		if e := strings.Index(r, " Error: "); e > 0 && e < 12 {
			r = r[e+len(" Error: "):]
		}
		s = r
	}
	return roundcubeMsg(s)
}

func roundcubeMsg(s string) (Event, bool) {
	kind, reason := KindAuthFailure, "invalid_password"
	i, lit := -1, ""
	for _, l := range [...]string{"Login failed for ", "Failed login for ", "FAILED login for ", "Successful login for "} {
		if i = headIndex(s, l, 80); i >= 0 {
			lit = l
			break
		}
	}
	if i < 0 {
		return Event{}, false
	}
	if lit == "Successful login for " {
		kind, reason = KindAuthSuccess, "login_success"
	}
	rest := s[i+len(lit):]
	n, at, tok := 0, -1, ""
	for from := 0; ; {
		k := strings.Index(rest[from:], " from ")
		if k < 0 {
			break
		}
		k += from
		from = k + len(" from ")
		t := rest[from:]
		e := strings.IndexAny(t, "( ")
		if e < 0 {
			e = len(t)
		}
		ip := strings.TrimSuffix(t[:e], ".")
		tail := t[len(ip):]
		if !parseIP(ip).IsValid() || !(tail == "" || tail[0] == '(' || tail[0] == '.' || strings.HasPrefix(tail, " in session")) {
			continue
		}
		n, at, tok = n+1, k, ip
	}
	user := rest
	if at >= 0 {
		user = rest[:at]
	}
	if a := strings.LastIndex(user, " against "); a >= 0 {
		user = user[:a]
	}
	if d := strings.LastIndex(user, " (ID: "); d >= 0 && kind == KindAuthSuccess {
		user = user[:d]
	}
	switch {
	case n == 0: // no peer slot: not Roundcube's line (SQL Server says "Login failed for user '…'")
		return Event{}, false
	case n > 1:
		return slotEvent(kind, "roundcube", reason, ""), true
	}
	ev := slotEvent(kind, "roundcube", reason, user)
	ev.setPeer(tok, "roundcube.from", false)
	if x := rest[at+len(" from ")+len(tok):]; strings.HasPrefix(x, "(") && ev.IP.IsValid() {
		if f := strings.Index(x, "X-Forwarded-For: "); f >= 0 {
			chain := x[f+len("X-Forwarded-For: "):]
			if e := strings.IndexByte(chain, ')'); e >= 0 {
				ev.Forwarded = chain[:e] + ", " + tok
			}
		}
	}
	return ev, true
}

// parseWordPress reads the WP fail2ban plugin's syslog messages
// ("wordpress(example.com)[123]: …"): the user comes first, the peer ends
// the line.
func parseWordPress(_, msg string) (Event, bool) {
	for _, w := range [...]struct {
		prefix string
		kind   Kind
		reason string
	}{
		{"Authentication failure for ", KindAuthFailure, "invalid_password"},
		{"Authentication attempt for unknown user ", KindAuthFailure, "invalid_user"},
		{"XML-RPC authentication failure for ", KindAuthFailure, "invalid_password"},
		{"XML-RPC authentication attempt for unknown user ", KindAuthFailure, "invalid_user"},
		{"Accepted password for ", KindAuthSuccess, "login_success"},
	} {
		rest, ok := strings.CutPrefix(msg, w.prefix)
		if !ok {
			continue
		}
		tok, k, ok := endsWithPeer(rest, " from ")
		if k < 0 {
			return Event{}, false
		}
		ev := slotEvent(w.kind, "wordpress", w.reason, rest[:k])
		if ok {
			ev.setPeer(tok, "wordpress.from", false)
		}
		return ev, true
	}
	return Event{}, false
}

// parseDrupal reads Drupal's syslog module, whose default format is
// "!base_url|!timestamp|!type|!ip|!request_uri|!referer|!uid|!link|!message":
//
//	https://example.com|1709373601|user|203.0.113.5|https://example.com/user/login|…|0||Login attempt failed for bob.
//
// The ip is the fourth field; the three before it are the site's URL (the
// host is validated, so it holds no '|'), a number and the channel, so it
// is read from the left. The message is the last field.
func parseDrupal(_, msg string) (Event, bool) {
	f := strings.SplitN(msg, "|", 5)
	if len(f) < 5 || !allDigits(f[1]) || f[2] != "user" {
		return Event{}, false
	}
	text := msg[strings.LastIndexByte(msg, '|')+1:]
	var ev Event
	switch {
	case strings.HasPrefix(text, "Login attempt failed for "):
		ev = slotEvent(KindAuthFailure, "drupal", "invalid_password", strings.TrimSuffix(text[len("Login attempt failed for "):], "."))
	case strings.HasPrefix(text, "Login attempt failed from "):
		ev = slotEvent(KindAuthFailure, "drupal", "too_many_failures", "")
	case strings.HasPrefix(text, "Session opened for "):
		ev = slotEvent(KindAuthSuccess, "drupal", "login_success", strings.TrimSuffix(text[len("Session opened for "):], "."))
	default:
		return Event{}, false
	}
	ev.setPeer(f[3], "drupal.ip", false)
	return ev, true
}
