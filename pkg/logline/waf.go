package logline

import (
	"strings"

	"github.com/valyala/fastjson"
)

// RuleWAF names AWS WAF log records (Event.Rule).
const RuleWAF = "aws_waf"

// AWS WAF logs every inspected request (log groups "aws-waf-logs-*"), one
// JSON record each, with the peer WAF saw in httpRequest.clientIp; the
// headers in httpRequest.headers are the client's and can say anything.
//
// Which records are authentication failures: WAF never sees a password
// check, so only a BLOCK that stopped a login attempt counts:
//
//   - any BLOCK by the Account Takeover Prevention rule group
//     (AWSManagedRulesATPRuleSet, labels awswaf:managed:aws:atp:…), which
//     inspects nothing but the login endpoint;
//   - a BLOCK of a request to a login path (loginishPath), whatever rule
//     terminated it (a rate-based rule, bot control, an IP set): the
//     attempt was refused before it reached the application.
//
// A block elsewhere (SQL injection on /search, a rate limit on the API) is
// an attack or a flood but not a failed login, and ALLOW, COUNT, CAPTCHA and
// CHALLENGE are not failures at all.

// isWAFRecord reports whether a top-level object is a WAF log record.
func isWAFRecord(o *fastjson.Object) bool {
	return o.Get("webaclId") != nil && o.Get("httpRequest") != nil
}

// parseWAF classifies a WAF log record.
func parseWAF(msg string, v *fastjson.Value) (Event, bool) {
	if string(str(v, "action")) != "BLOCK" {
		return Event{}, false
	}
	hr := v.Get("httpRequest")
	reason := ""
	switch {
	case wafATP(v):
		reason = "waf_atp_block"
	case loginishPath(unsafeStr(str(hr, "uri"))):
		reason = "waf_login_block"
		if string(str(v, "terminatingRuleType")) == "RATE_BASED" {
			reason = "waf_login_rate_limit"
		}
	default:
		return Event{}, false
	}
	ev := authEvent(KindAuthFailure, RuleWAF, reason, "", parseIP(unsafeStr(str(hr, "clientIp"))))
	if ev.IP.IsValid() {
		ev.IPFrom = FromWAF
	}
	ev.RequestID = retain(msg, str(hr, "requestId"))
	// Kept only so that trusted_proxies can look through a clientIp that is
	// the operator's own proxy (WAF on an ALB behind CloudFront).
	for _, h := range hr.GetArray("headers") {
		if equalFoldLower(unsafeStr(str(h, "name")), "x-forwarded-for") {
			ev.Forwarded = capForwarded(retain(msg, str(h, "value")))
			break
		}
	}
	return ev, true
}

// wafATP reports whether the Account Takeover Prevention rule group
// terminated the request, by its labels or its rule group entry.
func wafATP(v *fastjson.Value) bool {
	for _, l := range v.GetArray("labels") {
		if strings.HasPrefix(unsafeStr(str(l, "name")), "awswaf:managed:aws:atp:") {
			return true
		}
	}
	for _, g := range v.GetArray("ruleGroupList") {
		if strings.HasSuffix(unsafeStr(str(g, "ruleGroupId")), "AWSManagedRulesATPRuleSet") {
			if t := g.Get("terminatingRule"); t != nil && t.Type() == fastjson.TypeObject {
				return true
			}
		}
	}
	return false
}
