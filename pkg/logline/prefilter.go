package logline

// The prefilter decides, in one pass over a line, whether any expensive
// matcher could apply. Most lines in a log group are ordinary application
// output; running the auth matchers (or a case-insensitive regexp) on each of
// them is what makes a naive classifier twenty times slower than the decode.
//
// It slides a 4-byte window over the line, folds ASCII letters with |0x20 and
// looks the word up in a 64 Ki-bit hash set (8 KiB, stays in L1). Only on a
// hit is the word compared against the keyword list. The fold also maps some
// punctuation together ('@' and '`'); that only adds harmless false hits.

// Prefilter flags.
const (
	hitAuth    uint8 = 1 << iota // words that auth lines carry
	hitCrash                     // out-of-memory and exit strings
	hitTimeout                   // "Task timed out"
)

// grams are the folded 4-byte keywords and what they suggest. Keep them
// broad: the matchers behind them decide precisely.
var grams = [...]struct {
	word string
	flag uint8
}{
	{"fail", hitAuth}, {"deni", hitAuth}, {"inva", hitAuth}, {"unau", hitAuth},
	{"auth", hitAuth}, {"logi", hitAuth}, {"logo", hitAuth}, {"sign", hitAuth},
	{"pass", hitAuth}, {"refu", hitAuth}, {"forb", hitAuth}, {"expi", hitAuth},
	{"sshd", hitAuth}, {"acce", hitAuth},
	{" 401", hitAuth}, {" 403", hitAuth}, {"\"401", hitAuth}, {"\"403", hitAuth},
	{":401", hitAuth}, {":403", hitAuth}, {"=401", hitAuth}, {"=403", hitAuth},
	{"emor", hitCrash}, {"exit", hitCrash},
	{"k ti", hitTimeout},
}

type gramEntry struct {
	word uint32
	flag uint8
}

var (
	gramBits  [1 << 16 / 64]uint64
	gramTable []gramEntry
)

func init() {
	for _, g := range grams {
		w := word4(g.word, 0) | 0x20202020
		gramTable = append(gramTable, gramEntry{w, g.flag})
		h := gramHash(w)
		gramBits[h>>6] |= 1 << (h & 63)
	}
}

func word4(s string, i int) uint32 {
	_ = s[i+3]
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func gramHash(w uint32) uint32 { return (w * 0x9E3779B1) >> 16 }

// prefilter returns the union of the flags of the keywords found in s.
func prefilter(s string) (flags uint8) {
	for i := 0; i+4 <= len(s); i++ {
		w := word4(s, i) | 0x20202020
		h := gramHash(w)
		if gramBits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for _, g := range gramTable {
			if g.word == w {
				flags |= g.flag
			}
		}
	}
	return flags
}
