// Package seclog makes a Lambda function log its security events — who,
// from where, what, when — in one fixed JSON shape, with secrets kept out.
//
// It follows the OWASP Logging Cheat Sheet ("the 4 W's") and Logging
// Vocabulary. The source address is taken from the fields AWS sets on the
// trigger's event (API Gateway's and function URLs' sourceIp, the hop an
// Application Load Balancer appended to X-Forwarded-For), never from a
// header the client wrote. Records go through the logger the function
// already has (log/slog here, logrus in seclog/seclogrus), so no second
// logging stack is needed, and logwarden reads them as authoritative.
//
// # Record fields
//
// One JSON object per line. The front end's formatter writes "time",
// "level" and "msg" (slog's JSONHandler and logrus' JSONFormatter both use
// these names; msg is the event name). seclog adds, at the top level:
//
//	logger            "seclog": the marker that makes the record a seclog record
//	v                 schema version, 1
//	event             OWASP vocabulary name, e.g. "authn_login_fail"
//	outcome           "success" or "failure" (absent for neutral events)
//	user              the account acted on (escaped; hashed with Options.HashKey)
//	reason            why, e.g. "invalid_password" (escaped, secrets redacted)
//	resource          what was accessed, e.g. "/orders/17" (authz_*)
//	max               a limit, e.g. the attempts allowed (authn_login_fail_max)
//	ip                the client's address as AWS saw it
//	ip_from           which AWS-set field ip came from (see the IPFrom* constants)
//	user_agent        as the trigger delivered it (escaped)
//	request_id        the Lambda request id
//	function          the function name
//	function_version  the function version
//	details           an object of extra fields (secret names and values redacted)
//
// Fields without a value are left out. Extra fields never reach the top
// level, so nothing a caller passes can stand in for ip or user.
//
// logwarden trusts a whole log message whose top-level logger is "seclog".
// Wrap the application's logger (NewHandler, seclogrus.NewHook) so that no
// other record can carry that marker, and never print client-supplied JSON
// raw to standard output (fmt.Println(req.Body)): a client could write a
// whole message. Log bodies with Invocation or as a field.
package seclog

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Marker is the value of the "logger" field of every seclog record, and
// SchemaVersion that of "v".
const (
	Marker        = "seclog"
	SchemaVersion = 1
)

// Record field names (see the package documentation).
const (
	KeyLogger    = "logger"
	KeyVersion   = "v"
	KeyEvent     = "event"
	KeyOutcome   = "outcome"
	KeyUser      = "user"
	KeyReason    = "reason"
	KeyResource  = "resource"
	KeyMax       = "max"
	KeyIP        = "ip"
	KeyIPFrom    = "ip_from"
	KeyUserAgent = "user_agent"
	KeyRequestID = "request_id"
	KeyFunction  = "function"
	KeyFnVersion = "function_version"
	KeyDetails   = "details"
)

// Outcomes.
const (
	Success = "success"
	Failure = "failure"
)

// Options configure a Logger. The zero value (or nil) is the default:
// redaction on, user names in clear, no bodies.
type Options struct {
	// HashKey, when set, replaces user names and emails by
	// "hmac:<hex>" — the first 16 bytes of HMAC-SHA256(key, user) — so the
	// logs can tell accounts apart without naming them. The name is trimmed
	// and lower-cased first: once hashed, "Bob@Example.com" and
	// "bob@example.com" could no longer be matched, and an attacker varying
	// the case must not look like many accounts. Keep the key in a secret
	// store; without it the hash cannot be recomputed. Details are not
	// hashed: do not put user names there.
	HashKey []byte
	// Bodies makes Invocation log the request body (redacted, cut to
	// MaxBody bytes). Off by default: bodies carry other people's data.
	Bodies  bool
	MaxBody int // default 4096
	// Now is the clock for the record's time; nil is time.Now. Simulations
	// and tests set it.
	Now func() time.Time
}

// Sink writes one finished record through an existing logger. attrs are
// already redacted and escaped, in the order to write them. seclog's own
// front end writes to a *slog.Logger; seclog/seclogrus implements a Sink
// for logrus.
type Sink interface {
	Write(ctx context.Context, t time.Time, level slog.Level, msg string, attrs []slog.Attr)
}

// Logger writes security events. It is safe for concurrent use.
type Logger struct {
	sink Sink
	opts Options
}

// New returns a Logger that writes through l. A nil l is a JSON handler on
// standard output wrapped by Redact, which is what a Lambda function
// without a logger of its own should use. l's handler must write JSON
// (slog.NewJSONHandler or one like it) for logwarden to read the records.
func New(l *slog.Logger, opts *Options) *Logger {
	if l == nil {
		l = slog.New(NewHandler(slog.NewJSONHandler(os.Stdout, nil)))
	}
	return NewWithSink(slogSink{l.Handler()}, opts)
}

// NewWithSink returns a Logger that writes through s.
func NewWithSink(s Sink, opts *Options) *Logger {
	l := &Logger{sink: s}
	if opts != nil {
		l.opts = *opts
	}
	if l.opts.MaxBody <= 0 {
		l.opts.MaxBody = 4096
	}
	if l.opts.Now == nil {
		l.opts.Now = time.Now
	}
	return l
}

// userValue is the logged form of a user name: hashed when a key is set,
// else escaped.
func (l *Logger) userValue(u string) string {
	if u == "" {
		return ""
	}
	if len(l.opts.HashKey) > 0 {
		m := hmac.New(sha256.New, l.opts.HashKey)
		m.Write([]byte(strings.ToLower(strings.TrimSpace(u))))
		var sum [sha256.Size]byte
		return "hmac:" + hex.EncodeToString(m.Sum(sum[:0])[:16])
	}
	return clean(u, MaxUserLen)
}
