package seclogrus_test

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/seclog"
	"github.com/logwarden/logwarden/pkg/seclog/seclogrus"
)

var credentials = map[string]string{"alice": "correct horse"}

func checkPassword(user, password string) bool {
	want, ok := credentials[user]
	return ok && want == password
}

type loginBody struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// exampleLogger is the application's logrus logger: JSON, with the
// redacting hook so its own entries lose their secrets too.
func exampleLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(os.Stdout)
	l.SetFormatter(&logrus.JSONFormatter{})
	l.AddHook(seclogrus.NewHook())
	return l
}

func exampleClock() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }

// A login handler for an API Gateway HTTP API, logging through logrus.
func Example_httpAPI() {
	log := exampleLogger()
	sec := seclogrus.New(log, &seclog.Options{Now: exampleClock})

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

	req := events.APIGatewayV2HTTPRequest{Body: `{"user":"alice","password":"hunter2"}`}
	req.RequestContext.HTTP.SourceIP = "203.0.113.9"
	_, _ = login(context.Background(), req)
	// The application's own entries go through the hook: the token is gone.
	log.WithField("authorization", "Bearer abc.def.ghi").WithTime(exampleClock()).Info("login attempt")
	// Output:
	// {"event":"authn_login_fail","ip":"203.0.113.9","ip_from":"apigw_http.sourceIp","level":"warning","logger":"seclog","msg":"authn_login_fail","outcome":"failure","reason":"invalid_password","time":"2026-03-02T10:00:00Z","user":"alice","v":1}
	// {"authorization":"[REDACTED]","level":"info","msg":"login attempt","time":"2026-03-02T10:00:00Z"}
}

// A login handler for an Application Load Balancer target, logging through
// logrus: the address is the hop the load balancer appended.
func Example_alb() {
	sec := seclogrus.New(exampleLogger(), &seclog.Options{Now: exampleClock})

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

	// Multi-value headers: the client sent two X-Forwarded-For headers; the
	// load balancer's hop ends the last one.
	_, _ = login(context.Background(), events.ALBTargetGroupRequest{
		MultiValueHeaders: map[string][]string{"x-forwarded-for": {"127.0.0.1", "10.9.9.9, 198.51.100.23"}},
		Body:              `{"user":"alice","password":"correct horse"}`,
	})
	// Output:
	// {"event":"authn_login_success","ip":"198.51.100.23","ip_from":"alb.xff_rightmost","level":"info","logger":"seclog","msg":"authn_login_success","outcome":"success","time":"2026-03-02T10:00:00Z","user":"alice","v":1}
}
