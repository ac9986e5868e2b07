package subscribe_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/subscribe"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// TestMotoKinesisDestination subscribes groups to a Kinesis stream with the
// role, then writes a log event and reads it back from the stream in the
// shape the processor decodes: the whole Kinesis path short of Lambda.
func TestMotoKinesisDestination(t *testing.T) {
	env := subscribetest.New(t)
	ctx := context.Background()
	stream := "lw-stream-" + env.Suffix
	streamARN := env.CreateStream(t, stream)
	role := env.CreateRole(t, "lw-logs-to-stream-"+env.Suffix)
	processor := "lw-proc-" + env.Suffix
	prefix := "/lw-kinesis/" + env.Suffix + "/"
	app, own := prefix+"app", subscribe.LambdaLogGroup(processor)
	env.CreateLogGroups(t, app, own)

	s, err := subscribe.Options{DestinationARN: streamARN, RoleARN: role, Prefixes: []string{prefix, own},
		SkipFunctions: []string{processor}}.Build(subscribe.NewClient(env.Config))
	require.NoError(t, err)
	plan, err := s.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, map[subscribe.Action]int{subscribe.Subscribe: 1, subscribe.Excluded: 1}, plan.Counts())
	rep := s.Apply(ctx, plan, nil)
	require.Zero(t, rep.Failed, "%+v", rep.Results)
	require.Equal(t, map[string]string{"logwarden": streamARN}, env.Filters(t, app))
	require.Empty(t, env.Filters(t, own), "the processor's group never feeds the stream")

	out, err := env.Logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(app)})
	require.NoError(t, err)
	require.Equal(t, role, aws.ToString(out.SubscriptionFilters[0].RoleArn))

	plan, err = s.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, map[subscribe.Action]int{subscribe.Already: 1, subscribe.Excluded: 1}, plan.Counts(), "re-running changes nothing")

	_, err = env.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(app), LogStreamName: aws.String("s1")})
	require.NoError(t, err)
	_, err = env.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(app), LogStreamName: aws.String("s1"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("Failed password for root from 198.51.100.7 port 22 ssh2")}}})
	require.NoError(t, err)
	recs := env.StreamRecords(t, stream)
	require.Len(t, recs, 1)
	batches, err := cwlogs.DecodeKinesisRecord(recs[0], cwlogs.Limits{})
	require.NoError(t, err)
	require.Len(t, batches, 1)
	require.Equal(t, app, batches[0].LogGroup)
	require.Contains(t, batches[0].LogEvents[0].Message, "198.51.100.7")
}

// TestMotoAccountPolicy runs the account-level policy cycle against moto
// when moto implements it. moto 5.2.1 does not (PutAccountPolicy answers
// HTTP 500), so the test skips there and names the gap; the request
// shapes are pinned by TestAccountPolicyLifecycle with an in-memory fake.
func TestMotoAccountPolicy(t *testing.T) {
	env := subscribetest.New(t)
	ctx := context.Background()
	logs := subscribe.NewClient(env.Config)
	stream := env.CreateStream(t, "lw-acct-"+env.Suffix)
	p, err := subscribe.Options{DestinationARN: stream, RoleARN: env.CreateRole(t, "lw-acct-"+env.Suffix),
		SkipFunctions: []string{"lw-proc-" + env.Suffix}}.AccountPolicy("lw-"+env.Suffix, nil)
	require.NoError(t, err)

	probe, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err = logs.PutAccountPolicy(probe, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String("lw-probe-" + env.Suffix),
		PolicyType: types.PolicyTypeSubscriptionFilterPolicy, PolicyDocument: aws.String(p.Document()), Scope: types.ScopeAll},
		func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
	var re *smithyhttp.ResponseError
	if err != nil && errors.As(err, &re) && re.HTTPStatusCode() >= http.StatusInternalServerError {
		t.Skipf("moto does not implement PutAccountPolicy (%v): the account-level policy is untested against a server", err)
	}
	require.NoError(t, err)
	_, _ = subscribe.RemoveAccountPolicy(ctx, logs, "lw-probe-"+env.Suffix)

	require.NoError(t, p.Apply(ctx, logs))
	plan, err := p.Plan(ctx, logs)
	require.NoError(t, err)
	require.Equal(t, subscribe.Already, plan.Action, plan.Reason)
	removed, err := subscribe.RemoveAccountPolicy(ctx, logs, "lw-"+env.Suffix)
	require.NoError(t, err)
	require.True(t, removed)
}
