package logline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// templateRules are n rules written from one template, as a vendor's rule
// pack is: they share most of their literal, so only the window that holds
// the rule's number tells them apart. Every fifth is case-insensitive and
// every seventh a JSON match rule.
func templateRules(n int) []Rule {
	rules := make([]Rule, n)
	for i := range rules {
		name := fmt.Sprintf("vendor-%d", i)
		switch {
		case i%7 == 6:
			rules[i] = Rule{Name: name, Kind: "auth_failure", Match: map[string]string{"app": fmt.Sprintf("vendor%d-gateway", i), "result": "DENY*"},
				IPField: "client.ip", UserField: "who"}
		case i%5 == 4:
			rules[i] = Rule{Name: name, Kind: "auth_failure", Regex: fmt.Sprintf(`(?i)vendor%d login rejected for (?P<user>\w+) from (?P<ip>[0-9.]+)`, i)}
		default:
			rules[i] = Rule{Name: name, Kind: "auth_failure", Regex: fmt.Sprintf(`vendor%d access rejected for (?P<user>\S+) from (?P<ip>\S+)`, i)}
		}
	}
	return rules
}

// templateLine is a line that rule i matches.
func templateLine(i int) string {
	switch {
	case i%7 == 6:
		return fmt.Sprintf(`{"app":"vendor%d-gateway","result":"DENY_MFA","who":"ann","client":{"ip":"198.51.100.%d"}}`, i, i%250)
	case i%5 == 4:
		return fmt.Sprintf("12:00:01 VENDOR%d LOGIN REJECTED FOR ann FROM 198.51.100.%d", i, i%250)
	}
	return fmt.Sprintf("12:00:01 vendor%d access rejected for ann from 198.51.100.%d", i, i%250)
}

// oddRules are the rules the index cannot narrow: a literal shorter than a
// window, no literal at all (auth-prefilter gated), a JSON rule whose values
// all need escaping, plus literals that contain bytes the fold merges.
var oddRules = []Rule{
	{Name: "short", Kind: "auth_failure", Regex: `E42 (?P<ip>\S+)`},
	{Name: "short-prefilter", Kind: "auth_failure", Regex: `code=(?P<user>\w+) at (?P<ip>\S+)`, Prefilter: []string{"zq"}},
	{Name: "nolit", Kind: "auth_failure", Regex: `^(?P<user>\w+) (?P<ip>[0-9.]+) (x|y)$`},
	{Name: "json-any", Kind: "auth_success", Match: map[string]string{"path": "/a/b"}, UserField: "u"},
	{Name: "punct", Kind: "auth_failure", Regex: "@@`[x]_ (?P<ip>\\S+)"}, // [x] is the literal x
	{Name: "multi", Kind: "auth_failure", Regex: `(?P<user>\w+) (?P<ip>\S+) ok`, Prefilter: []string{"Alpha-Gate", "bravo-gate"}},
	{Name: "unicode", Kind: "auth_failure", Regex: `échec de connexion (?P<ip>\S+)`},
}

func ruleCorpus(t testing.TB) []string {
	lines := benchMix(500)
	for i := range 300 {
		lines = append(lines, templateLine(i), strings.ToUpper(templateLine(i)))
	}
	lines = append(lines,
		"E42 198.51.100.1", "failed E42 198.51.100.1", "code=bob at 198.51.100.2 ZQ", "bob 198.51.100.1 x", "failbob 198.51.100.1 x",
		`{"path":"/a/b","u":"eve"}`, "@@`x_ 198.51.100.3", "``@x_ 198.51.100.3", "@@`X\x7f 198.51.100.3",
		"eve 198.51.100.4 ok ALPHA-GATE", "eve 198.51.100.4 ok Bravo-Gate", "ÉCHEC de connexion 198.51.100.5", "échec de connexion 198.51.100.5",
		// One line that carries every template literal: every rule is a candidate, the first in order wins.
		strings.Repeat("vendor1 access rejected for x from y ", 1)+templateLine(0)+templateLine(299),
	)
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "auth", "*", "input.txt"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	return lines
}

// The indexed parser must classify every line exactly as the linear one
// (every rule a candidate, the literal checked per rule), for rule counts
// below and above ruleBits, where rules share candidate bits.
func TestRuleIndexMatchesLinear(t *testing.T) {
	lines := ruleCorpus(t)
	for _, n := range []int{0, 1, 10, 50, 200, 300, 600} {
		rules := append(templateRules(n), oddRules...)
		fast, err := New(rules...)
		require.NoError(t, err)
		slow, err := New(rules...)
		require.NoError(t, err)
		slow.allRules = true
		matched := 0
		for _, l := range lines {
			want := slow.Parse(l)
			require.Equal(t, want, fast.Parse(l), "%d rules: %q", n, l)
			if strings.HasPrefix(want.Rule, "vendor-") {
				matched++
			}
		}
		require.GreaterOrEqual(t, matched, min(n, 300), "%d rules: every template line matched", n) // not a vacuous comparison
	}
}

// What makes the cost independent of the rule count: an ordinary line has
// (almost) no candidate rule, and a line for one rule of a template pack makes that
// rule (and at most a sibling whose number it contains) a candidate, with 10
// rules or 200.
func TestRuleCandidatesIndependentOfCount(t *testing.T) {
	app := benchMix(300)
	for _, n := range []int{10, 50, 200} {
		p, err := New(templateRules(n)...)
		require.NoError(t, err)
		require.True(t, p.always.text.empty() && p.always.json.empty() && p.authOnly.empty(), "every template rule is indexed")
		// A rule told apart only by its number has a window like "r134 ",
		// and an application line may carry "134 ": an extra literal check
		// on some lines, never one per rule.
		extra := 0
		for _, l := range app {
			var c ruleCands
			p.prefilter(l, &c)
			extra += count(&c.text, len(p.textRules)) + count(&c.json, len(p.jsonRules))
		}
		require.LessOrEqual(t, extra, len(app)/5, "%d rules: candidates on application lines", n)
		for i := range n {
			var c ruleCands
			p.prefilter(templateLine(i), &c)
			got := count(&c.text, len(p.textRules)) + count(&c.json, len(p.jsonRules))
			require.GreaterOrEqual(t, got, 1, "%d rules: line of rule %d", n, i)
			require.LessOrEqual(t, got, 2, "%d rules: line of rule %d", n, i)
		}
	}
}

func count(m *ruleMask, n int) (k int) {
	for i := m.next(0, n); i >= 0; i = m.next(i+1, n) {
		k++
	}
	return k
}

// Rules the index cannot narrow are still candidates where the linear
// parser would run them: short literals always, literal-less ones on auth
// hits.
func TestRuleIndexFallbacks(t *testing.T) {
	p, err := New(oddRules...)
	require.NoError(t, err)
	idx := map[string]int{}
	for i, r := range p.textRules {
		idx[r.name] = i
	}
	require.Equal(t, []int{idx["short"], idx["short-prefilter"]}, setBits(&p.always.text, len(p.textRules)))
	require.Equal(t, []int{idx["nolit"]}, setBits(&p.authOnly, len(p.textRules)))
	require.Equal(t, []int{0}, setBits(&p.always.json, len(p.jsonRules)))
	for line, rule := range map[string]string{
		"E42 198.51.100.1": "short", "failbob 198.51.100.1 x": "nolit", "@@`x_ 198.51.100.3": "punct", "``@x_ 198.51.100.3": "",
		"eve 198.51.100.4 ok Bravo-Gate": "multi", "ÉCHEC de connexion 198.51.100.5": "", "échec de connexion 198.51.100.5": "unicode",
		`{"path":"/a/b","u":"eve"}`: "json-any", "bob 198.51.100.1 x": "",
	} {
		require.Equal(t, rule, p.Parse(line).Rule, line)
	}
}

func setBits(m *ruleMask, n int) (out []int) {
	for i := m.next(0, n); i >= 0; i = m.next(i+1, n) {
		out = append(out, i)
	}
	return out
}

func TestRuleMaskNext(t *testing.T) {
	var m ruleMask
	for _, i := range []int{0, 63, 64, 130, 255} {
		m.set(i)
	}
	require.Equal(t, []int{0, 63, 64, 130, 255}, setBits(&m, 256))
	require.Equal(t, []int{0, 63, 64}, setBits(&m, 100))
	// Beyond ruleBits rules share bits: rule 256+i is a candidate with rule i.
	require.Equal(t, []int{0, 63, 64, 130, 255, 256, 319, 320, 386}, setBits(&m, 400))
	require.Equal(t, -1, m.next(256, 256))
}

// An attacker who has read the rules can write a line that carries every
// rule's window: each rule then pays its literal check, as it did before the
// index, but the result stays the linear one (TestRuleIndexMatchesLinear
// holds such a line) and no rule is skipped.
func TestRuleIndexEveryWindowLine(t *testing.T) {
	rules := templateRules(50)
	p, err := New(rules...)
	require.NoError(t, err)
	var b strings.Builder
	for i := 49; i >= 0; i-- {
		b.WriteString(templateLine(i))
		b.WriteByte(' ')
	}
	var c ruleCands
	p.prefilter(b.String(), &c)
	require.Equal(t, len(p.textRules), count(&c.text, len(p.textRules)))
	require.Equal(t, "vendor-0", p.Parse(b.String()).Rule, "rule order decides, not position in the line")
}

// FuzzRuleIndex: on any line, the indexed parser decides as the linear one,
// with more rules than candidate bits so that shared bits are exercised.
func FuzzRuleIndex(f *testing.F) {
	for _, l := range ruleCorpus(f) {
		f.Add(l)
	}
	rules := append(templateRules(300), oddRules...)
	fast, err := New(rules...)
	require.NoError(f, err)
	slow, err := New(rules...)
	require.NoError(f, err)
	slow.allRules = true
	f.Fuzz(func(t *testing.T, msg string) {
		if got, want := fast.parse(msg), slow.parse(msg); got != want {
			t.Fatalf("%q: indexed %+v, linear %+v", msg, got, want)
		}
	})
}
