package logline

import (
	"strings"

	"github.com/valyala/fastjson"
)

// Databases as RDS, Aurora and DocumentDB export their logs to CloudWatch:
// MySQL/MariaDB, PostgreSQL, SQL Server, MongoDB and DocumentDB.

// parseMySQL reads MySQL and MariaDB access denials from the error log
// (RDS exports it; MySQL 8 needs log_error_verbosity=3):
//
//	2024-03-02T10:00:01.123456Z 12 [Note] [MY-010926] [Server] Access denied for user 'bob'@'203.0.113.5' (using password: YES)
//
// and the MariaDB/Aurora audit log's FAILED_CONNECT records
// ("ts,serverhost,user,host,connid,queryid,FAILED_CONNECT,db,,retcode").
// MySQL writes the user name unescaped, so it may hold "'@'10.9.9.9'": the
// host is the last "'@'…'" before the last " (using password: ", after
// which only MySQL's own text follows. A host name there is kept as Host.
func parseMySQL(s string) (Event, bool) {
	if strings.Contains(s, ",FAILED_CONNECT,") {
		return mysqlAudit(s)
	}
	i := headIndex(s, "] Access denied for user '", 96) // after "[Note]" / "[Server]"
	k := strings.LastIndex(s, "' (using password: ")
	if i < 0 || !mysqlHead(s[:i+1]) {
		return Event{}, false
	}
	if k < i+len("] Access denied for user '") { // "… to database 'x'": authorization after a successful login
		return Event{}, true
	}
	slot := s[i+len("] Access denied for user '") : k]
	at := strings.LastIndex(slot, "'@'")
	if at < 0 {
		return Event{}, false
	}
	ev := slotEvent(KindAuthFailure, "mysql", "invalid_password", slot[:at])
	ev.setPeer(slot[at+3:], "mysql.host", true)
	return ev, true
}

// mysqlHead reports whether h is an error-log head: a time, a thread id,
// then "[Note]"/"[Warning]" and, in MySQL 8, "[MY-nnnnnn] [Server]".
func mysqlHead(h string) bool {
	b := strings.IndexByte(h, '[')
	if b < 2 || !isTimeHead(h[:b]) {
		return false
	}
	tid, _ := tokenBefore(h, b-1)
	if !allDigits(tid) {
		return false
	}
	for _, g := range strings.SplitAfter(h[b:], "] ") {
		if g != "" && (g[0] != '[' || strings.ContainsAny(strings.TrimSuffix(g[1:], " "), " '\"@[")) {
			return false
		}
	}
	return true
}

// mysqlAudit reads an audit FAILED_CONNECT record. The user (field 3) and
// the database (field 8) are the client's and may contain commas; the host
// (field 4) is attributed only when the record has exactly its 10 fields.
func mysqlAudit(s string) (Event, bool) {
	f := strings.Split(s, ",")
	if len(f) < 10 || strings.Trim(f[0], "0123456789 :") != "" { // epoch µs (Aurora) or "20240302 10:17:00" (MariaDB)
		return Event{}, false
	}
	if len(f) != 10 || f[6] != "FAILED_CONNECT" {
		return slotEvent(KindAuthFailure, "mysql", "failed_connect", ""), true
	}
	ev := slotEvent(KindAuthFailure, "mysql", "failed_connect", f[2])
	ev.setPeer(f[3], "mysql.audit_host", true)
	return ev, true
}

// postgresFatals are the PostgreSQL FATAL messages of a failed login.
var postgresFatals = [...]struct {
	text   string
	reason string
}{
	{`password authentication failed for user "`, "invalid_password"},
	{`role "`, "invalid_user"}, // role "x" does not exist
	{`no pg_hba.conf entry for host "`, "no_hba_entry"},
	{`pg_hba.conf rejects connection for host "`, "hba_reject"},
	{`Ident authentication failed for user "`, "invalid_ident"},
	{`PAM authentication failed for user "`, "invalid_password"},
	{`LDAP authentication failed for user "`, "invalid_password"},
}

// parsePostgres reads PostgreSQL login failures with RDS's log_line_prefix
// "%t:%r:%u@%d:[%p]:" (time, "host(port)", user@db, pid):
//
//	2024-03-02 10:00:01 UTC:203.0.113.5(50112):bob@app:[4242]:FATAL:  password authentication failed for user "bob"
//
// %r is the first field after the time and precedes every client value
// (%u, %d), so it is the slot; a prefix without it leaves no address. The
// "no pg_hba.conf entry for host" message names the host itself, first.
func parsePostgres(s string) (Event, bool) {
	if c := strings.Index(s, ":LOG:  connection authorized: user="); c >= 0 && len(s) > 11 && allDigits(s[:4]) && s[4] == '-' {
		rest := s[c+len(":LOG:  connection authorized: user="):]
		user, _ := nextToken(rest, 0)
		ev := slotEvent(KindAuthSuccess, "postgresql", "login_success", user)
		postgresPeer(&ev, s)
		return ev, true
	}
	f := strings.Index(s, "FATAL:  ")
	if f < 0 || len(s) < 11 || !allDigits(s[:4]) || s[4] != '-' || s[7] != '-' { // a line that starts with its date
		return Event{}, false
	}
	msg := s[f+len("FATAL:  "):]
	for _, p := range postgresFatals {
		rest, ok := strings.CutPrefix(msg, p.text)
		if !ok {
			continue
		}
		if p.reason == "invalid_user" && !strings.HasSuffix(rest, `" does not exist`) {
			return Event{}, false
		}
		ev := slotEvent(KindAuthFailure, "postgresql", p.reason, "")
		switch p.reason {
		case "no_hba_entry", "hba_reject": // host "ip", user "u", database "d", …
			if q := strings.Index(rest, `", user "`); q >= 0 {
				ev.setPeer(rest[:q], "postgresql.host", true)
				u := rest[q+len(`", user "`):]
				if e := strings.LastIndex(u, `", database "`); e >= 0 {
					ev.User = cleanUser(u[:e])
				}
			}
			return ev, true
		case "invalid_user":
			ev.User = cleanUser(rest[:len(rest)-len(`" does not exist`)])
		default:
			ev.User = cleanUser(strings.TrimSuffix(rest, `"`))
		}
		postgresPeer(&ev, s[:f])
		return ev, true
	}
	return Event{}, false
}

// postgresPeer reads %r from "<date> <time> <tz>:<host>(<port>):…", or
// an IPv4 %h from "<date> <time> <tz>:<ip>:…" (an IPv6 %h has no end).
func postgresPeer(ev *Event, s string) {
	_, e := nextToken(s, 0) // date
	_, e = nextToken(s, e)  // time
	tz, _ := nextToken(s, e)
	c := strings.IndexByte(tz, ':')
	if c < 0 {
		return
	}
	r := tz[c+1:]
	o := strings.IndexByte(r, '(')
	if h := strings.IndexByte(r, ':'); h > 0 && (o < 0 || h < o) {
		if a := peerIP(r[:h]); a.Is4() {
			ev.setPeerIP(a, "postgresql.h")
			return
		}
	}
	if o < 0 || !strings.HasPrefix(r[strings.IndexByte(r, ')')+1:], ":") {
		return
	}
	if p := r[o+1 : max(o+1, strings.IndexByte(r, ')'))]; allDigits(p) {
		ev.setPeer(r[:o], "postgresql.r", true)
	}
}

// parseMSSQL reads SQL Server's login audit lines (RDS error log):
//
//	2024-03-02 10:00:01.00 Logon       Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 203.0.113.5]
//
// The user is the client's; "[CLIENT: <ip>]" ends the line, so the slot
// is its last occurrence.
func parseMSSQL(s string) (Event, bool) {
	// "<date> <time> Logon       Login failed …": the source column first.
	kind, lit := KindAuthFailure, "Login failed for user '"
	i := headIndex(s, lit, 48)
	if i < 0 {
		kind, lit = KindAuthSuccess, "Login succeeded for user '"
		if i = headIndex(s, lit, 48); i < 0 {
			return Event{}, false
		}
	}
	if h := strings.TrimRight(s[:i], " "); !strings.HasSuffix(h, " Logon") || !isTimeHead(h) {
		return Event{}, false
	}
	rest := s[i+len(lit):]
	reason := "login_success"
	if kind == KindAuthFailure {
		reason = "invalid_password"
		if strings.Contains(rest, "Could not find a login matching the name provided") {
			reason = "invalid_user"
		}
	}
	k := strings.LastIndex(rest, " [CLIENT: ")
	user := rest
	if u := strings.LastIndex(rest[:max(k, 0)], "'. "); u >= 0 {
		user = rest[:u]
	} else if k < 0 {
		user = strings.TrimSuffix(rest, "'.")
	}
	ev := slotEvent(kind, "mssql", reason, user)
	if k >= 0 {
		tail := rest[k+len(" [CLIENT: "):]
		if e := strings.IndexByte(tail, ']'); e >= 0 && strings.TrimSpace(tail[e+1:]) == "" {
			ev.setPeer(tail[:e], "mssql.client", false)
		}
	}
	return ev, true
}

// parseMongoText reads MongoDB ≤ 4.2 text logs:
//
//	… I  ACCESS   [conn12] SASL SCRAM-SHA-256 authentication failed for bob on admin from client 203.0.113.5:50112 ; UserNotFound: Could not find user "bob" for db "admin"
//	… I  ACCESS   [conn12] Successfully authenticated as principal bob on admin from client 198.51.100.4:50113
//
// The user comes first, the error after the peer repeats it: the peer is
// the token after " from client " only when that text occurs once.
func parseMongoText(s string) (Event, bool) {
	a := headIndex(s, " ACCESS ", 40)
	if a < 0 || !isTimeHead(s[:a]) {
		return Event{}, false
	}
	if c := strings.Index(s[a:], "] "); c < 0 || c > 40 { // "  [conn12] "
		return Event{}, false
	} else {
		s = s[a+c+2:]
	}
	kind, reason := KindAuthFailure, "invalid_password"
	i := headIndex(s, " authentication failed for ", 40) // "SASL SCRAM-SHA-256 authentication …"
	lit := " authentication failed for "
	if i < 0 {
		kind, reason, lit = KindAuthSuccess, "login_success", "Successfully authenticated as principal "
		if !strings.HasPrefix(s, lit) {
			return Event{}, false
		}
		i = 0
	}
	rest := s[i+len(lit):]
	if strings.Contains(rest, "UserNotFound") {
		reason = "invalid_user"
	}
	k := strings.Index(rest, " from client ")
	if k < 0 {
		return slotEvent(kind, "mongodb", reason, ""), true
	}
	user := rest[:k]
	if on := strings.LastIndex(user, " on "); on >= 0 {
		user = user[:on]
	}
	ev := slotEvent(kind, "mongodb", reason, user)
	if strings.Count(s, " from client ") == 1 {
		tok, _ := nextToken(rest, k+len(" from client "))
		ev.setPeer(tok, "mongodb.client", false)
	}
	return ev, true
}

// mongoJSON reads MongoDB ≥ 4.4 structured logs: component ACCESS, message
// "Authentication failed" (id 20249) or "Successfully authenticated" (id
// 20250), peer in attr.remote ("ip:port"), user in attr.principalName (or
// attr.user).
func mongoJSON(msg string, v *fastjson.Value) (Event, bool) {
	var kind Kind
	reason := "invalid_password"
	switch string(str(v, "msg")) {
	case "Authentication failed":
		kind = KindAuthFailure
		if strings.Contains(string(str(v, "attr", "error")), "UserNotFound") {
			reason = "invalid_user"
		}
	case "Successfully authenticated":
		kind, reason = KindAuthSuccess, "login_success"
	default:
		return Event{}, false
	}
	user := str(v, "attr", "principalName")
	if len(user) == 0 {
		user = str(v, "attr", "user")
	}
	ev := slotEvent(kind, "mongodb", reason, retain(msg, user))
	ev.setPeer(unsafeStr(str(v, "attr", "remote")), "mongodb.remote", false)
	return ev, true
}

// docdbAudit reads Amazon DocumentDB audit events ("atype":"authenticate",
// "result" 0 on success, an error code such as 18 otherwise, the peer in
// "remote_ip" as "ip:port", the user in param.user).
func docdbAudit(msg string, v *fastjson.Value) (Event, bool) {
	res := v.Get("result")
	if res == nil || res.Type() != fastjson.TypeNumber {
		return Event{}, false
	}
	kind, reason := KindAuthFailure, "invalid_password"
	if res.GetInt() == 0 {
		kind, reason = KindAuthSuccess, "login_success"
	}
	ev := slotEvent(kind, "documentdb", reason, retain(msg, str(v, "param", "user")))
	ev.setPeer(unsafeStr(str(v, "remote_ip")), "documentdb.remote_ip", false)
	return ev, true
}
