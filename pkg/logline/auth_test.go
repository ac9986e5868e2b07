package logline

import (
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

type authWant struct {
	kind   Kind
	ip     string // "" = no IP
	user   string
	reason string
	rule   string
}

func checkAuth(t *testing.T, p *Parser, msg string, w authWant) {
	t.Helper()
	ev := p.Parse(msg)
	var ip netip.Addr
	if w.ip != "" {
		ip = netip.MustParseAddr(w.ip)
	}
	require.Equal(t, w.kind, ev.Kind, "kind of %q", msg)
	require.Equal(t, ip, ev.IP, "ip")
	require.Equal(t, w.user, ev.User, "user")
	require.Equal(t, w.reason, ev.Reason, "reason")
	require.Equal(t, w.rule, ev.Rule, "rule")
}

const consoleLoginFailure = `{
    "eventVersion": "1.05",
    "userIdentity": {
        "type": "IAMUser",
        "principalId": "AIDACKCEVSQ6C2EXAMPLE",
        "accountId": "111122223333",
        "accessKeyId": "",
        "userName": "anaya"
    },
    "eventTime": "2022-11-10T16:24:34Z",
    "eventSource": "signin.amazonaws.com",
    "eventName": "ConsoleLogin",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "192.0.2.0",
    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36",
    "errorMessage": "Failed authentication",
    "requestParameters": null,
    "responseElements": {
        "ConsoleLogin": "Failure"
    },
    "additionalEventData": {
        "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
        "MobileVersion": "No",
        "MFAUsed": "Yes"
    },
    "eventID": "d38ce1b3-4575-4cb8-a632-611b8243bfc3",
    "eventType": "AwsConsoleSignIn",
    "recipientAccountId": "111122223333"
}`

func TestParseAuth(t *testing.T) {
	F, S, O := KindAuthFailure, KindAuthSuccess, KindOther
	tests := []struct {
		name string
		msg  string
		want authWant
	}{
		// sshd, verbatim from fail2ban's corpus (formats.md §5.7).
		{"sshd invalid user failed password", "Feb 25 14:34:10 belka sshd[31602]: Failed password for invalid user ROOT from 194.117.26.69 port 50273 ssh2", authWant{F, "194.117.26.69", "ROOT", "invalid_user", RuleSSHD}},
		{"sshd failed password", "Sep 29 16:28:02 spaceman sshd[16699]: Failed password for dan from 127.0.0.1 port 45416 ssh1", authWant{F, "127.0.0.1", "dan", "invalid_password", RuleSSHD}},
		{"sshd invalid user port", "Jul 20 14:42:12 localhost sshd[22708]: Invalid user ftp from 192.0.2.2 port 37220", authWant{F, "192.0.2.2", "ftp", "invalid_user", RuleSSHD}},
		{"sshd invalid user no port", "Jul 20 14:42:11 localhost sshd[22708]: Invalid user ftp from 192.0.2.1", authWant{F, "192.0.2.1", "ftp", "invalid_user", RuleSSHD}},
		{"sshd root refused", "Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM 1.2.3.4 port 12345 [preauth]", authWant{F, "1.2.3.4", "root", "root_login_refused", RuleSSHD}},
		{"sshd too many failures", "Nov 28 09:16:05 srv sshd[32310]: Disconnecting: Too many authentication failures for git [preauth]", authWant{F, "", "git", "too_many_failures", RuleSSHD}},
		{"sshd pam leading zero ip is no ip", "Jun 21 16:47:48 digital-mlhhyiqscv sshd[13709]: error: PAM: Authentication failure for myhlj1374 from 192.030.0.6", authWant{F, "", "myhlj1374", "invalid_password", RuleSSHD}},
		{"sshd injection takes last from", "Nov 11 08:04:52 redbamboo sshd[2737]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2", authWant{F, "127.0.0.1", "test from 10.10.1.2 port 55555 ssh2", "invalid_user", RuleSSHD}},
		{"sshd ipv6", "Mar  1 10:00:00 h sshd[1]: Failed password for alice from 2001:db8::7 port 22 ssh2", authWant{F, "2001:db8::7", "alice", "invalid_password", RuleSSHD}},
		{"sshd ipv4 mapped", "Mar  1 10:00:00 h sshd[1]: Failed password for alice from ::ffff:198.51.100.4 port 22 ssh2", authWant{F, "198.51.100.4", "alice", "invalid_password", RuleSSHD}},
		{"sshd accepted publickey", "Mar  1 10:00:00 h sshd[1]: Accepted publickey for ec2-user from 198.51.100.9 port 50000 ssh2: RSA SHA256:abcdef", authWant{S, "198.51.100.9", "ec2-user", "accepted_publickey", RuleSSHD}},
		{"sshd accepted password", "Mar  1 10:00:00 h sshd[1]: Accepted password for bob from 198.51.100.9 port 50000 ssh2", authWant{S, "198.51.100.9", "bob", "accepted_password", RuleSSHD}},
		{"pam rhost", "Mar  1 10:00:00 h sshd[99]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root", authWant{F, "203.0.113.5", "root", "invalid_password", RulePAM}},
		{"pam hostile user", "Mar  1 10:00:00 h su[99]: pam_unix(su:auth): authentication failure; logname= uid=0 euid=0 tty=pts/0 ruser= rhost=203.0.113.5  user=x rhost=10.9.9.9", authWant{F, "203.0.113.5", "x rhost=10.9.9.9", "invalid_password", RulePAM}},
		// nginx and Apache basic auth.
		{"nginx not found", `2024/01/01 12:00:00 [error] 123#123: *1 user "bob" was not found in "/etc/nginx/.htpasswd", client: 1.2.3.4, server: example.com, request: "GET / HTTP/1.1", host: "example.com"`, authWant{F, "1.2.3.4", "bob", "invalid_user", RuleNginxAuth}},
		{"nginx mismatch", `2024/01/01 12:00:00 [error] 123#123: *2 user "bob": password mismatch, client: 1.2.3.4, server: example.com, request: "GET / HTTP/1.1", host: "example.com"`, authWant{F, "1.2.3.4", "bob", "invalid_password", RuleNginxAuth}},
		{"apache mismatch", `[Wed Oct 11 14:32:52.123456 2023] [auth_basic:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH01617: user bob: authentication failure for "/": Password Mismatch`, authWant{F, "1.2.3.4", "bob", "invalid_password", RuleApacheAuth}},
		{"apache not found", `[Wed Oct 11 14:32:52.123456 2023] [auth_basic:error] [pid 1234] [client 2001:db8::1:5678] AH01618: user eve not found: /admin`, authWant{F, "2001:db8::1", "eve", "invalid_user", RuleApacheAuth}},
		// Access logs.
		{"clf 401 login", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.1" 401 2326`, authWant{F, "1.2.3.4", "", "http_401", RuleAccessLog}},
		{"clf 401 with user", `203.0.113.8 - carol [10/Oct/2000:13:55:36 -0700] "GET /wp-login.php HTTP/1.1" 401 12 "-" "curl/8"`, authWant{F, "203.0.113.8", "carol", "http_401", RuleAccessLog}},
		{"clf 401 not login path", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /api/me HTTP/1.1" 401 2326`, authWant{O, "", "", "", ""}},
		{"clf 200 login", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.1" 200 2326`, authWant{O, "", "", "", ""}},
		{"apigw clf", `198.51.100.1 - - [27/Oct/2023:13:40:57 +0000] "POST /auth/token HTTP/1.1" 403 87 a4188e34-1104-424e-9907-eebbf55dd662`, authWant{F, "198.51.100.1", "", "http_403", RuleAccessLog}},
		// API Gateway.
		{"apigw access json 400 is not auth", `{ "caller": "-", "ip": "51.14.4.225", "method": "POST", "protocol": "HTTP/1.1", "requestId": "a4188e34-1104-424e-9907-eebbf55dd662", "requestTime": "27/Oct/2023:13:40:57 +0000", "requestTimeEpoch": "1698414057744", "responseLength": "87", "status": "400", "user": "-" }`, authWant{O, "", "", "", ""}},
		{"apigw access json 401", `{ "caller": "-", "ip": "51.14.4.225", "method": "POST", "protocol": "HTTP/1.1", "requestId": "a4188e34-1104-424e-9907-eebbf55dd662", "requestTime": "27/Oct/2023:13:40:57 +0000", "responseLength": "87", "status": "401", "user": "-" }`, authWant{F, "51.14.4.225", "", "http_401", RuleAPIGWAccess}},
		{"apigw access json response type", `{"requestId":"r","ip":"51.14.4.226","status":"403","responseType":"MISSING_AUTHENTICATION_TOKEN","user":"-"}`, authWant{F, "51.14.4.226", "", "missing_authentication_token", RuleAPIGWAccess}},
		{"apigw access json dash ip", `{"requestId":"r","ip":"-","status":"401","httpMethod":"GET"}`, authWant{F, "", "", "http_401", RuleAPIGWAccess}},
		{"apigw exec unauthorized", "(9cef3834-f42c-46d7-83fe-a6401a431398) Unauthorized request: 9cef3834-f42c-46d7-83fe-a6401a431398", authWant{F, "", "", "unauthorized", RuleAPIGWExec}},
		{"apigw exec response type", "(PDS1PEC4oAMFpyA=) Gateway response type: UNAUTHORIZED with status code: 401", authWant{F, "", "", "unauthorized", RuleAPIGWExec}},
		{"apigw exec config error", "(PDS1PEC4oAMFpyA=) Gateway response type: AUTHORIZER_CONFIGURATION_ERROR with status code: 500", authWant{O, "", "", "", ""}},
		{"apigw exec starting authorizer", "(9cef3834-f42c-46d7-83fe-a6401a431398) Starting authorizer: 4hugyv for request: 9cef3834", authWant{O, "", "", "", ""}},
		// CloudTrail.
		{"cloudtrail console failure", consoleLoginFailure, authWant{F, "192.0.2.0", "anaya", "console_login_failed", RuleCloudTrail}},
		{"cloudtrail hidden user", strings.Replace(consoleLoginFailure, `"anaya"`, `"HIDDEN_DUE_TO_SECURITY_REASONS"`, 1), authWant{F, "192.0.2.0", "", "console_login_failed", RuleCloudTrail}},
		{"cloudtrail root failure", `{"eventVersion":"1.05","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root"},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.9","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}}`, authWant{F, "192.0.2.9", "root", "console_login_failed", RuleCloudTrail}},
		{"cloudtrail console success", `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"anaya"},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.1","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}`, authWant{S, "192.0.2.1", "anaya", "console_login_success", RuleCloudTrail}},
		{"cloudtrail ec2 unauthorized service ip", `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::751353041310:assumed-role/r/s"},"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","sourceIPAddress":"ec2.amazonaws.com","errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation."}`, authWant{F, "", "arn:aws:sts::751353041310:assumed-role/r/s", "access_denied", RuleCloudTrailAZ}},
		{"cloudtrail access denied", `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"tester","arn":"arn:aws:iam::123456789012:user/tester"},"eventSource":"iam.amazonaws.com","eventName":"GetRole","sourceIPAddress":"203.0.113.77","errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::123456789012:user/tester is not authorized to perform: iam:GetRole"}`, authWant{F, "203.0.113.77", "tester", "access_denied", RuleCloudTrailAZ}},
		{"cloudtrail headbucket excluded", `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"t"},"eventSource":"s3.amazonaws.com","eventName":"HeadBucket","sourceIPAddress":"203.0.113.77","errorCode":"AccessDenied"}`, authWant{O, "", "", "", ""}},
		{"cloudtrail ordinary", `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"t"},"eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"203.0.113.77"}`, authWant{O, "", "", "", ""}},
		// OWASP vocabulary.
		{"owasp json", `{"datetime":"2021-01-01 01:01:01","appid":"foobar.netportal_auth","event":"authn_login_fail:joebob1","level":"WARN","description":"User joebob1 login failed","source_ip":"::ffff:203.0.113.4"}`, authWant{F, "203.0.113.4", "joebob1", "authn_login_fail", RuleOWASP}},
		{"owasp fail max", `{"event":"authn_login_fail_max:joebob1,3","level":"WARN","client_ip":"203.0.113.4"}`, authWant{F, "203.0.113.4", "joebob1", "authn_login_fail_max", RuleOWASP}},
		{"owasp lock", `{"event":"authn_login_lock:joebob1,maxretries","level":"WARN"}`, authWant{F, "", "joebob1", "authn_login_lock", RuleOWASP}},
		{"owasp success after fail", `{"event":"authn_login_successafterfail:joebob1,2","level":"INFO","ip":"203.0.113.4"}`, authWant{S, "203.0.113.4", "joebob1", "authn_login_successafterfail", RuleOWASP}},
		{"owasp success", `{"event":"authn_login_success:joebob1","level":"INFO","ip":"203.0.113.4"}`, authWant{S, "203.0.113.4", "joebob1", "authn_login_success", RuleOWASP}},
		{"owasp token reuse", `{"event":"authn_token_reuse:joebob1,t-1","level":"CRITICAL"}`, authWant{F, "", "joebob1", "authn_token_reuse", RuleOWASP}},
		{"owasp authz fail", `{"event":"authz_fail:joebob1,resource","level":"CRITICAL"}`, authWant{F, "", "joebob1", "authz_fail", RuleOWASP}},
		{"owasp text", "2024-01-01T00:00:00Z WARN authn_login_fail:joebob1", authWant{F, "", "joebob1", "authn_login_fail", RuleOWASP}},
		{"owasp password change is not auth", `{"event":"authn_password_change:joebob1","level":"INFO"}`, authWant{O, "", "", "", ""}},
		// Structured application logs.
		{"json app event outcome", `{"level":"warn","event":"login","outcome":"failure","username":"alice","sourceIp":"198.51.100.23"}`, authWant{F, "198.51.100.23", "alice", "login_failed", RuleJSONApp}},
		{"json app message phrase", `{"level":"WARN","msg":"Login failed","user":"bob","remote_addr":"198.51.100.24:51234"}`, authWant{F, "198.51.100.24", "bob", "login_failed", RuleJSONApp}},
		{"json app xff rightmost hop", `{"log_level":"ERROR","message":"invalid password","email":"bob@example.com","x-forwarded-for":"203.0.113.50, 10.0.0.1"}`, authWant{F, "10.0.0.1", "bob@example.com", "invalid_password", RuleJSONApp}},
		{"json app nested ip", `{"level":"warn","action":"sign-in","result":"denied","userId":"u-17","request":{"ip":"198.51.100.25"}}`, authWant{F, "198.51.100.25", "u-17", "login_failed", RuleJSONApp}},
		{"json app nested http client_ip", `{"level":"warn","event":"auth.login_failed","user_id":"u-18","http":{"client_ip":"2001:db8::9"}}`, authWant{F, "2001:db8::9", "u-18", "login_failed", RuleJSONApp}},
		{"json app success", `{"level":"info","event":"user.login","outcome":"success","user":"carol","ip":"198.51.100.26"}`, authWant{S, "198.51.100.26", "carol", "login_success", RuleJSONApp}},
		{"json app message only", `{"level":"WARN","message":"login failed for dave from 198.51.100.27"}`, authWant{F, "198.51.100.27", "dave", "login_failed", RuleJSONApp}},
		{"json app password reset is not auth", `{"level":"ERROR","message":"password reset failed: smtp timeout","user":"erin"}`, authWant{O, "", "", "", ""}},
		{"json app unrelated failure", `{"level":"ERROR","message":"failed to load profile","user":"erin"}`, authWant{O, "", "", "", ""}},
		{"json http 401 app", `{"level":"info","msg":"request","status":401,"path":"/login","ip":"198.51.100.28"}`, authWant{F, "198.51.100.28", "", "http_401", RuleAPIGWAccess}},
		// Generic text.
		{"generic login failed", "login failed for bob from 203.0.113.9", authWant{F, "203.0.113.9", "bob", "login_failed", RuleGenericText}},
		{"generic quoted user ip=", "Authentication failed for user 'alice' (ip=203.0.113.10)", authWant{F, "203.0.113.10", "alice", "authentication_failed", RuleGenericText}},
		{"generic node lambda line", "2024-01-01T00:00:00.000Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tWARN\tInvalid password for user frank from 203.0.113.11", authWant{F, "203.0.113.11", "frank", "invalid_password", RuleGenericText}},
		{"generic success", "Login succeeded for grace from 203.0.113.12", authWant{S, "203.0.113.12", "grace", "login_success", RuleGenericText}},
		{"generic unauthorized without attribution", "upstream returned 401 Unauthorized, retrying", authWant{O, "", "", "", ""}},
		{"generic plain app line", "2024-01-01T00:00:00.000Z\tabc\tINFO\tprocessed 12 orders for customer 7", authWant{O, "", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAuth(t, Default(), tt.msg, tt.want) })
	}
}

// TestHostileUserNames: whatever an attacker puts in a user name (IP-like
// text, Slack mentions, JSON, markers of the format itself) must not change
// the attributed IP.
func TestHostileUserNames(t *testing.T) {
	hostile := []string{
		"from 10.9.9.9", "x from 10.9.9.9 port 22 ssh2", "<!channel>", `{"ip":"10.9.9.9"}`,
		`bob", client: 10.9.9.9, server: x`, "ip=10.9.9.9", "[client 10.9.9.9:1]", "rhost=10.9.9.9",
		"10.9.9.9 - - [x] \"POST /login HTTP/1.1\" 401 1", "::ffff:10.9.9.9", "bob\nsshd[1]: Failed password for x from 10.9.9.9 port 1 ssh2",
	}
	const real = "203.0.113.99"
	shapes := []struct {
		name string
		tmpl func(u string) string
		want string // "" = no IP is acceptable; else this IP
	}{
		{"sshd", func(u string) string {
			return "Mar  1 10:00:00 h sshd[1]: Failed password for invalid user " + u + " from " + real + " port 4242 ssh2"
		}, real},
		{"sshd invalid", func(u string) string {
			return "Mar  1 10:00:00 h sshd[1]: Invalid user " + u + " from " + real + " port 4242"
		}, real},
		{"json", func(u string) string {
			return `{"event":"login","outcome":"failure","user":` + jsonQuote(u) + `,"ip":"` + real + `"}`
		}, real},
		{"json message", func(u string) string {
			return `{"message":"login failed for ` + jsonEscape(u) + `","ip":"` + real + `"}`
		}, real},
		{"owasp", func(u string) string { return `{"event":"authn_login_fail:` + jsonEscape(u) + `","ip":"` + real + `"}` }, real},
		{"apache", func(u string) string {
			return "[Wed Oct 11 14:32:52 2023] [auth_basic:error] [pid 1] [client " + real + ":5678] AH01617: user " + u + ": authentication failure for \"/\": Password Mismatch"
		}, real},
		{"clf", func(u string) string {
			return real + " - " + strings.ReplaceAll(u, " ", "_") + " [10/Oct/2000:13:55:36 -0700] \"POST /login HTTP/1.1\" 401 1"
		}, real},
		{"nginx", func(u string) string {
			return `2024/01/01 12:00:00 [error] 1#1: *1 user "` + u + `": password mismatch, client: ` + real + `, server: x, request: "GET / HTTP/1.1"`
		}, ""},
		// Free text cannot tell "for <name> from <ip>" from a name holding
		// "from <ip>": two addresses after the phrase give none.
		{"generic", func(u string) string { return "login failed for " + u + " from " + real }, ""},
		{"generic slot after phrase", func(u string) string { return "login failed from " + real + " for user " + u }, real},
	}
	for _, sh := range shapes {
		for _, u := range hostile {
			msg := sh.tmpl(u)
			ev := Default().Parse(msg)
			require.Contains(t, []Kind{KindAuthFailure}, ev.Kind, "%s: %q", sh.name, msg)
			if ev.IP.IsValid() || sh.want != "" {
				require.Equal(t, real, ev.IP.String(), "%s: %q", sh.name, msg)
			}
			require.NotEqual(t, "10.9.9.9", ev.IP.String())
		}
	}
}

func jsonEscape(s string) string { q := jsonQuote(s); return q[1 : len(q)-1] }

func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestUserCap(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes, 2-byte runes
	ev := Default().Parse("Mar  1 10:00:00 h sshd[1]: Invalid user " + long + " from 203.0.113.1 port 1")
	require.Equal(t, KindAuthFailure, ev.Kind)
	require.LessOrEqual(t, len(ev.User), MaxUserLen)
	prefix, _, ok := strings.Cut(ev.User, "~")
	require.True(t, ok, "a capped name carries a hash: %q", ev.User)
	require.True(t, strings.HasPrefix(long, prefix))
	require.True(t, utf8.ValidString(ev.User), "cut on a rune boundary")

	// Two long names sharing their first MaxUserLen bytes stay two users.
	a, b := strings.Repeat("a", 300)+"1", strings.Repeat("a", 300)+"2"
	ua := Default().Parse(`{"msg":"login failed","user":"` + a + `","ip":"203.0.113.1"}`).User
	ub := Default().Parse(`{"msg":"login failed","user":"` + b + `","ip":"203.0.113.1"}`).User
	require.NotEqual(t, ua, ub)
	require.LessOrEqual(t, len(ua), MaxUserLen)
	require.Equal(t, "bob", Default().Parse(`{"msg":"login failed","user":"bob"}`).User, "short names are kept whole")
}

func TestParseIP(t *testing.T) {
	tests := map[string]string{
		"1.2.3.4": "1.2.3.4", "1.2.3.4:5678": "1.2.3.4", "[2001:db8::1]:443": "2001:db8::1", "::ffff:1.2.3.4": "1.2.3.4",
		"fe80::1%eth0": "fe80::1", "-": "", "": "", "ec2.amazonaws.com": "", "192.030.0.6": "", "999.1.1.1": "", " 1.2.3.4 ": "1.2.3.4",
	}
	for in, want := range tests {
		got := parseIP(in)
		if want == "" {
			require.False(t, got.IsValid(), in)
			continue
		}
		require.Equal(t, want, got.String(), in)
	}
}

func TestJSONSuccessPhrases(t *testing.T) {
	p := Default()
	for _, msg := range []string{
		`{"level":"info","msg":"user logged in","user":"bob","ip":"203.0.113.7"}`,
		`{"level":"info","msg":"User signed in","email":"bob@example.com","clientIp":"203.0.113.7"}`,
		`{"level":"info","event":"login","outcome":"success","user":"bob","ip":"203.0.113.7"}`,
	} {
		e := p.Parse(msg)
		require.Equal(t, KindAuthSuccess, e.Kind, msg)
		require.Equal(t, "203.0.113.7", e.IP.String(), msg)
	}
	// A logger field is not a login.
	require.Equal(t, KindOther, p.Parse(`{"level":"info","logger":"app.db","msg":"pool resized","ip":"10.0.0.1"}`).Kind)
}

func TestJSONUnauthenticatedIsNotASuccess(t *testing.T) {
	p := Default()
	for _, msg := range []string{
		`{"level":"warn","msg":"User must be logged in","user":"bob","ip":"203.0.113.7"}`,
		`{"level":"info","message":"request rejected: user not signed in","ip":"203.0.113.7"}`,
		`{"level":"info","message":"not authenticated","ip":"203.0.113.7"}`,
	} {
		require.Equal(t, KindOther, p.Parse(msg).Kind, msg)
	}
}
