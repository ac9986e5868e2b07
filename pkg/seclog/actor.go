package seclog

import (
	"context"
	"net/netip"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Where an Actor's IP came from (the ip_from field). Each names a field that
// AWS sets and the client cannot forge.
const (
	IPFromAPIGateway  = "apigw_rest.sourceIp"   // requestContext.identity.sourceIp
	IPFromHTTPAPI     = "apigw_http.sourceIp"   // requestContext.http.sourceIp (payload 2.0)
	IPFromFunctionURL = "function_url.sourceIp" // requestContext.http.sourceIp
	IPFromALB         = "alb.xff_rightmost"     // the hop the load balancer appended to X-Forwarded-For
	IPFromWebSocket   = "apigw_ws.sourceIp"     // requestContext.identity.sourceIp of a WebSocket API
)

// Actor is who is acting and where the request came from: the "who" and
// "where" of a security event. Build it with one of the From functions
// from the event that triggered the invocation; the zero Actor (an event
// without a client, e.g. a queue message) is valid and logs no address.
type Actor struct {
	// IP is the client's address as an AWS service saw it; the zero Addr
	// when the trigger carries none (or carried something that is not an
	// address, e.g. API Gateway's console "test-invoke-source-ip").
	IP netip.Addr
	// IPFrom names the field IP was read from (one of the IPFrom* constants).
	IPFrom    string
	UserAgent string
	// RequestID is the Lambda request id (the one in the REPORT line), or
	// the trigger's own id when the context carries none.
	RequestID string
	Function  string // function name, from lambdacontext
	Version   string // function version ("$LATEST" or a number)

	// Request metadata for Logger.Invocation (method, path, headers, query
	// and body as the trigger delivered them).
	Method string
	Path   string
	req    request
}

type request struct {
	headers map[string]string
	multi   map[string][]string
	query   map[string]string
	body    string
	base64  bool
}

// FromContext returns the actor of an invocation without an HTTP client
// (SQS, EventBridge, a direct invoke): the request id and function only.
func FromContext(ctx context.Context) Actor {
	a := Actor{Function: lambdacontext.FunctionName, Version: lambdacontext.FunctionVersion}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		a.RequestID = lc.AwsRequestID
	}
	return a
}

// FromAPIGateway returns the actor of an API Gateway REST API (payload 1.0)
// request. The address is requestContext.identity.sourceIp, never a header:
// API Gateway passes the client's X-Forwarded-For through (appending its own
// view). Behind a CloudFront distribution of your own (not an edge-optimised
// API) sourceIp is CloudFront's edge address, not the viewer's.
func FromAPIGateway(ctx context.Context, req events.APIGatewayProxyRequest) Actor {
	a := FromContext(ctx)
	a.setIP(req.RequestContext.Identity.SourceIP, IPFromAPIGateway)
	a.UserAgent = req.RequestContext.Identity.UserAgent
	if a.RequestID == "" {
		a.RequestID = req.RequestContext.RequestID
	}
	a.Method, a.Path = req.HTTPMethod, req.Path
	a.req = request{headers: req.Headers, multi: req.MultiValueHeaders, query: req.QueryStringParameters,
		body: req.Body, base64: req.IsBase64Encoded}
	return a
}

// FromWebSocket returns the actor of an API Gateway WebSocket API message
// or connect request: requestContext.identity.sourceIp.
func FromWebSocket(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) Actor {
	a := FromContext(ctx)
	a.setIP(req.RequestContext.Identity.SourceIP, IPFromWebSocket)
	a.UserAgent = req.RequestContext.Identity.UserAgent
	if a.RequestID == "" {
		a.RequestID = req.RequestContext.RequestID
	}
	a.Method, a.Path = req.RequestContext.EventType, req.RequestContext.RouteKey
	a.req = request{headers: req.Headers, multi: req.MultiValueHeaders, query: req.QueryStringParameters,
		body: req.Body, base64: req.IsBase64Encoded}
	return a
}

// FromAuthorizer returns the actor of a REST API Lambda authorizer of the
// REQUEST type — where a rejected credential is first seen — from
// requestContext.identity.sourceIp. A TOKEN authorizer's event carries no
// address: use FromContext.
func FromAuthorizer(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) Actor {
	a := FromContext(ctx)
	a.setIP(req.RequestContext.Identity.SourceIP, IPFromAPIGateway)
	a.UserAgent = headerFold(req.Headers, "user-agent")
	if a.RequestID == "" {
		a.RequestID = req.RequestContext.RequestID
	}
	a.Method, a.Path = req.HTTPMethod, req.Path
	a.req = request{headers: req.Headers, multi: req.MultiValueHeaders, query: req.QueryStringParameters}
	return a
}

// FromHTTPAPIAuthorizer returns the actor of an HTTP API Lambda authorizer
// (payload 2.0): requestContext.http.sourceIp.
func FromHTTPAPIAuthorizer(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) Actor {
	h := req.RequestContext.HTTP
	return fromHTTPv2(ctx, httpV2{h.SourceIP, h.UserAgent, h.Method, h.Path, req.RequestContext.RequestID}, IPFromHTTPAPI,
		request{headers: req.Headers, query: req.QueryStringParameters})
}

func headerFold(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// FromHTTPAPI returns the actor of an API Gateway HTTP API (payload 2.0)
// request: requestContext.http.sourceIp.
func FromHTTPAPI(ctx context.Context, req events.APIGatewayV2HTTPRequest) Actor {
	h := req.RequestContext.HTTP
	return fromHTTPv2(ctx, httpV2{h.SourceIP, h.UserAgent, h.Method, h.Path, req.RequestContext.RequestID}, IPFromHTTPAPI,
		request{headers: req.Headers, query: req.QueryStringParameters, body: req.Body, base64: req.IsBase64Encoded})
}

// FromFunctionURL returns the actor of a Lambda function URL request:
// requestContext.http.sourceIp.
func FromFunctionURL(ctx context.Context, req events.LambdaFunctionURLRequest) Actor {
	h := req.RequestContext.HTTP
	return fromHTTPv2(ctx, httpV2{h.SourceIP, h.UserAgent, h.Method, h.Path, req.RequestContext.RequestID}, IPFromFunctionURL,
		request{headers: req.Headers, query: req.QueryStringParameters, body: req.Body, base64: req.IsBase64Encoded})
}

// httpV2 is what an actor takes from requestContext.http of the payload
// 2.0 shapes (HTTP APIs, their authorizers, function URLs): aws-lambda-go
// gives each its own type, the fields mean the same.
type httpV2 struct{ ip, userAgent, method, path, requestID string }

func fromHTTPv2(ctx context.Context, h httpV2, from string, r request) Actor {
	a := FromContext(ctx)
	a.setIP(h.ip, from)
	a.UserAgent = h.userAgent
	if a.RequestID == "" {
		a.RequestID = h.requestID
	}
	a.Method, a.Path = h.method, h.path
	a.req = r
	return a
}

// FromALB returns the actor of an Application Load Balancer target event.
// The load balancer appends the address it received the request from to
// X-Forwarded-For (or, in "replace" mode, writes only that address), so the
// right-most hop is the only one it vouches for; everything left of it is
// whatever the client sent. With multi-value headers enabled each
// X-Forwarded-For header the client sent is a separate value and the load
// balancer's hop ends the last one. A right-most hop that is not an address
// gives no IP rather than a guess from further left.
func FromALB(ctx context.Context, req events.ALBTargetGroupRequest) Actor {
	a := FromContext(ctx)
	if xff, ok := albHeader(req, "x-forwarded-for"); ok {
		hop := xff
		if i := strings.LastIndexByte(xff, ','); i >= 0 {
			hop = xff[i+1:]
		}
		a.setIP(hop, IPFromALB)
	}
	a.UserAgent, _ = albHeader(req, "user-agent")
	a.Method, a.Path = req.HTTPMethod, req.Path
	a.req = request{headers: req.Headers, multi: req.MultiValueHeaders, query: req.QueryStringParameters,
		body: req.Body, base64: req.IsBase64Encoded}
	return a
}

// albHeader returns the last value of a header. The load balancer delivers
// names in lower case; other spellings (hand-built test events) are found
// case-insensitively. The multi-value form wins when both are present.
func albHeader(req events.ALBTargetGroupRequest, name string) (string, bool) {
	if vs, ok := req.MultiValueHeaders[name]; ok && len(vs) > 0 {
		return vs[len(vs)-1], true
	}
	if v, ok := req.Headers[name]; ok {
		return v, true
	}
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[len(vs)-1], true
		}
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// setIP sets IP and IPFrom when s is an address: ports, brackets and zones
// are stripped and IPv4-mapped IPv6 becomes IPv4.
func (a *Actor) setIP(s, from string) {
	if ip := parseAddr(s); ip.IsValid() {
		a.IP, a.IPFrom = ip, from
	}
}

func parseAddr(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return netip.Addr{}
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s) // "v4:port", "[v6]:port"
		if err != nil {
			return netip.Addr{}
		}
		ip = ap.Addr()
	}
	if ip.Zone() != "" {
		return netip.Addr{}
	}
	return ip.Unmap()
}
