package logline

import "strings"

// The catalogue of text log sources (CrowdSec hub style): one entry per
// service family, each with the syslog program names and the literal keys
// that route a line to its matcher. Only lines that passed the auth
// prefilter get here; a line then pays for one syslog-head cut, one lookup
// of its program and one pass that finds the keys it holds, and runs only
// the matchers its program or keys select. A service's own file holds its matcher and
// testdata/auth/<service>/ its samples.
//
// A program's matcher is authoritative: a line from a known program that it
// does not recognise is not handed to the free-text fallback, whose phrase
// and "from <ip>" heuristics would misread the service's other messages. A
// keyed matcher claims a line by returning ok, with KindOther when the line
// is its service's but no login (MySQL's "… to database 'x'").

// textSource is one entry of the catalogue.
type textSource struct {
	name   string
	progs  []string                             // syslog program names (before "[pid]", "/" or "(")
	keys   []string                             // literal, case-sensitive substrings that route a line
	syslog func(prog, msg string) (Event, bool) // the message after the program tag
	line   func(s string) (Event, bool)         // the whole line
}

var catalogue = [...]textSource{
	{name: "sshd", progs: []string{"sshd", "sshd-session", "sshd-auth"}, syslog: parseSSHDMsg},
	{name: "dropbear", progs: []string{"dropbear"}, syslog: parseDropbear},
	{name: "vsftpd", progs: []string{"vsftpd"}, keys: []string{" LOGIN: Client \""}, syslog: parseVsftpdMsg, line: parseVsftpd},
	{name: "proftpd", progs: []string{"proftpd"}, syslog: parseProftpd},
	{name: "pure-ftpd", progs: []string{"pure-ftpd"}, syslog: parsePureFTPd},
	{name: "xrdp", progs: []string{"xrdp", "xrdp-sesman"}, keys: []string{"AUTHFAIL: user=", "login failed for display", "(access granted): username "}, syslog: parseXrdpMsg, line: parseXrdp},
	{name: "dovecot", progs: []string{"dovecot", "imap-login", "pop3-login", "submission-login", "managesieve-login"}, syslog: parseDovecot},
	{name: "postfix", progs: []string{"postfix"}, syslog: parsePostfix},
	{name: "openvpn", progs: []string{"openvpn", "ovpn-server"}, keys: []string{" TLS Auth Error: ", "'AUTH_FAILED'"}, syslog: parseOpenVPNMsg, line: parseOpenVPN},
	{name: "proxmox", progs: []string{"pvedaemon", "pveproxy"}, syslog: parseProxmox},
	{name: "webmin", progs: []string{"webmin", "miniserv.pl", "usermin"}, syslog: parseWebmin},
	{name: "wordpress", progs: []string{"wordpress"}, syslog: parseWordPress},
	{name: "drupal", progs: []string{"drupal"}, syslog: parseDrupal},
	{name: "audit", progs: []string{"audit", "audispd", "auditd"}, keys: []string{"type=USER_", "audit: type=11", " USER_AUTH ", " USER_ERR ", " USER_LOGIN "}, syslog: parseAudit, line: parseAuditLine},
	{name: "nginx", keys: []string{` user "`}, line: parseNginx},
	{name: "apache", keys: []string{"[client "}, line: parseApache},
	{name: "lighttpd", keys: []string{"mod_auth.c.", "http_auth.c."}, line: parseLighttpd},
	{name: "haproxy", progs: []string{"haproxy"}, syslog: parseHAProxy},
	{name: "mysql", keys: []string{"Access denied for user '", "FAILED_CONNECT"}, line: parseMySQL},
	{name: "postgresql", keys: []string{"FATAL:  ", "LOG:  connection authorized"}, line: parsePostgres},
	{name: "mssql", keys: []string{"Login failed for user '", "Login succeeded for user '"}, line: parseMSSQL},
	{name: "mongodb", keys: []string{" ACCESS "}, line: parseMongoText},
	{name: "roundcube", progs: []string{"roundcube"}, keys: []string{"ogin failed for ", "ailed login for ", "Successful login for "}, syslog: parseRoundcube, line: parseRoundcubeLine},
	{name: "vaultwarden", keys: []string{"::api::"}, line: parseVaultwarden},
	{name: "grafana", keys: []string{"remote_addr="}, line: parseGrafana},
	{name: "gitlab", keys: []string{"Failed Login: username=", "Successful Login: username="}, line: parseGitLab},
	{name: "gitea", keys: []string{"Failed authentication attempt for "}, line: parseGitea},
	{name: "keycloak", keys: []string{"type=LOGIN", `type="LOGIN`, "type=CLIENT_LOGIN", `type="CLIENT_LOGIN`}, line: parseKeycloak},
	{name: "guacamole", keys: []string{"Authentication attempt from ", `" successfully authenticated from `}, line: parseGuacamole},
}

var progIndex = map[string]uint8{}

// keyBuckets index the catalogue's keys by a hash of their first two bytes,
// so one pass over a line finds every key it holds without a substring
// search per key.
var keyBuckets [1 << 10][]keyRef

type keyRef struct {
	key string
	src uint8
}

func pairHash(a, b byte) uint16 { return (uint16(a)*31 + uint16(b)) & (1<<10 - 1) }

func init() {
	if len(catalogue) > 64 {
		panic("logline: routedSources holds at most 64 catalogue entries")
	}
	for i, src := range catalogue {
		for _, p := range src.progs {
			progIndex[p] = uint8(i)
		}
		for _, k := range src.keys {
			h := pairHash(k[0], k[1])
			keyBuckets[h] = append(keyBuckets[h], keyRef{k, uint8(i)})
		}
	}
}

// routedSources returns the catalogue entries whose keys occur in s, in
// the order of their first key in the line (at most len(order)). The
// client's text can hold another service's key; the service's own fixed
// text usually comes first, so the earliest key is tried first.
func routedSources(s string) (order [8]uint8, n int) {
	var seen uint64
	for i := 0; i+1 < len(s); i++ {
		for _, r := range keyBuckets[pairHash(s[i], s[i+1])] {
			if seen&(1<<r.src) == 0 && strings.HasPrefix(s[i:], r.key) {
				seen |= 1 << r.src
				if n < len(order) {
					order[n] = r.src
					n++
				}
			}
		}
	}
	return order, n
}

// parseCatalogue classifies s by the catalogue. decided is true when a known
// program owned the line (whatever the verdict), so no fallback runs.
func parseCatalogue(s string) (ev Event, ok, decided bool) {
	if prog, msg, found := syslogHead(s); found {
		if ev, ok, decided = parseProgram(prog, msg); decided {
			return ev, ok, true
		}
	}
	order, n := routedSources(s)
	for _, i := range order[:n] {
		if ev, ok := catalogue[i].line(s); ok {
			return ev, true, true
		}
	}
	return Event{}, false, false
}

// parseProgram runs the matcher of a syslog program, then PAM (which any
// program may log through).
func parseProgram(prog, msg string) (ev Event, ok, decided bool) {
	if strings.HasPrefix(msg, "pam_") {
		if ev, ok := parsePAMMsg(msg); ok {
			return ev, true, true
		}
	}
	name := progName(prog)
	i, known := progIndex[name]
	if !known || (name == "audit" && !strings.HasSuffix(prog, "]")) { // "audit[4242]:"; a bare "audit:" is any app's word
		return Event{}, false, false
	}
	ev, ok = catalogue[i].syslog(prog, msg)
	return ev, ok, true
}

// progName reduces a syslog tag to the catalogue's program name:
// "sshd[12]" → "sshd", "postfix/smtpd[3]" → "postfix",
// "wordpress(example.com)[4]" → "wordpress".
func progName(tag string) string {
	if i := strings.IndexAny(tag, "[/("); i >= 0 {
		return tag[:i]
	}
	return tag
}

// syslogHead splits a syslog line into its program tag and message:
// "<time> <host> <prog>[pid]: msg" (RFC 3164 with a BSD or ISO time, as the
// CloudWatch agent ships /var/log/secure and journalctl's short formats
// print) or RFC 5424 "<pri>1 <time> <host> <app> <procid> <msgid> <sd> msg".
// The first ": " ends the tag: timestamps contain colons but no ": ", and
// anything an attacker can write comes later, so injected text cannot
// choose the matcher.
func syslogHead(s string) (prog, msg string, ok bool) {
	if len(s) > 4 && s[0] == '<' {
		if p, m, ok := rfc5424(s); ok {
			return p, m, true
		}
	}
	return syslogMessage(s)
}

// rfc5424 reads "<pri>1 ts host app procid msgid sd msg".
func rfc5424(s string) (prog, msg string, ok bool) {
	gt := strings.IndexByte(s, '>')
	if gt < 2 || gt > 4 || !strings.HasPrefix(s[gt+1:], "1 ") {
		return "", "", false
	}
	var f [5]string
	end := gt + 2
	for i := range f {
		f[i], end = nextToken(s, end)
	}
	rest := strings.TrimLeft(s[end:], " ")
	if strings.HasPrefix(rest, "-") {
		rest = rest[1:]
	} else if strings.HasPrefix(rest, "[") { // structured data: [id k="v"]...
		i := 0
		for i < len(rest) && rest[i] == '[' {
			j := strings.Index(rest[i:], "]")
			if j < 0 {
				return "", "", false
			}
			i += j + 1
		}
		rest = rest[i:]
	}
	return f[2], strings.TrimPrefix(strings.TrimLeft(rest, " "), "\ufeff"), f[2] != ""
}
