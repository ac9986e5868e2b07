package logline

import "strings"

// parsePAMMsg reads pam_unix's (and pam_sss's, pam_ldap's …) failure line,
// logged under whatever program asked (sshd, su, vsftpd, dovecot, xrdp-sesman):
//
//	pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root
//
// ruser and user are the client's input and surround rhost, so either may
// hold " rhost=10.9.9.9". rhost is the one " rhost=" whose token is followed
// by the end or by " user=". When several fit: for services that never set
// ruser (sshd, su, login, …) the reading with an empty ruser wins, since
// the client cannot write before it; for services that set ruser to the
// client's login (vsftpd, dovecot) the one reading in which ruser and user
// are the same name wins, since the name is written twice around the real
// rhost. Otherwise no address.
func parsePAMMsg(msg string) (Event, bool) {
	i := strings.Index(msg, "): authentication failure;")
	if i < 0 || i > 64 {
		return Event{}, false
	}
	rest := msg[i+len("): authentication failure;"):]
	ruserAt := strings.Index(rest, " ruser=")
	var (
		cands        int
		tok, user    string
		matchedTok   string
		matchedUser  string
		matchedCount int
		emptyRuser   string
		emptyUser    string
		emptyOK      = !pamClientRuser(msg)
	)
	for from := 0; ; {
		k := strings.Index(rest[from:], " rhost=")
		if k < 0 {
			break
		}
		k += from
		from = k + len(" rhost=")
		t, end := rest[from:], len(rest)
		if sp := strings.IndexAny(t, " \t"); sp >= 0 {
			t, end = t[:sp], from+sp
		}
		after := strings.TrimLeft(rest[end:], " \t")
		u, hasUser := strings.CutPrefix(after, "user=")
		if after != "" && !hasUser {
			continue
		}
		cands++
		tok, user = t, u
		if ruserAt >= 0 && ruserAt < k && rest[ruserAt+len(" ruser="):k] == u {
			matchedTok, matchedUser, matchedCount = t, u, matchedCount+1
		}
		if ruserAt >= 0 && k == ruserAt+len(" ruser=") {
			emptyRuser, emptyUser = t, u
		}
	}
	switch {
	case cands == 0:
		tok = ""
		if u := strings.Index(rest, " user="); u >= 0 {
			user = rest[u+len(" user="):]
		}
	case cands > 1 && emptyOK && emptyRuser != "":
		tok, user = emptyRuser, emptyUser
	case cands > 1 && !emptyOK && matchedCount == 1:
		tok, user = matchedTok, matchedUser
	case cands > 1:
		tok = ""
	}
	ev := slotEvent(KindAuthFailure, RulePAM, "invalid_password", strings.TrimRight(user, " \t\r\n"))
	ev.setPeer(tok, "pam.rhost", true)
	return ev, true
}

// pamClientRuser reports whether the PAM service (the "vsftpd" of
// "pam_unix(vsftpd:auth)") sets PAM_RUSER from the client's login name.
func pamClientRuser(msg string) bool {
	svc := msg[strings.IndexByte(msg, '(')+1:]
	if i := strings.IndexByte(svc, ':'); i >= 0 {
		svc = svc[:i]
	}
	switch svc {
	case "vsftpd", "proftpd", "pure-ftpd", "ftp", "dovecot", "smtp", "imap", "pop3":
		return true
	}
	return false
}
