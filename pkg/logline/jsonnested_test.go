package logline

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJSONContainers: structured loggers (Lambda's JSON log format with an
// object message, Powertools, ECS) put the record one level down.
func TestJSONContainers(t *testing.T) {
	F, S, O := KindAuthFailure, KindAuthSuccess, KindOther
	const lambdaID = "d661f7cf-0a5e-4b1c-9a1b-2f5e8c7d6e5f"
	tests := []struct {
		name  string
		msg   string
		want  authWant
		reqID string
	}{
		{"lambda json message object", `{"timestamp":"2024-02-09T08:42:44.078Z","level":"WARN","requestId":"` + lambdaID + `","message":{"event":"login_failed","username":"carol","sourceIp":"203.0.113.8"}}` + "\n", authWant{F, "203.0.113.8", "carol", "login_failed", RuleJSONApp}, lambdaID},
		{"msg object phrase", `{"level":"warn","msg":{"text":"ignored","message":"Invalid password","user":"dan","ip":"203.0.113.9"}}`, authWant{F, "203.0.113.9", "dan", "invalid_password", RuleJSONApp}, ""},
		{"data object", `{"level":"info","message":"audit","data":{"action":"login","outcome":"success","email":"eve@example.com","clientIp":"203.0.113.10"}}`, authWant{S, "203.0.113.10", "eve@example.com", "login_success", RuleJSONApp}, ""},
		{"details object owasp", `{"level":"WARN","details":{"event":"authn_login_fail:frank","ip":"203.0.113.11"}}`, authWant{F, "203.0.113.11", "frank", "authn_login_fail", RuleOWASP}, ""},
		{"context object nested ip", `{"level":"WARN","message":"Login failed","context":{"user":"gina","request":{"ip":"203.0.113.12"}}}`, authWant{F, "203.0.113.12", "gina", "login_failed", RuleJSONApp}, ""},
		{"ecs event object", `{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"authentication","action":"user-login","outcome":"failure"},"user":{"name":"hank"},"source":{"ip":"203.0.113.13"}}`, authWant{F, "203.0.113.13", "hank", "login_failed", RuleJSONApp}, ""},
		{"top level wins over container", `{"level":"WARN","ip":"203.0.113.14","user":"ivy","message":{"msg":"login failed","ip":"10.9.9.9","user":"mallory"}}`, authWant{F, "203.0.113.14", "ivy", "login_failed", RuleJSONApp}, ""},
		{"container field beats container text", `{"message":{"msg":"login failed for x from 10.9.9.9","sourceIp":"203.0.113.15","username":"jo"}}`, authWant{F, "203.0.113.15", "jo", "login_failed", RuleJSONApp}, ""},
		{"container status on login path", `{"level":"INFO","requestId":"` + lambdaID + `","message":{"status":401,"path":"/api/login","ip":"203.0.113.16"}}`, authWant{F, "203.0.113.16", "", "http_401", RuleAPIGWAccess}, lambdaID},
		{"ordinary message object", `{"timestamp":"2024-02-09T08:42:44.078Z","level":"INFO","requestId":"` + lambdaID + `","message":{"event":"order_placed","user":"kim","ip":"203.0.113.17"}}`, authWant{O, "", "", "", ""}, ""},
		{"login word in an unrelated container", `{"level":"info","message":{"action":"render","template":"login","ip":"203.0.113.18"}}`, authWant{O, "", "", "", ""}, ""},
		{"password reset in container", `{"level":"ERROR","message":{"msg":"password reset failed","user":"erin"}}`, authWant{O, "", "", "", ""}, ""},
		{"pool resized", `{"level":"info","logger":"app","msg":"pool resized"}`, authWant{O, "", "", "", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAuth(t, Default(), tt.msg, tt.want)
			require.Equal(t, tt.reqID, Default().Parse(tt.msg).RequestID)
		})
	}
}

// TestJSONRequestLoggers: pino-http, express and load-balancer style JSON
// access records; a 401/403 counts on a login-like path.
func TestJSONRequestLoggers(t *testing.T) {
	F, O := KindAuthFailure, KindOther
	tests := []struct {
		name string
		msg  string
		want authWant
	}{
		{"pino-http 401", `{"level":30,"time":1717787480564,"pid":8,"hostname":"h","req":{"id":1,"method":"POST","url":"/login","remoteAddress":"203.0.113.9","remotePort":50000},"res":{"statusCode":401},"responseTime":4,"msg":"request completed"}`, authWant{F, "203.0.113.9", "", "http_401", RuleJSONAccess}},
		{"pino-http 403 string status mapped ip", `{"level":30,"req":{"method":"POST","url":"/auth/token?x=1","remoteAddress":"::ffff:203.0.113.20"},"res":{"statusCode":"403"},"msg":"request completed"}`, authWant{F, "203.0.113.20", "", "http_403", RuleJSONAccess}},
		{"pino-http xff header rightmost hop", `{"level":30,"req":{"method":"POST","url":"/signin","headers":{"host":"x","x-forwarded-for":"198.51.100.21, 203.0.113.21"}},"res":{"statusCode":401},"msg":"request errored"}`, authWant{F, "203.0.113.21", "", "http_401", RuleJSONAccess}},
		{"remote address beats xff", `{"req":{"url":"/login","ip":"203.0.113.22","headers":{"x-forwarded-for":"10.9.9.9"}},"res":{"statusCode":401}}`, authWant{F, "203.0.113.22", "", "http_401", RuleJSONAccess}},
		{"express originalUrl user", `{"level":"warn","req":{"originalUrl":"/users/login","user":"lee","ip":"203.0.113.23"},"res":{"status":401},"message":"HTTP POST /users/login"}`, authWant{F, "203.0.113.23", "lee", "http_401", RuleJSONAccess}},
		{"lambda prefix pino", nodePfx + `{"level":30,"req":{"method":"POST","url":"/login","remoteAddress":"203.0.113.24"},"res":{"statusCode":401},"msg":"request completed"}`, authWant{F, "203.0.113.24", "", "http_401", RuleJSONAccess}},
		{"alb style number", `{"status":401,"path":"/api/login","client_ip":"203.0.113.25"}`, authWant{F, "203.0.113.25", "", "http_401", RuleAPIGWAccess}},
		{"alb style string", `{"status":"403","path":"/api/login","ip":"203.0.113.26"}`, authWant{F, "203.0.113.26", "", "http_403", RuleAPIGWAccess}},
		{"pino 401 not login path", `{"level":30,"req":{"method":"GET","url":"/api/orders","remoteAddress":"203.0.113.9"},"res":{"statusCode":401},"msg":"request completed"}`, authWant{O, "", "", "", ""}},
		{"pino 200 login", `{"level":30,"req":{"method":"POST","url":"/login","remoteAddress":"203.0.113.9"},"res":{"statusCode":200},"msg":"request completed"}`, authWant{O, "", "", "", ""}},
		{"pino 500 login", `{"level":50,"req":{"method":"POST","url":"/login","remoteAddress":"203.0.113.9"},"res":{"statusCode":500},"msg":"request errored"}`, authWant{O, "", "", "", ""}},
		{"pino no status", `{"level":30,"req":{"method":"POST","url":"/login","remoteAddress":"203.0.113.9"},"msg":"request received"}`, authWant{O, "", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAuth(t, Default(), tt.msg, tt.want) })
	}
}
