package logline

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestLoadRulesAndUse(t *testing.T) {
	yamlRules := `
rules:
  - name: legacy_app
    kind: auth_failure
    regex: 'LEGACY-AUTH-REJECT user=(?P<user>\S+) peer=(?P<ip>\S+)(?: why=(?P<reason>\w+))?'
  - name: vpn_ok
    kind: auth_success
    reason: vpn_login
    match:
      component: vpn
      result: "ALLOW*"
    ip_field: peer.addr
    user_field: who
`
	jsonRules := `[{"name":"legacy_app","kind":"auth_failure","regex":"(?i)custom reject (?P<user>\\w+)@(?P<ip>[0-9.]+)"}]`
	for _, tc := range []struct{ file, body string }{{"r.yaml", yamlRules}, {"r.json", jsonRules}} {
		rules, err := LoadRules(writeFile(t, tc.file, tc.body))
		require.NoError(t, err, tc.file)
		_, err = New(rules...)
		require.NoError(t, err)
	}
	rules, err := LoadRules(writeFile(t, "r.yml", yamlRules))
	require.NoError(t, err)
	p, err := New(rules...)
	require.NoError(t, err)

	ev := p.Parse("12:00 LEGACY-AUTH-REJECT user=zed peer=198.51.100.7 why=expired")
	require.Equal(t, Event{Kind: KindAuthFailure, User: "zed", IP: mustIP("198.51.100.7"), Reason: "expired", Rule: "legacy_app"}, ev)
	ev = p.Parse("12:00 LEGACY-AUTH-REJECT user=zed peer=garbage")
	require.Equal(t, Event{Kind: KindAuthFailure, User: "zed", Reason: "legacy_app", Rule: "legacy_app"}, ev)
	ev = p.Parse(`{"component":"vpn","result":"ALLOW_MFA","who":"yan","peer":{"addr":"198.51.100.8:443"}}`)
	require.Equal(t, Event{Kind: KindAuthSuccess, User: "yan", IP: mustIP("198.51.100.8"), Reason: "vpn_login", Rule: "vpn_ok"}, ev)
	// An ip_field holding a forwarding list names its right-most hop, never the client-written left one.
	ev = p.Parse(`{"component":"vpn","result":"ALLOW","who":"yan","peer":{"addr":"10.0.0.5, 198.51.100.9"}}`)
	require.Equal(t, "198.51.100.9", ev.IP.String())
	require.Equal(t, "10.0.0.5, 198.51.100.9", ev.Forwarded)
	ev = p.Parse(`{"component":"vpn","result":"DENY","who":"yan"}`)
	require.Equal(t, KindOther, ev.Kind)
	// Built-ins still apply, and Default is unaffected by New.
	require.Equal(t, KindReport, p.Parse("REPORT RequestId: a\tDuration: 1 ms").Kind)
	require.Equal(t, KindOther, Default().Parse("12:00 LEGACY-AUTH-REJECT user=zed peer=198.51.100.7").Kind)
}

func TestRuleValidation(t *testing.T) {
	tests := []struct {
		name, file, body, errPart string
	}{
		{"no name", "a.json", `[{"kind":"auth_failure","regex":"(?P<ip>x)"}]`, `rule "#1": invalid rule: name is required`},
		{"bad kind", "a.json", `[{"name":"r1","kind":"fail","regex":"(?P<ip>x)"}]`, `rule "r1"`},
		{"bad regex", "a.json", `[{"name":"r2","kind":"auth_failure","regex":"(?P<ip>"}]`, `rule "r2": invalid rule: regex`},
		{"no groups", "a.json", `[{"name":"r3","kind":"auth_failure","regex":"failed"}]`, `rule "r3": invalid rule: regex needs a named group`},
		{"both", "a.json", `[{"name":"r4","kind":"auth_failure","regex":"(?P<ip>x)","match":{"a":"b"}}]`, `rule "r4": invalid rule: set either`},
		{"neither", "a.json", `[{"name":"r5","kind":"auth_failure"}]`, `rule "r5": invalid rule: needs a regex or a match`},
		{"match without attribution", "a.json", `[{"name":"r6","kind":"auth_failure","match":{"a":"b"}}]`, `rule "r6": invalid rule: match rule needs`},
		{"duplicate", "a.json", `[{"name":"r7","kind":"auth_failure","regex":"(?P<ip>x)"},{"name":"r7","kind":"auth_failure","regex":"(?P<ip>y)"}]`, `rule "r7": invalid rule: duplicate`},
		{"unknown field", "a.yaml", "- name: r8\n  kind: auth_failure\n  regexp: x\n", `field regexp not found`},
		{"unknown json field", "a.json", `{"rules":[{"name":"r9","kind":"auth_failure","regexx":"x"}]}`, `unknown field "regexx"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRules(writeFile(t, tt.file, tt.body))
			require.ErrorContains(t, err, tt.errPart)
		})
	}
	_, err := LoadRules(filepath.Join(t.TempDir(), "missing.yaml"))
	require.Error(t, err)
	_, err = New(Rule{Name: "x", Kind: "auth_failure"})
	require.ErrorIs(t, err, ErrInvalidRule)
}

func TestRequiredLiteral(t *testing.T) {
	tests := []struct {
		regex, exact, folded string
	}{
		{`LEGACY-AUTH-REJECT user=(?P<user>\S+)`, "LEGACY-AUTH-REJECT user=", ""},
		{`(?i)custom reject (?P<user>\w+)`, "", "tom reject "}, // s and k fold to non-ASCII runes
		{`(?i)bad login (?P<user>\w+)`, "", "bad login "},
		{`(a|b)(?P<ip>\S+)`, "", ""},
		{`x*(?P<user>\S+)`, "", ""},
	}
	for _, tt := range tests {
		p, err := New(Rule{Name: "r", Kind: "auth_failure", Regex: tt.regex})
		require.NoError(t, err)
		r := p.textRules[0]
		if tt.exact != "" {
			require.Equal(t, []string{tt.exact}, r.exact, tt.regex)
		} else {
			require.Empty(t, r.exact, tt.regex)
		}
		if len(tt.folded) >= 3 {
			require.Equal(t, []string{tt.folded}, r.lits, tt.regex)
		} else {
			require.Empty(t, r.lits, tt.regex)
		}
	}
	// A rule without a literal runs only on lines the auth prefilter selects.
	p, err := New(Rule{Name: "nolit", Kind: "auth_failure", Regex: `^(?P<user>\w+) (?P<ip>[0-9.]+) (x|y)$`})
	require.NoError(t, err)
	require.Equal(t, KindOther, p.Parse("bob 198.51.100.1 x").Kind)
	require.Equal(t, KindAuthFailure, p.Parse("failbob 198.51.100.1 x").Kind)
}

func mustIP(s string) netip.Addr { return netip.MustParseAddr(s) }
