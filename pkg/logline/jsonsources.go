package logline

import (
	"strings"

	"github.com/valyala/fastjson"
)

// parseServiceJSON classifies the JSON records of catalogue sources whose
// shape is known: MongoDB's structured log, DocumentDB audit events,
// Traefik's access log, Nextcloud's log, GitLab's application_json.log,
// journald records (MESSAGE + SYSLOG_IDENTIFIER, as Fluent Bit's systemd
// input ships them) and container records ({"log": …} from FireLens,
// Fluent Bit or Docker), whose text goes through the catalogue. Each is
// recognised by a literal first, so other JSON pays a few substring tests.
func parseServiceJSON(msg, s string, v *fastjson.Value) (Event, bool) {
	switch {
	case strings.Contains(s, `"c":"ACCESS"`):
		return mongoJSON(msg, v)
	case strings.Contains(s, `"atype":"authenticate"`):
		return docdbAudit(msg, v)
	case strings.Contains(s, `"DownstreamStatus":`):
		return traefikJSON(msg, v)
	case strings.Contains(s, `"remoteAddr":`) && strings.Contains(s, `"reqId":`):
		return nextcloudJSON(msg, v)
	case strings.Contains(s, `"SYSLOG_IDENTIFIER":`):
		return journaldJSON(msg, v)
	case strings.Contains(s, `"loggerName":"org.keycloak.events"`): // Quarkus JSON logging
		if m := unsafeStr(str(v, "message")); strings.HasPrefix(m, "type=") {
			ev, ok := keycloakEvent(m)
			return retainEvent(msg, ev), ok
		}
	case strings.Contains(s, `"log":"`):
		return containerLog(msg, v)
	case strings.Contains(s, `Login: username=`):
		if m := str(v, "message"); len(m) > 0 {
			ev, ok := parseGitLab(unsafeStr(m))
			return retainEvent(msg, ev), ok
		}
	}
	return Event{}, false
}

// retainEvent copies the strings of an event read from a pooled JSON
// value, so they outlive the parser.
func retainEvent(msg string, ev Event) Event {
	ev.User = retainS(msg, ev.User)
	ev.Host = retainS(msg, ev.Host)
	ev.Forwarded = retainS(msg, ev.Forwarded)
	ev.Reason = retainS(msg, ev.Reason)
	return ev
}

// journaldJSON runs the syslog catalogue on a journal record.
func journaldJSON(msg string, v *fastjson.Value) (Event, bool) {
	prog, m := unsafeStr(str(v, "SYSLOG_IDENTIFIER")), unsafeStr(str(v, "MESSAGE"))
	if prog == "" || m == "" {
		return Event{}, false
	}
	ev, ok, _ := parseProgram(prog, m)
	return retainEvent(msg, ev), ok
}

// containerLog runs the text catalogue on the "log" field of a container
// record, e.g. nginx's error log on stderr shipped by FireLens. Only a
// catalogue source decides; other text is left to the JSON readers.
func containerLog(msg string, v *fastjson.Value) (Event, bool) {
	text := strings.TrimRight(unsafeStr(str(v, "log")), "\r\n")
	if text == "" {
		return Event{}, false
	}
	ev, ok, decided := parseCatalogue(text)
	if !decided {
		return Event{}, false
	}
	return retainEvent(msg, ev), ok
}

// nextcloudJSON reads Nextcloud's log: remoteAddr is the request's peer
// (as Nextcloud resolved it with its trusted_proxies), the message
// "Login failed: <user> (Remote IP: <ip>)" names the user.
func nextcloudJSON(msg string, v *fastjson.Value) (Event, bool) {
	m := unsafeStr(str(v, "message"))
	if m == "" { // newer versions nest the message: {"message":{"Exception":…}}
		return Event{}, false
	}
	var ev Event
	switch {
	case strings.HasPrefix(m, "Login failed: "):
		u := m[len("Login failed: "):]
		if k := strings.LastIndex(u, " (Remote IP: "); k >= 0 {
			u = u[:k]
		}
		ev = slotEvent(KindAuthFailure, "nextcloud", "invalid_password", retainS(msg, u))
	case strings.HasPrefix(m, "Bruteforce attempt from "):
		ev = slotEvent(KindAuthFailure, "nextcloud", "too_many_failures", "")
	default:
		return Event{}, false
	}
	ev.setPeer(unsafeStr(str(v, "remoteAddr")), "nextcloud.remoteAddr", false)
	return ev, true
}
