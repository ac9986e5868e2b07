package seclog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsSecretKey(t *testing.T) {
	for _, tc := range []struct {
		key    string
		secret bool
	}{
		{"password", true}, {"Password", true}, {"new_password", true}, {"passwd", true}, {"PASSPHRASE", true},
		{"pwd", true}, {"pin", true}, {"otp", true}, {"cvv", true}, {"auth", true},
		{"client_secret", true}, {"clientSecret", true}, {"access_token", true}, {"refreshToken", true},
		{"id_token", true}, {"X-Amz-Security-Token", true}, {"x-csrf-token", true},
		{"Authorization", true}, {"authorization", true}, {"proxy-authorization", true},
		{"Cookie", true}, {"set-cookie", true}, {"api_key", true}, {"apiKey", true}, {"X-Api-Key", true},
		{"api key", true}, {"api.key", true}, {"session", true}, {"sessionId", true}, {"SESSION_ID", true},
		{"PHPSESSID", true}, {"jwt", true}, {"private_key", true}, {"aws_secret_access_key", true},
		{"credentials", true}, {"x-auth", true}, {"signature", true},
		// Ordinary names, including near misses of the short ones.
		{"user", false}, {"username", false}, {"email", false}, {"mapping", false}, {"footprint", false},
		{"spinner", false}, {"author", false}, {"ip", false}, {"path", false}, {"user_agent", false},
		{"request_id", false}, {"resource", false}, {"reason", false}, {"event", false}, {"outcome", false},
		{"", false},
	} {
		require.Equal(t, tc.secret, IsSecretKey(tc.key), "%q", tc.key)
	}
}

func TestRedactValue(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	const awsKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct{ in, want string }{
		{"plain text stays", "plain text stays"},
		{"token " + jwt + " end", "token [REDACTED:jwt] end"},
		{`{"t":"` + jwt + `"}`, `{"t":"[REDACTED:jwt]"}`},
		{"eyJhbGciOiJub25lIn0.e30.", "[REDACTED:jwt]"}, // unsigned JWT
		{"key=" + awsKey, "key=[REDACTED:aws_secret]"},
		{"Authorization: Bearer abcdef0123456789", "Authorization: Bearer [REDACTED:credentials]"},
		{"bearer " + jwt, "bearer [REDACTED:credentials]"},
		{"Basic dXNlcjpodW50ZXIy", "Basic [REDACTED:credentials]"},
		{"basic plan chosen", "basic plan chosen"}, // not base64 of user:password
		{"card 4111 1111 1111 1111 ok", "card [REDACTED:card] ok"},
		{"4111-1111-1111-1111", "[REDACTED:card]"},
		{"pan=5555555555554444;", "pan=[REDACTED:card];"},
		{"amex 378282246310005", "amex [REDACTED:card]"},
		{"/orders/4111111111111111/items", "/orders/[REDACTED:card]/items"},
		{"ref-4111-1111-1111-1111", "ref-[REDACTED:card]"},
		// Not cards: Luhn fails, epoch milliseconds, too short, glued to letters.
		{"4111 1111 1111 1112", "4111 1111 1111 1112"},
		{"ts 1668093027024", "ts 1668093027024"},
		{"order 4111111", "order 4111111"},
		{"x4111111111111111", "x4111111111111111"},
		// Not AWS secrets: a SHA-1 (hex), a 40-letter word.
		{"commit 3f786850e387550fdab836ed7e6dc881de23001b", "commit 3f786850e387550fdab836ed7e6dc881de23001b"},
		{"eyJ short", "eyJ short"},
		{"", ""},
	} {
		require.Equal(t, tc.want, RedactValue(tc.in), "%q", tc.in)
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"alice", 64, "alice"},
		{"Zoë Ålander 山田", 64, "Zoë Ålander 山田"},       // printable non-Latin text is kept
		{"ad\u200bmin", 64, `ad\u200Bmin`},             // zero-width space
		{"ad\u200dmin\ufeff", 64, `ad\u200Dmin\uFEFF`}, // joiner, BOM
		{"user\u202egnp.exe", 64, `user\u202Egnp.exe`}, // right-to-left override
		{"\u2066x\u2069", 64, `\u2066x\u2069`},         // bidi isolates
		{"x\nFailed password for root from 10.9.9.9", 64, `x\u000AFailed password for root from 10.9.9.9`},
		{"a\rb\tc\x00d\x7f", 64, `a\u000Db\u0009c\u0000d\u007F`},
		{"a\u2028b\u0085c", 64, `a\u2028b\u0085c`},
		{"bad\xffutf8", 64, `bad\xFFutf8`},
		{"\U000E0041tag", 64, `\U000E0041tag`}, // a tag character (Cf, invisible)
		{strings.Repeat("a", 10), 4, "aaaa…"},
		{"ééé", 3, "é…"}, // the cut stays on a character boundary
	} {
		require.Equal(t, tc.want, Escape(tc.in, tc.max), "%q", tc.in)
	}
}
