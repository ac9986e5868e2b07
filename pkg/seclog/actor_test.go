package seclog

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/require"
)

func httpAPIReq(sourceIP string, headers map[string]string) events.APIGatewayV2HTTPRequest {
	r := events.APIGatewayV2HTTPRequest{Headers: headers}
	r.RequestContext.HTTP.SourceIP = sourceIP
	r.RequestContext.HTTP.UserAgent = "ua/1"
	r.RequestContext.RequestID = "apigw-id"
	return r
}

func TestActorSources(t *testing.T) {
	forged := map[string]string{"x-forwarded-for": "10.9.9.9", "X-Real-IP": "10.8.8.8", "CloudFront-Viewer-Address": "10.7.7.7:1"}
	rest := func(ip string) events.APIGatewayProxyRequest {
		r := events.APIGatewayProxyRequest{Headers: forged}
		r.RequestContext.Identity.SourceIP = ip
		return r
	}
	url := func(ip string) events.LambdaFunctionURLRequest {
		r := events.LambdaFunctionURLRequest{Headers: forged}
		r.RequestContext.HTTP.SourceIP = ip
		return r
	}
	ws := events.APIGatewayWebsocketProxyRequest{Headers: forged}
	ws.RequestContext.Identity.SourceIP = "203.0.113.60"
	authz := events.APIGatewayCustomAuthorizerRequestTypeRequest{Headers: forged}
	authz.RequestContext.Identity.SourceIP = "203.0.113.61"
	authz2 := events.APIGatewayV2CustomAuthorizerV2Request{Headers: forged}
	authz2.RequestContext.HTTP.SourceIP = "203.0.113.62"
	alb := func(h map[string]string, mv map[string][]string) events.ALBTargetGroupRequest {
		return events.ALBTargetGroupRequest{Headers: h, MultiValueHeaders: mv}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		actor  Actor
		ip     string
		ipFrom string
	}{
		{"rest", FromAPIGateway(ctx, rest("203.0.113.9")), "203.0.113.9", IPFromAPIGateway},
		{"rest console test", FromAPIGateway(ctx, rest("test-invoke-source-ip")), "", ""},
		{"rest ipv6", FromAPIGateway(ctx, rest("2001:db8::1")), "2001:db8::1", IPFromAPIGateway},
		{"rest v4-mapped", FromAPIGateway(ctx, rest("::ffff:203.0.113.9")), "203.0.113.9", IPFromAPIGateway},
		{"http api, forged headers ignored", FromHTTPAPI(ctx, httpAPIReq("198.51.100.4", forged)), "198.51.100.4", IPFromHTTPAPI},
		{"http api no source", FromHTTPAPI(ctx, httpAPIReq("", forged)), "", ""},
		{"function url", FromFunctionURL(ctx, url("192.0.2.44")), "192.0.2.44", IPFromFunctionURL},
		{"function url zone is no address", FromFunctionURL(ctx, url("fe80::1%eth0")), "", ""},
		{"alb single hop", FromALB(ctx, alb(map[string]string{"x-forwarded-for": "198.51.100.23"}, nil)), "198.51.100.23", IPFromALB},
		{"alb forged left hops", FromALB(ctx, alb(map[string]string{"x-forwarded-for": "10.9.9.9, 127.0.0.1,198.51.100.23"}, nil)), "198.51.100.23", IPFromALB},
		{"alb multi-value: last value's last hop", FromALB(ctx, alb(nil, map[string][]string{"x-forwarded-for": {"198.51.100.99", "10.9.9.9, 203.0.113.50"}})), "203.0.113.50", IPFromALB},
		{"alb multi-value wins over single", FromALB(ctx, alb(map[string]string{"x-forwarded-for": "10.1.1.1"}, map[string][]string{"x-forwarded-for": {"203.0.113.51"}})), "203.0.113.51", IPFromALB},
		{"alb header name in other case", FromALB(ctx, alb(map[string]string{"X-Forwarded-For": "10.9.9.9, 203.0.113.52"}, nil)), "203.0.113.52", IPFromALB},
		{"alb ipv6 hop", FromALB(ctx, alb(map[string]string{"x-forwarded-for": "10.9.9.9, 2001:db8::7"}, nil)), "2001:db8::7", IPFromALB},
		{"alb right-most hop garbage: no guess from the left", FromALB(ctx, alb(map[string]string{"x-forwarded-for": "203.0.113.9, unknown"}, nil)), "", ""},
		{"alb trailing comma", FromALB(ctx, alb(map[string]string{"x-forwarded-for": "203.0.113.9,"}, nil)), "", ""},
		{"alb no header (remove mode)", FromALB(ctx, alb(map[string]string{"x-real-ip": "10.9.9.9"}, nil)), "", ""},
		{"websocket", FromWebSocket(ctx, ws), "203.0.113.60", IPFromWebSocket},
		{"rest authorizer", FromAuthorizer(ctx, authz), "203.0.113.61", IPFromAPIGateway},
		{"http api authorizer", FromHTTPAPIAuthorizer(ctx, authz2), "203.0.113.62", IPFromHTTPAPI},
		{"plain context", FromContext(ctx), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ip == "" {
				require.False(t, tc.actor.IP.IsValid(), tc.actor.IP.String())
			} else {
				require.Equal(t, tc.ip, tc.actor.IP.String())
			}
			require.Equal(t, tc.ipFrom, tc.actor.IPFrom)
		})
	}
}

func TestActorMetadata(t *testing.T) {
	lambdacontext.FunctionName, lambdacontext.FunctionVersion = "login", "7"
	t.Cleanup(func() { lambdacontext.FunctionName, lambdacontext.FunctionVersion = "", "" })
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-id"})

	a := FromHTTPAPI(ctx, httpAPIReq("198.51.100.4", nil))
	require.Equal(t, "lambda-id", a.RequestID, "the Lambda request id (the REPORT line's) wins")
	require.Equal(t, "ua/1", a.UserAgent)
	require.Equal(t, "login", a.Function)
	require.Equal(t, "7", a.Version)

	a = FromHTTPAPI(context.Background(), httpAPIReq("198.51.100.4", nil))
	require.Equal(t, "apigw-id", a.RequestID, "without a Lambda context the trigger's id")

	a = FromALB(ctx, events.ALBTargetGroupRequest{HTTPMethod: "POST", Path: "/login",
		MultiValueHeaders: map[string][]string{"user-agent": {"a", "b"}}})
	require.Equal(t, "b", a.UserAgent)
	require.Equal(t, "POST", a.Method)
	require.Equal(t, "/login", a.Path)

	a = FromContext(ctx)
	require.Equal(t, Actor{RequestID: "lambda-id", Function: "login", Version: "7"}, a)
}
