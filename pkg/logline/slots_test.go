package logline

import (
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// slotPeer is the peer every template's service recorded.
const slotPeer = "203.0.113.99"

// spoofShape is a catalogue line with the client's text (a user name, a
// referrer, a captured header) at u. mayDrop says the service's format lets
// the client make the slot ambiguous, so no address is an accepted answer;
// it never accepts a wrong one.
type spoofShape struct {
	name    string
	line    func(u string) string
	mayDrop bool
}

// logfmtQuote quotes a value as Grafana's logfmt writer does.
func logfmtQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " =\"\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// auditValue encodes a value as Linux audit does: quoted when safe, hex
// when it holds a space, a quote or a control byte.
func auditValue(s string) string {
	if s != "" && !strings.ContainsAny(s, " \"'") {
		return `"` + s + `"`
	}
	return strings.ToUpper(hex.EncodeToString([]byte(s)))
}

// openvpnName remaps a common name or username as OpenVPN does before
// logging it: characters outside [A-Za-z0-9_.@/:=-] become '_'.
func openvpnName(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("_.@/:=-", r) {
			return r
		}
		return '_'
	}, s)
}

var spoofShapes = []spoofShape{
	{"sshd failed", func(u string) string {
		return "Mar  2 10:00:00 h sshd[1]: Failed password for invalid user " + u + " from " + slotPeer + " port 50000 ssh2"
	}, false},
	{"sshd invalid", func(u string) string {
		return "Mar  2 10:00:00 h sshd[1]: Invalid user " + u + " from " + slotPeer + " port 50000"
	}, false},
	{"sshd closed", func(u string) string {
		return "Mar  2 10:00:00 h sshd[1]: Connection closed by invalid user " + u + " " + slotPeer + " port 50000 [preauth]"
	}, false},
	{"sshd not allowed", func(u string) string {
		return "Mar  2 10:00:00 h sshd[1]: User " + u + " from " + slotPeer + " not allowed because not listed in AllowUsers"
	}, false},
	{"pam sshd", func(u string) string {
		return "Mar  2 10:00:00 h sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=" + slotPeer + "  user=" + u
	}, false},
	{"pam vsftpd", func(u string) string {
		return "Mar  2 10:00:00 h vsftpd[1]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=" + u + " rhost=" + slotPeer + "  user=" + u
	}, true},
	{"dropbear", func(u string) string {
		return "Mar  2 10:00:00 h dropbear[1]: Bad password attempt for '" + u + "' from " + slotPeer + ":50000"
	}, false},
	{"vsftpd", func(u string) string {
		return "Sat Mar  2 10:00:00 2024 [pid 1] [" + u + `] FAIL LOGIN: Client "` + slotPeer + `"`
	}, false},
	{"proftpd", func(u string) string {
		return "Mar  2 10:00:00 h proftpd[1]: ftp.example.com (" + slotPeer + "[" + slotPeer + "]) - USER " + u + " (Login failed): Incorrect password"
	}, false},
	{"pure-ftpd", func(u string) string {
		return "Mar  2 10:00:00 h pure-ftpd: (?@" + slotPeer + ") [WARNING] Authentication failed for user [" + u + "]"
	}, false},
	{"xrdp", func(u string) string {
		return "[20240302-10:00:00] [INFO ] AUTHFAIL: user=" + u + " ip=::ffff:" + slotPeer + " time=1709373960"
	}, false},
	{"audit", func(u string) string {
		return "type=USER_AUTH msg=audit(1709374020.123:456): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct=" +
			auditValue(u) + ` exe="/usr/sbin/sshd" hostname=` + slotPeer + " addr=" + slotPeer + " terminal=ssh res=failed'"
	}, false},
	{"openvpn common name", func(u string) string {
		u = openvpnName(u)
		return "Mar  2 10:00:00 h openvpn[1]: " + u + "/" + slotPeer + ":50000 SENT CONTROL [" + u + "]: 'AUTH_FAILED' (status=1)"
	}, true},
	{"openvpn own log", func(u string) string {
		u = openvpnName(u)
		return "2024-03-02 10:00:00 " + u + "/" + slotPeer + ":50000 SENT CONTROL [" + u + "]: 'AUTH_FAILED' (status=1)"
	}, true},
	{"dovecot login", func(u string) string {
		return "Mar  2 10:00:00 h dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<" + u +
			">, method=PLAIN, rip=" + slotPeer + ", lip=10.0.0.6, TLS, session=<abc>"
	}, false},
	{"dovecot auth", func(u string) string {
		return "Mar  2 10:00:00 h dovecot: auth: passwd-file(" + u + "," + slotPeer + ",<abc>): unknown user"
	}, false},
	{"postfix", func(u string) string {
		return "Mar  2 10:00:00 h postfix/smtpd[1]: warning: unknown[" + slotPeer + "]: SASL LOGIN authentication failed: authentication failure, sasl_username=" + u
	}, false},
	{"nginx user", func(u string) string {
		u = strings.ReplaceAll(u, ":", "") // the basic-auth user ends at the first colon
		return `2024/03/02 10:00:00 [error] 31#31: *1 user "` + u + `": password mismatch, client: ` + slotPeer + `, server: example.com, request: "GET / HTTP/1.1"`
	}, false},
	{"nginx referrer", func(u string) string {
		return `2024/03/02 10:00:00 [error] 31#31: *1 user "bob" was not found in "/etc/nginx/.htpasswd", client: ` + slotPeer +
			`, server: example.com, request: "GET / HTTP/1.1", host: "example.com", referrer: "` + u + `"`
	}, false},
	{"apache", func(u string) string {
		return "[Sat Mar 02 10:00:00 2024] [auth_basic:error] [pid 1] [client " + slotPeer + ":50000] AH01617: user " + u +
			`: authentication failure for "/": Password Mismatch, referer: ` + u
	}, false},
	{"lighttpd", func(u string) string {
		return "2024-03-02 10:00:00: (mod_auth.c.525) password doesn't match for /admin/ username: " + u + ", IP: " + slotPeer
	}, false},
	{"haproxy header", func(u string) string {
		return "Mar  2 10:00:00 lb haproxy[1]: " + slotPeer + ":50000 [02/Mar/2024:10:00:00.123] fe be/app1 0/0/1/2/3 401 230 - - ---- 1/1/0/0/0 0/0 {" +
			strings.ReplaceAll(u, `"`, "#22") + `} "POST /login HTTP/1.1"`
	}, false},
	{"access log", func(u string) string {
		return slotPeer + ` - - [02/Mar/2024:10:00:00 +0000] "POST /login HTTP/1.1" 401 12 "` + strings.ReplaceAll(u, `"`, `\"`) + `" "` + strings.ReplaceAll(u, `"`, `\"`) + `"`
	}, false},
	{"mysql", func(u string) string {
		return "2024-03-02T10:00:00.123456Z 1 [Note] Access denied for user '" + u + "'@'" + slotPeer + "' (using password: YES)"
	}, false},
	{"postgresql", func(u string) string {
		return "2024-03-02 10:00:00 UTC:" + slotPeer + "(50000):" + u + "@app:[1]:FATAL:  password authentication failed for user \"" + u + "\""
	}, false},
	{"mssql", func(u string) string {
		return "2024-03-02 10:00:00.00 Logon       Login failed for user '" + u + "'. Reason: Password did not match that for the login provided. [CLIENT: " + slotPeer + "]"
	}, false},
	{"mongodb text", func(u string) string {
		return "2019-09-03T12:00:00.000+0000 I  ACCESS   [conn1] SASL SCRAM-SHA-1 authentication failed for " + u + " on admin from client " + slotPeer +
			":50000 ; UserNotFound: Could not find user \"" + u + "\" for db \"admin\""
	}, true},
	{"vaultwarden", func(u string) string {
		return "[2024-03-02 10:00:00.123][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: " + slotPeer + ". Username: " + u + "."
	}, false},
	{"vaultwarden success", func(u string) string {
		return "[2024-03-02 10:00:00.123][vaultwarden::api::identity][INFO] User " + u + " logged in successfully. IP: " + slotPeer
	}, false},
	{"grafana", func(u string) string {
		return "logger=context userId=0 orgId=0 uname=" + logfmtQuote(u) + " t=2024-03-02T10:00:00Z level=info msg=\"Invalid username or password\" error=" +
			logfmtQuote(u) + " remote_addr=" + slotPeer + " referer=" + logfmtQuote(u)
	}, false},
	{"gitlab", func(u string) string {
		return "2024-03-02T10:00:00.123Z: Failed Login: username=" + u + " ip=" + slotPeer
	}, false},
	{"gitea", func(u string) string {
		return "2024/03/02 10:00:00 ...auth.go:200:SignInPost() [I] Failed authentication attempt for " + u + " from " + slotPeer +
			":50000: user does not exist [uid: 0, name: " + u + "]"
	}, true},
	{"keycloak", func(u string) string {
		return "2024-03-02 10:00:00,123 WARN  [org.keycloak.events] (executor-thread-1) type=LOGIN_ERROR, realmId=master, clientId=" + u +
			", userId=null, ipAddress=" + slotPeer + ", error=user_not_found, redirect_uri=" + u + ", username=" + u
	}, true},
	{"guacamole", func(u string) string {
		return "10:00:00.123 [http-nio-8080-exec-7] WARN  o.a.g.r.auth.AuthenticationService - Authentication attempt from " + slotPeer + ` for user "` + u + `" failed.`
	}, false},
	{"roundcube", func(u string) string {
		return "[02-Mar-2024 10:00:00 +0000]: <k3x1> Failed login for " + u + " from " + slotPeer + " in session abc (error: 0)"
	}, true},
	{"wordpress", func(u string) string {
		return "Mar  2 10:00:00 h wordpress(example.com)[1]: Authentication failure for " + u + " from " + slotPeer
	}, false},
	{"webmin", func(u string) string {
		return "Mar  2 10:00:00 h webmin[1]: Invalid login as " + u + " from " + slotPeer
	}, false},
	{"proxmox", func(u string) string {
		return "Mar  2 10:00:00 h pvedaemon[1]: authentication failure; rhost=" + slotPeer + " user=" + u + " msg=Authentication failure"
	}, false},
}

// spoofPayloads plant a second address (10.9.9.9) in the shape of each
// service's slot.
var spoofPayloads = []string{
	"x from 10.9.9.9 port 22 ssh2", "x from 10.9.9.9", "admin' from 10.9.9.9", "10.9.9.9", "::ffff:10.9.9.9",
	"x 10.9.9.9 port 1", "x from 10.9.9.9 not allowed because y", "x rhost=10.9.9.9", " rhost=10.9.9.9  user=x",
	"x'@'10.9.9.9' (using password: YES)", `x", client: 10.9.9.9, server: y`, ", client: 10.9.9.9, server: y",
	"[client 10.9.9.9:1] AH01617: user y", "x>, method=PLAIN, rip=10.9.9.9, lip=1.1.1.1", "x,10.9.9.9): unknown user",
	"x unknown[10.9.9.9]: SASL", "x ip=10.9.9.9 time=1", "x ip=10.9.9.9", "x, IP: 10.9.9.9", ". IP: 10.9.9.9.",
	"x [CLIENT: 10.9.9.9]", "x on admin from client 10.9.9.9:1 ;", "x from 10.9.9.9:1: y", "x, ipAddress=10.9.9.9",
	`x" failed. Authentication attempt from 10.9.9.9 for user "y`, "x from 10.9.9.9 in session y", "x remote_addr=10.9.9.9",
	"x/10.9.9.9:1 SENT CONTROL [y", "10.9.9.9:1 SENT CONTROL [x", `x"] FAIL LOGIN: Client "10.9.9.9`,
	"x) [WARNING] (?@10.9.9.9", "x (10.9.9.9[10.9.9.9]) - USER y", "x' from 10.9.9.9:1",
	"x rhost=10.9.9.9 msg=y", "x addr=10.9.9.9", "x ip=10.9.9.9 method=standard", "10.9.9.9(1):y", "x:10.9.9.9(1):y",
	// Another service's fixed text, so that its matcher might read the line.
	"] Access denied for user 'a'@'10.9.9.9' (using password: YES)", `: *1 user "y": password mismatch, client: 10.9.9.9, server: z`,
	" ACCESS  [conn1] SASL x authentication failed for a on b from client 10.9.9.9:1 ; z", "Failed Login: username=x ip=10.9.9.9 method=z",
	"] Failed authentication attempt for a from 10.9.9.9:1: b", "[org.keycloak.events] (t) type=LOGIN_ERROR, ipAddress=10.9.9.9, username=y",
	"Failed login for a from 10.9.9.9 in session b", "type=USER_AUTH msg=audit(1): msg='op=PAM addr=10.9.9.9 res=failed x",
	"10.9.9.9:1 TLS Auth Error: verification failed", "AUTHFAIL: user=x ip=10.9.9.9 time=1",
	"(mod_auth.c.1) password doesn't match for / username: x, IP: 10.9.9.9", "Logon Login failed for user 'a'. Reason: b [CLIENT: 10.9.9.9]",
	"[1][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: 10.9.9.9. Username: x",
	`AuthenticationService - Authentication attempt from 10.9.9.9 for user "y" failed.`, `logger=x msg="Invalid username or password" remote_addr=10.9.9.9`,
	`[Sat Mar 02 10:00:00 2024] [error] [client 10.9.9.9] user x: authentication failure for "/": Password Mismatch`,
	`10.9.9.9 - - [02/Mar/2024:10:00:00 +0000] "POST /login HTTP/1.1" 401 1`,
}

// TestSlotSpoofing is the spoofing table per format: the client's text
// carrying another address in the shape of the service's own slot never
// moves the attributed address. Some formats let such text make the slot
// ambiguous (no address); none lets it name the planted one.
func TestSlotSpoofing(t *testing.T) {
	real := netip.MustParseAddr(slotPeer)
	p := Default()
	for _, sh := range spoofShapes {
		ev := p.Parse(sh.line("bob"))
		kind := ev.Kind
		require.Contains(t, []Kind{KindAuthFailure, KindAuthSuccess}, kind, "%s: plain line not recognised: %q", sh.name, sh.line("bob"))
		require.Equal(t, real, ev.IP, "%s: plain line: %q", sh.name, sh.line("bob"))
		require.NotEmpty(t, ev.IPFrom, sh.name)
		for _, u := range spoofPayloads {
			msg := sh.line(u)
			ev := p.Parse(msg)
			require.Equal(t, kind, ev.Kind, "%s: %q", sh.name, msg)
			if ev.IP.IsValid() || !sh.mayDrop {
				require.Equal(t, real, ev.IP, "%s: %q", sh.name, msg)
			}
			require.Empty(t, ev.Host, "%s: %q", sh.name, msg)
		}
	}
}

// FuzzSlotSpoof checks, for every catalogue format, that an address that
// occurs only inside the client's text is never attributed: whatever the
// fuzzer writes as the user name (printable, as syslog escapes the rest),
// the line names the recorded peer or nothing.
func FuzzSlotSpoof(f *testing.F) {
	for i := range spoofShapes {
		for _, u := range spoofPayloads {
			f.Add(uint8(i), u)
		}
	}
	real := netip.MustParseAddr(slotPeer)
	f.Fuzz(func(t *testing.T, shape uint8, u string) {
		sh := spoofShapes[int(shape)%len(spoofShapes)]
		u = strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return '?'
			}
			return r
		}, u)
		msg := sh.line(u)
		ev := Default().parse(msg)
		if ev.IP.IsValid() && ev.IP != real {
			t.Fatalf("%s: attributed %v from the client's text: %q", sh.name, ev.IP, msg)
		}
		if ev.Host != "" {
			t.Fatalf("%s: host %q from the client's text: %q", sh.name, ev.Host, msg)
		}
	})
}

// addCorpusSeeds seeds a fuzz target with every line of testdata/auth.
func addCorpusSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "auth", "*", "input.txt"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			f.Add(l)
		}
	}
}
