package logline

import "github.com/valyala/fastjson"

// RuleSeclog is the rule of events read from pkg/seclog records.
const RuleSeclog = "seclog"

// seclogKinds maps the OWASP vocabulary names a seclog record carries to
// kinds: failed logins and the events that follow or replace one (lock,
// fail_max, a reused token, a failed password change, impossible travel)
// are failures, as is authz_fail (Reason says which: detectors tell a denied
// resource from a failed login by it). Any other seclog event is KindOther.
var seclogKinds = map[string]Kind{
	"authn_login_fail":             KindAuthFailure,
	"authn_login_fail_max":         KindAuthFailure,
	"authn_login_lock":             KindAuthFailure,
	"authn_password_change_fail":   KindAuthFailure,
	"authn_impossible_travel":      KindAuthFailure,
	"authn_token_reuse":            KindAuthFailure,
	"authz_fail":                   KindAuthFailure,
	"authn_login_success":          KindAuthSuccess,
	"authn_login_successafterfail": KindAuthSuccess,
}

// parseSeclog reads a record written by pkg/seclog: a JSON object whose
// top-level "logger" is "seclog". Such a record is authoritative — its ip
// came from a field AWS set (ip_from says which), its user and event are
// fields of their own — so it is classified from those fields alone, never
// by the free-text heuristics, and a seclog event that is not an auth event
// is KindOther whatever its text says. ok is false when v is not a seclog
// record: the marker is missing, is not at the top level (attacker text
// that contains "logger":"seclog" is inside a string or a nested object),
// or one of the fields it vouches for occurs twice (a logger.With("user",
// …) of the application next to seclog's own, which to believe is unclear).
//
// whole is false for the JSON payload of a runtime-prefixed line
// ("<time>\t<request id>\tINFO\t{…}"): the Node.js and Python runtimes
// write that prefix, a Go function's slog or logrus output has none, so such
// a payload is something a non-Go function printed — possibly a request
// body, JSON an attacker wrote — and not a seclog record.
func parseSeclog(msg string, v *fastjson.Value, whole bool) (Event, bool) {
	if !whole {
		return Event{}, false
	}
	o, err := v.Object()
	if err != nil {
		return Event{}, false
	}
	if m := o.Get("logger"); m == nil || m.Type() != fastjson.TypeString || string(m.GetStringBytes()) != "seclog" {
		return Event{}, false
	}
	var f [6]*fastjson.Value // logger, event, user, ip, ip_from, request_id
	dup := false
	// The resource is only kept: twice (the application's own "resource"
	// beside seclog's), which one is meant is unclear and it is dropped,
	// the record stays authoritative for who and from where.
	var res *fastjson.Value
	resDup := false
	o.Visit(func(key []byte, v *fastjson.Value) {
		i := -1
		switch string(key) {
		case "logger":
			i = 0
		case "event":
			i = 1
		case "user":
			i = 2
		case "ip":
			i = 3
		case "ip_from":
			i = 4
		case "request_id":
			i = 5
		case "resource":
			resDup, res = res != nil, v
		}
		if i >= 0 {
			dup = dup || f[i] != nil
			f[i] = v
		}
	})
	if dup {
		return Event{}, false
	}
	event := seclogStr(f[1])
	kind, ok := seclogKinds[string(event)]
	if !ok {
		return Event{}, true
	}
	ev := Event{Kind: kind, Rule: RuleSeclog, Reason: retain(msg, event),
		User: cleanUser(retain(msg, seclogStr(f[2]))), RequestID: retain(msg, seclogStr(f[5]))}
	if string(event) == AuthzFail && !resDup {
		ev.Resource = retain(msg, seclogStr(res))
	}
	if ip := parseIP(unsafeStr(seclogStr(f[3]))); ip.IsValid() {
		ev.IP, ev.IPFrom = ip, "seclog"
		if from := seclogStr(f[4]); len(from) > 0 && len(from) <= 64 {
			ev.IPFrom = retain(msg, from)
		}
	}
	return ev, true
}

// AuthzFail is the seclog event (and Reason) of a denied resource.
const AuthzFail = "authz_fail"

// AuthzDenied reports whether e is a seclog authz_fail: a resource denied
// to a client, not a failed login. Only a seclog record can be one (its
// event name is a field of its own); another line whose free text says
// "authz_fail" stays a login failure, so an attacker cannot move his
// failed logins out of the brute-force detectors by wording them.
func (e *Event) AuthzDenied() bool {
	return e.Kind == KindAuthFailure && e.Rule == RuleSeclog && e.Reason == AuthzFail
}

// seclogStr returns a string field's bytes; other types are absent.
func seclogStr(v *fastjson.Value) []byte {
	if v == nil || v.Type() != fastjson.TypeString {
		return nil
	}
	return v.GetStringBytes()
}
