package logline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/valyala/fastjson"
	"gopkg.in/yaml.v3"
)

// Rule is an operator-defined classifier, loaded from a JSON or YAML file so
// that new log formats need no rebuild. A rule is either a regexp rule or a
// JSON field rule.
//
// A regexp rule (Go RE2 syntax) uses the named groups "ip", "user" and
// optionally "reason". It runs only on lines that contain one of Prefilter
// (ASCII case-insensitive); when Prefilter is empty it is derived from the
// longest literal the regexp requires. A regexp without such a literal (at
// least 3 bytes) runs only on lines that pass the built-in auth prefilter
// (words like fail, denied, invalid, login, auth, 401). The literals of all
// rules are found in one scan of the line, so the number of rules costs
// little; a literal shorter than 5 bytes is searched on every line instead.
//
// A JSON rule applies to lines that are JSON objects: every Match entry (a
// dotted field path) must equal its value ("*" at either end is a wildcard;
// numbers and booleans compare by their JSON text). IPField and UserField are
// the dotted paths that hold the attribution.
//
// User rules run before the built-in auth matchers, so they can override them.
type Rule struct {
	Name      string            `json:"name" yaml:"name"`
	Kind      string            `json:"kind" yaml:"kind"` // auth_failure | auth_success
	Reason    string            `json:"reason,omitempty" yaml:"reason,omitempty"`
	Regex     string            `json:"regex,omitempty" yaml:"regex,omitempty"`
	Prefilter []string          `json:"prefilter,omitempty" yaml:"prefilter,omitempty"`
	Match     map[string]string `json:"match,omitempty" yaml:"match,omitempty"`
	IPField   string            `json:"ip_field,omitempty" yaml:"ip_field,omitempty"`
	UserField string            `json:"user_field,omitempty" yaml:"user_field,omitempty"`
}

// ErrInvalidRule is wrapped by every rule validation error.
var ErrInvalidRule = errors.New("invalid rule")

type ruleFile struct {
	Rules []Rule `json:"rules" yaml:"rules"`
}

// LoadRules reads user rules from a JSON or YAML file: either a list of rules
// or an object {"rules": [...]}. Unknown fields are errors (a typo must not
// silently disable a rule), and every rule is validated.
func LoadRules(path string) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	rules, err := decodeRules(data, filepath.Ext(path))
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	if _, err := compileRules(rules); err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	return rules, nil
}

func decodeRules(data []byte, ext string) ([]Rule, error) {
	trimmed := bytes.TrimSpace(data)
	isJSON := ext == ".json" || (ext != ".yaml" && ext != ".yml" && len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{'))
	if isJSON {
		dec := func(v any) error {
			d := json.NewDecoder(bytes.NewReader(trimmed))
			d.DisallowUnknownFields()
			return d.Decode(v)
		}
		if len(trimmed) > 0 && trimmed[0] == '[' {
			var rs []Rule
			return rs, dec(&rs)
		}
		var f ruleFile
		return f.Rules, dec(&f)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, err
	}
	if len(node.Content) == 0 {
		return nil, nil
	}
	var rs []Rule
	if node.Content[0].Kind == yaml.SequenceNode {
		d := yaml.NewDecoder(bytes.NewReader(data))
		d.KnownFields(true)
		return rs, d.Decode(&rs)
	}
	var f ruleFile
	d := yaml.NewDecoder(bytes.NewReader(data))
	d.KnownFields(true)
	return f.Rules, d.Decode(&f)
}

// compiledRule is a Rule ready to run.
type compiledRule struct {
	name, reason string
	kind         Kind
	re           *regexp.Regexp
	ipGroup      int
	userGroup    int
	reasonGroup  int
	lits         []string // lower case; any must occur (folded)
	exact        []string // case-sensitive literals (fast path), any must occur
	match        []fieldMatch
	matchLit     string
	ipPath       []string
	userPath     []string
}

type fieldMatch struct {
	path           []string
	value          string
	prefix, suffix bool // "*" wildcards
	raw            string
}

func compileRules(rules []Rule) ([]*compiledRule, error) {
	seen := map[string]bool{}
	out := make([]*compiledRule, 0, len(rules))
	for i, r := range rules {
		c, err := compileRule(r)
		if err != nil {
			name := r.Name
			if name == "" {
				name = fmt.Sprintf("#%d", i+1)
			}
			return nil, fmt.Errorf("rule %q: %w", name, err)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("rule %q: %w: duplicate name", r.Name, ErrInvalidRule)
		}
		seen[r.Name] = true
		out = append(out, c)
	}
	return out, nil
}

func compileRule(r Rule) (*compiledRule, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidRule}, a...)...)
	}
	c := &compiledRule{name: r.Name, reason: r.Reason}
	if strings.TrimSpace(r.Name) == "" {
		return nil, bad("name is required")
	}
	switch r.Kind {
	case "auth_failure":
		c.kind = KindAuthFailure
	case "auth_success":
		c.kind = KindAuthSuccess
	default:
		return nil, bad("kind %q: want auth_failure or auth_success", r.Kind)
	}
	if c.reason == "" {
		c.reason = r.Name
	}
	switch {
	case r.Regex != "" && len(r.Match) > 0:
		return nil, bad("set either regex or match, not both")
	case r.Regex != "":
		return c, c.compileRegex(r)
	case len(r.Match) > 0:
		return c, c.compileMatch(r)
	}
	return nil, bad("needs a regex or a match")
}

func (c *compiledRule) compileRegex(r Rule) error {
	re, err := regexp.Compile(r.Regex)
	if err != nil {
		return fmt.Errorf("%w: regex: %v", ErrInvalidRule, err)
	}
	c.re = re
	c.ipGroup, c.userGroup, c.reasonGroup = re.SubexpIndex("ip"), re.SubexpIndex("user"), re.SubexpIndex("reason")
	if c.ipGroup < 0 && c.userGroup < 0 {
		return fmt.Errorf("%w: regex needs a named group (?P<ip>…) or (?P<user>…)", ErrInvalidRule)
	}
	if r.IPField != "" || r.UserField != "" {
		return fmt.Errorf("%w: ip_field/user_field belong to match rules; use named groups", ErrInvalidRule)
	}
	for _, l := range r.Prefilter {
		if l == "" {
			return fmt.Errorf("%w: empty prefilter literal", ErrInvalidRule)
		}
		c.lits = append(c.lits, strings.ToLower(l))
	}
	if len(c.lits) == 0 {
		parsed, err := syntax.Parse(r.Regex, syntax.Perl)
		if err == nil {
			lit, fold := requiredLiteral(parsed.Simplify())
			if len(lit) >= 3 {
				if fold {
					c.lits = []string{strings.ToLower(lit)}
				} else {
					c.exact = []string{lit}
				}
			}
		}
	}
	return nil
}

// requiredLiteral returns the longest literal every match of re contains,
// and whether it must be compared case-insensitively.
func requiredLiteral(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			return foldSafe(s), true
		}
		return s, false
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		best, bestFold := "", false
		for _, s := range re.Sub {
			if l, f := requiredLiteral(s); len(l) > len(best) {
				best, bestFold = l, f
			}
		}
		return best, bestFold
	}
	return "", false
}

// foldSafe keeps the longest part of a case-folded literal that ASCII
// folding handles exactly: k and s also fold to non-ASCII runes (K, ſ), and
// non-ASCII letters fold in ways a byte compare cannot follow.
func foldSafe(s string) string {
	best, start := "", 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] >= 0x80 || lowerASCII(s[i]) == 'k' || lowerASCII(s[i]) == 's' {
			if i-start > len(best) {
				best = s[start:i]
			}
			start = i + 1
		}
	}
	return best
}

func (c *compiledRule) compileMatch(r Rule) error {
	if len(r.Prefilter) > 0 {
		return fmt.Errorf("%w: prefilter belongs to regex rules", ErrInvalidRule)
	}
	for path, val := range r.Match {
		if strings.TrimSpace(path) == "" {
			return fmt.Errorf("%w: match has an empty field path", ErrInvalidRule)
		}
		m := fieldMatch{path: strings.Split(path, "."), raw: val}
		v := val
		if strings.HasPrefix(v, "*") {
			m.suffix, v = true, v[1:]
		}
		if strings.HasSuffix(v, "*") {
			m.prefix, v = true, v[:len(v)-1]
		}
		m.value = v
		if len(v) > len(c.matchLit) && !strings.ContainsAny(v, `"\/<>&`) {
			c.matchLit = v
		}
		c.match = append(c.match, m)
	}
	if r.IPField == "" && r.UserField == "" {
		return fmt.Errorf("%w: match rule needs ip_field or user_field", ErrInvalidRule)
	}
	if r.IPField != "" {
		c.ipPath = strings.Split(r.IPField, ".")
	}
	if r.UserField != "" {
		c.userPath = strings.Split(r.UserField, ".")
	}
	return nil
}

// mayMatch is the rule's literal prefilter. authHit is the built-in one.
func (c *compiledRule) mayMatch(s string, authHit bool) bool {
	for _, l := range c.exact {
		if strings.Contains(s, l) {
			return true
		}
	}
	for _, l := range c.lits {
		if indexFold(s, l) >= 0 {
			return true
		}
	}
	return len(c.exact) == 0 && len(c.lits) == 0 && authHit
}

// matchText runs a regexp rule (the prefilter has passed).
func (c *compiledRule) matchText(s string) (Event, bool) {
	m := c.re.FindStringSubmatchIndex(s)
	if m == nil {
		return Event{}, false
	}
	group := func(g int) string {
		if g < 0 || m[2*g] < 0 {
			return ""
		}
		return s[m[2*g]:m[2*g+1]]
	}
	reason := c.reason
	if r := group(c.reasonGroup); r != "" {
		reason = r
	}
	return authEvent(c.kind, c.name, reason, group(c.userGroup), parseIP(group(c.ipGroup))), true
}

// matchJSON runs a JSON rule against a parsed object.
func (c *compiledRule) matchJSON(msg string, v *fastjson.Value) (Event, bool) {
	var buf [64]byte
	for _, m := range c.match {
		x := v.Get(m.path...)
		if x == nil {
			return Event{}, false
		}
		var got string
		if x.Type() == fastjson.TypeString {
			got = unsafeStr(x.GetStringBytes())
		} else {
			got = string(x.MarshalTo(buf[:0]))
		}
		if !m.matches(got) {
			return Event{}, false
		}
	}
	user := ""
	if c.userPath != nil {
		user = retain(msg, v.GetStringBytes(c.userPath...))
	}
	ev := authEvent(c.kind, c.name, c.reason, user, netip.Addr{})
	if c.ipPath != nil {
		// A list is a forwarding header: its left hops are the client's.
		if s := unsafeStr(v.GetStringBytes(c.ipPath...)); strings.IndexByte(s, ',') >= 0 {
			ev.Forwarded = capForwarded(retainS(msg, s))
			ev.IP, _ = ClientFromForwarded(ev.Forwarded, nil)
		} else {
			ev.IP = parseIP(s)
		}
	}
	return ev, true
}

func (m *fieldMatch) matches(got string) bool {
	switch {
	case m.prefix && m.suffix:
		return strings.Contains(got, m.value)
	case m.prefix:
		return strings.HasPrefix(got, m.value)
	case m.suffix:
		return strings.HasSuffix(got, m.value)
	}
	return got == m.value
}
