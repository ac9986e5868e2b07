package logline

import (
	"net/netip"
	"strings"

	"github.com/valyala/fastjson"
)

// jsonAddr is the attribution of a JSON record.
type jsonAddr struct {
	ip        netip.Addr
	host      string
	from      string
	forwarded string
}

// addrOf attributes a JSON record by the rule "the address the service
// recorded as its peer, in its own slot":
//
//  1. an address AWS set (API Gateway's requestContext sourceIp, or the
//     sourceIp of an API Gateway access log) cannot be forged and wins;
//  2. the record's own address field (top level or its container), then
//     one in a server-side nested object (req, http, source …);
//  3. a forwarding header, walked from the right (ClientFromForwarded).
//
// A forwarding header present alongside 1 or 2 is kept in forwarded, so
// that a peer which turns out to be a trusted proxy can be looked through
// (Event.TrustProxies). has reports whether any slot exists, even one that
// held no address ("-"): then the free text is not read either.
func (f *jsonFields) addrOf(msg string) (a jsonAddr, has bool) {
	var fwd string
	for _, v := range f.fwd {
		if v != nil {
			fwd = capForwarded(retain(msg, v.GetStringBytes()))
			break
		}
	}
	a.forwarded = fwd
	if ip := apigwSourceIP(f.reqCtx); ip.IsValid() {
		a.ip, a.from = ip, FromAPIGW
		return a, true
	}
	peer, slot := f.ip, f.ipSlot
	if peer != nil && f.apigwAccess() {
		slot = FromAPIGW
	}
	if peer == nil {
		peer, slot = f.nIP, f.nIPSlot
	}
	if peer != nil {
		if peer.Type() != fastjson.TypeString {
			return jsonAddr{}, true
		}
		s := unsafeStr(peer.GetStringBytes())
		if strings.IndexByte(s, ',') >= 0 {
			// An address field holding a list is a logged X-Forwarded-For.
			a.forwarded = capForwarded(retainS(msg, s))
			a.ip, _ = ClientFromForwarded(a.forwarded, nil)
			a.from = FromXFF
		} else {
			a.ip, a.host = parseAddr(s)
			a.host, a.from = retainS(msg, a.host), slot
		}
		if !a.ip.IsValid() && a.host == "" {
			a.from = ""
		}
		return a, true
	}
	if fwd != "" {
		if ip, ok := ClientFromForwarded(fwd, nil); ok {
			a.ip, a.from = ip, FromXFF
		}
		return a, true
	}
	return jsonAddr{}, false
}

// attribute copies a onto ev.
func (a jsonAddr) attribute(ev *Event) {
	ev.IP, ev.Host, ev.IPFrom, ev.Forwarded = a.ip, a.host, a.from, a.forwarded
}

// parseAuthJSON classifies a JSON object that passed the auth prefilter.
func parseAuthJSON(msg string, v *fastjson.Value) (Event, bool) {
	o, err := v.Object()
	if err != nil {
		return Event{}, false
	}
	if ct := eventBridgeCloudTrail(v); ct != nil {
		return parseCloudTrail(msg, ct)
	}
	if isWAFRecord(o) {
		return parseWAF(msg, v)
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
	addr, hasAddr := f.addrOf(msg)
	user, hasUserField := f.userOf(msg)
	if !hasUserField {
		user = argUser
	}
	if textMsg != "" { // no structured field: fall back to the text's own slots
		_, _, start, end := genericPhrase(textMsg)
		limit := -1
		if !hasAddr {
			ta := phraseAddr(textMsg, start, end)
			addr = jsonAddr{ip: ta.ip, host: retainS(msg, ta.host)}
			if ta.ok() {
				addr.from = ta.from
			}
			if !ta.immediate && ta.at >= end {
				limit = ta.at - end
			}
		}
		if !hasUserField && user == "" {
			user = retainS(msg, phraseUser(textMsg, start, end, limit))
		}
	}
	ev := authEvent(kind, rule, reason, user, netip.Addr{})
	addr.attribute(&ev)
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
