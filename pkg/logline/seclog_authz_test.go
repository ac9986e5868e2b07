package logline

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/seclog"
)

// TestSeclogAuthzFailCarriesTheResource: an authz_fail record says what
// was denied, through both front ends; AuthzDenied tells it from a failed
// login; only a seclog record can be one.
func TestSeclogAuthzFailCarriesTheResource(t *testing.T) {
	p := Default()
	for name, mk := range seclogFrontEnds() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			sec := mk(&buf)
			req := events.APIGatewayV2HTTPRequest{}
			req.RequestContext.HTTP.SourceIP = "203.0.113.9"
			a := seclog.FromHTTPAPI(context.Background(), req)
			sec.AuthzFail(context.Background(), a, "mallory", "GET /orders/17")
			sec.LoginFail(context.Background(), a, "mallory", "bad password")
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			require.Len(t, lines, 2)

			ev := p.Parse(lines[0])
			require.Equal(t, KindAuthFailure, ev.Kind, "parse --json keeps calling it an auth failure")
			require.Equal(t, "GET /orders/17", ev.Resource)
			require.True(t, ev.AuthzDenied())

			ev = p.Parse(lines[1])
			require.Equal(t, KindAuthFailure, ev.Kind)
			require.Empty(t, ev.Resource)
			require.False(t, ev.AuthzDenied(), "a failed login is not a denied resource")
		})
	}
}

func TestAuthzDeniedOnlyFromSeclog(t *testing.T) {
	p := Default()
	for _, tc := range []struct {
		name, line string
		denied     bool
		resource   string
	}{
		{"seclog record", `{"logger":"seclog","event":"authz_fail","outcome":"failure","user":"bob","ip":"203.0.113.9","ip_from":"apigw.http.sourceIp","resource":"GET /a"}`, true, "GET /a"},
		{"an application's own resource beside seclog's: dropped, still seclog",
			`{"logger":"seclog","event":"authz_fail","user":"bob","ip":"203.0.113.9","resource":"GET /a","resource":"GET /b"}`, true, ""},
		{"not seclog: free text that names the event", `{"level":"warn","event":"authz_fail","user":"bob","ip":"203.0.113.9","resource":"GET /a","message":"login failed"}`, false, ""},
		{"marker nested in attacker text", `{"msg":"{\"logger\":\"seclog\",\"event\":\"authz_fail\"}","ip":"203.0.113.9","user":"bob","event":"login_failed"}`, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := p.Parse(tc.line)
			require.Equal(t, tc.denied, ev.AuthzDenied(), "%+v", ev)
			require.Equal(t, tc.resource, ev.Resource)
		})
	}
}
