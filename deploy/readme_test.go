package deploy

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeMatchesTemplate keeps deploy/README.md and the template in
// step: every parameter and output is documented, and every output the
// README's commands read exists.
func TestReadmeMatchesTemplate(t *testing.T) {
	tm := loadTemplate(t)
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	doc := string(raw)
	var rows []string // table rows: a parameter or output is documented in one
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, line)
		}
	}
	inRow := func(name string) bool {
		for _, r := range rows {
			if strings.Contains(r, "`"+name+"`") {
				return true
			}
		}
		return false
	}
	for name := range tm.Parameters {
		require.True(t, inRow(name), "parameter %s is not in README's parameter table", name)
	}
	for name := range tm.Outputs {
		require.True(t, inRow(name), "output %s is not in README's outputs table", name)
	}
	used := map[string]bool{}
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`\$\(out (\w+)\)`), regexp.MustCompile(`OutputKey=='(\w+)'`)} {
		for _, m := range re.FindAllStringSubmatch(doc, -1) {
			used[m[1]] = true
		}
	}
	delete(used, "1") // the helper's own definition: OutputKey=='$1'
	require.NotEmpty(t, used)
	var unknown []string
	for name := range used {
		if _, ok := tm.Outputs[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	require.Empty(t, unknown, "README reads outputs the template does not have")
	for _, table := range []string{"StateTableName", "ConfigTableName"} {
		require.True(t, used[table], "README points the CLI at %s", table)
	}

	// The policy's placeholders are the ones README's sed replaces.
	policy, err := os.ReadFile("operator-policy.json")
	require.NoError(t, err)
	for _, ph := range []string{"ACCOUNT_ID", "REGION", "STACK"} {
		require.Contains(t, string(policy), ph)
		require.Contains(t, doc, `s/`+ph+`/`, "README replaces %s", ph)
	}
	// Steps the lifecycle must show as commands.
	for _, step := range []string{"sam deploy --guided", "--parameter-overrides", "aws secretsmanager create-secret",
		"aws sesv2 create-email-identity", "logwarden subscribe", "logwarden thresholds set", "sam delete",
		"aws dynamodb delete-table", "aws iam create-policy", "--remove --apply"} {
		require.True(t, strings.Contains(doc, step), "README shows %q", step)
	}
}
