package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/seclog"
)

// TestParseSeclogRoundTrip writes a function's seclog output — hostile user
// names, a forged X-Forwarded-For, secrets in the request and in fields —
// to a file and reads it back with `logwarden parse --json`: the kind, the
// user as written, the address AWS set (with ip_from naming the field) and
// no secret anywhere in the output.
func TestParseSeclogRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	sec := seclog.New(slog.New(seclog.NewHandler(slog.NewJSONHandler(&buf, nil))),
		&seclog.Options{Now: func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r-1"})
	req := events.APIGatewayV2HTTPRequest{Headers: map[string]string{
		"x-forwarded-for": "10.9.9.9", "authorization": "Bearer abcdefghijklmnopqrstu"}}
	req.RequestContext.HTTP.SourceIP = "203.0.113.9"
	alb := events.ALBTargetGroupRequest{Headers: map[string]string{"x-forwarded-for": "10.9.9.9, 198.51.100.23"}}
	a, b := seclog.FromHTTPAPI(ctx, req), seclog.FromALB(ctx, alb)

	sec.LoginFail(ctx, a, "x from 10.9.9.9", "invalid_password")
	sec.LoginFail(ctx, b, "<!channel>", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
	sec.Log(ctx, b, seclog.Event{Name: seclog.AuthnLoginFail, User: "ad\u200bmin",
		Details: []slog.Attr{slog.String("password", "hunter2"), slog.String("ip", "10.9.9.9")}})
	sec.AuthzFail(ctx, a, "mallory", "/cards/4111111111111111")
	sec.LoginSuccess(ctx, b, "alice")
	sec.Invocation(ctx, a)
	path := filepath.Join(t.TempDir(), "accounts.log")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))

	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"parse", "--json", path}, &out, &errOut), errOut.String())
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		delete(m, "log_group")
		delete(m, "log_stream")
		got = append(got, m)
	}
	fail := func(user, ip, from, reason string) map[string]any {
		return map[string]any{"kind": "auth_failure", "user": user, "ip": ip, "ip_from": from, "reason": reason,
			"rule": "seclog", "request_id": "r-1"}
	}
	denied := fail("mallory", "203.0.113.9", seclog.IPFromHTTPAPI, "authz_fail")
	denied["resource"] = "/cards/[REDACTED:card]" // the card number never leaves the function
	success := fail("alice", "198.51.100.23", seclog.IPFromALB, "authn_login_success")
	success["kind"] = "auth_success"
	require.Equal(t, []map[string]any{
		fail("x from 10.9.9.9", "203.0.113.9", seclog.IPFromHTTPAPI, "authn_login_fail"),
		fail("<!channel>", "198.51.100.23", seclog.IPFromALB, "authn_login_fail"),
		fail(`ad\u200Bmin`, "198.51.100.23", seclog.IPFromALB, "authn_login_fail"),
		denied,
		success,
		{"kind": "other"},
	}, got)
	for _, secret := range []string{"hunter2", "abcdefghijklmnopqrstu", "eyJhbGci", "4111111111111111", "\u200b"} {
		require.NotContains(t, out.String(), secret)
		require.NotContains(t, buf.String(), secret, "not even in the function's log")
	}
}
