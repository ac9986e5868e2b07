package logline

import "strings"

// Single sign-on and remote-desktop gateways: Keycloak and Apache Guacamole.

// parseKeycloak reads Keycloak's event logger (org.keycloak.events):
//
//	… WARN  [org.keycloak.events] (executor-thread-1) type=LOGIN_ERROR, realmId=…, clientId=account, userId=null, ipAddress=203.0.113.5, error=invalid_user_credentials, …, username=bob
//	… type="LOGIN_ERROR", realmName="master", clientId="account", userId="null", ipAddress="203.0.113.5", error="user_not_found", username="bob"
//
// Unquoted values are not escaped, and clientId, redirect_uri and username
// are the client's: a copy of ", ipAddress=10.9.9.9" in one of them makes the
// line ambiguous, so an address is attributed only when every ipAddress=
// in the line names the same one.
func parseKeycloak(s string) (Event, bool) {
	// "… WARN  [org.keycloak.events] (executor-thread-1) type=…"
	c := headIndex(s, "[org.keycloak.events] (", 64)
	if c < 0 || !isTimeHead(s[:c]) {
		return Event{}, false
	}
	t := strings.Index(s[c:], ") type=")
	if t < 0 || t > 80 {
		return Event{}, false
	}
	return keycloakEvent(s[t+c+2:])
}

// keycloakEvent reads one event record, "type=…, realmId=…, …".
func keycloakEvent(rec string) (Event, bool) {
	typ, _ := kvValue(rec, "type", ',')
	var kind Kind
	switch typ {
	case "LOGIN_ERROR", "CLIENT_LOGIN_ERROR":
		kind = KindAuthFailure
	case "LOGIN":
		kind = KindAuthSuccess
	default:
		return Event{}, false
	}
	reason, _ := kvValue(rec, "error", ',')
	if kind == KindAuthSuccess {
		reason = "login_success"
	} else if reason == "" {
		reason = "login_error"
	} else {
		reason = keycloakReason(reason)
	}
	user, _ := kvValue(rec, "username", ',')
	ev := slotEvent(kind, "keycloak", reason, user)
	var tok string
	for from, n := 0, 0; ; n++ {
		k := strings.Index(rec[from:], "ipAddress=")
		if k < 0 {
			break
		}
		from += k + len("ipAddress=")
		v := rec[from:]
		if e := strings.IndexAny(v, ", "); e >= 0 {
			v = v[:e]
		}
		if v = unquote(v); n > 0 && v != tok {
			return ev, true
		}
		tok = v
	}
	ev.setPeer(tok, "keycloak.ipAddress", false)
	return ev, true
}

// keycloakReason keeps the reason one of Keycloak's known error codes, so
// a client-supplied "error=" copy cannot put arbitrary text in it.
func keycloakReason(e string) string {
	switch e {
	case "invalid_user_credentials", "user_not_found", "user_disabled", "user_temporarily_disabled",
		"invalid_client_credentials", "invalid_authentication", "invalid_totp", "expired_code":
		return e
	}
	return "login_error"
}

// parseGuacamole reads Apache Guacamole's AuthenticationService:
//
//	… WARN  o.a.g.r.auth.AuthenticationService - Authentication attempt from 203.0.113.5 for user "bob" failed.
//	… WARN  o.a.g.r.auth.AuthenticationService - Authentication attempt from [203.0.113.9, 10.0.0.2] for user "bob" failed.
//	… INFO  o.a.g.r.auth.AuthenticationService - User "bob" successfully authenticated from 198.51.100.4.
//
// Behind a proxy Guacamole writes "[<X-Forwarded-For>, <peer>]": the
// right-most entry is the peer, and the whole chain is kept in Forwarded so
// that trusted proxies can be skipped.
func parseGuacamole(s string) (Event, bool) {
	if i := headIndex(s, "Authentication attempt from ", 128); i >= 0 && guacHead(s, i) {
		rest := s[i+len("Authentication attempt from "):]
		addr, after, ok := guacAddr(rest)
		if !ok {
			return Event{}, false
		}
		user := ""
		after = strings.TrimRight(after, " \r\n")
		if u, ok := strings.CutPrefix(after, ` for user "`); ok && strings.HasSuffix(u, `" failed.`) {
			user = u[:len(u)-len(`" failed.`)]
		} else if after != " failed." {
			return Event{}, false
		}
		ev := slotEvent(KindAuthFailure, "guacamole", "invalid_password", user)
		guacPeer(&ev, addr)
		return ev, true
	}
	if i := headIndex(s, `User "`, 128); i >= 0 && guacHead(s, i) {
		rest := s[i+len(`User "`):]
		k := strings.LastIndex(rest, `" successfully authenticated from `)
		if k < 0 {
			return Event{}, false
		}
		addr, after, ok := guacAddr(rest[k+len(`" successfully authenticated from `):])
		ev := slotEvent(KindAuthSuccess, "guacamole", "login_success", rest[:k])
		if ok && strings.TrimRight(after, " .\r\n") == "" {
			guacPeer(&ev, addr)
		}
		return ev, true
	}
	return Event{}, false
}

// guacHead reports whether the message at i follows Guacamole's logger
// ("… o.a.g.r.auth.AuthenticationService - ") or JUL's "WARNING: ".
func guacHead(s string, i int) bool {
	if i == len("WARNING: ") || i == len("INFO: ") {
		return strings.HasPrefix(s, "WARNING: ") || strings.HasPrefix(s, "INFO: ")
	}
	return i > len("AuthenticationService - ") && s[i-len("AuthenticationService - "):i] == "AuthenticationService - "
}

// guacAddr reads "<ip>" or "[<hops>]" at the start of s.
func guacAddr(s string) (addr, after string, ok bool) {
	if strings.HasPrefix(s, "[") {
		e := strings.IndexByte(s, ']')
		if e < 0 {
			return "", "", false
		}
		return s[:e+1], s[e+1:], true
	}
	tok, end := nextToken(s, 0)
	return strings.TrimSuffix(tok, "."), s[end:], tok != ""
}

func guacPeer(ev *Event, addr string) {
	if strings.HasPrefix(addr, "[") {
		chain := addr[1 : len(addr)-1]
		hop := strings.TrimSpace(chain[strings.LastIndexByte(chain, ',')+1:])
		ev.setPeer(hop, "guacamole.from", false)
		if ev.IP.IsValid() {
			ev.Forwarded = chain
		}
		return
	}
	ev.setPeer(addr, "guacamole.from", false)
}
