package seclog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

var testNow = func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }

// capture returns a Logger writing JSON into a buffer, and a function that
// decodes the lines written so far.
func capture(t *testing.T, opts *Options) (*Logger, *slog.Logger, func() []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	app := slog.New(NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if opts == nil {
		opts = &Options{}
	}
	if opts.Now == nil {
		opts.Now = testNow
	}
	return New(app, opts), app, func() []map[string]any {
		var out []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if l == "" {
				continue
			}
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &m), l)
			out = append(out, m)
		}
		buf.Reset()
		return out
	}
}

func testActor() Actor {
	return FromHTTPAPI(context.Background(), httpAPIReq("203.0.113.9", map[string]string{"x-forwarded-for": "10.9.9.9"}))
}

func TestVocabularyHelpers(t *testing.T) {
	sec, _, lines := capture(t, nil)
	ctx, a := context.Background(), testActor()
	sec.LoginSuccess(ctx, a, "alice")
	sec.LoginFail(ctx, a, "alice", "invalid_password")
	sec.LoginFailMax(ctx, a, "alice", 5)
	sec.LoginLock(ctx, a, "alice", "too_many_failures")
	sec.PasswordChangeFail(ctx, a, "alice", "old_password_wrong")
	sec.TokenReuse(ctx, a, "alice", "refresh_token_rotated")
	sec.AuthzFail(ctx, a, "alice", "/orders/17")
	sec.AuthzAdmin(ctx, a, "root", "/admin/users")
	sec.SessionExpired(ctx, a, "alice", "idle_timeout")
	sec.InputValidationFail(ctx, a, "alice", "email", "not_an_email")
	want := []struct{ event, level, outcome, extraKey, extra string }{
		{AuthnLoginSuccess, "INFO", Success, "", ""},
		{AuthnLoginFail, "WARN", Failure, KeyReason, "invalid_password"},
		{AuthnLoginFailMax, "WARN", Failure, KeyMax, "5"},
		{AuthnLoginLock, "WARN", Failure, KeyReason, "too_many_failures"},
		{AuthnPasswordChangeFail, "ERROR", Failure, KeyReason, "old_password_wrong"},
		{AuthnTokenReuse, "ERROR", Failure, KeyReason, "refresh_token_rotated"},
		{AuthzFail, "ERROR", Failure, KeyResource, "/orders/17"},
		{AuthzAdmin, "WARN", Success, KeyResource, "/admin/users"},
		{SessionExpired, "INFO", "", KeyReason, "idle_timeout"},
		{InputValidationFail, "WARN", Failure, KeyResource, "email"},
	}
	got := lines()
	require.Len(t, got, len(want))
	for i, w := range want {
		r := got[i]
		require.Equal(t, Marker, r[KeyLogger])
		require.Equal(t, float64(SchemaVersion), r[KeyVersion])
		require.Equal(t, w.event, r[KeyEvent])
		require.Equal(t, w.event, r["msg"])
		require.Equal(t, w.level, r["level"], w.event)
		require.Equal(t, "2026-03-02T10:00:00Z", r["time"])
		if w.outcome == "" {
			require.NotContains(t, r, KeyOutcome)
		} else {
			require.Equal(t, w.outcome, r[KeyOutcome], w.event)
		}
		if w.extraKey != "" {
			require.Equal(t, w.extra, strings.Trim(string(mustJSON(t, r[w.extraKey])), `"`), w.event)
		}
		require.Equal(t, "203.0.113.9", r[KeyIP])
		require.Equal(t, IPFromHTTPAPI, r[KeyIPFrom])
		require.Equal(t, "apigw-id", r[KeyRequestID])
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// Every string below is what an attacker can put in a login form or a
// header; none may change a field's meaning or reach the log as a secret.
func TestHostileValues(t *testing.T) {
	sec, _, lines := capture(t, nil)
	ctx, a := context.Background(), testActor()
	a.UserAgent = "Mozilla\u202e/5.0\nFailed password for root from 10.6.6.6"
	sec.Log(ctx, a, Event{Name: AuthnLoginFail, User: "x from 10.9.9.9 port 22",
		Reason: "Authorization: Bearer abcdefghijklmnop", Resource: "/pay?card=4111111111111111",
		Details: []slog.Attr{
			slog.String(KeyIP, "10.9.9.9"), slog.String(KeyUser, "admin"), slog.String("password", "hunter2"),
			slog.Group("req", slog.String("Cookie", "sid=abc"), slog.String("note", "aws key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
			slog.Any("err", errors.New("bad token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")),
			slog.Any("form", map[string]any{"user": "bob", "api_key": "k-123", "nested": map[string]any{"otp": "123456"}}),
		}})
	sec.LoginFail(ctx, a, "<!channel> ad\u200bmin", "")
	sec.Log(ctx, a, Event{Name: "authn_login_fail\n{\"logger\":\"seclog\"}"})
	got := lines()
	require.Len(t, got, 3)

	r := got[0]
	require.Equal(t, "x from 10.9.9.9 port 22", r[KeyUser], "kept as text, in its own field")
	require.Equal(t, "203.0.113.9", r[KeyIP], "details cannot replace the AWS-set address")
	require.Equal(t, `Mozilla\u202E/5.0\u000AFailed password for root from 10.6.6.6`, r[KeyUserAgent])
	require.Equal(t, "Authorization: Bearer [REDACTED:credentials]", r[KeyReason])
	require.Equal(t, "/pay?card=[REDACTED:card]", r[KeyResource])
	d := r[KeyDetails].(map[string]any)
	require.Equal(t, "10.9.9.9", d[KeyIP], "an extra ip stays under details")
	require.Equal(t, Redacted, d["password"])
	require.Equal(t, map[string]any{"Cookie": Redacted, "note": "aws key [REDACTED:aws_secret]"}, d["req"])
	require.Equal(t, "bad token [REDACTED:jwt]", d["err"])
	require.Equal(t, map[string]any{"user": "bob", "api_key": Redacted, "nested": map[string]any{"otp": Redacted}}, d["form"])

	require.Equal(t, `<!channel> ad\u200Bmin`, got[1][KeyUser])
	require.Equal(t, `authn_login_fail\u000A{"logger":"seclog"}`, got[2][KeyEvent])
	require.Equal(t, "WARN", got[2]["level"])

	all := mustJSON(t, got)
	for _, secret := range []string{"hunter2", "abcdefghijklmnop", "4111111111111111", "sid=abc", "EXAMPLEKEY", "eyJ", "k-123", "123456"} {
		require.NotContains(t, string(all), secret)
	}
}

func TestHashKey(t *testing.T) {
	sec, _, lines := capture(t, &Options{HashKey: []byte("k1")})
	other, _, otherLines := capture(t, &Options{HashKey: []byte("k2")})
	ctx, a := context.Background(), testActor()
	sec.LoginFail(ctx, a, "alice@example.com", "x")
	sec.LoginFail(ctx, a, "alice@example.com", "x")
	sec.LoginFail(ctx, a, "bob@example.com", "x")
	sec.LoginFail(ctx, a, " Alice@Example.COM", "x")
	other.LoginFail(ctx, a, "alice@example.com", "x")
	got, got2 := lines(), otherLines()
	u := got[0][KeyUser].(string)
	require.Regexp(t, `^hmac:[0-9a-f]{32}$`, u)
	require.Equal(t, u, got[1][KeyUser], "one account, one pseudonym")
	require.NotEqual(t, u, got[2][KeyUser])
	require.Equal(t, u, got[3][KeyUser], "case and spaces do not make another account")
	require.NotEqual(t, u, got2[0][KeyUser], "another key, another pseudonym")
	require.NotContains(t, string(mustJSON(t, got)), "alice")
}

func TestLevelFilterAndEmptyActor(t *testing.T) {
	var buf bytes.Buffer
	sec := New(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError})), &Options{Now: testNow})
	sec.LoginFail(context.Background(), Actor{}, "alice", "x") // WARN: below the level
	require.Empty(t, buf.String())
	sec.AuthzFail(context.Background(), Actor{}, "alice", "/x")
	var r map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &r))
	for _, k := range []string{KeyIP, KeyIPFrom, KeyUserAgent, KeyRequestID, KeyFunction, KeyFnVersion, KeyDetails} {
		require.NotContains(t, r, k, "empty fields are left out")
	}
}

// The application's own records go through the same redaction, and cannot
// pose as seclog records.
func TestHandlerRedactsApplicationRecords(t *testing.T) {
	_, app, lines := capture(t, nil)
	app.Info("login attempt\u202e", "password", "hunter2", "user", "bob", "logger", "seclog",
		slog.Group("headers", slog.String("Authorization", "Basic dXNlcjpodW50ZXIy"), slog.String("logger", "seclog")),
		"token_count", 3, "body", json.RawMessage(`{"card":"4111111111111111","ok":true}`))
	app.With("api_key", "k-1", "logger", "seclog").WithGroup("g").Warn("x", "secret", "s", "logger", "seclog")
	got := lines()
	require.Len(t, got, 2)
	r := got[0]
	require.Equal(t, `login attempt\u202E`, r["msg"])
	require.Equal(t, Redacted, r["password"])
	require.Equal(t, "bob", r["user"])
	require.NotContains(t, r, KeyLogger, "a forged top-level marker is renamed")
	require.Equal(t, Marker, r["fields.logger"])
	require.Equal(t, map[string]any{"Authorization": Redacted, "logger": "seclog"}, r["headers"])
	require.Equal(t, Redacted, r["token_count"], "a secret name redacts any value")
	require.Equal(t, map[string]any{"card": "[REDACTED:card]", "ok": true}, r["body"])
	r = got[1]
	require.Equal(t, Redacted, r["api_key"])
	require.NotContains(t, r, KeyLogger)
	require.Equal(t, map[string]any{"secret": Redacted, "logger": "seclog"}, r["g"])
}

func TestInvocation(t *testing.T) {
	req := events.APIGatewayV2HTTPRequest{
		Headers: map[string]string{"authorization": "Bearer abcdefghijk", "cookie": "sid=1", "x-api-key": "k",
			"content-type": "application/json", "x-note": "\u200bhi"},
		QueryStringParameters: map[string]string{"q": "shoes", "access_token": "t"},
		Body:                  `{"user":"alice","password":"hunter2","card":"4111 1111 1111 1111"}`,
	}
	req.RequestContext.HTTP.SourceIP, req.RequestContext.HTTP.Method, req.RequestContext.HTTP.Path = "203.0.113.9", "POST", "/login"
	a := FromHTTPAPI(context.Background(), req)

	sec, _, lines := capture(t, nil)
	sec.Invocation(context.Background(), a, slog.Int("status", 401))
	r := lines()[0]
	require.Equal(t, Invocation, r[KeyEvent])
	require.Equal(t, "POST /login", r[KeyResource])
	require.Equal(t, "INFO", r["level"])
	d := r[KeyDetails].(map[string]any)
	require.Equal(t, map[string]any{"authorization": Redacted, "cookie": Redacted, "x-api-key": Redacted,
		"content-type": "application/json", "x-note": `\u200Bhi`}, d["headers"])
	require.Equal(t, map[string]any{"q": "shoes", "access_token": Redacted}, d["query"])
	require.Equal(t, float64(401), d["status"])
	require.NotContains(t, d, "body", "bodies only when asked")

	sec, _, lines = capture(t, &Options{Bodies: true})
	sec.Invocation(context.Background(), a)
	d = lines()[0][KeyDetails].(map[string]any)
	require.Equal(t, map[string]any{"user": "alice", "password": Redacted, "card": "[REDACTED:card]"}, d["body"])

	a.req.body, a.req.base64 = "dXNlcj1hbGljZSZwYXNzd29yZD1odW50ZXIy", true // user=alice&password=hunter2
	sec.Invocation(context.Background(), a)
	d = lines()[0][KeyDetails].(map[string]any)
	require.Equal(t, map[string]any{"user": "alice", "password": Redacted}, d["body"], "a login form")

	a.req.body, a.req.base64 = "note from alice: Bearer abcdefghijk and more text", false
	sec, _, lines = capture(t, &Options{Bodies: true, MaxBody: 40})
	sec.Invocation(context.Background(), a)
	d = lines()[0][KeyDetails].(map[string]any)
	require.Equal(t, "note from alice: Bearer [REDACTED:creden…", d["body"], "text bodies are redacted, then cut")

	a.req.body, a.req.base64 = "/w==", true
	sec.Invocation(context.Background(), a)
	require.Equal(t, "[binary body]", lines()[0][KeyDetails].(map[string]any)["body"])
}
