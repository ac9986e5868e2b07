package logline

import "strings"

// FTP servers: vsftpd, ProFTPD, Pure-FTPd.

// parseVsftpdMsg reads vsftpd through syslog ("[bob] FAIL LOGIN: …").
func parseVsftpdMsg(_, msg string) (Event, bool) { return parseVsftpd(msg) }

// parseVsftpd reads vsftpd's login results, from its own log or syslog:
//
//	Sun Mar 14 15:49:35 2021 [pid 12345] [bob] FAIL LOGIN: Client "203.0.113.5"
//	Sun Mar 14 15:49:40 2021 [pid 12345] [bob] OK LOGIN: Client "198.51.100.4"
//
// The bracketed user is the client's and comes first; the peer is the
// quoted token after the LAST " LOGIN: Client \"".
func parseVsftpd(s string) (Event, bool) {
	k := strings.LastIndex(s, ` LOGIN: Client "`)
	if k < 4 {
		return Event{}, false
	}
	// Own log: "<ctime> [pid N] [user] …"; syslog: "[user] …" (program-routed).
	if p := headIndex(s, "[pid ", 32); p >= 0 {
		if e := strings.Index(s[p:], "] ["); e < 0 || e > 16 || !isTimeHead(s[:p]) {
			return Event{}, false
		}
	} else if s[0] != '[' {
		return Event{}, false
	}
	kind, reason := KindAuthFailure, "invalid_password"
	switch {
	case strings.HasSuffix(s[:k], "] FAIL"):
	case strings.HasSuffix(s[:k], "] OK"):
		kind, reason = KindAuthSuccess, "login_success"
	default:
		return Event{}, false
	}
	head := s[:strings.LastIndexByte(s[:k], ']')]
	user := ""
	if o := strings.Index(head, "] ["); o >= 0 { // after "[pid N]"
		user = head[o+3:]
	} else if o := strings.IndexByte(head, '['); o >= 0 {
		user = head[o+1:]
	}
	ev := slotEvent(kind, "vsftpd", reason, user)
	rest := s[k+len(` LOGIN: Client "`):]
	if q := strings.IndexByte(rest, '"'); q >= 0 && (q+1 == len(rest) || strings.HasPrefix(rest[q+1:], ", ")) {
		ev.setPeer(rest[:q], "vsftpd.client", false)
	}
	return ev, true
}

// proftpdShapes are ProFTPD's messages after "<server> (<name>[<ip>]) - ".
var proftpdShapes = [...]struct {
	prefix, userEnd string
	kind            Kind
	reason          string
}{
	{"USER ", " (Login failed): ", KindAuthFailure, "invalid_password"},
	{"USER ", ": no such user found from ", KindAuthFailure, "invalid_user"},
	{"USER ", ": Login successful", KindAuthSuccess, "login_success"},
	{"Maximum login attempts (", "", KindAuthFailure, "too_many_failures"},
	{"SECURITY VIOLATION: Root login attempted", "", KindAuthFailure, "root_login_refused"},
}

// parseProftpd reads ProFTPD through syslog:
//
//	ftp.example.com (203.0.113.5[203.0.113.5]) - USER bob (Login failed): Incorrect password
//
// The peer is the bracketed address of the first "(<name>[<ip>])" group,
// which ProFTPD writes before any client input.
func parseProftpd(_, msg string) (Event, bool) {
	_, end := nextToken(msg, 0)
	rest := strings.TrimLeft(msg[end:], " ")
	if !strings.HasPrefix(rest, "(") {
		return Event{}, false
	}
	g := strings.Index(rest, "]) - ")
	if g < 0 {
		return Event{}, false
	}
	group, body := rest[1:g], rest[g+len("]) - "):]
	for _, sh := range proftpdShapes {
		r, ok := strings.CutPrefix(body, sh.prefix)
		if !ok {
			continue
		}
		user := ""
		if sh.userEnd != "" {
			e := strings.LastIndex(r, sh.userEnd)
			if e < 0 {
				continue
			}
			user = r[:e]
		}
		ev := slotEvent(sh.kind, "proftpd", sh.reason, user)
		if b := strings.LastIndexByte(group, '['); b >= 0 {
			ev.setPeer(group[b+1:], "proftpd.client", false)
		}
		return ev, true
	}
	return Event{}, false
}

// parsePureFTPd reads Pure-FTPd through syslog:
//
//	(?@203.0.113.5) [WARNING] Authentication failed for user [bob]
//	(bob@198.51.100.4) [INFO] bob is now logged in
//
// Before a login the session is "(?@<ip>)", which no client text precedes.
// A logged-in session is "(<user>@<ip>)" and the message repeats the user,
// so the success is read only when exactly one split of the line fits.
func parsePureFTPd(_, msg string) (Event, bool) {
	if rest, ok := strings.CutPrefix(msg, "(?@"); ok {
		e := strings.Index(rest, ") [WARNING] Authentication failed for user [")
		if e < 0 {
			return Event{}, false
		}
		user := rest[e+len(") [WARNING] Authentication failed for user ["):]
		ev := slotEvent(KindAuthFailure, "pure-ftpd", "invalid_password", strings.TrimSuffix(user, "]"))
		ev.setPeer(rest[:e], "pure-ftpd.client", false)
		return ev, true
	}
	body, ok := strings.CutSuffix(msg, " is now logged in")
	if !ok || !strings.HasPrefix(body, "(") {
		return Event{}, false
	}
	const mid = ") [INFO] "
	var user, ip string
	n := 0
	for from := 1; ; {
		k := strings.Index(body[from:], mid)
		if k < 0 {
			break
		}
		k += from
		from = k + len(mid)
		inside, u := body[1:k], body[k+len(mid):]
		if strings.HasPrefix(inside, u+"@") && parseIP(inside[len(u)+1:]).IsValid() {
			user, ip, n = u, inside[len(u)+1:], n+1
		}
	}
	if n != 1 {
		return Event{}, false
	}
	ev := slotEvent(KindAuthSuccess, "pure-ftpd", "login_success", user)
	ev.setPeer(ip, "pure-ftpd.client", false)
	return ev, true
}
