package seclog

import (
	"context"
	"log/slog"
)

// Event names of the OWASP Logging Vocabulary
// (cheatsheetseries.owasp.org/cheatsheets/Logging_Vocabulary_Cheat_Sheet.html).
const (
	AuthnLoginSuccess          = "authn_login_success"
	AuthnLoginSuccessAfterFail = "authn_login_successafterfail"
	AuthnLoginFail             = "authn_login_fail"
	AuthnLoginFailMax          = "authn_login_fail_max"
	AuthnLoginLock             = "authn_login_lock"
	AuthnPasswordChange        = "authn_password_change"
	AuthnPasswordChangeFail    = "authn_password_change_fail"
	AuthnImpossibleTravel      = "authn_impossible_travel"
	AuthnTokenCreated          = "authn_token_created"
	AuthnTokenRevoked          = "authn_token_revoked"
	AuthnTokenReuse            = "authn_token_reuse"
	AuthnTokenDelete           = "authn_token_delete"
	AuthzFail                  = "authz_fail"
	AuthzChange                = "authz_change"
	AuthzAdmin                 = "authz_admin"
	ExcessRateLimitExceeded    = "excess_rate_limit_exceeded"
	InputValidationFail        = "input_validation_fail"
	SessionCreated             = "session_created"
	SessionRenewed             = "session_renewed"
	SessionExpired             = "session_expired"
	SessionUseAfterExpire      = "session_use_after_expire"
	// Invocation is seclog's own: the request metadata of one invocation.
	Invocation = "invocation"
)

// Event is one security event. Name is required; the other fields are
// optional and user-supplied (they are escaped and redacted).
type Event struct {
	Name     string
	Outcome  string // Success or Failure; empty takes the vocabulary's
	User     string
	Reason   string
	Resource string
	Max      int // a limit (authn_login_fail_max, excess_rate_limit_exceeded); 0: absent
	// Details are extra fields, written under "details" with secret names
	// and secret-looking values redacted.
	Details []slog.Attr
}

// vocabulary gives each event name its level and default outcome, after
// the cheat sheet (which rates authz_fail and token reuse CRITICAL; slog's
// highest level is ERROR).
var vocabulary = map[string]struct {
	level   slog.Level
	outcome string
}{
	AuthnLoginSuccess:          {slog.LevelInfo, Success},
	AuthnLoginSuccessAfterFail: {slog.LevelInfo, Success},
	AuthnLoginFail:             {slog.LevelWarn, Failure},
	AuthnLoginFailMax:          {slog.LevelWarn, Failure},
	AuthnLoginLock:             {slog.LevelWarn, Failure},
	AuthnPasswordChange:        {slog.LevelInfo, Success},
	AuthnPasswordChangeFail:    {slog.LevelError, Failure},
	AuthnImpossibleTravel:      {slog.LevelError, Failure},
	AuthnTokenCreated:          {slog.LevelInfo, Success},
	AuthnTokenRevoked:          {slog.LevelInfo, Success},
	AuthnTokenReuse:            {slog.LevelError, Failure},
	AuthnTokenDelete:           {slog.LevelWarn, Success},
	AuthzFail:                  {slog.LevelError, Failure},
	AuthzChange:                {slog.LevelWarn, Success},
	AuthzAdmin:                 {slog.LevelWarn, Success},
	ExcessRateLimitExceeded:    {slog.LevelWarn, Failure},
	InputValidationFail:        {slog.LevelWarn, Failure},
	SessionCreated:             {slog.LevelInfo, Success},
	SessionRenewed:             {slog.LevelInfo, Success},
	SessionExpired:             {slog.LevelInfo, ""},
	SessionUseAfterExpire:      {slog.LevelError, Failure},
	Invocation:                 {slog.LevelInfo, ""},
}

// maxAttrs is the number of top-level attributes a record can have.
const maxAttrs = 16

// Log writes one event of the actor. Names outside the vocabulary are
// written (escaped) at level WARN.
func (l *Logger) Log(ctx context.Context, a Actor, e Event) { l.log(ctx, a, e, nil) }

// log is Log with details that are already clean (a body redacted to its
// own, larger limit).
func (l *Logger) log(ctx context.Context, a Actor, e Event, cleanDetails []slog.Attr) {
	voc, known := vocabulary[e.Name]
	if !known {
		voc.level = slog.LevelWarn
	}
	name := Escape(e.Name, 64)
	outcome := e.Outcome
	if outcome == "" {
		outcome = voc.outcome
	}
	var buf [maxAttrs]slog.Attr
	attrs := append(buf[:0], slog.Any(KeyLogger, marker{}), slog.Int(KeyVersion, SchemaVersion),
		slog.String(KeyEvent, name))
	attrs = appendStr(attrs, KeyOutcome, Escape(outcome, 16))
	attrs = appendStr(attrs, KeyUser, l.userValue(e.User))
	attrs = appendStr(attrs, KeyReason, clean(e.Reason, MaxValueLen))
	attrs = appendStr(attrs, KeyResource, clean(e.Resource, MaxValueLen))
	if e.Max > 0 {
		attrs = append(attrs, slog.Int(KeyMax, e.Max))
	}
	attrs = l.appendActor(attrs, a)
	if len(e.Details)+len(cleanDetails) > 0 {
		d := append(redactAttrs(e.Details), cleanDetails...)
		attrs = append(attrs, slog.Attr{Key: KeyDetails, Value: slog.GroupValue(d...)})
	}
	l.sink.Write(ctx, l.opts.Now(), voc.level, name, attrs)
}

func (l *Logger) appendActor(attrs []slog.Attr, a Actor) []slog.Attr {
	if a.IP.IsValid() {
		attrs = append(attrs, slog.String(KeyIP, a.IP.String()))
		attrs = appendStr(attrs, KeyIPFrom, Escape(a.IPFrom, 64))
	}
	attrs = appendStr(attrs, KeyUserAgent, clean(a.UserAgent, MaxValueLen))
	attrs = appendStr(attrs, KeyRequestID, Escape(a.RequestID, 128))
	attrs = appendStr(attrs, KeyFunction, Escape(a.Function, 170))
	return appendStr(attrs, KeyFnVersion, Escape(a.Version, 64))
}

func appendStr(attrs []slog.Attr, key, v string) []slog.Attr {
	if v == "" {
		return attrs
	}
	return append(attrs, slog.String(key, v))
}

// LoginSuccess logs authn_login_success.
func (l *Logger) LoginSuccess(ctx context.Context, a Actor, user string) {
	l.Log(ctx, a, Event{Name: AuthnLoginSuccess, User: user})
}

// LoginFail logs authn_login_fail: user is the name that was tried (it
// may not exist), reason why it failed (e.g. "invalid_password").
func (l *Logger) LoginFail(ctx context.Context, a Actor, user, reason string) {
	l.Log(ctx, a, Event{Name: AuthnLoginFail, User: user, Reason: reason})
}

// LoginFailMax logs authn_login_fail_max: user reached max failed attempts.
func (l *Logger) LoginFailMax(ctx context.Context, a Actor, user string, max int) {
	l.Log(ctx, a, Event{Name: AuthnLoginFailMax, User: user, Max: max})
}

// LoginLock logs authn_login_lock: user's account was locked, for reason.
func (l *Logger) LoginLock(ctx context.Context, a Actor, user, reason string) {
	l.Log(ctx, a, Event{Name: AuthnLoginLock, User: user, Reason: reason})
}

// PasswordChangeFail logs authn_password_change_fail.
func (l *Logger) PasswordChangeFail(ctx context.Context, a Actor, user, reason string) {
	l.Log(ctx, a, Event{Name: AuthnPasswordChangeFail, User: user, Reason: reason})
}

// TokenReuse logs authn_token_reuse: a revoked or single-use token was
// presented again (never pass the token itself as reason).
func (l *Logger) TokenReuse(ctx context.Context, a Actor, user, reason string) {
	l.Log(ctx, a, Event{Name: AuthnTokenReuse, User: user, Reason: reason})
}

// AuthzFail logs authz_fail: user was denied resource.
func (l *Logger) AuthzFail(ctx context.Context, a Actor, user, resource string) {
	l.Log(ctx, a, Event{Name: AuthzFail, User: user, Resource: resource})
}

// AuthzAdmin logs authz_admin: user used an administrative resource.
func (l *Logger) AuthzAdmin(ctx context.Context, a Actor, user, resource string) {
	l.Log(ctx, a, Event{Name: AuthzAdmin, User: user, Resource: resource})
}

// SessionExpired logs session_expired for user, for reason ("logout",
// "idle_timeout", ...).
func (l *Logger) SessionExpired(ctx context.Context, a Actor, user, reason string) {
	l.Log(ctx, a, Event{Name: SessionExpired, User: user, Reason: reason})
}

// InputValidationFail logs input_validation_fail: field of user's request
// was rejected for reason. The rejected value itself is not logged.
func (l *Logger) InputValidationFail(ctx context.Context, a Actor, user, field, reason string) {
	l.Log(ctx, a, Event{Name: InputValidationFail, User: user, Resource: field, Reason: reason})
}
