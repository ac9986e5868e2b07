package logline

import (
	"net/netip"
	"strings"

	"github.com/valyala/fastjson"
)

// JSON key classes. Keys are compared lower-cased with '_', '-' and '.'
// removed, so userId, user_id and user-id are one key.
const (
	keyNone = iota
	keyUser
	keyIP
	keyXFF
	keyText // event, action, msg, message, outcome, result, description
	keyStatus
	keyResponseType
	keyRequestish
	keyPath // also requestish
	keyContainer
	keyRequestID
	keyEventName // CloudTrail
	keyEventSource
)

func classifyKey(key []byte) int {
	var buf [24]byte
	n := 0
	for _, c := range key {
		if c == '_' || c == '-' || c == '.' {
			continue
		}
		if n == len(buf) {
			return keyNone
		}
		buf[n] = lowerASCII(c)
		n++
	}
	switch string(buf[:n]) {
	case "user", "username", "userid", "email", "login", "useremail", "account", "accountname":
		return keyUser
	case "ip", "sourceip", "clientip", "remoteaddr", "remoteip", "srcip", "ipaddress", "clientaddress", "remoteaddress":
		return keyIP
	case "xforwardedfor", "forwardedfor":
		return keyXFF
	case "event", "action", "msg", "message", "outcome", "result", "description", "eventtype", "activity":
		return keyText
	case "status", "statuscode", "httpstatus", "responsestatus":
		return keyStatus
	case "responsetype", "errorresponsetype", "gatewayresponsetype":
		return keyResponseType
	case "httpmethod", "method", "protocol":
		return keyRequestish
	case "resourcepath", "routekey", "path", "uri", "url", "originalurl", "requesturi", "requestpath":
		return keyPath
	case "data", "details", "detail", "context", "ctx":
		return keyContainer
	case "requestid", "awsrequestid":
		return keyRequestID
	case "eventname":
		return keyEventName
	case "eventsource", "useridentity":
		return keyEventSource
	}
	return keyNone
}

// jsonFields are the values of interest in one JSON object (pointers into
// the pooled parser, valid until it is returned).
type jsonFields struct {
	user, ip, xff          *fastjson.Value
	nUser, nIP, nXFF       *fastjson.Value // nested one level, e.g. {"request":{"ip":…}}
	texts                  [6]*fastjson.Value
	nTexts                 int
	status, responseType   *fastjson.Value
	nStatus, nPath         *fastjson.Value // from a nested record, e.g. pino-http's req and res
	requestID              *fastjson.Value
	containers             [3]*fastjson.Value
	nContainers            int
	requestish, cloudTrail bool
	hasEventName           bool
}

// collect reads the top-level fields, then the fields of up to three
// container objects ({"message":{…}}, {"data":{…}}, ECS's {"event":{…}}):
// structured loggers put the whole record there, so their fields count as
// the record's own, though a top-level field of the same kind wins.
func (f *jsonFields) collect(o *fastjson.Object) {
	o.Visit(func(key []byte, v *fastjson.Value) {
		switch k := classifyKey(key); k {
		case keyEventName:
			f.hasEventName = true
		case keyEventSource:
			f.cloudTrail = true
		default:
			f.add(k, v)
		}
	})
	f.cloudTrail = f.cloudTrail && f.hasEventName
	for _, c := range f.containers[:f.nContainers] {
		c.GetObject().Visit(func(key []byte, v *fastjson.Value) {
			if k := classifyKey(key); k != keyContainer && (k != keyText || v.Type() != fastjson.TypeObject) {
				f.add(k, v)
			} else if v.Type() == fastjson.TypeObject {
				f.collectNested(v) // one level further, attribution only
			}
		})
	}
}

// add records one field of the record (top level or container).
func (f *jsonFields) add(k int, v *fastjson.Value) {
	isObj := v.Type() == fastjson.TypeObject
	switch k {
	case keyUser:
		setFirst(&f.user, v)
	case keyIP:
		setFirst(&f.ip, v)
	case keyXFF:
		setFirst(&f.xff, v)
	case keyText, keyContainer:
		if isObj {
			if f.nContainers < len(f.containers) {
				f.containers[f.nContainers] = v
				f.nContainers++
			}
		} else if k == keyText && f.nTexts < len(f.texts) {
			f.texts[f.nTexts] = v
			f.nTexts++
		}
	case keyStatus:
		setFirst(&f.status, v)
	case keyResponseType:
		f.responseType = v
	case keyRequestish, keyPath:
		f.requestish = true
	case keyRequestID:
		f.requestish = true
		setFirst(&f.requestID, v)
	case keyNone:
		if isObj {
			f.collectNested(v)
		}
	}
}

func setFirst(dst **fastjson.Value, v *fastjson.Value) {
	if *dst == nil {
		*dst = v
	}
}

// collectNested reads a nested object's attribution and, for request
// records such as pino-http's {"req":{"url","remoteAddress","headers"},
// "res":{"statusCode"}}, the path and status. A "headers" object is read one
// level further for X-Forwarded-For.
func (f *jsonFields) collectNested(v *fastjson.Value) {
	v.GetObject().Visit(func(key []byte, v *fastjson.Value) {
		switch classifyKey(key) {
		case keyUser:
			setFirst(&f.nUser, v)
		case keyIP:
			setFirst(&f.nIP, v)
		case keyXFF:
			setFirst(&f.nXFF, v)
		case keyStatus:
			setFirst(&f.nStatus, v)
		case keyPath:
			setFirst(&f.nPath, v)
		case keyNone:
			if string(key) == "headers" && v.Type() == fastjson.TypeObject {
				v.GetObject().Visit(func(key []byte, v *fastjson.Value) {
					if classifyKey(key) == keyXFF {
						setFirst(&f.nXFF, v)
					}
				})
			}
		}
	})
}

// ipOf returns the attributed IP: a direct address field first (the
// connection's peer), then the first X-Forwarded-For hop, then nested ones.
func (f *jsonFields) ipOf() (netip.Addr, bool) {
	for _, c := range [...]struct {
		v   *fastjson.Value
		xff bool
	}{{f.ip, false}, {f.xff, true}, {f.nIP, false}, {f.nXFF, true}} {
		if c.v == nil || c.v.Type() != fastjson.TypeString {
			continue
		}
		s := unsafeStr(c.v.GetStringBytes())
		if c.xff {
			s = firstHop(s)
		}
		if a := parseIP(s); a.IsValid() {
			return a, true
		}
	}
	return netip.Addr{}, f.ip != nil || f.xff != nil || f.nIP != nil || f.nXFF != nil
}

// userOf returns the attributed user from a user field (a string, or an
// object with a name/username/id/email).
func (f *jsonFields) userOf(msg string) (string, bool) {
	for _, v := range [...]*fastjson.Value{f.user, f.nUser} {
		if v == nil {
			continue
		}
		switch v.Type() {
		case fastjson.TypeString:
			return retain(msg, v.GetStringBytes()), true
		case fastjson.TypeNumber:
			return strings.Clone(string(v.MarshalTo(nil))), true
		case fastjson.TypeObject:
			for _, k := range [...]string{"name", "username", "userName", "email", "id", "login"} {
				if b := v.GetStringBytes(k); len(b) > 0 {
					return retain(msg, b), true
				}
			}
		}
	}
	return "", false
}

func unsafeStr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafeString(b)
}

// parseAuthJSON classifies a JSON object that passed the auth prefilter.
func parseAuthJSON(msg string, v *fastjson.Value) (Event, bool) {
	o, err := v.Object()
	if err != nil {
		return Event{}, false
	}
	var f jsonFields
	f.collect(o)
	if f.cloudTrail {
		return parseCloudTrail(msg, v)
	}
	kind, rule, reason, argUser := KindOther, "", "", ""
	// OWASP vocabulary in a text field: {"event":"authn_login_fail:bob"}.
	for _, t := range f.texts[:f.nTexts] {
		if k, name, u := parseOWASP(unsafeStr(t.GetStringBytes())); k != KindOther {
			kind, rule, reason, argUser = k, RuleOWASP, retainS(msg, name), retainS(msg, u)
			break
		}
	}
	if kind == KindOther {
		kind, reason, rule = httpAuthFailure(&f)
	}
	var textMsg string
	if kind == KindOther {
		kind, reason, textMsg = appAuthOutcome(&f)
		rule = RuleJSONApp
	}
	if kind == KindOther {
		return Event{}, false
	}
	ip, hasIPField := f.ipOf()
	user, hasUserField := f.userOf(msg)
	if !hasUserField {
		user = argUser
	}
	if textMsg != "" { // no structured field: fall back to the text's own markers
		tip, ipAt := textIP(textMsg)
		if !hasIPField {
			ip = tip
		}
		if !hasUserField && user == "" {
			_, _, start, end := genericPhrase(textMsg)
			limit := -1
			if !hasIPField {
				limit = ipAt - end
			}
			user = retainS(msg, phraseUser(textMsg, start, end, limit))
		}
	}
	ev := authEvent(kind, rule, reason, user, ip)
	if f.requestID != nil {
		ev.RequestID = retain(msg, f.requestID.GetStringBytes())
	}
	return ev, true
}

// appAuthOutcome reads structured application logs: a phrase ("Login
// failed") in a text field, or an auth topic ("event":"login") with an
// outcome ("outcome":"failure"). msg is the free text the phrase came from.
func appAuthOutcome(f *jsonFields) (kind Kind, reason, msg string) {
	topic, fail, ok := false, false, false
	for _, t := range f.texts[:f.nTexts] {
		if t.Type() != fastjson.TypeString {
			continue
		}
		s := unsafeStr(t.GetStringBytes())
		if k, r, _, _ := genericPhrase(s); k != KindOther {
			return k, r, s
		}
		if containsAnyFold(s, "reset", "forgot", "recover") {
			return KindOther, "", ""
		}
		// "You must be logged in", "user not signed in": an unauthenticated
		// request, neither a failed login nor (worse, for compromise
		// detection) a successful one.
		if containsAnyFold(s, "not logged in", "be logged in", "not signed in", "be signed in", "not authenticated") {
			return KindOther, "", ""
		}
		topic = topic || containsAnyFold(s, "login", "logon", "log_in", "log-in", "log in", "signin", "sign_in",
			"sign-in", "sign in", "authent", "authn", "password", "credential", "logged in", "signed in")
		fail = fail || containsAnyFold(s, "fail", "denied", "invalid", "incorrect", "wrong", "reject", "refused",
			"locked", "unauthorized", "mismatch")
		ok = ok || containsAnyFold(s, "success", "succeeded", "granted", "accepted", "logged in", "signed in") ||
			equalFoldLower(s, "ok") || equalFoldLower(s, "allow") || equalFoldLower(s, "allowed")
	}
	if f.status != nil && f.status.Type() == fastjson.TypeString {
		s := unsafeStr(f.status.GetStringBytes())
		fail = fail || containsAnyFold(s, "fail", "denied", "reject")
		ok = ok || containsAnyFold(s, "success", "succeeded")
	}
	switch {
	case !topic:
		return KindOther, "", ""
	case fail:
		return KindAuthFailure, "login_failed", ""
	case ok:
		return KindAuthSuccess, "login_success", ""
	}
	return KindOther, "", ""
}

// parseCloudTrail classifies CloudTrail records delivered to CloudWatch Logs:
// console sign-in results and API authorization failures, the two CIS
// metric filters (CloudWatch.6 and CloudWatch.2).
func parseCloudTrail(msg string, v *fastjson.Value) (Event, bool) {
	name := string(str(v, "eventName"))
	errCode := unsafeStr(str(v, "errorCode"))
	var kind Kind
	var reason string
	switch {
	case name == "ConsoleLogin":
		res := string(str(v, "responseElements", "ConsoleLogin"))
		switch {
		case string(str(v, "errorMessage")) == "Failed authentication" || res == "Failure":
			kind, reason = KindAuthFailure, "console_login_failed"
		case res == "Success":
			kind, reason = KindAuthSuccess, "console_login_success"
		}
	case strings.HasPrefix(errCode, "AccessDenied") || strings.HasSuffix(errCode, "UnauthorizedOperation"):
		// CIS v3 excludes these two known-benign sources.
		if string(str(v, "sourceIPAddress")) == "delivery.logs.amazonaws.com" || name == "HeadBucket" {
			return Event{}, false
		}
		kind, reason = KindAuthFailure, "access_denied"
	}
	if kind == KindOther {
		return Event{}, false
	}
	rule := RuleCloudTrail
	if reason == "access_denied" {
		rule = RuleCloudTrailAZ
	}
	// sourceIPAddress may be a service name ("ec2.amazonaws.com"): no IP then.
	ip := parseIP(unsafeStr(str(v, "sourceIPAddress")))
	return authEvent(kind, rule, reason, cloudTrailUser(msg, v.Get("userIdentity")), ip), true
}

// cloudTrailUser names the principal. A console sign-in with an unknown user
// name says HIDDEN_DUE_TO_SECURITY_REASONS: that is no user, and counting it
// as one would merge every unknown name into one fake account.
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
	return retain(msg, str(id, "principalId"))
}
