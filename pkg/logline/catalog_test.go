package logline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCatalogue pins the table's shape: every source has its sample folder,
// a matcher for each way it is routed, and keys the one-pass router can
// index; no program name is claimed twice.
func TestCatalogue(t *testing.T) {
	progs := map[string]string{}
	for _, src := range catalogue {
		fi, err := os.Stat(filepath.Join("..", "..", "testdata", "auth", src.name, "input.txt"))
		require.NoError(t, err, "%s: testdata/auth/%s/input.txt", src.name, src.name)
		require.False(t, fi.IsDir())
		require.True(t, len(src.progs) > 0 || len(src.keys) > 0, "%s: routed by nothing", src.name)
		require.Equal(t, len(src.progs) > 0, src.syslog != nil, "%s: programs need a syslog matcher", src.name)
		require.Equal(t, len(src.keys) > 0, src.line != nil, "%s: keys need a line matcher", src.name)
		for _, k := range src.keys {
			require.GreaterOrEqual(t, len(k), 2, "%s: key %q", src.name, k)
		}
		for _, p := range src.progs {
			require.NotContains(t, progs, p, "%s: program %q already routed to %s", src.name, p, progs[p])
			progs[p] = src.name
			require.Equal(t, p, progName(p+"[1]"), "%s: program %q is not what progName yields", src.name, p)
		}
	}
}

// TestSyslogHead reads the program tag of the shapes the CloudWatch agent
// and journald ship.
func TestSyslogHead(t *testing.T) {
	for _, c := range []struct{ line, prog, msg string }{
		{"Mar  2 10:00:01 ip-10-0-0-5 sshd[1234]: Failed password", "sshd[1234]", "Failed password"},
		{"2024-03-02T10:00:26.123456+00:00 host sshd-session[1]: Invalid user", "sshd-session[1]", "Invalid user"},
		{"<38>1 2024-03-02T10:00:27.000Z host sshd 1257 - - Failed password", "sshd", "Failed password"},
		{`<38>1 2024-03-02T10:00:27.000Z host sshd 1257 ID47 [exampleSDID@32473 iut="3"] Failed password`, "sshd", "Failed password"},
		{"Mar  2 10:10:00 mail postfix/smtpd[9101]: warning: x", "postfix/smtpd[9101]", "warning: x"},
		{"<30>Mar  2 10:00:01 host dropbear[1]: Bad password", "dropbear[1]", "Bad password"},
	} {
		prog, msg, ok := syslogHead(c.line)
		require.True(t, ok, c.line)
		require.Equal(t, c.prog, prog, c.line)
		require.Equal(t, c.msg, msg, c.line)
	}
	require.Equal(t, "postfix", progName("postfix/smtpd[9101]"))
	require.Equal(t, "wordpress", progName("wordpress(example.com)[4]"))
}
