package logline

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	spoofReal = "203.0.113.5"   // the address the service recorded
	spoofAtt  = "198.51.100.66" // the address the attacker wrote somewhere
)

// TestSpoofedAttribution: per format, an attacker who controls a user name,
// a header, a body, a path, a referrer or a user agent writes an address
// there; it must never be the one named. want is the real address, or ""
// when the line is ambiguous and must name nobody.
func TestSpoofedAttribution(t *testing.T) {
	A := spoofAtt
	tests := []struct{ name, msg, want string }{
		// Free text.
		{"text user carries from", "login failed from " + spoofReal + " for user x from " + A, spoofReal},
		{"text user carries from, slot after name", "login failed for user x from " + A + " from " + spoofReal, ""},
		{"text quoted user carries from", "login failed for user 'x from " + A + "' from " + spoofReal, spoofReal},
		{"text double-quoted user carries from", `Authentication failed for user "x from ` + A + `" (ip=` + spoofReal + ")", spoofReal},
		{"text quoted user carries a quote", "login failed for user 'x' from " + A + " '' from " + spoofReal, spoofReal},
		{"text forged phrase in name", "User x login failed from " + A + " y: invalid password", ""},
		{"text forged higher phrase after the slot", "login failed from " + spoofReal + " for x invalid username or password from " + A, ""},
		{"text explanation after the slot", "IMAP Error: Login failed for admin against localhost from " + spoofReal + ". AUTHENTICATE PLAIN: Authentication failed.", spoofReal},
		{"text name before phrase carries ip=", "user ip=" + A + " login failed from " + spoofReal, spoofReal},
		{"text ip= inside a token", "authn_login_fail:ip=" + A, ""},
		{"text success quoted name", "User 'a logged in from " + A + "' logged in from " + spoofReal, spoofReal},
		{"text success two verbs", "User bob logged in from " + A + " carl logged in from " + spoofReal, ""},
		// Application JSON.
		{"json user carries from", `{"msg":"login failed","user":"x from ` + A + `","ip":"` + spoofReal + `"}`, spoofReal},
		{"json user carries from, no ip field", `{"msg":"login failed","user":"x from ` + A + `"}`, ""},
		{"json forged xff first hop", `{"msg":"login failed","x-forwarded-for":"` + A + `, ` + spoofReal + `"}`, spoofReal},
		{"json forged Forwarded first element", `{"msg":"login failed","headers":{"Forwarded":"for=` + A + `, for=` + spoofReal + `"}}`, spoofReal},
		{"json body ip before req ip", `{"msg":"login failed","body":{"ip":"` + A + `"},"req":{"ip":"` + spoofReal + `"}}`, spoofReal},
		{"json body ip alone", `{"msg":"login failed","body":{"ip":"` + A + `","username":"x"}}`, ""},
		{"json params and input", `{"msg":"login failed","params":{"clientIp":"` + A + `"},"input":{"sourceIp":"` + A + `"}}`, ""},
		{"json body headers xff", `{"msg":"login failed","ip":"` + spoofReal + `","body":{"headers":{"x-forwarded-for":"` + A + `"}}}`, spoofReal},
		{"json referrer and ua", `{"msg":"login failed","referer":"http://x/?client: ` + A + `","userAgent":"from ` + A + `","ip":"` + spoofReal + `"}`, spoofReal},
		{"json referrer only", `{"msg":"login failed for bob","referer":"from ` + A + `","ua":"ip=` + A + `"}`, ""},
		{"json path and query", `{"msg":"login failed","path":"/login/from ` + A + `","query":"ip=` + A + `","req":{"remoteAddress":"` + spoofReal + `"}}`, spoofReal},
		{"json message text loses to field", `{"msg":"login failed from ` + A + `","ip":"` + spoofReal + `"}`, spoofReal},
		{"json owasp argument", `{"event":"authn_login_fail:ip=` + A + `","ip":"` + spoofReal + `"}`, spoofReal},
		{"pino req headers xff left hop", `{"level":30,"req":{"url":"/login","headers":{"x-forwarded-for":"` + A + `, ` + spoofReal + `"}},"res":{"statusCode":401}}`, spoofReal},
		// API Gateway: sourceIp is AWS's and wins over any header.
		{"apigw v1 event header xff", `{"msg":"login failed","requestContext":{"identity":{"sourceIp":"` + spoofReal + `"}},"headers":{"X-Forwarded-For":"` + A + `"}}`, spoofReal},
		{"apigw v2 event header xff", `{"msg":"login failed","event":{"requestContext":{"http":{"sourceIp":"` + spoofReal + `","userAgent":"from ` + A + `"}},"headers":{"x-forwarded-for":"` + A + `"},"body":"{\"ip\":\"` + A + `\"}"}}`, spoofReal},
		{"apigw event in body is the client's", `{"msg":"login failed","body":{"requestContext":{"identity":{"sourceIp":"` + A + `"}}}}`, ""},
		{"apigw access log path", `{"requestId":"r","ip":"` + spoofReal + `","requestTime":"x","httpMethod":"POST","resourcePath":"/login?ip=` + A + `","status":"401","userAgent":"from ` + A + `"}`, spoofReal},
		// WAF: clientIp wins over the headers it logs.
		{"waf headers xff", `{"timestamp":1,"webaclId":"arn:w","action":"BLOCK","terminatingRuleType":"RATE_BASED","httpRequest":{"clientIp":"` + spoofReal + `","uri":"/login","args":"ip=` + A + `","headers":[{"name":"X-Forwarded-For","value":"` + A + `"},{"name":"Referer","value":"client: ` + A + `"}]}}`, spoofReal},
		// CloudTrail: only sourceIPAddress.
		{"cloudtrail ua and params", `{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"` + spoofReal + `","userAgent":"from ` + A + `","errorMessage":"Failed authentication","additionalEventData":{"LoginTo":"https://x/?ip=` + A + `"},"userIdentity":{"type":"IAMUser","userName":"x from ` + A + `"},"responseElements":{"ConsoleLogin":"Failure"}}`, spoofReal},
		{"cloudtrail service name", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","sourceIPAddress":"ec2.amazonaws.com","errorCode":"AccessDenied","userAgent":"` + A + `","requestParameters":{"ip":"` + A + `"},"userIdentity":{"type":"AssumedRole","arn":"a"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Default().Parse(tt.msg)
			require.Equal(t, KindAuthFailure, kindFailOrSuccess(ev.Kind), "%q", tt.msg)
			require.NotEqual(t, spoofAtt, ev.IP.String(), "%q", tt.msg)
			if tt.want == "" {
				require.False(t, ev.IP.IsValid(), "ambiguous: %q named %v", tt.msg, ev.IP)
			} else {
				require.Equal(t, tt.want, ev.IP.String(), "%q", tt.msg)
				require.NotEmpty(t, ev.IPFrom)
			}
		})
	}
}

func kindFailOrSuccess(k Kind) Kind {
	if k == KindAuthSuccess {
		return KindAuthFailure
	}
	return k
}

// userTemplates place a user-controlled value u in the formats this
// package attributes. Each has the real peer in its slot, or none.
var userTemplates = []func(u string) string{
	func(u string) string { return "login failed from " + spoofReal + " for user " + u },
	func(u string) string { return "login failed for user " + u + " from " + spoofReal },
	func(u string) string { return "Login failed for user '" + u + "' from " + spoofReal },
	func(u string) string {
		return `{"msg":"login failed","user":` + jsonQuote(u) + `,"ip":"` + spoofReal + `"}`
	},
	func(u string) string { return `{"msg":"login failed","user":` + jsonQuote(u) + `}` },
	func(u string) string { return `{"msg":"login failed","path":` + jsonQuote("/login?"+u) + `}` },
	func(u string) string {
		return `{"msg":"login failed","userAgent":` + jsonQuote(u) + `,"referer":` + jsonQuote(u) + `,"x-forwarded-for":"` + spoofReal + `"}`
	},
	func(u string) string {
		return `{"msg":"login failed","body":{"ip":` + jsonQuote(u) + `,"note":` + jsonQuote(u) + `},"req":{"ip":"` + spoofReal + `"}}`
	},
	func(u string) string { return `{"msg":"login failed","body":{"ip":` + jsonQuote(u) + `}}` },
	func(u string) string {
		return `{"msg":"login failed","x-forwarded-for":` + jsonQuote(u+", "+spoofReal) + `}`
	},
	func(u string) string {
		return `{"message":"invalid password for ` + jsonEscape(u) + `","requestContext":{"http":{"sourceIp":"` + spoofReal + `"}},"headers":{"x-forwarded-for":` + jsonQuote(u) + `}}`
	},
	func(u string) string {
		return `{"webaclId":"a","action":"BLOCK","httpRequest":{"clientIp":"` + spoofReal + `","uri":` + jsonQuote("/login/"+u) + `,"headers":[{"name":"x-forwarded-for","value":` + jsonQuote(u) + `}]}}`
	},
	func(u string) string {
		return `{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"` + spoofReal + `","userAgent":` + jsonQuote(u) + `,"userIdentity":{"type":"IAMUser","userName":` + jsonQuote(u) + `},"errorMessage":"Failed authentication"}`
	},
	func(u string) string {
		return `{"event":"authn_login_fail:` + jsonEscape(u) + `","ip":"` + spoofReal + `"}`
	},
	func(u string) string { return "User '" + u + "' logged in from " + spoofReal },
}

// userMarkers are the ways a forged address is dressed in user text.
var userMarkers = []string{"from ", "ip=", "client: ", "", "[client ", "rhost=", "for=", "(ip=", " from ", "ip: ", "src=", "', from ",
	"login failed from ", "invalid username or password from ", "x logged in from ", "Authentication failed (ip="}

// FuzzAttributionUserControlled: an address that occurs only inside a
// user-controlled value (a user name, a path, a user agent, a referrer, a
// body, a client-sent header) is never attributed, whatever surrounds it.
func FuzzAttributionUserControlled(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte{198, 51, 100, 66}, "x ", " port 22")
	f.Add(uint8(1), uint8(1), []byte{10, 0, 0, 5}, "", "")
	f.Add(uint8(2), uint8(11), []byte{6, 6, 6, 6}, "a", "'")
	f.Add(uint8(9), uint8(3), []byte{32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 66}, "", ", ")
	f.Add(uint8(14), uint8(0), []byte{198, 51, 100, 66}, "a logged in ", "")
	f.Fuzz(func(t *testing.T, tmpl, marker uint8, raw []byte, pre, post string) {
		att, ok := netip.AddrFromSlice(raw)
		if !ok {
			return
		}
		att = att.Unmap()
		if att.String() == spoofReal {
			return
		}
		u := pre + userMarkers[int(marker)%len(userMarkers)] + att.String() + post
		msg := userTemplates[int(tmpl)%len(userTemplates)](u)
		ev := Default().parse(msg)
		if ev.IP == att {
			t.Fatalf("attributed the user-controlled %v (ip_from %q) in %q", att, ev.IPFrom, msg)
		}
		if ev.IP.IsValid() && ev.IP.String() != spoofReal {
			t.Fatalf("attributed %v, neither the real peer nor nothing, in %q", ev.IP, msg)
		}
		if ev.Host != "" {
			t.Fatalf("host %q from user text in %q", ev.Host, msg)
		}
	})
}

func TestFuzzTemplatesAttributeTheRealPeer(t *testing.T) {
	// The fuzz target is only as strong as its templates: with a harmless
	// value every template that has a slot must name the real peer.
	for i, tmpl := range userTemplates {
		msg := tmpl("alice")
		ev := Default().Parse(msg)
		require.NotEqual(t, KindOther, ev.Kind, "template %d: %q", i, msg)
		if strings.Contains(msg, spoofReal) {
			require.Equal(t, spoofReal, ev.IP.String(), fmt.Sprintf("template %d: %q", i, msg))
		}
	}
}
