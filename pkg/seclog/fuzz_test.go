package seclog

import (
	"testing"
	"unicode/utf8"
)

// FuzzClean checks what every written value goes through: valid UTF-8, no
// character that must be escaped, the length cap, and escaping that is
// stable (escaping the result again changes nothing).
func FuzzClean(f *testing.F) {
	for _, s := range []string{"alice", "ad\u200bmin\u202e", "a\nb\x00\xff", "4111 1111 1111 1111",
		"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ééé"} {
		f.Add(s, 16)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 4096 {
			max = 64
		}
		out := Clean(s, max)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		if len(out) > max+len("…") {
			t.Fatalf("%d bytes > %d", len(out), max)
		}
		for i, r := range out {
			if mustEscape(r, utf8.RuneLen(r)) {
				t.Fatalf("unescaped %U at %d in %q", r, i, out)
			}
		}
		if again := Escape(out, len(out)); again != out {
			t.Fatalf("escaping is not stable: %q -> %q", out, again)
		}
		_ = IsSecretKey(s)
	})
}
