package logline

// The prefilter decides, in one pass over a line, whether any expensive
// matcher could apply. Most lines in a log group are ordinary application
// output; running the auth matchers (or a case-insensitive regexp) on each of
// them is what makes a naive classifier twenty times slower than the decode.
//
// It slides a 4-byte window (stepping by two) over the line, folds ASCII
// letters with |0x20 and looks the word up in a 64 Ki-bit hash set (8 KiB,
// stays in L1). Only on a hit is the word looked up in a small
// open-addressing table of the keyword halves, which also carries the user
// rules whose literals contain the word (rulegrams.go). The fold also maps
// some punctuation together ('@' and '`'); that only adds harmless false
// hits.

// Prefilter flags.
const (
	hitAuth    uint8 = 1 << iota // words that auth lines carry
	hitCrash                     // out-of-memory and exit strings
	hitTimeout                   // "Task timed out"
	hitService                   // a marker of a JSON catalogue source (jsonsources.go)
)

// keywords are folded 5-byte keywords and what they suggest. Keep them
// broad: the matchers behind them decide precisely. Each keyword enters the
// set as its two 4-byte halves (bytes 0–3 and 1–4), so scanning every second
// position still sees it at any alignment; that halves the scan.
var keywords = [...]struct {
	word string
	flag uint8
}{
	{"faile", hitAuth}, {"failu", hitAuth}, {"fails", hitAuth}, {"faili", hitAuth},
	{"denie", hitAuth}, {"denia", hitAuth}, {"inval", hitAuth}, {"unaut", hitAuth},
	{"authe", hitAuth}, {"autho", hitAuth}, {"authn", hitAuth}, {"authz", hitAuth}, {"auth_", hitAuth}, {"ah016", hitAuth},
	{"login", hitAuth}, {"logon", hitAuth}, {"gged ", hitAuth}, {"log i", hitAuth}, {"log-i", hitAuth}, {"log_i", hitAuth},
	{"sign-", hitAuth}, {"signi", hitAuth}, {"sign_", hitAuth}, {"sign ", hitAuth}, {"signe", hitAuth},
	{"passw", hitAuth}, {"refus", hitAuth}, {"forbi", hitAuth}, {"expir", hitAuth},
	{"locke", hitAuth}, {"crede", hitAuth}, {"sshd[", hitAuth}, {"sshd:", hitAuth},
	{"\" 401", hitAuth}, {"\"401\"", hitAuth}, {":401,", hitAuth}, {":401}", hitAuth}, {": 401", hitAuth}, {" 401 ", hitAuth},
	{"\" 403", hitAuth}, {"\"403\"", hitAuth}, {":403,", hitAuth}, {":403}", hitAuth}, {": 403", hitAuth}, {" 403 ", hitAuth},
	// Catalogue sources whose lines carry none of the words above
	// (catalog.go). Both 4-byte halves of each must be rare in ordinary
	// text, since either half alone is a hit: sshd "not allowed", "Illegal
	// user"; dropbear "Pubkey auth"; proftpd "no such user"; xrdp "AUTHFAIL",
	// "(access granted)"; dovecot "unknown user"; postfix "sasl_username";
	// Apache 2.2 "] [client"; mod_auth_digest "AH0179x"; PostgreSQL
	// "FATAL:  role", "pg_hba"; Grafana "status=401"; Proxmox "successful auth".
	{"lowed", hitAuth}, {"illeg", hitAuth}, {"ey au", hitAuth}, {"such ", hitAuth}, {"authf", hitAuth},
	{"s gra", hitAuth}, {"own u", hitAuth}, {"sasl_", hitAuth}, {"] [cl", hitAuth}, {"ah017", hitAuth},
	{":  ro", hitAuth}, {"g_hba", hitAuth}, {"=401 ", hitAuth}, {"=403 ", hitAuth}, {"ul au", hitAuth},
	{"emory", hitCrash}, {"exite", hitCrash},
	{"k tim", hitTimeout},
	{"\"bloc", hitAuth}, {"eauth", hitAuth}, // AWS WAF "action":"BLOCK"; Cognito InitiateAuth / RespondToAuthChallenge
	// parseServiceJSON tests up to nine markers by substring search on
	// every auth JSON line; it runs only where one of these 5-byte pieces
	// of its markers occurs. Each marker there must contain one of them.
	{":\"acc", hitService}, {"\"atyp", hitService}, {"wnstr", hitService}, {"teadd", hitService},
	{"g_ide", hitService}, {"log\":", hitService}, {"ycloa", hitService}, {"n: us", hitService},
}

// gramSet is the set of folded 4-byte words the prefilter looks for: a
// 64 Ki-bit hash set (8 KiB, stays in L1) that almost every window misses,
// and an open-addressing table (word 0 is empty: a folded word always has
// 0x20 bits set) that says, for a hit, which flags and which user rules the
// word stands for. builtinGrams holds the keywords; a Parser with user rules
// has its own copy plus the rules' words (rulegrams.go).
type gramSet struct {
	bits  [1 << 16 / 64]uint64
	index []gramEntry // power-of-two length
	shift uint32      // 32 - log2(len(index))
	masks []ruleCands // masks[e.rules]; masks[0] is empty
}

type gramEntry struct {
	word  uint32
	flag  uint8
	rules uint16 // index into gramSet.masks, 0 for none
}

var builtinGrams = newGramSet(len(keywords) * 2)

func init() {
	for _, k := range keywords {
		builtinGrams.addWord(k.word, k.flag, nil)
	}
}

// newGramSet sizes the table for n words at most a quarter full, so that a
// hit costs a probe or two.
func newGramSet(n int) *gramSet {
	size, shift := 1024, uint32(22)
	for size < 4*n {
		size, shift = size*2, shift-1
	}
	return &gramSet{index: make([]gramEntry, size), shift: shift, masks: make([]ruleCands, 1)}
}

func (g *gramSet) slot(w uint32) uint32 { return (w * 0x85EBCA6B) >> g.shift }

// addWord enters a folded 5-byte word as its two 4-byte halves (bytes 0–3
// and 1–4): the scan looks at every second position, so one of them is
// always seen, at any alignment.
func (g *gramSet) addWord(word string, flag uint8, rules *ruleCands) {
	for off := 0; off < 2; off++ {
		g.add(word4(word, off)|0x20202020, flag, rules)
	}
}

// add enters one folded 4-byte word; rules, if not nil, join the word's.
func (g *gramSet) add(w uint32, flag uint8, rules *ruleCands) {
	h := gramHash(w)
	g.bits[h>>6] |= 1 << (h & 63)
	mask := uint32(len(g.index) - 1)
	i := g.slot(w)
	for g.index[i].word != 0 && g.index[i].word != w {
		i = (i + 1) & mask
	}
	e := &g.index[i]
	e.word = w
	e.flag |= flag
	if rules == nil {
		return
	}
	if e.rules == 0 {
		e.rules = uint16(len(g.masks))
		g.masks = append(g.masks, ruleCands{})
	}
	g.masks[e.rules].or(rules)
}

// word4 and word8 load little-endian words; slicing first leaves one
// bounds check instead of one per byte, and the compiler merges the loads.
func word4(s string, i int) uint32 {
	b := s[i : i+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func word8(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func gramHash(w uint32) uint32 { return (w * 0x9E3779B1) >> 16 }

// prefilter returns the union of the flags of the keywords that may occur
// in s (a superset: a hit means 4 of a keyword's 5 bytes matched).
func prefilter(s string) uint8 {
	var c ruleCands
	return builtinGrams.scan(s, &c)
}

// scan returns the flags of the words of g that occur in s and ORs their
// user rules into c. It loads 8 bytes per step, folds them once and probes
// the windows at offsets 0, 2 and 4 together, so the common all-miss step
// is three independent loads and one branch.
func (g *gramSet) scan(s string, c *ruleCands) (flags uint8) {
	i := 0
	for ; i+8 <= len(s); i += 6 {
		x := word8(s, i) | 0x2020202020202020
		h0, h1, h2 := gramHash(uint32(x)), gramHash(uint32(x>>16)), gramHash(uint32(x>>32))
		if g.bits[h0>>6]&(1<<(h0&63))|g.bits[h1>>6]&(1<<(h1&63))|g.bits[h2>>6]&(1<<(h2&63)) == 0 {
			continue
		}
		flags |= g.lookup(uint32(x), c) | g.lookup(uint32(x>>16), c) | g.lookup(uint32(x>>32), c)
	}
	for ; i+4 <= len(s); i += 2 {
		w := word4(s, i) | 0x20202020
		if h := gramHash(w); g.bits[h>>6]&(1<<(h&63)) != 0 {
			flags |= g.lookup(w, c)
		}
	}
	return flags
}

// lookup returns the flags of the folded word w and ORs its rules into c.
func (g *gramSet) lookup(w uint32, c *ruleCands) uint8 {
	mask := uint32(len(g.index) - 1)
	for j := g.slot(w); g.index[j].word != 0; j = (j + 1) & mask {
		if e := &g.index[j]; e.word == w {
			if e.rules != 0 {
				c.or(&g.masks[e.rules])
			}
			return e.flag
		}
	}
	return 0
}
