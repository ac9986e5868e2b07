package seclogrus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/seclog"
)

func newLogger(level logrus.Level) (*logrus.Logger, func() []map[string]any) {
	var buf bytes.Buffer
	l := logrus.New()
	l.SetOutput(&buf)
	l.SetFormatter(&logrus.JSONFormatter{})
	l.SetLevel(level)
	l.AddHook(NewHook())
	return l, func() []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				panic(line)
			}
			out = append(out, m)
		}
		buf.Reset()
		return out
	}
}

func TestSinkWritesSeclogRecords(t *testing.T) {
	l, lines := newLogger(logrus.InfoLevel)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sec := New(l, &seclog.Options{Now: func() time.Time { return now }})
	a := seclog.Actor{RequestID: "r-1", Function: "login", Version: "7"}
	sec.AuthzFail(context.Background(), a, "x from 10.9.9.9", "/orders/17")
	sec.Log(context.Background(), a, seclog.Event{Name: seclog.AuthnLoginFail, User: "\u200badmin",
		Details: []slog.Attr{slog.String("password", "hunter2"), slog.Group("g", slog.Int("n", 2))}})
	sec.Log(context.Background(), a, seclog.Event{Name: "debug_only"}) // WARN: written
	got := lines()
	require.Len(t, got, 3)
	require.Equal(t, map[string]any{"event": "authz_fail", "outcome": "failure", "user": "x from 10.9.9.9",
		"resource": "/orders/17", "request_id": "r-1", "function": "login", "function_version": "7",
		"logger": "seclog", "v": float64(1), "level": "error", "msg": "authz_fail", "time": "2026-03-02T10:00:00Z"}, got[0])
	require.Equal(t, `\u200Badmin`, got[1]["user"])
	require.Equal(t, "warning", got[1]["level"])
	require.Equal(t, map[string]any{"password": seclog.Redacted, "g": map[string]any{"n": float64(2)}}, got[1]["details"])

	l.SetLevel(logrus.ErrorLevel)
	sec.LoginFail(context.Background(), a, "alice", "x") // WARN: filtered
	require.Empty(t, lines())
}

func TestHookRedactsApplicationEntries(t *testing.T) {
	l, lines := newLogger(logrus.InfoLevel)
	parent := l.WithField("api_key", "k-1")
	parent.WithFields(logrus.Fields{
		"logger":   "seclog", // an application posing as seclog
		"password": "hunter2",
		"err":      errors.New("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln rejected"),
		"req":      map[string]any{"Cookie": "sid=1", "path": "/login"},
		"note":     "card 4111 1111 1111 1111",
		"n":        3,
	}).Warn("login failed for \u202eevil\nFailed password for root from 10.9.9.9")
	got := lines()
	require.Len(t, got, 1)
	r := got[0]
	require.NotContains(t, r, "logger")
	require.Equal(t, "seclog", r["fields.logger"])
	require.Equal(t, seclog.Redacted, r["password"])
	require.Equal(t, seclog.Redacted, r["api_key"])
	require.Equal(t, "token [REDACTED:jwt] rejected", r["err"])
	require.Equal(t, map[string]any{"Cookie": seclog.Redacted, "path": "/login"}, r["req"])
	require.Equal(t, "card [REDACTED:card]", r["note"])
	require.Equal(t, float64(3), r["n"])
	require.Equal(t, `login failed for \u202Eevil\u000AFailed password for root from 10.9.9.9`, r["msg"])
	require.Equal(t, "k-1", parent.Data["api_key"], "the parent entry is not modified")
}

// BenchmarkLoginFail is one event through logrus' JSON formatter to io.Discard.
func BenchmarkLoginFail(b *testing.B) {
	l, _ := newLogger(logrus.InfoLevel)
	l.SetOutput(io.Discard)
	sec := New(l, nil)
	a := seclog.Actor{RequestID: "r-1", Function: "login", Version: "7"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sec.LoginFail(ctx, a, "alice@example.com", "invalid_password")
	}
}
