package logline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTextSuccessLines(t *testing.T) {
	F, S, O := KindAuthFailure, KindAuthSuccess, KindOther
	tests := []struct {
		name string
		msg  string
		want authWant
	}{
		{"user logged in from", "User alice logged in from 203.0.113.7", authWant{S, "203.0.113.7", "alice", "login_success", RuleGenericText}},
		{"accepted login for", "Accepted login for alice from 203.0.113.7", authWant{S, "203.0.113.7", "alice", "login_success", RuleGenericText}},
		{"login succeeded for", "login succeeded for bob from 203.0.113.9", authWant{S, "203.0.113.9", "bob", "login_success", RuleGenericText}},
		{"user signed in ip=", "INFO auth: user carol@example.com signed in (ip=203.0.113.30)", authWant{S, "203.0.113.30", "carol@example.com", "login_success", RuleGenericText}},
		{"quoted user logged into", `User 'dan smith' logged into the console from 203.0.113.31 port 443`, authWant{S, "203.0.113.31", "dan smith", "login_success", RuleGenericText}},
		{"username: logged on", "username: erin logged on from 2001:db8::31", authWant{S, "2001:db8::31", "erin", "login_success", RuleGenericText}},
		{"user= logged in", "event=auth user=frank logged in from 203.0.113.32", authWant{S, "203.0.113.32", "frank", "login_success", RuleGenericText}},
		{"user logged in no ip", "User gina logged in", authWant{S, "", "gina", "login_success", RuleGenericText}},
		{"user before successfully", "User hank successfully logged in from 203.0.113.33", authWant{S, "203.0.113.33", "hank", "login_success", RuleGenericText}},
		{"user before login failed", "User ivy: login failed from 203.0.113.34", authWant{F, "203.0.113.34", "ivy", "login_failed", RuleGenericText}},
		{"login accepted", "login accepted for user jo from 203.0.113.35", authWant{S, "203.0.113.35", "jo", "login_success", RuleGenericText}},
		{"node prefix user logged in", nodePfx + "User kim logged in from 203.0.113.36", authWant{S, "203.0.113.36", "kim", "login_success", RuleGenericText}},
		{"json message user before", `{"level":"info","message":"User lee successfully logged in"}`, authWant{S, "", "lee", "login_success", RuleJSONApp}},
		{"must be logged in", "User must be logged in to view orders", authWant{O, "", "", "", ""}},
		{"not logged in", "User not logged in, redirecting to /login", authWant{O, "", "", "", ""}},
		{"users logged in count", "Number of users logged in: 5", authWant{O, "", "", "", ""}},
		{"logged out", "User alice logged out from 203.0.113.7", authWant{O, "", "", "", ""}},
		{"logged inside", "user alice logged inside the jar", authWant{O, "", "", "", ""}},
		{"no subject", "Redirecting: logged in users go to /home", authWant{O, "", "", "", ""}},
		{"superuser", "superuser alice logged in", authWant{O, "", "", "", ""}},
		{"ordinary app line", "2024-06-17T17:23:55.123Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tINFO\tprocessed 12 orders for customer 7", authWant{O, "", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAuth(t, Default(), tt.msg, tt.want) })
	}
}

// TestHostileNamesSuccessShapes: as TestHostileUserNames, for the success
// shapes whose user stands before the verb.
func TestHostileNamesSuccessShapes(t *testing.T) {
	hostile := []string{
		"from 10.9.9.9", "x from 10.9.9.9 port 22 ssh2", "<!channel>", `{"ip":"10.9.9.9"}`,
		`bob", client: 10.9.9.9, server: x`, "ip=10.9.9.9", "[client 10.9.9.9:1]", "rhost=10.9.9.9",
		"a logged in from 10.9.9.9", "x (ip=10.9.9.9)", "::ffff:10.9.9.9",
		"bob\nsshd[1]: Failed password for x from 10.9.9.9 port 1 ssh2",
	}
	const real = "203.0.113.99"
	shapes := []struct {
		name   string
		tmpl   func(u string) string
		always bool // every name must give a success with the real IP
		kind   bool // every name must give a success (an ambiguous line keeps no IP)
	}{
		{"quoted", func(u string) string { return "User '" + u + "' logged in from " + real }, true, true},
		{"accepted", func(u string) string { return "Accepted login for " + u + " from " + real }, false, true},
		{"succeeded", func(u string) string { return "login succeeded for " + u + " from " + real + " port 1" }, false, true},
		{"slot after phrase", func(u string) string { return "login succeeded from " + real + " for " + u }, false, true},
		{"bare", func(u string) string { return "User " + u + " logged in from " + real }, false, false},
		{"node bare", func(u string) string { return nodePfx + "User " + u + " logged in from " + real }, false, false},
	}
	for _, sh := range shapes {
		for _, u := range hostile {
			msg := sh.tmpl(u)
			ev := Default().Parse(msg)
			if sh.kind {
				require.Equal(t, KindAuthSuccess, ev.Kind, "%s: %q", sh.name, msg)
			}
			if sh.always {
				require.Equal(t, real, ev.IP.String(), "%s: %q", sh.name, msg)
			} else if ev.IP.IsValid() {
				require.Equal(t, real, ev.IP.String(), "%s: %q", sh.name, msg)
			}
			require.NotContains(t, ev.IP.String(), "10.9.9.9", "%s: %q", sh.name, msg)
			if sh.name == "quoted" && !strings.Contains(u, "'") {
				require.Equal(t, u, ev.User, "%s: %q", sh.name, msg)
			}
		}
	}
}
