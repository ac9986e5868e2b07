package logline

import (
	"strings"

	"github.com/valyala/fastjson"
)

// JSON key classes. Keys are compared lower-cased with '_', '-' and '.'
// removed, so userId, user_id and user-id are one key.
const (
	keyNone = iota
	keyUser
	keyIP
	keyXFF       // X-Forwarded-For
	keyForwarded // RFC 7239 Forwarded
	keyRealIP    // X-Real-IP and the CDN equivalents: one client-written hop
	keyText      // event, action, msg, message, outcome, result, description
	keyStatus
	keyResponseType
	keyRequestish
	keyPath // also requestish
	keyContainer
	keyRequestID
	keyEventName // CloudTrail
	keyEventSource
	keyRequestContext // API Gateway's event context, set by AWS
	keyHeaders
)

// ipKeys are the address fields of a record (normalised names). Each gives
// the slot "json.<name>" (and "json.<parent>.<name>" one level down).
var ipKeys = [...]string{"ip", "sourceip", "clientip", "remoteaddr", "remoteip", "srcip", "ipaddress", "clientaddress",
	"remoteaddress", "remoteipaddress", "sourceipaddress", "clientipaddress", "peeraddr", "peerip", "identitysourceip", "contextidentitysourceip"}

// ipParents are the nested objects whose address fields the server wrote:
// a request logger's view of the connection (pino's req, ECS source/client,
// GCP's httpRequest). Any other object (a body, params, input, a payload) may
// be the client's own JSON, and its "ip" is whatever the client typed.
var ipParents = [...]string{"req", "request", "http", "httprequest", "source", "client", "network", "connection",
	"conn", "remote", "peer"}

// ipFrom maps "name" and "parent.name" to the slot names, built once so that
// naming a slot never allocates.
var ipFrom = func() map[string]string {
	m := map[string]string{}
	for _, k := range ipKeys {
		m[k] = "json." + k
		for _, p := range ipParents {
			m[p+"."+k] = "json." + p + "." + k
		}
	}
	return m
}()

// normKey lower-cases key and drops '_', '-' and '.' into buf; ok is false
// when the key is longer than any known one.
func normKey(key []byte, buf *[24]byte) ([]byte, bool) {
	n := 0
	for _, c := range key {
		if c == '_' || c == '-' || c == '.' {
			continue
		}
		if n == len(buf) {
			return nil, false
		}
		buf[n] = lowerASCII(c)
		n++
	}
	return buf[:n], true
}

func classifyKey(key []byte) int {
	var buf [24]byte
	k, ok := normKey(key, &buf)
	if !ok {
		return keyNone
	}
	return classifyNorm(k)
}

func classifyNorm(k []byte) int {
	switch string(k) {
	case "user", "username", "userid", "email", "login", "useremail", "account", "accountname":
		return keyUser
	case "xforwardedfor", "forwardedfor":
		return keyXFF
	case "forwarded":
		return keyForwarded
	case "xrealip", "trueclientip", "cfconnectingip", "xclientip":
		return keyRealIP
	case "event", "action", "msg", "message", "outcome", "result", "description", "eventtype", "activity",
		"messagetemplate", "renderedmessage", "@m", "@mt": // Serilog and its compact JSON
		return keyText
	case "status", "statuscode", "httpstatus", "responsestatus":
		return keyStatus
	case "responsetype", "errorresponsetype", "gatewayresponsetype":
		return keyResponseType
	case "httpmethod", "method", "protocol":
		return keyRequestish
	case "resourcepath", "routekey", "path", "uri", "url", "originalurl", "requesturi", "requestpath":
		return keyPath
	case "data", "details", "detail", "context", "ctx", "properties":
		return keyContainer
	case "requestid", "awsrequestid":
		return keyRequestID
	case "eventname":
		return keyEventName
	case "eventsource", "useridentity":
		return keyEventSource
	case "requestcontext":
		return keyRequestContext
	case "headers":
		return keyHeaders
	}
	if _, ok := ipFrom[string(k)]; ok {
		return keyIP
	}
	return keyNone
}

// slotOf names the slot of an address field; parent is "" at the top.
func slotOf(parent, key []byte) string {
	var buf [24]byte
	k, _ := normKey(key, &buf)
	if len(parent) == 0 {
		return ipFrom[string(k)]
	}
	var b [64]byte
	n := copy(b[:], parent)
	b[n] = '.'
	n++
	n += copy(b[n:], k)
	return ipFrom[string(b[:n])]
}

// jsonFields are the values of interest in one JSON object (pointers into
// the pooled parser, valid until it is returned).
type jsonFields struct {
	user, nUser            *fastjson.Value
	ip, nIP                *fastjson.Value // the record's address field; one in an ipParents object
	ipSlot, nIPSlot        string
	fwd                    [3]*fastjson.Value // X-Forwarded-For, Forwarded, X-Real-IP
	reqCtx                 *fastjson.Value    // API Gateway requestContext
	texts                  [6]*fastjson.Value
	nTexts                 int
	status, responseType   *fastjson.Value
	nStatus, nPath         *fastjson.Value // from a nested record, e.g. pino-http's req and res
	requestID              *fastjson.Value
	containers             [3]*fastjson.Value
	nContainers            int
	requestish, cloudTrail bool
	hasEventName           bool
	apigwKeys              bool // keys only API Gateway access log templates use
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
			if k == keyNone && !f.apigwKeys {
				f.apigwKeys = isAPIGWAccessKey(key)
			}
			f.add(k, key, v)
		}
	})
	f.cloudTrail = f.cloudTrail && f.hasEventName
	for _, c := range f.containers[:f.nContainers] {
		c.GetObject().Visit(func(key []byte, v *fastjson.Value) {
			if k := classifyKey(key); k != keyContainer && (k != keyText || v.Type() != fastjson.TypeObject) {
				f.add(k, key, v)
			} else if v.Type() == fastjson.TypeObject {
				f.collectNested(key, v) // one level further, attribution only
			}
		})
	}
}

// add records one field of the record (top level or container).
func (f *jsonFields) add(k int, key []byte, v *fastjson.Value) {
	isObj := v.Type() == fastjson.TypeObject
	switch k {
	case keyUser:
		setFirst(&f.user, v)
	case keyIP:
		if f.ip == nil {
			f.ip, f.ipSlot = v, slotOf(nil, key)
		}
	case keyXFF, keyForwarded, keyRealIP:
		f.addForwarding(k, v)
	case keyHeaders:
		f.collectHeaders(v)
	case keyRequestContext:
		setFirst(&f.reqCtx, v)
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
			f.collectNested(key, v)
		}
	}
}

func setFirst(dst **fastjson.Value, v *fastjson.Value) {
	if *dst == nil {
		*dst = v
	}
}

func (f *jsonFields) addForwarding(k int, v *fastjson.Value) {
	if v.Type() == fastjson.TypeString {
		setFirst(&f.fwd[k-keyXFF], v)
	}
}

// collectHeaders reads the forwarding headers of a "headers" object.
func (f *jsonFields) collectHeaders(v *fastjson.Value) {
	if v.Type() != fastjson.TypeObject {
		return
	}
	v.GetObject().Visit(func(key []byte, v *fastjson.Value) {
		if k := classifyKey(key); k == keyXFF || k == keyForwarded || k == keyRealIP {
			f.addForwarding(k, v)
		}
	})
}

// collectNested reads a nested object: its user, and for request records
// such as pino-http's {"req":{"url","remoteAddress","headers"},
// "res":{"statusCode"}} the path and status. Its address and headers count
// only when the parent is one of ipParents.
func (f *jsonFields) collectNested(parent []byte, v *fastjson.Value) {
	var buf [24]byte
	pk, _ := normKey(parent, &buf)
	server := false
	for _, p := range ipParents {
		if string(pk) == p {
			server = true
			break
		}
	}
	v.GetObject().Visit(func(key []byte, v *fastjson.Value) {
		switch k := classifyKey(key); k {
		case keyUser:
			setFirst(&f.nUser, v)
		case keyIP:
			if server && f.nIP == nil {
				f.nIP, f.nIPSlot = v, slotOf(pk, key)
			}
		case keyXFF, keyForwarded, keyRealIP:
			if server {
				f.addForwarding(k, v)
			}
		case keyHeaders:
			if server {
				f.collectHeaders(v)
			}
		case keyStatus:
			setFirst(&f.nStatus, v)
		case keyPath:
			setFirst(&f.nPath, v)
		}
	})
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
