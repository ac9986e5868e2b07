package logline

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/auth/*/expected.jsonl from the parser's output")

// corpusCase is the part of `parse --json` that attribution is judged on.
// A field absent from expected.jsonl must be empty in the parser's output;
// reason is compared only when the expected line names one.
type corpusCase struct {
	Kind   string `json:"kind"`
	IP     string `json:"ip,omitempty"`
	Host   string `json:"host,omitempty"`
	IPFrom string `json:"ip_from,omitempty"`
	User   string `json:"user,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func corpusOf(ev Event) corpusCase {
	c := corpusCase{Kind: ev.Kind.String(), Host: ev.Host, IPFrom: ev.IPFrom, User: ev.User, Reason: ev.Reason}
	if ev.IP.IsValid() {
		c.IP = ev.IP.String()
	}
	return c
}

// TestAuthCorpus walks testdata/auth/<service>/: input.txt holds one log
// message per line (as the service writes it to CloudWatch Logs) and
// expected.jsonl the classification of each line, in order. Each folder
// carries positives, successes, lookalikes that are not failures, and
// hostile variants; adding a service is adding a folder.
func TestAuthCorpus(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "testdata", "auth", "*"))
	require.NoError(t, err)
	p := Default()
	var total, fails, attributed int
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			lines := readLines(t, filepath.Join(dir, "input.txt"))
			got := make([]corpusCase, len(lines))
			nf, na := 0, 0
			for i, l := range lines {
				got[i] = corpusOf(p.Parse(l))
				if got[i].Kind == KindAuthFailure.String() {
					nf++
					if got[i].IP != "" || got[i].Host != "" {
						na++
					}
				}
			}
			total, fails, attributed = total+len(lines), fails+nf, attributed+na
			t.Logf("%-14s samples %3d  failures %3d  attributed %3d", filepath.Base(dir), len(lines), nf, na)
			expPath := filepath.Join(dir, "expected.jsonl")
			if *updateCorpus {
				writeExpected(t, expPath, got)
				return
			}
			want := readLines(t, expPath)
			require.Len(t, want, len(lines), "%s: one expected line per input line", expPath)
			for i, w := range want {
				var exp corpusCase
				require.NoError(t, json.Unmarshal([]byte(w), &exp), "%s:%d", expPath, i+1)
				g := got[i]
				if exp.Reason == "" {
					g.Reason = ""
				}
				require.Equal(t, exp, g, "%s line %d: %q", filepath.Join(dir, "input.txt"), i+1, lines[i])
			}
		})
	}
	t.Logf("all services: samples %d  failures %d  attributed %d", total, fails, attributed)
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimSuffix(sc.Text(), "\r"))
	}
	require.NoError(t, sc.Err())
	return out
}

func writeExpected(t *testing.T, path string, cases []corpusCase) {
	t.Helper()
	var b strings.Builder
	for _, c := range cases {
		j, err := json.Marshal(c)
		require.NoError(t, err)
		b.Write(j)
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}
