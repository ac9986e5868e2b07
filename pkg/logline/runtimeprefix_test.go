package logline

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	nodeID   = "c793869b-ee49-115b-a5b6-4fd21e8dedac"
	nodePfx  = "2024-06-07T19:11:20.564Z\t" + nodeID + "\tWARN\t"
	pyPfx    = "[WARNING]\t2024-06-07T19:11:20.564Z\t" + nodeID + "\t"
	pyInit   = "[WARNING]\t2026-04-22T21:00:55.118Z\t\t"
	nodeInit = "2024-06-07T19:11:20.564Z\tundefined\tERROR\t"
)

func TestCutRuntimePrefix(t *testing.T) {
	tests := []struct {
		name, line, id, payload string
		ok                      bool
	}{
		{"node", nodePfx + "hello", nodeID, "hello", true},
		{"node undefined", nodeInit + "x", "", "x", true},
		{"python", pyPfx + "{}", nodeID, "{}", true},
		{"python init", pyInit + "LAMBDA_WARNING: x", "", "LAMBDA_WARNING: x", true},
		{"node empty payload", nodePfx, nodeID, "", true},
		{"space separated", "2024-06-07T19:11:20.564Z " + nodeID + " WARN x", "", "", false},
		{"lower level", "2024-06-07T19:11:20.564Z\t" + nodeID + "\twarn\tx", "", "", false},
		{"not a time", "2024/06/07 19:11:20\t" + nodeID + "\tWARN\tx", "", "", false},
		{"id with space", "2024-06-07T19:11:20.564Z\tsome id\tWARN\tx", "", "", false},
		{"python no tab", "[ERROR] MemoryError", "", "", false},
		{"python bad level", "[error]\t2024-06-07T19:11:20.564Z\t" + nodeID + "\tx", "", "", false},
		{"syslog", "Mar  1 10:00:00 h sshd[1]: Failed password for bob from 1.2.3.4 port 1 ssh2", "", "", false},
		{"short", "[E]\t", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, payload, ok := cutRuntimePrefix(tt.line)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.id, id)
			require.Equal(t, tt.payload, payload)
		})
	}
}

// TestRuntimePrefixedLines: Node and Python TEXT-mode lines are classified by
// their payload, with the runtime's request id.
func TestRuntimePrefixedLines(t *testing.T) {
	F, O, C := KindAuthFailure, KindOther, KindCrash
	tests := []struct {
		name  string
		msg   string
		want  authWant
		reqID string
	}{
		{"node json payload", nodePfx + `{"msg":"login failed","user":"bob","ip":"203.0.113.5"}` + "\n", authWant{F, "203.0.113.5", "bob", "login_failed", RuleJSONApp}, nodeID},
		{"python json payload", pyPfx + `{"msg":"login failed","user":"bob","ip":"203.0.113.5"}`, authWant{F, "203.0.113.5", "bob", "login_failed", RuleJSONApp}, nodeID},
		{"python init json payload", pyInit + `{"event":"login","outcome":"failure","username":"amy","clientIp":"203.0.113.6"}`, authWant{F, "203.0.113.6", "amy", "login_failed", RuleJSONApp}, ""},
		{"node undefined id", nodeInit + `{"msg":"login failed","user":"bob","ip":"203.0.113.5"}`, authWant{F, "203.0.113.5", "bob", "login_failed", RuleJSONApp}, ""},
		{"node multi-line json", nodePfx + "{\r  \"msg\": \"login failed\",\r  \"user\": \"bob\",\r  \"ip\": \"203.0.113.5\"\r}\n", authWant{F, "203.0.113.5", "bob", "login_failed", RuleJSONApp}, nodeID},
		{"structured fields beat the text", nodePfx + `{"msg":"login failed for eve from 10.9.9.9","user":"bob","ip":"203.0.113.5"}`, authWant{F, "203.0.113.5", "bob", "login_failed", RuleJSONApp}, nodeID},
		{"prefix id beats payload id", nodePfx + `{"requestId":"forged","msg":"login failed","user":"bob"}`, authWant{F, "", "bob", "login_failed", RuleJSONApp}, nodeID},
		{"powertools text mode", pyPfx + `{"level":"WARNING","location":"handler:12","message":"Invalid password","service":"auth","username":"dan","source_ip":"198.51.100.3"}`, authWant{F, "198.51.100.3", "dan", "invalid_password", RuleJSONApp}, nodeID},
		{"owasp payload", nodePfx + `{"event":"authn_login_fail:joebob1","ip":"203.0.113.4"}`, authWant{F, "203.0.113.4", "joebob1", "authn_login_fail", RuleOWASP}, nodeID},
		{"text payload", nodePfx + "Invalid password for user frank from 203.0.113.11", authWant{F, "203.0.113.11", "frank", "invalid_password", RuleGenericText}, nodeID},
		{"morgan access log payload", nodePfx + `203.0.113.12 - - [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.1" 401 12`, authWant{F, "203.0.113.12", "", "http_401", RuleAccessLog}, nodeID},
		{"invalid json payload is text", nodePfx + `{"msg":"login failed for bob from 203.0.113.5"`, authWant{F, "203.0.113.5", "bob", "login_failed", RuleGenericText}, nodeID},
		{"ordinary json payload", nodePfx + `{"level":"info","logger":"app","msg":"pool resized"}`, authWant{O, "", "", "", ""}, ""},
		{"unrelated failure payload", nodePfx + `{"msg":"failed to load profile","user":"erin"}`, authWant{O, "", "", "", ""}, ""},
		{"ordinary text payload", nodePfx + "processed 12 orders for customer 7", authWant{O, "", "", "", ""}, ""},
		{"empty payload", nodePfx + "  \n", authWant{O, "", "", "", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAuth(t, Default(), tt.msg, tt.want)
			require.Equal(t, tt.reqID, Default().Parse(tt.msg).RequestID)
		})
	}
	crashes := []struct{ name, msg, reason, id string }{
		{"node invoke error oom", "2024-06-07T19:11:20.564Z\t" + nodeID + "\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"JavaScript heap out of memory\"}", "JavaScript heap out of memory", nodeID},
		{"node json payload oom", "2024-06-07T19:11:20.564Z\t" + nodeID + "\tERROR\t{\"errorType\":\"Runtime.OutOfMemory\",\"requestId\":\"other\"}", "Runtime.OutOfMemory", nodeID},
		{"python memory error", "[ERROR]\t2024-06-07T19:11:20.564Z\t" + nodeID + "\tMemoryError: cannot allocate", "MemoryError", nodeID},
		{"python init memory error", pyInit + "MemoryError", "MemoryError", ""},
	}
	for _, tt := range crashes {
		t.Run(tt.name, func(t *testing.T) {
			ev := Default().Parse(tt.msg)
			require.Equal(t, C, ev.Kind)
			require.Equal(t, tt.reason, ev.Reason)
			require.Equal(t, tt.id, ev.RequestID)
		})
	}
}
