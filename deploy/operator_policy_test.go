package deploy

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// iamPrefix maps the AWS SDK service packages the CLI may use to their IAM
// action prefixes.
var iamPrefix = map[string]string{
	"cloudwatchlogs": "logs", "dynamodb": "dynamodb", "cloudformation": "cloudformation", "sesv2": "ses", "ses": "ses",
	"secretsmanager": "secretsmanager", "ssm": "ssm", "kinesis": "kinesis", "lambda": "lambda", "iam": "iam", "sts": "sts",
}

// waiterCalls are the operations an SDK waiter polls.
var waiterCalls = map[string]string{"TableExists": "DescribeTable", "TableNotExists": "DescribeTable", "StackCreateComplete": "DescribeStacks"}

// notCalledButNeeded are the policy's actions that no SDK call of the CLI
// names, each with the reason it is granted.
var notCalledButNeeded = map[string]string{
	"iam:PassRole":                  "PutSubscriptionFilter and PutAccountPolicy hand the stream role to CloudWatch Logs",
	"logs:FilterLogEvents":          "`logwarden fetch` (issue #11 item 1, being added in parallel)",
	"logs:GetLogEvents":             "`logwarden fetch` of one stream",
	"cloudformation:DescribeStacks": "`--stack NAME` resolves table names from the outputs (issue #11 item 3, being added in parallel)",
}

type policyDoc struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Action    any
		Resource  any
		Condition map[string]any
	}
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

func loadOperatorPolicy(t *testing.T) (policyDoc, map[string]bool) {
	t.Helper()
	raw, err := os.ReadFile("operator-policy.json")
	require.NoError(t, err)
	var doc policyDoc
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&doc), "operator-policy.json is a valid IAM policy document")
	require.Equal(t, "2012-10-17", doc.Version)
	actions := map[string]bool{}
	for _, s := range doc.Statement {
		require.Equal(t, "Allow", s.Effect, s.Sid)
		require.NotEmpty(t, s.Sid)
		for _, a := range strs(s.Action) {
			require.Regexp(t, `^[a-z0-9-]+:[A-Z][A-Za-z]+$`, a, "%s: one named action, no wildcard", s.Sid)
			actions[a] = true
		}
		for _, r := range strs(s.Resource) {
			if r == "*" {
				// Only for actions without resource-level permissions.
				for _, a := range strs(s.Action) {
					require.Contains(t, []string{"logs:PutAccountPolicy", "logs:DescribeAccountPolicies", "logs:DeleteAccountPolicy"}, a,
						"%s: %s on every resource", s.Sid, a)
				}
				continue
			}
			require.Regexp(t, `^arn:aws:[a-z0-9-]+:(REGION)?:ACCOUNT_ID:`, r, "%s: placeholders README's sed replaces", s.Sid)
		}
	}
	return doc, actions
}

// cliActions lists the IAM actions behind every AWS SDK operation the CLI's
// code can call: the `<service>.<Op>Input` types, paginators and waiters
// named in the non-test Go files of every package of this module that
// cmd/logwarden imports.
func cliActions(t *testing.T) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if .Module}}{{if eq .Module.Path "github.com/logwarden/logwarden"}}{{.Dir}}|{{join .GoFiles ","}}{{end}}{{end}}`, "./cmd/logwarden")
	cmd.Dir = ".."
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", out)
	op := regexp.MustCompile(`^(?:New(\w+)(Paginator|Waiter)|(\w+)Input)$`)
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, line := range strings.Fields(string(out)) {
		dir, files, _ := strings.Cut(line, "|")
		for _, f := range strings.Split(files, ",") {
			if f == "" {
				continue
			}
			file, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			svc := map[string]string{} // local import name -> IAM prefix
			for _, im := range file.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				name, ok := strings.CutPrefix(p, "github.com/aws/aws-sdk-go-v2/service/")
				if !ok || strings.Contains(name, "/") {
					continue
				}
				local := name
				if im.Name != nil {
					local = im.Name.Name
				}
				require.Contains(t, iamPrefix, name, "%s imports %s: add its IAM prefix", f, p)
				svc[local] = iamPrefix[name]
			}
			ast.Inspect(file, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				id, ok := sel.X.(*ast.Ident)
				if !ok || svc[id.Name] == "" {
					return true
				}
				m := op.FindStringSubmatch(sel.Sel.Name)
				switch {
				case m == nil:
					return true
				case m[2] == "Waiter":
					require.Contains(t, waiterCalls, m[1], "waiter %s: say which operation it polls", m[1])
					found[svc[id.Name]+":"+waiterCalls[m[1]]] = filepath.Join(filepath.Base(dir), f)
				case m[1] != "":
					found[svc[id.Name]+":"+m[1]] = filepath.Join(filepath.Base(dir), f)
				default:
					found[svc[id.Name]+":"+m[3]] = filepath.Join(filepath.Base(dir), f)
				}
				return true
			})
		}
	}
	return found
}

// TestOperatorPolicyCoversTheCLI: the policy in deploy/README.md ("The
// operator's IAM policy") names every action the CLI calls, and nothing
// else without a stated reason.
func TestOperatorPolicyCoversTheCLI(t *testing.T) {
	_, granted := loadOperatorPolicy(t)
	called := cliActions(t)
	require.NotEmpty(t, called)
	var missing []string
	for a, where := range called {
		if !granted[a] {
			missing = append(missing, a+" (called in "+where+")")
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "deploy/operator-policy.json lacks actions the CLI calls")
	for a := range granted {
		_, needed := notCalledButNeeded[a]
		require.True(t, called[a] != "" || needed, "%s is granted but the CLI never calls it: drop it or say why in notCalledButNeeded", a)
	}
}
