package logline

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks invariants on arbitrary input: no panic (it calls parse,
// which has no recover),
// a valid unmapped IP when set, a capped user, a known kind.
func FuzzParse(f *testing.F) {
	for _, l := range benchMix(200) {
		f.Add(l)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add(consoleLoginFailure)
	addCorpusSeeds(f) // every testdata/auth sample
	f.Fuzz(func(t *testing.T, msg string) {
		ev := Default().parse(msg)
		if int(ev.Kind) >= len(kindNames) {
			t.Fatalf("kind %d out of range", ev.Kind)
		}
		if ev.IP.IsValid() && (ev.IP.Is4In6() || ev.IP.Zone() != "") {
			t.Fatalf("IP %v not normalised", ev.IP)
		}
		if len(ev.User) > MaxUserLen {
			t.Fatalf("user of %d bytes", len(ev.User))
		}
		if utf8.ValidString(msg) && !utf8.ValidString(ev.User) {
			t.Fatalf("user %q cut inside a rune", ev.User)
		}
		if len(ev.Forwarded) > MaxForwarded {
			t.Fatalf("forwarded header of %d bytes", len(ev.Forwarded))
		}
		if ev.Kind == KindReport && (ev.DurationMs < 0 || ev.Status == "") {
			t.Fatalf("bad report %+v", ev)
		}
		if (ev.Kind == KindAuthFailure || ev.Kind == KindAuthSuccess) && ev.Rule == "" {
			t.Fatalf("auth event without rule: %+v", ev)
		}
		_ = strings.Clone(ev.RequestID)
	})
}

var fuzzSeeds = []string{
	"REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n",
	"REPORT RequestId: d602a1ed\tDuration: 600000.00 ms\tBilled Duration: 600477 ms\tMemory Size: 1536 MB\tMax Memory Used: 1035 MB\tInit Duration: 476.75 ms\tStatus: timeout\nXRAY TraceId: 1-6ac7d556\tSegmentId: 90cbc97f4ee64a7f\tSampled: true",
	"REPORT RequestId: 8c360c87\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 3009 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t",
	"2020-06-09T15:02:26.150Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n\n",
	"RequestId: abc-123 Error: Runtime exited with error: signal: killed\nRuntime.ExitError",
	`{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"40f6c622","metrics":{"durationMs":18.593,"billedDurationMs":19,"memorySizeMB":2048,"maxMemoryUsedMB":246},"status":"success"}}`,
	`{"time":"2022-10-21T14:05:05.764Z","type":"platform.runtimeDone","record":{"requestId":"x2","status":"error","errorType":"Runtime.OutOfMemory"}}`,
	"Nov 11 08:04:52 redbamboo sshd[2737]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2",
	"Mar  1 10:00:00 h sshd[99]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root",
	`2024/01/01 12:00:00 [error] 123#123: *2 user "bob": password mismatch, client: 1.2.3.4, server: example.com, request: "GET / HTTP/1.1"`,
	`[Wed Oct 11 14:32:52 2023] [auth_basic:error] [pid 1] [client 1.2.3.4:5678] AH01617: user bob: authentication failure for "/": Password Mismatch`,
	`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.1" 401 2326`,
	"(9cef3834-f42c-46d7-83fe-a6401a431398) Unauthorized request: 9cef3834-f42c-46d7-83fe-a6401a431398",
	`{"event":"authn_login_fail:joebob1","ip":"::ffff:1.2.3.4"}`,
	`{"level":"warn","action":"sign-in","result":"denied","userId":"u-17","request":{"ip":"198.51.100.25"}}`,
	"Authentication failed for user 'alice' (ip=203.0.113.10)",
	"fatal error: runtime: out of memory",
	"2024-06-07T19:11:20.564Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tWARN\t{\"msg\":\"login failed\",\"user\":\"bob\",\"ip\":\"203.0.113.5\"}\n",
	"2024-06-07T19:11:20.564Z\tundefined\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"JavaScript heap out of memory\"}",
	"[WARNING]\t2026-04-22T21:00:55.118Z\t\t{\"event\":\"login\",\"outcome\":\"failure\",\"username\":\"amy\"}",
	"[ERROR]\t2024-06-07T19:11:20.564Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tMemoryError",
	`{"timestamp":"2024-02-09T08:42:44.078Z","level":"WARN","requestId":"d661f7cf","message":{"event":"login_failed","username":"carol","sourceIp":"203.0.113.8"}}`,
	`{"event":{"action":"user-login","outcome":"failure"},"user":{"name":"hank"},"source":{"ip":"203.0.113.13"}}`,
	`{"level":30,"req":{"method":"POST","url":"/login","remoteAddress":"203.0.113.9","headers":{"x-forwarded-for":"203.0.113.21, 10.0.0.2"}},"res":{"statusCode":401},"msg":"request completed"}`,
	`{"status":401,"path":"/api/login","ip":"203.0.113.9"}`,
	"User alice logged in from 203.0.113.7",
	"User 'dan smith' logged into the console from 203.0.113.31 port 443",
	"Accepted login for alice from 203.0.113.7",
	"User must be logged in to view orders",
	`{"msg":"login failed","x-forwarded-for":"10.0.0.5, 203.0.113.5","headers":{"Forwarded":"for=\"[2001:db8::1]:4711\";proto=https"}}`,
	`{"msg":"login failed","requestContext":{"http":{"sourceIp":"198.51.100.1"}},"headers":{"x-forwarded-for":"6.6.6.6"},"body":{"ip":"6.6.6.6"}}`,
	`{"requestId":"r","ip":"51.14.4.225","requestTime":"x","httpMethod":"POST","resourcePath":"/login","status":"401"}`,
	`{"webaclId":"arn:w","action":"BLOCK","terminatingRuleType":"RATE_BASED","httpRequest":{"clientIp":"198.51.100.70","uri":"/login","headers":[{"name":"X-Forwarded-For","value":"1.1.1.1"}]}}`,
	`{"detail-type":"AWS Console Sign In via CloudTrail","detail":{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.4","errorMessage":"Failed authentication"}}`,
	`{"eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","sourceIPAddress":"198.51.100.80","errorCode":"NotAuthorizedException","userIdentity":{"principalId":"Anonymous"}}`,
	"IMAP Error: Login failed for admin against localhost from 203.0.113.5. AUTHENTICATE PLAIN: Authentication failed.",
	"login failed from 203.0.113.5 for user x from 198.51.100.88",
}
