package seclog

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// BenchmarkLoginFail is one event end to end: actor fields, escaping and
// redaction checks of every value, slog's JSON handler, written to io.Discard.
func BenchmarkLoginFail(b *testing.B) {
	sec := New(slog.New(NewHandler(slog.NewJSONHandler(io.Discard, nil))), nil)
	a := FromHTTPAPI(context.Background(), httpAPIReq("203.0.113.9", nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sec.LoginFail(ctx, a, "alice@example.com", "invalid_password")
	}
}

// BenchmarkLoginFailHashed adds the HMAC of the user name.
func BenchmarkLoginFailHashed(b *testing.B) {
	sec := New(slog.New(slog.NewJSONHandler(io.Discard, nil)), &Options{HashKey: []byte("0123456789abcdef")})
	a := FromHTTPAPI(context.Background(), httpAPIReq("203.0.113.9", nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sec.LoginFail(ctx, a, "alice@example.com", "invalid_password")
	}
}

// BenchmarkActorALB is building the actor of an ALB event.
func BenchmarkActorALB(b *testing.B) {
	req := events.ALBTargetGroupRequest{Headers: map[string]string{"x-forwarded-for": "10.9.9.9, 198.51.100.23", "user-agent": "curl/8"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = FromALB(ctx, req)
	}
}

// BenchmarkHandlerAppRecord is the redacting handler on an ordinary
// application record with three attributes.
func BenchmarkHandlerAppRecord(b *testing.B) {
	l := slog.New(NewHandler(slog.NewJSONHandler(io.Discard, nil)))
	b.ReportAllocs()
	for b.Loop() {
		l.Info("order placed", "order", "o-123", "items", 3, "user", "alice")
	}
}

// BenchmarkJSONHandlerBaseline is the same record as BenchmarkHandlerAppRecord
// without the redacting wrapper: the wrapper's cost is the difference.
func BenchmarkJSONHandlerBaseline(b *testing.B) {
	l := slog.New(slog.NewJSONHandler(io.Discard, nil))
	b.ReportAllocs()
	for b.Loop() {
		l.Info("order placed", "order", "o-123", "items", 3, "user", "alice")
	}
}
