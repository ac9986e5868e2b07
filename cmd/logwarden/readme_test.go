package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/thresholds"
)

// TestREADMEMatchesCode keeps the README's reference sections honest: every
// threshold attribute, every environment variable the code reads and every
// subcommand must be documented there.
func TestREADMEMatchesCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	doc := string(readme)

	for _, d := range thresholds.Docs() {
		require.Contains(t, doc, "`"+d.Name, "threshold attribute %s is not documented in README.md", d.Name)
	}
	for _, c := range newRoot(cliIO{}).Commands() {
		if c.Name() == "help" {
			continue
		}
		require.Contains(t, doc, "logwarden "+c.Name(), "command %s is not documented in README.md", c.Name())
	}

	// Environment variables read anywhere in the non-test code.
	re := regexp.MustCompile(`"(LOGWARDEN_[A-Z_]+)"`)
	seen := map[string]bool{}
	for _, dir := range []string{"../../pkg", "../../functions", "."} {
		walkGo(t, dir, func(src string) {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				seen[m[1]] = true
			}
		})
	}
	require.NotEmpty(t, seen)
	for v := range seen {
		if strings.HasPrefix(v, "LOGWARDEN_TEST_") {
			continue // the test stand-ins' endpoints, set by .ci/standins.sh
		}
		require.Contains(t, doc, v, "environment variable %s is not documented in README.md", v)
	}
}

func walkGo(t *testing.T, dir string, fn func(string)) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		p := dir + "/" + e.Name()
		switch {
		case e.IsDir():
			walkGo(t, p, fn)
		case strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go"):
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			fn(string(b))
		}
	}
}
