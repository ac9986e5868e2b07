package logline

import (
	"net/netip"
	"strings"
	"sync"
)

// Parser classifies log messages with the built-in matchers plus user rules.
// It holds no per-call state and is safe for concurrent use.
type Parser struct {
	textRules []*compiledRule
	jsonRules []*compiledRule
	grams     *gramSet  // the prefilter's words: built-in keywords and rule literals
	always    ruleCands // rules without an indexed literal: candidates on every line
	authOnly  ruleMask  // text rules without a literal: candidates on auth hits
	allRules  bool      // tests only: every rule is a candidate (the linear reference)
}

var (
	defaultOnce   sync.Once
	defaultParser *Parser
)

// Default returns the parser with only the built-in rules, built once.
func Default() *Parser {
	defaultOnce.Do(func() { defaultParser = &Parser{grams: builtinGrams} })
	return defaultParser
}

// New returns a parser with the built-in rules plus extra user rules, which
// are validated; the error names the first invalid rule.
func New(extra ...Rule) (*Parser, error) {
	rules, err := compileRules(extra)
	if err != nil {
		return nil, err
	}
	p := &Parser{}
	for _, r := range rules {
		if r.re != nil {
			p.textRules = append(p.textRules, r)
		} else {
			p.jsonRules = append(p.jsonRules, r)
		}
	}
	p.indexRules()
	return p, nil
}

// Parse classifies one log message. It never panics (a defect in a matcher
// yields KindOther rather than a lost batch) and allocates only when a
// retained value had to be unescaped or a user regexp ran.
func (p *Parser) Parse(msg string) (ev Event) {
	defer func() {
		if recover() != nil {
			ev = Event{}
		}
	}()
	return p.parse(msg)
}

// parse is Parse without the safety net, so that fuzzing sees defects.
func (p *Parser) parse(msg string) Event {
	s := strings.TrimLeft(msg, " \t\r\n")
	if s == "" {
		return Event{}
	}
	var flags uint8
	var c ruleCands
	if s[0] == '{' {
		flags = p.prefilter(s, &c)
		if ev, ok := p.parseJSON(msg, s, flags, &c, true); ok {
			return ev
		}
		// Invalid JSON (e.g. an API Gateway template that quotes
		// $context.error.messageString) is classified as text.
	} else {
		if 'A' <= s[0] && s[0] <= 'Z' {
			if ev, ok := parsePlatformText(s); ok {
				return ev
			}
		}
		flags = p.prefilter(s, &c)
	}
	if flags&^hitService == 0 && c.text.empty() {
		return Event{} // the common case: an ordinary application line
	}
	// Only lines that may matter pay for cutting the runtime prefix.
	if flags&(hitAuth|hitCrash) != 0 {
		if id, payload, ok := cutRuntimePrefix(s); ok {
			return p.parseRuntimeLine(msg, s, id, payload, flags, &c)
		}
	}
	return p.parseText(s, s, flags, &c)
}

// prefilter scans s once for the built-in keywords and the user rules'
// literals: it returns the keyword flags and puts in c the rules that may
// match s (a superset of those whose literal occurs).
func (p *Parser) prefilter(s string, c *ruleCands) uint8 {
	if p.grams == nil {
		p = Default()
	}
	flags := p.grams.scan(s, c)
	if len(p.textRules)+len(p.jsonRules) == 0 {
		return flags
	}
	c.or(&p.always)
	if flags&hitAuth != 0 {
		c.text.or(&p.authOnly)
	}
	if p.allRules {
		for i := range min(ruleBits, max(len(p.textRules), len(p.jsonRules))) {
			c.text.set(i)
			c.json.set(i)
		}
	}
	return flags
}

// parseRuntimeLine classifies a Lambda runtime text line by its payload: a
// JSON payload as the structured record it is, anything else as text. The
// prefix's request id, written by the runtime, wins over the payload's.
func (p *Parser) parseRuntimeLine(msg, line, id, payload string, flags uint8, c *ruleCands) Event {
	payload = strings.TrimLeft(payload, " \t\r\n")
	var ev Event
	ok := false
	if payload != "" && payload[0] == '{' {
		// User regexps were written against whole lines: they still come first.
		if ev, ok = p.matchTextRules(line, flags, c); !ok {
			ev, ok = p.parseJSON(msg, payload, flags, c, false)
		}
	}
	if !ok {
		ev = p.parseText(line, payload, flags, c)
	}
	if ev.Kind != KindOther && id != "" {
		ev.RequestID = id
	}
	return ev
}

// parseText classifies a non-platform text line. User rules see the whole
// line; the built-in matchers read s, the line without a runtime prefix.
func (p *Parser) parseText(line, s string, flags uint8, c *ruleCands) Event {
	if flags&hitTimeout != 0 {
		if ev, ok := parseTimeoutText(s); ok {
			return ev
		}
	}
	if ev, ok := p.matchTextRules(line, flags, c); ok {
		return ev
	}
	if s == "" {
		return Event{}
	}
	if flags&hitAuth != 0 {
		if ev, ok := parseAuthText(s); ok {
			return ev
		}
	}
	if flags&hitCrash != 0 {
		if ev, ok := parseCrashText(s); ok {
			return ev
		}
	}
	return Event{}
}

// matchTextRules runs the user's regexp rules that the prefilter left as
// candidates, in rule order.
func (p *Parser) matchTextRules(s string, flags uint8, c *ruleCands) (Event, bool) {
	n := len(p.textRules)
	for i := c.text.next(0, n); i >= 0; i = c.text.next(i+1, n) {
		if r := p.textRules[i]; r.mayMatch(s, flags&hitAuth != 0) {
			if ev, ok := r.matchText(s); ok {
				return ev, true
			}
		}
	}
	return Event{}, false
}

// parseAuthText runs the built-in text matchers, most structured first: the
// catalogue of services (catalog.go), API Gateway execution logs, access
// logs, the OWASP vocabulary and last the free-text phrases.
func parseAuthText(s string) (Event, bool) {
	if ev, ok, decided := parseCatalogue(s); decided {
		return ev, ok
	}
	if s[0] == '(' {
		if ev, ok := parseAPIGWExec(s); ok {
			return ev, true
		}
	}
	if ev, ok := parseAccessLog(s); ok {
		return ev, true
	}
	if k, name, user := parseOWASP(s); k != KindOther {
		ev := authEvent(k, RuleOWASP, name, user, textIPOnly(s))
		return ev, true
	}
	return parseGenericText(s)
}

func textIPOnly(s string) netip.Addr { ip, _ := textIP(s); return ip }

// parseJSON classifies a message that starts with '{'. ok is false when it
// is not valid JSON. Platform records are recognised only when they are the
// whole message: an application that logs one is not the platform.
func (p *Parser) parseJSON(msg, s string, flags uint8, c *ruleCands, platformOK bool) (Event, bool) {
	platform := platformOK && strings.Contains(s, `"platform.`)
	if !platform && flags&(hitAuth|hitCrash) == 0 && p.nextJSONRule(s, c, 0) < 0 {
		return Event{}, true
	}
	jp := jsonPool.Get()
	defer jsonPool.Put(jp)
	v, err := jp.Parse(s)
	if err != nil {
		return Event{}, false
	}
	if platform {
		if typ := str(v, "type"); strings.HasPrefix(unsafeStr(typ), "platform.") {
			return parsePlatformJSON(msg, v, typ), true
		}
	}
	if ev, ok := parseSeclog(msg, v, platformOK); ok { // authoritative: before any rule or heuristic
		return ev, true
	}
	for i := p.nextJSONRule(s, c, 0); i >= 0; i = p.nextJSONRule(s, c, i+1) {
		if ev, ok := p.jsonRules[i].matchJSON(msg, v); ok {
			return ev, true
		}
	}
	if flags&hitAuth != 0 {
		if flags&hitService != 0 {
			if ev, ok := parseServiceJSON(msg, s, v); ok { // catalogue sources that log JSON (jsonsources.go)
				return ev, true
			}
		}
		if ev, ok := parseAuthJSON(msg, v); ok {
			return ev, true
		}
	}
	if flags&hitCrash != 0 {
		if ev, ok := crashJSON(msg, v); ok {
			return ev, true
		}
		if ev, ok := parseCrashText(s); ok {
			ev.RequestID = retain(msg, str(v, "requestId"))
			return ev, true
		}
	}
	return Event{}, true
}

// nextJSONRule returns the first JSON rule from i on that is a candidate
// and whose literal occurs in s, or -1.
func (p *Parser) nextJSONRule(s string, c *ruleCands, i int) int {
	n := len(p.jsonRules)
	for i = c.json.next(i, n); i >= 0; i = c.json.next(i+1, n) {
		if r := p.jsonRules[i]; r.matchLit == "" || strings.Contains(s, r.matchLit) {
			return i
		}
	}
	return -1
}
