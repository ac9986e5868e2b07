package logline

import "github.com/valyala/fastjson"

// httpAuthFailure reads HTTP access records logged as JSON:
//
//   - API Gateway templates (user-defined JSON where every value is a string
//     and "-" means missing): a 401/403 status on a request record, or an
//     auth-failure gateway response type;
//   - request loggers that nest the request and response (pino-http,
//     express-winston: {"req":{"url","remoteAddress"},"res":{"statusCode"}}):
//     a 401/403 on a login-like path, the rule text access logs follow.
func httpAuthFailure(f *jsonFields) (kind Kind, reason, rule string) {
	if f.responseType != nil {
		t := string(f.responseType.GetStringBytes())
		if r := apigwAuthResponse(t); r != "" {
			return KindAuthFailure, r, RuleAPIGWAccess
		}
		// A 403 that API Gateway says came from WAF, throttling or a quota
		// is no credential check (WAF's own logs say why it blocked).
		switch t {
		case "WAF_FILTERED", "THROTTLED", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND":
			return KindOther, "", ""
		}
	}
	if f.status != nil && (f.requestish || f.ip != nil) {
		kind, reason = httpStatusFailure(f.status)
		return kind, reason, RuleAPIGWAccess
	}
	if f.nPath != nil && f.nPath.Type() == fastjson.TypeString && loginishPath(unsafeStr(f.nPath.GetStringBytes())) {
		status := f.status
		if status == nil {
			status = f.nStatus
		}
		kind, reason = httpStatusFailure(status)
		return kind, reason, RuleJSONAccess
	}
	return KindOther, "", ""
}

// httpStatusFailure maps a 401 or 403 status (a number or a string) to a reason.
func httpStatusFailure(status *fastjson.Value) (Kind, string) {
	if status == nil {
		return KindOther, ""
	}
	code := 0
	switch status.Type() {
	case fastjson.TypeNumber:
		code = status.GetInt()
	case fastjson.TypeString:
		switch string(status.GetStringBytes()) {
		case "401":
			code = 401
		case "403":
			code = 403
		}
	}
	switch code {
	case 401:
		return KindAuthFailure, "http_401"
	case 403:
		return KindAuthFailure, "http_403"
	}
	return KindOther, ""
}
