package customrules

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

// exampleYAML is the example of deploy/README.md ("Custom parser rules"):
// one matcher of each type. TestReadmeExample keeps the two the same.
const exampleYAML = `rules:
  - name: legacy_sso_reject
    kind: auth_failure
    regex: 'SSO-REJECT user=(?P<user>\S+) src=(?P<ip>[0-9a-fA-F.:]+)(?: why=(?P<reason>\w+))?'
  - name: vpn_denied
    kind: auth_failure
    reason: vpn_denied
    match:
      component: vpn
      result: "DENY*"
    ip_field: client.addr
    user_field: principal
`

func TestDecodeExample(t *testing.T) {
	rules, problems, err := Decode(exampleYAML)
	require.NoError(t, err)
	require.Empty(t, problems)
	p, err := Parser(rules)
	require.NoError(t, err)
	for _, tc := range []struct {
		line string
		want logline.Event
	}{
		{"2026-11-28T06:00:00Z SSO-REJECT user=mallory src=198.51.100.7 why=bad_otp",
			logline.Event{Kind: logline.KindAuthFailure, User: "mallory", IP: netip.MustParseAddr("198.51.100.7"), Reason: "bad_otp", Rule: "legacy_sso_reject"}},
		{`{"component":"vpn","result":"DENY_MFA","principal":"bob","client":{"addr":"203.0.113.9"}}`,
			logline.Event{Kind: logline.KindAuthFailure, User: "bob", IP: netip.MustParseAddr("203.0.113.9"), Reason: "vpn_denied", Rule: "vpn_denied"}},
	} {
		require.Equal(t, tc.want, p.Parse(tc.line), tc.line)
	}
	require.Equal(t, logline.KindOther, p.Parse(`{"component":"vpn","result":"ALLOW","principal":"bob"}`).Kind)
}

func TestDecodeDropsOnlyTheBadRules(t *testing.T) {
	valid := `{"name":"ok","kind":"auth_failure","regex":"DENY (?P<ip>[0-9.]+)"}`
	for _, tc := range []struct {
		name     string
		doc      string
		kept     []string
		problems []string // each problem names its rule
	}{
		{"json list", `[` + valid + `]`, []string{"ok"}, nil},
		{"json object", `{"rules":[` + valid + `]}`, []string{"ok"}, nil},
		{"empty", ``, nil, nil},
		{"bad regexp", `[` + valid + `,{"name":"broken","kind":"auth_failure","regex":"(?P<ip>"}]`, []string{"ok"}, []string{`"broken"`}},
		{"typo in a field", `[{"name":"typo","kind":"auth_failure","regx":"x (?P<ip>\\S+)"},` + valid + `]`, []string{"ok"}, []string{`"typo"`}},
		{"unknown kind", `[{"name":"k","kind":"auth_maybe","regex":"(?P<ip>\\S+) x"}]`, nil, []string{`"k"`}},
		{"no name", `[{"kind":"auth_failure","regex":"(?P<ip>\\S+) x"}]`, nil, []string{"#1"}},
		{"duplicate", `[` + valid + `,` + valid + `]`, []string{"ok"}, []string{`"ok": duplicate`}},
		{"not a rule", `[` + valid + `, "just a string"]`, []string{"ok"}, []string{"#2"}},
	} {
		rules, problems, err := Decode(tc.doc)
		require.NoError(t, err, tc.name)
		var names []string
		for _, r := range rules {
			names = append(names, r.Name)
		}
		require.Equal(t, tc.kept, names, tc.name)
		require.Len(t, problems, len(tc.problems), "%s: %v", tc.name, problems)
		for i, want := range tc.problems {
			require.Contains(t, problems[i].Error(), want, tc.name)
		}
	}
}

func TestDecodeUnreadableDocument(t *testing.T) {
	for name, doc := range map[string]string{
		"not yaml":       "rules: [",
		"a scalar":       "hello",
		"other key":      `{"rulez": []}`,
		"too many rules": manyRules(MaxRules + 1),
	} {
		_, _, err := Decode(doc)
		require.True(t, errors.Is(err, ErrDocument), "%s: %v", name, err)
	}
	rules, _, err := Decode(manyRules(MaxRules))
	require.NoError(t, err)
	require.Len(t, rules, MaxRules)
}

func manyRules(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name":"r%d","kind":"auth_failure","regex":"REJECT%d (?P<ip>\\S+)"}`, i, i)
	}
	b.WriteString("]")
	return b.String()
}

// A rule written to steal attribution: the attacker controls the line, not
// the rules, but a rule must never turn a user name that contains an
// address into the client's address. The parser's own cleaning applies.
func TestCustomRuleOnHostileLine(t *testing.T) {
	rules, problems, err := Decode(exampleYAML)
	require.NoError(t, err)
	require.Empty(t, problems)
	p, err := Parser(rules)
	require.NoError(t, err)
	ev := p.Parse("SSO-REJECT user=admin src=fff.1.2.3 why=x")
	require.Equal(t, logline.KindAuthFailure, ev.Kind)
	require.False(t, ev.IP.IsValid(), "a non-address in the ip group is no address")
	ev = p.Parse(`{"component":"vpn","result":"DENY","principal":"<!channel> 10.0.0.1","client":{"addr":"198.51.100.1"}}`)
	require.Equal(t, netip.MustParseAddr("198.51.100.1"), ev.IP)
}

// TestReadmeExample: the example rules in deploy/README.md are the ones
// TestDecodeExample proves work.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../deploy/README.md")
	require.NoError(t, err)
	require.True(t, strings.Contains(string(readme), "```yaml\n"+exampleYAML+"```"), "deploy/README.md shows exampleYAML")
	require.True(t, strings.Contains(string(readme), "SSO-REJECT user=mallory src=198.51.100.7 why=bad_otp"), "and the line it matches")
}
