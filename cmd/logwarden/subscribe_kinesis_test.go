package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// motoCLIEnv points the CLI at moto through the SDK's environment
// variables only, as an operator's shell would.
func motoCLIEnv(t *testing.T) *subscribetest.Env {
	t.Helper()
	env := subscribetest.New(t)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": env.Endpoint, "AWS_REGION": subscribetest.Region,
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
	} {
		t.Setenv(k, v)
	}
	return env
}

// TestSubscribeKinesisAgainstMoto subscribes groups to a Kinesis stream
// with the role CloudWatch Logs assumes (kinesis per-group mode), exactly
// as deploy/README.md's commands do, and takes the filters off again.
func TestSubscribeKinesisAgainstMoto(t *testing.T) {
	env := motoCLIEnv(t)
	stream := env.CreateStream(t, "lw-cli-stream-"+env.Suffix)
	role := env.CreateRole(t, "lw-cli-logs-to-stream-"+env.Suffix)
	processor := "lw-cli-proc-" + env.Suffix
	prefix := "/cli-kinesis-" + env.Suffix + "/"
	own := subscribe.LambdaLogGroup(processor)
	env.CreateLogGroups(t, prefix+"api", prefix+"worker", own)
	base := []string{"subscribe", "--destination-arn", stream, "--role-arn", role, "--skip-function", processor,
		"--prefix", prefix, "--prefix", own}

	out, stderr, code := runCLI(t, append(base, "--json")...)
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Mode        string         `json:"mode"`
		Destination string         `json:"destination"`
		RoleARN     string         `json:"role_arn"`
		Counts      map[string]int `json:"counts"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "dry-run", doc.Mode)
	require.Equal(t, stream, doc.Destination)
	require.Equal(t, role, doc.RoleARN)
	require.Equal(t, map[string]int{"subscribe": 2, "excluded": 1}, doc.Counts, "the processor's group never feeds its stream")
	require.Empty(t, env.Filters(t, prefix+"api"), "a dry run changes nothing")

	_, stderr, code = runCLI(t, append(base, "--apply")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "[2/2] subscribed")
	for _, g := range []string{prefix + "api", prefix + "worker"} {
		f, err := env.Logs.DescribeSubscriptionFilters(t.Context(), &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(g)})
		require.NoError(t, err)
		require.Len(t, f.SubscriptionFilters, 1)
		require.Equal(t, stream, aws.ToString(f.SubscriptionFilters[0].DestinationArn))
		require.Equal(t, role, aws.ToString(f.SubscriptionFilters[0].RoleArn), "the filter carries the role")
	}
	require.Empty(t, env.Filters(t, own))

	out, stderr, code = runCLI(t, base...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "2 already subscribed", "re-running changes nothing")

	out, stderr, code = runCLI(t, append(base, "--remove", "--apply")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "applied: 2 changed, 0 failed")
	require.Empty(t, env.Filters(t, prefix+"api"))
}

// TestSubscribeAccountPolicyAgainstMoto runs the account-policy cycle
// against moto when moto implements it. moto 5.2.1 does not: both
// DescribeAccountPolicies and PutAccountPolicy answer HTTP 500, so the test
// skips there and names the gap; the CLI's behaviour over the real wire
// protocol is pinned by TestSubscribeAccountPolicyCycle against a
// stand-in of those three calls.
func TestSubscribeAccountPolicyAgainstMoto(t *testing.T) {
	env := motoCLIEnv(t)
	_, err := subscribe.NewClient(env.Config).DescribeAccountPolicies(t.Context(),
		&cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeSubscriptionFilterPolicy},
		func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= http.StatusInternalServerError {
		t.Skipf("moto does not implement DescribeAccountPolicies (%v): subscribe --account-policy is untested against moto", err)
	}
	require.NoError(t, err)
	stream := env.CreateStream(t, "lw-cli-acct-"+env.Suffix)
	role := env.CreateRole(t, "lw-cli-acct-"+env.Suffix)
	name := "lw-cli-" + env.Suffix
	base := []string{"subscribe", "--account-policy", "--policy-name", name, "--destination-arn", stream, "--role-arn", role,
		"--skip-function", "lw-cli-proc-" + env.Suffix}

	out, stderr, code := runCLI(t, base...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "account policy "+name+": subscribe")
	out, stderr, code = runCLI(t, append(base, "--apply")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "applied: account policy "+name+" put")
	out, _, code = runCLI(t, base...)
	require.Equal(t, 0, code)
	require.Contains(t, out, ": already-subscribed")
	out, stderr, code = runCLI(t, append(base, "--remove", "--apply")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "applied: account policy "+name+" removed")
}
