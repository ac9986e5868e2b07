package logline

// The prefilter decides, in one pass over a line, whether any expensive
// matcher could apply. Most lines in a log group are ordinary application
// output; running the auth matchers (or a case-insensitive regexp) on each of
// them is what makes a naive classifier twenty times slower than the decode.
//
// It slides a 4-byte window (stepping by two) over the line, folds ASCII letters with |0x20 and
// looks the word up in a 64 Ki-bit hash set (8 KiB, stays in L1). Only on a
// hit is the word looked up in a small open-addressing table of the keyword
// halves. The fold also maps some punctuation together ('@' and '`'); that
// only adds harmless false hits.

// Prefilter flags.
const (
	hitAuth    uint8 = 1 << iota // words that auth lines carry
	hitCrash                     // out-of-memory and exit strings
	hitTimeout                   // "Task timed out"
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
}

type gramEntry struct {
	word uint32
	flag uint8
}

// gramIndex is an open-addressing table of the keyword halves (word 0 is
// empty: a folded word always has 0x20 bits set), so a bit-set hit costs a
// probe or two rather than a pass over every keyword.
var (
	gramBits  [1 << 16 / 64]uint64
	gramIndex [1 << 10]gramEntry
)

func gramSlot(w uint32) uint32 { return (w * 0x85EBCA6B) >> 22 }

func init() {
	for _, k := range keywords {
		for off := 0; off < 2; off++ {
			w := word4(k.word, off) | 0x20202020
			h := gramHash(w)
			gramBits[h>>6] |= 1 << (h & 63)
			i := gramSlot(w)
			for gramIndex[i].word != 0 && gramIndex[i].word != w {
				i = (i + 1) & (uint32(len(gramIndex)) - 1)
			}
			gramIndex[i].word = w
			gramIndex[i].flag |= k.flag
		}
	}
}

func word4(s string, i int) uint32 {
	_ = s[i+3]
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func gramHash(w uint32) uint32 { return (w * 0x9E3779B1) >> 16 }

// prefilter returns the union of the flags of the keywords that may occur
// in s (a superset: a hit means 4 of a keyword's 5 bytes matched).
func prefilter(s string) (flags uint8) {
	for i := 0; i+4 <= len(s); i += 2 {
		w := word4(s, i) | 0x20202020
		h := gramHash(w)
		if gramBits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for j := gramSlot(w); gramIndex[j].word != 0; j = (j + 1) & (uint32(len(gramIndex)) - 1) {
			if gramIndex[j].word == w {
				flags |= gramIndex[j].flag
				break
			}
		}
	}
	return flags
}
