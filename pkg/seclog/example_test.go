package seclog_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/logwarden/logwarden/pkg/seclog"
)

// credentials stands in for the application's user store.
var credentials = map[string]string{"alice": "correct horse"}

// checkPassword stands in for a constant-time comparison of password hashes.
func checkPassword(user, password string) bool {
	want, ok := credentials[user]
	return ok && want == password
}

type loginBody struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// A login handler for an API Gateway HTTP API (payload 2.0), logging through
// log/slog. The address logged is requestContext.http.sourceIp, not the
// X-Forwarded-For the client sent; the password in the request never
// reaches the log.
func Example_httpAPI() {
	// In a real function: seclog.New(nil, nil), or your own JSON slog logger.
	log := slog.New(seclog.NewHandler(slog.NewJSONHandler(os.Stdout, nil)))
	sec := seclog.New(log, &seclog.Options{Now: exampleClock})

	login := func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		var in loginBody
		_ = json.Unmarshal([]byte(req.Body), &in)
		actor := seclog.FromHTTPAPI(ctx, req)
		if !checkPassword(in.User, in.Password) {
			sec.LoginFail(ctx, actor, in.User, "invalid_password")
			return events.APIGatewayV2HTTPResponse{StatusCode: 401}, nil
		}
		sec.LoginSuccess(ctx, actor, in.User)
		return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	}

	req := events.APIGatewayV2HTTPRequest{
		Headers: map[string]string{"x-forwarded-for": "10.9.9.9"}, // forged by the client
		Body:    `{"user":"alice","password":"hunter2"}`,
	}
	req.RequestContext.HTTP.SourceIP = "203.0.113.9"
	req.RequestContext.HTTP.UserAgent = "curl/8.5.0"
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"})
	_, _ = login(ctx, req)
	req.Body = `{"user":"alice","password":"correct horse"}`
	_, _ = login(ctx, req)
	// Output:
	// {"time":"2026-03-02T10:00:00Z","level":"WARN","msg":"authn_login_fail","logger":"seclog","v":1,"event":"authn_login_fail","outcome":"failure","user":"alice","reason":"invalid_password","ip":"203.0.113.9","ip_from":"apigw_http.sourceIp","user_agent":"curl/8.5.0","request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}
	// {"time":"2026-03-02T10:00:00Z","level":"INFO","msg":"authn_login_success","logger":"seclog","v":1,"event":"authn_login_success","outcome":"success","user":"alice","ip":"203.0.113.9","ip_from":"apigw_http.sourceIp","user_agent":"curl/8.5.0","request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}
}

// A login handler for an Application Load Balancer target, logging through
// log/slog. The address is the right-most X-Forwarded-For hop, the one the
// load balancer appended; the client's own entries to its left are ignored.
// User names are hashed with a key, so the log tells accounts apart without
// naming them.
func Example_alb() {
	log := slog.New(seclog.NewHandler(slog.NewJSONHandler(os.Stdout, nil)))
	sec := seclog.New(log, &seclog.Options{Now: exampleClock, HashKey: []byte("key from your secret store")})

	login := func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		var in loginBody
		_ = json.Unmarshal([]byte(req.Body), &in)
		actor := seclog.FromALB(ctx, req)
		if !checkPassword(in.User, in.Password) {
			sec.LoginFail(ctx, actor, in.User, "invalid_password")
			return events.ALBTargetGroupResponse{StatusCode: 401}, nil
		}
		sec.LoginSuccess(ctx, actor, in.User)
		return events.ALBTargetGroupResponse{StatusCode: 200}, nil
	}

	_, _ = login(context.Background(), events.ALBTargetGroupRequest{
		HTTPMethod: "POST", Path: "/login",
		Headers: map[string]string{
			"x-forwarded-for": "10.9.9.9, 198.51.100.23", // client's forged entry, then the ALB's
			"user-agent":      "python-requests/2.31",
		},
		Body: `{"user":"bob","password":"guess"}`,
	})
	// Output:
	// {"time":"2026-03-02T10:00:00Z","level":"WARN","msg":"authn_login_fail","logger":"seclog","v":1,"event":"authn_login_fail","outcome":"failure","user":"hmac:30d5c9eac401581ef63e08360bd53b23","reason":"invalid_password","ip":"198.51.100.23","ip_from":"alb.xff_rightmost","user_agent":"python-requests/2.31"}
}

func exampleClock() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
