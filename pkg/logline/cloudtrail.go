package logline

import (
	"net/netip"
	"strings"

	"github.com/valyala/fastjson"
)

// CloudTrail records reach CloudWatch Logs one per log event (a trail's log
// group), or wrapped in an EventBridge event ({"detail-type": "AWS Console
// Sign In via CloudTrail", "detail": {…}}) when a rule forwards them. The
// address is sourceIPAddress, which AWS sets; it holds a service name
// ("ec2.amazonaws.com") when a service made the call, which is kept as the
// host, with no IP. Nothing else in the record (userAgent, requestParameters,
// errorMessage) is read for an address: the caller wrote those.

// eventBridgeCloudTrail returns the CloudTrail record an EventBridge event
// carries in detail, or nil.
func eventBridgeCloudTrail(v *fastjson.Value) *fastjson.Value {
	d := v.Get("detail")
	if d == nil || d.Type() != fastjson.TypeObject || len(str(v, "detail-type")) == 0 {
		return nil
	}
	if len(str(d, "eventName")) == 0 || len(str(d, "eventSource")) == 0 {
		return nil
	}
	return d
}

// parseCloudTrail classifies CloudTrail records: console and IAM Identity
// Center sign-in results, Cognito user pool sign-in failures, and API
// authorization failures (the CIS metric filters CloudWatch.6 and .2).
func parseCloudTrail(msg string, v *fastjson.Value) (Event, bool) {
	name := string(str(v, "eventName"))
	src := unsafeStr(str(v, "eventSource"))
	errCode := unsafeStr(str(v, "errorCode"))
	kind, reason, rule := KindOther, "", RuleCloudTrail
	addr := true // whether sourceIPAddress is the signing-in client
	switch {
	case name == "ConsoleLogin":
		res := string(str(v, "responseElements", "ConsoleLogin"))
		switch {
		case string(str(v, "errorMessage")) == "Failed authentication" || res == "Failure":
			kind, reason = KindAuthFailure, "console_login_failed"
		case res == "Success":
			kind, reason = KindAuthSuccess, "console_login_success"
		}
	case src == "signin.amazonaws.com":
		// IAM Identity Center and MFA steps record their outcome under the
		// event's own name: {"CredentialVerification":"Failure"}.
		if string(str(v, "serviceEventDetails", name)) == "Failure" || string(str(v, "responseElements", name)) == "Failure" {
			kind, reason = KindAuthFailure, "signin_failed"
		}
	case src == "cognito-idp.amazonaws.com" && cognitoAuthFailure(errCode):
		switch name {
		case "InitiateAuth", "RespondToAuthChallenge":
			kind, reason = KindAuthFailure, "cognito_auth_failed"
		case "AdminInitiateAuth", "AdminRespondToAuthChallenge":
			// Called by the application's backend: sourceIPAddress is the
			// backend, blaming it would block the application itself.
			kind, reason, addr = KindAuthFailure, "cognito_auth_failed", false
		}
	case strings.HasPrefix(errCode, "AccessDenied") || strings.HasSuffix(errCode, "UnauthorizedOperation"):
		// CIS v3 excludes these two known-benign sources.
		if string(str(v, "sourceIPAddress")) == "delivery.logs.amazonaws.com" || name == "HeadBucket" {
			return Event{}, false
		}
		kind, reason, rule = KindAuthFailure, "access_denied", RuleCloudTrailAZ
	}
	if kind == KindOther {
		return Event{}, false
	}
	user := cloudTrailUser(msg, v.Get("userIdentity"))
	if !addr {
		user = ""
	}
	ev := authEvent(kind, rule, reason, user, netip.Addr{})
	if addr {
		ev.IP, ev.Host = parseAddr(unsafeStr(str(v, "sourceIPAddress")))
		ev.Host = retainS(msg, ev.Host)
		if ev.IP.IsValid() || ev.Host != "" {
			ev.IPFrom = FromCloudTrail
		}
	}
	return ev, true
}

// cognitoAuthFailure reports whether a Cognito error code is a failed
// credential check (a wrong password, an unknown user, a wrong MFA code).
func cognitoAuthFailure(code string) bool {
	switch code {
	case "NotAuthorizedException", "UserNotFoundException", "CodeMismatchException", "PasswordResetRequiredException":
		return true
	}
	return false
}

// cloudTrailUser names the principal. A console sign-in with an unknown user
// name says HIDDEN_DUE_TO_SECURITY_REASONS, and an unauthenticated call's
// principal is "Anonymous": neither is a user, and counting them as one
// would merge every unknown name into one fake account.
func cloudTrailUser(msg string, id *fastjson.Value) string {
	if u := str(id, "userName"); len(u) > 0 {
		if string(u) == "HIDDEN_DUE_TO_SECURITY_REASONS" {
			return ""
		}
		return retain(msg, u)
	}
	if string(str(id, "type")) == "Root" {
		return "root"
	}
	if a := str(id, "arn"); len(a) > 0 {
		return retain(msg, a)
	}
	if p := str(id, "principalId"); string(p) != "Anonymous" {
		return retain(msg, p)
	}
	return ""
}
