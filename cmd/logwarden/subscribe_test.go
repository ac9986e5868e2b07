package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

func TestSubscribeUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no destination", nil, []string{"--destination must be a Lambda function ARN"}},
		{"kinesis destination", []string{"--destination", "arn:aws:kinesis:us-east-1:1:stream/s"}, []string{"Lambda function ARN"}},
		{"bad patterns, all reported", []string{"--destination", "arn:aws:lambda:us-east-1:1:function:p", "--include", "(", "--exclude", "[z-a]"},
			[]string{`include pattern "("`, `exclude pattern "[z-a]"`}},
		{"stray argument", []string{"--destination", "arn:aws:lambda:us-east-1:1:function:p", "extra"}, []string{"unexpected arguments: extra"}},
		{"unknown flag", []string{"--nope"}, []string{"logwarden subscribe: unknown flag: --nope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, 2, run(append([]string{"subscribe"}, tc.args...), &out, &errOut))
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
	base := []string{"subscribe", "--destination", dest, "--prefix", prefix, "--prefix", subscribe.LambdaLogGroup(processor)}

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
