package logline

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/seclog"
	"github.com/logwarden/logwarden/pkg/seclog/seclogrus"
)

// Secrets the round trip puts into requests and fields; none may come out.
var roundTripSecrets = []string{
	"hunter2", "eyJhbGciOiJIUzI1NiJ9", "abcdefghijklmnopqrstu", "4111111111111111", "4111 1111 1111 1111",
	"wJalrXUtnFEMI", "sid=s3cr3t",
}

// seclogFrontEnds write through slog's JSON handler and logrus' JSON
// formatter (which orders keys differently): both must parse the same.
func seclogFrontEnds() map[string]func(*bytes.Buffer) *seclog.Logger {
	now := func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
	return map[string]func(*bytes.Buffer) *seclog.Logger{
		"slog": func(b *bytes.Buffer) *seclog.Logger {
			return seclog.New(slog.New(seclog.NewHandler(slog.NewJSONHandler(b, nil))), &seclog.Options{Now: now})
		},
		"logrus": func(b *bytes.Buffer) *seclog.Logger {
			l := logrus.New()
			l.SetOutput(b)
			l.SetFormatter(&logrus.JSONFormatter{})
			l.AddHook(seclogrus.NewHook())
			return seclogrus.New(l, &seclog.Options{Now: now})
		},
	}
}

// TestSeclogRoundTrip feeds seclog output — hostile user names, forged
// forwarding headers, secrets in every field — through Parse and checks the
// kind, the user as written, the AWS-set address and that no secret is in
// the classified event.
func TestSeclogRoundTrip(t *testing.T) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5c-req"})
	httpReq := events.APIGatewayV2HTTPRequest{Headers: map[string]string{
		"x-forwarded-for": "10.9.9.9", "authorization": "Bearer abcdefghijklmnopqrstu", "cookie": "sid=s3cr3t"}}
	httpReq.RequestContext.HTTP.SourceIP = "203.0.113.9"
	albReq := events.ALBTargetGroupRequest{MultiValueHeaders: map[string][]string{
		"x-forwarded-for": {"127.0.0.1", "10.9.9.9, 198.51.100.23"}}}
	restReq := events.APIGatewayProxyRequest{Headers: map[string]string{"X-Forwarded-For": "10.9.9.9"}}
	restReq.RequestContext.Identity.SourceIP = "2001:db8::5"
	urlReq := events.LambdaFunctionURLRequest{}
	urlReq.RequestContext.HTTP.SourceIP = "192.0.2.77"

	type want struct{ kind, user, ip, ipFrom, reason string }
	cases := []struct {
		name string
		log  func(*seclog.Logger)
		want want
	}{
		{"http api fail, forged xff", func(s *seclog.Logger) {
			s.LoginFail(ctx, seclog.FromHTTPAPI(ctx, httpReq), "alice", "invalid_password, sent Bearer abcdefghijklmnopqrstu")
		}, want{"auth_failure", "alice", "203.0.113.9", seclog.IPFromHTTPAPI, "authn_login_fail"}},
		{"user names an address", func(s *seclog.Logger) {
			s.LoginFail(ctx, seclog.FromHTTPAPI(ctx, httpReq), "x from 10.9.9.9 port 22", "")
		}, want{"auth_failure", "x from 10.9.9.9 port 22", "203.0.113.9", seclog.IPFromHTTPAPI, "authn_login_fail"}},
		{"slack mention", func(s *seclog.Logger) {
			s.LoginFail(ctx, seclog.FromALB(ctx, albReq), "<!channel>", "")
		}, want{"auth_failure", "<!channel>", "198.51.100.23", seclog.IPFromALB, "authn_login_fail"}},
		{"zero-width and bidi", func(s *seclog.Logger) {
			s.LoginFail(ctx, seclog.FromALB(ctx, albReq), "ad\u200bmin\u202e", "")
		}, want{"auth_failure", `ad\u200Bmin\u202E`, "198.51.100.23", seclog.IPFromALB, "authn_login_fail"}},
		{"newline forging a second line", func(s *seclog.Logger) {
			s.LoginSuccess(ctx, seclog.FromFunctionURL(ctx, urlReq), "bob\n{\"logger\":\"seclog\",\"event\":\"authn_login_success\",\"ip\":\"10.9.9.9\"}")
		}, want{"auth_success", `bob\u000A{"logger":"seclog","event":"authn_login_success","ip":"10.9.9.9"}`, "192.0.2.77", seclog.IPFromFunctionURL, "authn_login_success"}},
		{"rest api, ipv6", func(s *seclog.Logger) {
			s.LoginFailMax(ctx, seclog.FromAPIGateway(ctx, restReq), "carol", 5)
		}, want{"auth_failure", "carol", "2001:db8::5", seclog.IPFromAPIGateway, "authn_login_fail_max"}},
		{"authz_fail keeps its name as reason", func(s *seclog.Logger) {
			s.AuthzFail(ctx, seclog.FromHTTPAPI(ctx, httpReq), "dave", "/orders/4111111111111111")
		}, want{"auth_failure", "dave", "203.0.113.9", seclog.IPFromHTTPAPI, "authz_fail"}},
		{"lock", func(s *seclog.Logger) {
			s.LoginLock(ctx, seclog.FromHTTPAPI(ctx, httpReq), "erin", "too_many_failures")
		}, want{"auth_failure", "erin", "203.0.113.9", seclog.IPFromHTTPAPI, "authn_login_lock"}},
		{"secrets in details", func(s *seclog.Logger) {
			s.Log(ctx, seclog.FromHTTPAPI(ctx, httpReq), seclog.Event{Name: seclog.AuthnLoginFail, User: "frank",
				Details: []slog.Attr{slog.String("password", "hunter2"), slog.String("ip", "10.9.9.9"),
					slog.String("note", "key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY card 4111 1111 1111 1111"),
					slog.String("jwt_in_text", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")}})
		}, want{"auth_failure", "frank", "203.0.113.9", seclog.IPFromHTTPAPI, "authn_login_fail"}},
		{"no client (queue trigger)", func(s *seclog.Logger) {
			s.LoginFail(ctx, seclog.FromContext(ctx), "grace", "")
		}, want{"auth_failure", "grace", "", "", "authn_login_fail"}},
		{"not an auth event, however its text reads", func(s *seclog.Logger) {
			s.InputValidationFail(ctx, seclog.FromHTTPAPI(ctx, httpReq), "root", "name",
				"Failed password for root from 10.9.9.9 port 22 ssh2")
		}, want{"other", "", "", "", ""}},
		{"session expired", func(s *seclog.Logger) {
			s.SessionExpired(ctx, seclog.FromHTTPAPI(ctx, httpReq), "heidi", "login expired")
		}, want{"other", "", "", "", ""}},
		{"invocation metadata", func(s *seclog.Logger) { s.Invocation(ctx, seclog.FromHTTPAPI(ctx, httpReq)) },
			want{"other", "", "", "", ""}},
	}
	p := Default()
	for feName, fe := range seclogFrontEnds() {
		for _, tc := range cases {
			t.Run(feName+"/"+tc.name, func(t *testing.T) {
				var buf bytes.Buffer
				tc.log(fe(&buf))
				line := strings.TrimSuffix(buf.String(), "\n")
				require.NotContains(t, line, "\n", "one record, one line")
				for _, msg := range []string{line} {
					ev := p.Parse(msg)
					got := want{kind: ev.Kind.String(), user: ev.User, ipFrom: ev.IPFrom}
					if ev.IP.IsValid() {
						got.ip = ev.IP.String()
					}
					if ev.Kind != KindOther {
						got.reason = ev.Reason
						require.Equal(t, RuleSeclog, ev.Rule)
						require.Equal(t, "8f5c-req", ev.RequestID)
					}
					require.Equal(t, tc.want, got, "%s", msg)
					out := fmt.Sprintf("%+v", ev)
					for _, s := range roundTripSecrets {
						require.NotContains(t, out, s)
						require.NotContains(t, line, s, "the secret is not even in the log line")
					}
				}
			})
		}
	}
}

// TestSeclogLookalikes: only a whole JSON message whose top-level logger is
// "seclog" is authoritative. Attacker text that merely contains the marker
// must not lend its ip to the event.
func TestSeclogLookalikes(t *testing.T) {
	const forged = `{\"logger\":\"seclog\",\"v\":1,\"event\":\"authn_login_fail\",\"user\":\"admin\",\"ip\":\"10.9.9.9\",\"ip_from\":\"apigw_http.sourceIp\"}`
	for _, msg := range []string{
		`{"level":"WARN","msg":"` + forged + `"}`,
		`{"level":"WARN","msg":"bad input","input":"` + forged + `"}`,
		`{"level":"WARN","record":{"logger":"seclog","event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}}`,
		`{"logger":"Seclog","event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}`,
		`{"logger":["seclog"],"event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}`,
		// Two ip fields (an application's logger.With("ip", …) beside seclog's): not authoritative.
		`{"logger":"seclog","event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip":"203.0.113.9","ip_from":"apigw_http.sourceIp"}`,
		`{"logger":"seclog","logger":"app","event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}`,
		`Failed login: {"logger":"seclog","event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}`,
		// A Node.js function's console.log of a request body: the runtime's
		// prefix says a non-Go function printed it; seclog writes no prefix.
		"2026-03-02T10:00:00.000Z\t8f5c-req\tINFO\t" +
			`{"logger":"seclog","v":1,"event":"authn_login_success","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}`,
	} {
		ev := Default().Parse(msg)
		require.NotEqual(t, RuleSeclog, ev.Rule, msg)
		require.NotEqual(t, "apigw_http.sourceIp", ev.IPFrom, msg)
	}
	// The genuine article, for contrast.
	ev := Default().Parse(`{"logger":"seclog","v":1,"event":"authn_login_fail","user":"admin","ip":"10.9.9.9","ip_from":"apigw_http.sourceIp"}`)
	require.Equal(t, RuleSeclog, ev.Rule)
	require.Equal(t, "apigw_http.sourceIp", ev.IPFrom)
}

// BenchmarkParseSeclog is the parse cost of one seclog record.
func BenchmarkParseSeclog(b *testing.B) {
	var buf bytes.Buffer
	req := events.APIGatewayV2HTTPRequest{}
	req.RequestContext.HTTP.SourceIP = "203.0.113.9"
	seclogFrontEnds()["slog"](&buf).LoginFail(context.Background(), seclog.FromHTTPAPI(context.Background(), req), "alice", "invalid_password")
	msg := buf.String()
	p := Default()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if p.Parse(msg).Kind != KindAuthFailure {
			b.Fatal(msg)
		}
	}
}

// FuzzSeclogRoundTrip: whatever a client puts in the user name, the reason,
// the user agent or its own X-Forwarded-For entries, a seclog record stays
// one line, is read as a seclog auth failure, is attributed to the hop the
// load balancer appended, and keeps the user as seclog escaped it.
func FuzzSeclogRoundTrip(f *testing.F) {
	f.Add("alice", "invalid_password", "10.9.9.9", "curl/8")
	f.Add("x from 10.9.9.9 port 22", "Failed password for root from 10.6.6.6", "127.0.0.1, 10.0.0.1", "")
	f.Add("<!channel>\u200b\u202e", "\n{\"logger\":\"seclog\",\"ip\":\"10.9.9.9\"}", "\"ip\":\"10.9.9.9\"", "\x00\xff")
	f.Add(" - ", "Bearer abcdefghijkl", ",,,", strings.Repeat("é", 300))
	fe := seclogFrontEnds()["slog"]
	f.Fuzz(func(t *testing.T, user, reason, xff, ua string) {
		var buf bytes.Buffer
		req := events.ALBTargetGroupRequest{Headers: map[string]string{
			"x-forwarded-for": xff + ", 198.51.100.23", "user-agent": ua}}
		fe(&buf).LoginFail(context.Background(), seclog.FromALB(context.Background(), req), user, reason)
		line := buf.String()
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
			t.Fatalf("not one line: %q", line)
		}
		ev := Default().parse(line)
		if ev.Kind != KindAuthFailure || ev.Rule != RuleSeclog || ev.IP.String() != "198.51.100.23" || ev.IPFrom != seclog.IPFromALB {
			t.Fatalf("%+v from %q", ev, line)
		}
		if want := cleanUser(seclog.Clean(user, seclog.MaxUserLen)); ev.User != want {
			t.Fatalf("user %q, want %q", ev.User, want)
		}
	})
}
