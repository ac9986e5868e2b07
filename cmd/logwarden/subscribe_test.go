package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

func TestSubscribeUsageErrors(t *testing.T) {
	lambdaARN, streamARN := "arn:aws:lambda:us-east-1:1:function:p", "arn:aws:kinesis:us-east-1:1:stream/s"
	role := "arn:aws:iam::1:role/logs-to-stream"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no destination", nil, []string{"--destination-arn is required"}},
		{"neither lambda nor stream", []string{"--destination-arn", "arn:aws:sqs:us-east-1:1:q"}, []string{"is neither a Lambda function ARN", "nor a Kinesis stream ARN"}},
		{"stream without role or processor", []string{"--destination-arn", streamARN},
			[]string{"needs the role CloudWatch Logs assumes", "name the processor function"}},
		{"role on a lambda destination", []string{"--destination-arn", lambdaARN, "--role-arn", role}, []string{"a role is for Kinesis destinations"}},
		{"role not a role ARN", []string{"--destination-arn", streamARN, "--role-arn", "arn:aws:iam::1:user/u", "--skip-function", "p"},
			[]string{"is not an IAM role ARN"}},
		{"old --destination spelling reaches --destination-arn", []string{"--destination", streamARN}, []string{"needs the role"}},
		{"old one-dash -destination too", []string{"-destination", streamARN}, []string{"needs the role"}},
		{"bad patterns, all reported", []string{"--destination-arn", lambdaARN, "--include", "(", "--exclude", "[z-a]"},
			[]string{`include pattern "("`, `exclude pattern "[z-a]"`}},
		{"bad patterns reported without a destination too", []string{"--include", "("}, []string{"--destination-arn is required", `include pattern "("`}},
		{"stray argument", []string{"--destination-arn", lambdaARN, "extra"}, []string{"unexpected arguments: extra"}},
		{"unknown flag", []string{"--nope"}, []string{"logwarden subscribe: unknown flag: --nope"}},
		{"exclude-group without account policy", []string{"--destination-arn", lambdaARN, "--exclude-group", "/x"}, []string{"go with --account-policy"}},
		{"account policy without destination", []string{"--account-policy"}, []string{"--destination-arn is required"}},
		{"account policy with per-group selection", []string{"--account-policy", "--destination-arn", lambdaARN, "--prefix", "/aws/", "--filter-name", "x"},
			[]string{"--prefix, --include and --exclude select groups", "--filter-name is for per-group filters"}},
		// A name that could close the quotes of LogGroupName NOT IN [...]
		// and widen the policy to the processor's own group.
		{"account policy exclusion breaking out of its quotes", []string{"--account-policy", "--destination-arn", lambdaARN,
			"--exclude-group", `x"] OR LogGroupName IN ["/aws/lambda/p`}, []string{"is not a log group name"}},
		{"account policy on a stream without processor", []string{"--account-policy", "--destination-arn", streamARN, "--role-arn", role},
			[]string{"name the processor function"}},
		{"account policy empty name", []string{"--account-policy", "--remove", "--policy-name", ""}, []string{"--policy-name must not be empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, 2, run(append([]string{"subscribe"}, tc.args...), &out, &errOut), errOut.String())
			for _, w := range tc.want {
				require.Contains(t, errOut.String(), w)
			}
			require.Empty(t, out.String())
		})
	}
}

func TestSubscribeHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"subscribe", "-h"}, &out, &errOut))
	require.Contains(t, out.String(), "Exit codes")
}

// TestSubscribeAgainstMoto runs the command end to end, configured only
// through the SDK's environment variables as an operator would.
func TestSubscribeAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", env.Endpoint)
	t.Setenv("AWS_REGION", subscribetest.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	processor := "lw-cli-" + env.Suffix
	dest := env.CreateFunction(t, processor)
	other := env.CreateFunction(t, "lw-cli-other-"+env.Suffix)
	prefix := "/cli-" + env.Suffix + "/"
	env.CreateLogGroups(t, prefix+"api", prefix+"worker", prefix+"full", subscribe.LambdaLogGroup(processor))
	env.PutFilter(t, prefix+"full", "a", other)
	env.PutFilter(t, prefix+"full", "b", other)
	base := []string{"subscribe", "--destination-arn", dest, "--prefix", prefix, "--prefix", subscribe.LambdaLogGroup(processor)}

	var out, errOut bytes.Buffer
	require.Equal(t, subscribeExitCannot, run(base, &out, &errOut), errOut.String())
	require.Contains(t, out.String(), "4 log groups: 2 to subscribe, 0 to update, 0 already subscribed, 1 cannot (both filter slots taken), 1 excluded")
	require.Contains(t, out.String(), "dry run")
	require.Empty(t, env.Filters(t, prefix+"api"), "a dry run changes nothing")

	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, run(append(base, "--apply", "--exclude", "full$"), &out, &errOut), errOut.String())
	require.Contains(t, errOut.String(), "[2/2] subscribed")
	require.Equal(t, map[string]string{"logwarden": dest}, env.Filters(t, prefix+"worker"))

	out.Reset()
	require.Equal(t, 0, run(append(base, "--json", "--exclude", "full$"), &out, &errOut))
	var doc struct {
		Mode   string         `json:"mode"`
		Counts map[string]int `json:"counts"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Equal(t, "dry-run", doc.Mode)
	require.Equal(t, map[string]int{"already-subscribed": 2, "excluded": 1}, doc.Counts)

	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, run(append(base, "--remove", "--apply"), &out, &errOut), errOut.String())
	require.Contains(t, out.String(), "applied: 2 changed, 0 failed")
	require.Empty(t, env.Filters(t, prefix+"api"))
	require.Len(t, env.Filters(t, prefix+"full"), 2)
}

// TestDocumentedSubscribeCommandsUseRealFlags reads every `logwarden
// subscribe` command in the READMEs (code blocks with their continuation
// lines, and inline code) and requires each flag to be one the command
// has, under its current name: the deploy guide is followed by copy-paste.
func TestDocumentedSubscribeCommandsUseRealFlags(t *testing.T) {
	cmd := newSubscribeCmd(cliIO{})
	flagRE := regexp.MustCompile(`(?:^|\s|\[)--([a-z][a-z-]*)`)
	seen := 0
	for _, path := range []string{"../../deploy/README.md", "../../README.md"} {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		doc := string(b)
		for rest := doc; ; {
			i := strings.Index(rest, "logwarden subscribe")
			if i < 0 {
				break
			}
			inline := i > 0 && rest[i-1] == '`'
			rest = rest[i:]
			end := len(rest)
			if inline {
				end = strings.IndexByte(rest, '`')
			} else {
				for j := 0; j < len(rest); {
					k := strings.IndexByte(rest[j:], '\n')
					if k < 0 {
						break
					}
					if !strings.HasSuffix(strings.TrimRight(rest[j:j+k], " "), `\`) {
						end = j + k
						break
					}
					j += k + 1
				}
			}
			command := rest[:end]
			rest = rest[end:]
			for _, m := range flagRE.FindAllStringSubmatch(command, -1) {
				seen++
				f := cmd.Flags().Lookup(m[1])
				require.NotNil(t, f, "%s: %q uses --%s, which subscribe does not have", path, command, m[1])
				require.False(t, f.Hidden, "%s: %q uses the old name --%s", path, command, m[1])
			}
		}
	}
	require.Greater(t, seen, 20, "the READMEs' subscribe commands were found")
}
