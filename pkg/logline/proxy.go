package logline

import (
	"strings"

	"github.com/valyala/fastjson"
)

// Reverse proxies: HAProxy's HTTP log and Traefik's JSON access log.
// (Traefik's CLF access log is read by parseAccessLog.)

// parseHAProxy reads HAProxy's HTTP log format through syslog:
//
//	203.0.113.5:50112 [02/Mar/2024:10:00:01.123] fe_https~ be_app/app1 0/0/1/2/3 401 230 - - ---- 1/1/0/0/0 0/0 "POST /login HTTP/1.1"
//
// The client is the first field and the status the sixth, both written
// before any captured header; the request is the quoted tail. A 401 or 403
// on a login path is a failed login, as in parseAccessLog.
func parseHAProxy(_, msg string) (Event, bool) {
	var f [6]string
	end := 0
	for i := range f {
		f[i], end = nextToken(msg, end)
	}
	if !strings.HasPrefix(f[1], "[") || (f[5] != "401" && f[5] != "403") {
		return Event{}, false
	}
	q := strings.LastIndexByte(msg, '"')
	o := strings.LastIndexByte(msg[:max(q, 0)], '"')
	if o < 0 {
		return Event{}, false
	}
	_, pe := nextToken(msg[:q], o+1)
	if path, _ := nextToken(msg[:q], pe); !loginishPath(path) {
		return Event{}, false
	}
	ev := slotEvent(KindAuthFailure, "haproxy", "http_"+f[5], "")
	ev.setPeer(f[0], "haproxy.client", false)
	return ev, true
}

// traefikJSON reads Traefik's JSON access log: ClientHost is the peer
// Traefik saw; request headers (request_X-Forwarded-For, …) are the
// client's and are not read.
func traefikJSON(msg string, v *fastjson.Value) (Event, bool) {
	st := v.GetInt("DownstreamStatus")
	if st != 401 && st != 403 || !loginishPath(unsafeStr(str(v, "RequestPath"))) {
		return Event{}, false
	}
	reason := "http_401"
	if st == 403 {
		reason = "http_403"
	}
	ev := slotEvent(KindAuthFailure, "traefik", reason, retain(msg, str(v, "ClientUsername")))
	ev.setPeer(unsafeStr(str(v, "ClientHost")), "traefik.ClientHost", false)
	return ev, true
}
