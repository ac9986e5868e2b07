package logline

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// auditTypes are the Linux audit records of a login attempt, by name and
// by the number the kernel prints ("type=1100").
var auditTypes = [...]struct{ name, num, reason string }{
	{"USER_AUTH", "1100", "invalid_password"},
	{"USER_ERR", "1109", "user_err"},
	{"USER_LOGIN", "1112", "login_failed"},
}

// parseAudit reads Linux audit (auditd, SELinux systems) login records from
// audit.log, audispd or the journal:
//
//	type=USER_AUTH msg=audit(1709373601.123:456): pid=4242 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct="root" exe="/usr/sbin/sshd" hostname=203.0.113.5 addr=203.0.113.5 terminal=ssh res=failed'
//	audit[4242]: USER_ERR pid=4242 … msg='op=PAM:bad_ident grantors=? acct="?" exe="/usr/sbin/sshd" hostname=203.0.113.5 addr=203.0.113.5 terminal=ssh res=failed'
//
// Audit encodes every untrusted value that holds a space, quote or control
// byte as hex, so the fields of msg='…' are whole tokens: acct cannot
// carry an "addr=". The peer is addr= (a host name only in hostname=).
func parseAudit(_, s string) (Event, bool) { return parseAuditLine(s) }

func parseAuditLine(s string) (Event, bool) {
	if !strings.HasPrefix(s, "type=") && !strings.HasPrefix(s, "node=") {
		// "… kernel: audit: type=1100 audit(…)": the record right after the tag.
		if _, msg, ok := syslogHead(s); ok && strings.HasPrefix(msg, "audit: type=") {
			s = msg
		} else if !strings.HasPrefix(s, "USER_") {
			return Event{}, false
		}
	}
	reason := ""
	for _, t := range auditTypes {
		if headIndex(s, "type="+t.name+" ", 64) >= 0 || headIndex(s, "type="+t.num+" ", 64) >= 0 || strings.HasPrefix(s, t.name+" ") ||
			headIndex(s, " "+t.name+" pid=", 64) >= 0 {
			reason = t.reason
			break
		}
	}
	m := strings.Index(s, "msg='")
	if reason == "" || m < 0 || m > 256 {
		return Event{}, false
	}
	inner := strings.TrimSuffix(strings.TrimRight(s[m+len("msg='"):], " \r\n"), "'")
	res, _ := kvValue(inner, "res", ' ')
	var ev Event
	switch res {
	case "failed":
		ev = slotEvent(KindAuthFailure, "audit", reason, auditAcct(inner))
	case "success":
		if reason == "user_err" {
			return Event{}, false
		}
		ev = slotEvent(KindAuthSuccess, "audit", "login_success", auditAcct(inner))
	default:
		return Event{}, false
	}
	if a, _ := kvValue(inner, "addr", ' '); a != "?" && a != "" {
		ev.setPeer(a, "audit.addr", false)
	} else if h, _ := kvValue(inner, "hostname", ' '); h != "?" {
		ev.setPeer(h, "audit.hostname", true)
	}
	return ev, true
}

// auditAcct returns acct (or id) decoded: quoted as written, or hex when
// audit encoded it. "?" and "(unknown)" are no user.
func auditAcct(inner string) string {
	a, ok := kvValue(inner, "acct", ' ')
	key := "acct="
	if !ok {
		a, _ = kvValue(inner, "id", ' ')
		key = "id="
	}
	if a == "?" || a == "(unknown)" || a == "" {
		return ""
	}
	if !strings.Contains(inner, key+`"`) && len(a)%2 == 0 {
		if b, err := hex.DecodeString(a); err == nil && utf8.Valid(b) { // else keep the hex: a name, not bytes
			return string(b)
		}
	}
	return a
}
