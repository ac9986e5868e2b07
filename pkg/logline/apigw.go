package logline

import (
	"net/netip"

	"github.com/valyala/fastjson"
)

// API Gateway writes the caller's address itself, so it cannot be forged:
//
//   - in the event a Lambda integration receives, requestContext.identity.sourceIp
//     (REST, v1 payload) or requestContext.http.sourceIp (HTTP API and
//     function URLs, v2), which applications often log with their failure;
//   - in access logs, $context.identity.sourceIp under whatever key the
//     operator's template gives it ("ip" in the console's default, "sourceIp",
//     "identity.sourceIp" …).
//
// Both mean "the immediate TCP peer" (behind CloudFront, CloudFront's edge
// unless the API is edge-optimised: list CloudFront in trusted_proxies to
// look through it). Headers the client sent, X-Forwarded-For included, never
// override them.

// apigwSourceIP reads the sourceIp of a requestContext object (v1 or v2).
func apigwSourceIP(rc *fastjson.Value) netip.Addr {
	if rc == nil || rc.Type() != fastjson.TypeObject {
		return netip.Addr{}
	}
	s := rc.GetStringBytes("identity", "sourceIp")
	if len(s) == 0 {
		s = rc.GetStringBytes("http", "sourceIp")
	}
	return parseIP(unsafeStr(s))
}

// apigwAccess reports whether the record is an API Gateway access log line:
// a status with keys only access log templates use, and none of the message
// fields an application logger writes.
func (f *jsonFields) apigwAccess() bool {
	return (f.apigwKeys || f.responseType != nil) && f.status != nil && f.nTexts == 0 && f.nContainers == 0
}

// isAPIGWAccessKey reports whether key names a $context variable that only
// an access log template carries ($context.requestTime, .extendedRequestId,
// .integrationLatency, .identity.caller …), normalised as by classifyKey.
func isAPIGWAccessKey(key []byte) bool {
	var buf [24]byte
	k, ok := normKey(key, &buf)
	if !ok {
		return false
	}
	switch string(k) {
	case "requesttime", "requesttimeepoch", "extendedrequestid", "integrationstatus", "integrationlatency",
		"responselatency", "responselength", "domainname", "domainprefix", "apiid", "caller", "identitycaller",
		"identityuser", "authorizererror", "authorizeerror", "authenticateerror", "errormessagestring", "errormessage",
		"wafresponsecode", "waferror", "stage", "contextstage":
		return true
	}
	return false
}
