package logline

import "math/bits"

// User rules cost one pass over the line, whatever their number: each rule's
// required literal enters the prefilter's word set (prefilter.go) as one of
// its 5-byte windows, tagged with the rule, so the scan that looks for the
// built-in keywords also collects the rules that may apply. Only those run
// their exact literal check (mayMatch) and then their regexp or JSON match.
//
// A rule whose literal is shorter than a window cannot be indexed (the scan
// sees 4-byte words at even offsets only): it is a candidate on every line
// and pays its own literal search, as every rule did before. A regexp rule
// without any literal runs, as documented on Rule, when the built-in auth
// prefilter hits.

// gramWord is the shortest literal the word set can index: both 4-byte
// halves of a 5-byte window, so that one of them lies at an even offset.
const gramWord = 5

// ruleBits is the number of distinct rule bits. Rule i has bit i%ruleBits:
// beyond that many rules, rules share bits and a hit also checks the rules
// it shares with, which costs a literal search each but is never wrong.
const ruleBits = 256

type ruleMask [ruleBits / 64]uint64

// ruleCands is the set of user rules that may apply to a line.
type ruleCands struct{ text, json ruleMask }

func (m *ruleMask) set(i int) { m[(i%ruleBits)>>6] |= 1 << (i & 63) }

func (m *ruleMask) or(o *ruleMask) {
	for i := range m {
		m[i] |= o[i]
	}
}

func (m *ruleMask) empty() bool { return m[0]|m[1]|m[2]|m[3] == 0 }

// next returns the first rule index in [i, n) whose bit is set, or -1.
// Walking with next visits candidates in rule order, which decides the
// winner when several rules match.
func (m *ruleMask) next(i, n int) int {
	for i < n {
		b := i % ruleBits
		if w := m[b>>6] >> (b & 63); w != 0 {
			if i += bits.TrailingZeros64(w); i < n {
				return i
			}
			return -1
		}
		i = (i | 63) + 1
	}
	return -1
}

func (c *ruleCands) or(o *ruleCands) {
	c.text.or(&o.text)
	c.json.or(&o.json)
}

// ruleLit is one literal to index: any of a rule's literals may be the one
// in the line, so each enters the set.
type ruleLit struct {
	s    string
	rule int
	json bool
}

// indexRules builds p's word set: the built-in keywords plus a window of
// every rule literal, and the rules that must be candidates regardless.
func (p *Parser) indexRules() {
	var lits []ruleLit
	for i, r := range p.textRules {
		all := append(append([]string(nil), r.lits...), r.exact...)
		switch {
		case len(all) == 0:
			p.authOnly.set(i)
		case shortest(all) < gramWord:
			p.always.text.set(i)
		default:
			for _, l := range all {
				lits = append(lits, ruleLit{l, i, false})
			}
		}
	}
	for i, r := range p.jsonRules {
		if len(r.matchLit) < gramWord {
			p.always.json.set(i)
		} else {
			lits = append(lits, ruleLit{r.matchLit, i, true})
		}
	}
	g := newGramSet(len(keywords)*2 + len(lits)*2)
	for _, k := range keywords {
		g.addWord(k.word, k.flag, nil)
	}
	shared := wordRules(lits)
	for _, l := range lits {
		var c ruleCands
		if l.json {
			c.json.set(l.rule)
		} else {
			c.text.set(l.rule)
		}
		if len(g.masks) > 1<<16-3 { // gramEntry.rules is 16 bits: the rest stay unindexed
			p.always.or(&c)
			continue
		}
		g.addWord(bestWindow(l.s, shared), 0, &c)
	}
	p.grams = g
}

func shortest(ls []string) int {
	n := len(ls[0])
	for _, l := range ls[1:] {
		n = min(n, len(l))
	}
	return n
}

func foldWord(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] |= 0x20
	}
	return string(b)
}

// wordRules counts, for every folded 4-byte word of the literals, how many
// distinct rules contain it. Rules written from one template ("vendor1
// access rejected", "vendor2 access rejected") share most words, and either
// half of a window alone makes its rule a candidate: a shared half would
// make each of them a candidate on the others' lines.
func wordRules(lits []ruleLit) map[string]int {
	type key struct {
		w    string
		rule int
		json bool
	}
	seen := map[key]bool{}
	n := map[string]int{}
	for _, l := range lits {
		f := foldWord(l.s)
		for i := 0; i+4 <= len(f); i++ {
			k := key{f[i : i+4], l.rule, l.json}
			if !seen[k] {
				seen[k] = true
				n[k.w]++
			}
		}
	}
	return n
}

// byteWeight says how often a (folded) byte occurs in ordinary log text:
// word boundaries and numbers most, then the frequent letters. A window made
// of such bytes hits on application lines that the rule never matches.
var byteWeight = func() (w [256]uint8) {
	for _, c := range []byte(" \t:=,\"'/.-_") {
		w[c|0x20] = 10
	}
	for c := '0'; c <= '9'; c++ {
		w[c] = 6
	}
	for _, c := range []byte("etaoinsrlh") {
		w[c] = 3
	}
	for _, c := range []byte("cdumpgfywbvk") {
		w[c] = 1
	}
	return w
}()

// bestWindow picks the literal's 5-byte window whose halves the fewest
// other rules share and whose commoner half is least made of common bytes.
func bestWindow(lit string, shared map[string]int) string {
	f := foldWord(lit)
	best, bestScore := f[:gramWord], -1
	for i := 0; i+gramWord <= len(f); i++ {
		w := f[i : i+gramWord]
		var half [2]int
		for j := 0; j < gramWord; j++ {
			b := int(byteWeight[w[j]])
			if j < 4 {
				half[0] += b
			}
			if j > 0 {
				half[1] += b
			}
		}
		// Sharing weighs most: a window shared by k rules costs k literal
		// checks on every line that has it, and a pack's common words
		// ("access", "login") are also common in application lines.
		score := max(half[0], half[1]) + (shared[w[:4]]+shared[w[1:]])*16
		if bestScore < 0 || score < bestScore {
			best, bestScore = w, score
		}
	}
	return best
}
