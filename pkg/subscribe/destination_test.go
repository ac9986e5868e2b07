package subscribe

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"
)

const (
	lambdaARN = "arn:aws:lambda:eu-west-1:123456789012:function:logwarden-processor"
	streamARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/logwarden-LogStream-AbC"
	roleARN   = "arn:aws:iam::123456789012:role/logwarden-LogsToStreamRole-XyZ"
)

func TestParseDestination(t *testing.T) {
	for arn, want := range map[string]Kind{
		lambdaARN:           KindLambda,
		lambdaARN + ":live": KindLambda,
		streamARN:           KindKinesis,
		"arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s":      KindKinesis,
		"arn:aws:kinesis:eu-west-1:123456789012:stream/":           "",
		"arn:aws:firehose:eu-west-1:123456789012:deliverystream/d": "",
		"arn:aws:lambda:eu-west-1:123456789012:layer:x":            "",
		"logwarden-processor":                                      "",
		"":                                                         "",
	} {
		got, err := ParseDestination(arn)
		require.Equal(t, want, got, arn)
		if want == "" {
			require.Error(t, err, arn)
		} else {
			require.NoError(t, err, arn)
		}
	}
}

func TestOptionsBuild(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		err  string // "" when valid
	}{
		{"lambda", Options{DestinationARN: lambdaARN}, ""},
		{"lambda with a role", Options{DestinationARN: lambdaARN, RoleARN: roleARN}, "leave the role out"},
		{"kinesis", Options{DestinationARN: streamARN, RoleARN: roleARN, SkipFunctions: []string{"logwarden-processor"}}, ""},
		{"kinesis without role", Options{DestinationARN: streamARN, SkipFunctions: []string{"p"}}, "needs the role"},
		{"kinesis without the processor", Options{DestinationARN: streamARN, RoleARN: roleARN}, "name the processor function"},
		{"role not a role", Options{DestinationARN: streamARN, RoleARN: "arn:aws:iam::123456789012:user/bob", SkipFunctions: []string{"p"}}, "not an IAM role ARN"},
		{"firehose", Options{DestinationARN: "arn:aws:firehose:eu-west-1:123456789012:deliverystream/d"}, "neither a Lambda"},
		{"filter name with a colon", Options{DestinationARN: lambdaARN, FilterName: "a:b"}, "without ':'"},
		{"bad pattern", Options{DestinationARN: lambdaARN, Exclude: []string{"("}}, "exclude pattern"},
	} {
		s, err := tc.opts.Build(nil)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, OwnGroup, s.Rules.Match("/aws/lambda/logwarden-processor"), "%s: the processor's group is never subscribed", tc.name)
	}

	s, err := Options{DestinationARN: streamARN, RoleARN: roleARN, SkipFunctions: []string{"p"}}.Build(nil)
	require.NoError(t, err)
	require.Equal(t, types.DistributionRandom, s.Target.Distribution, "spread a busy log stream over the shards")
	require.Equal(t, roleARN, aws.ToString(s.Target.putInput("/g").RoleArn))
	s, err = Options{DestinationARN: lambdaARN}.Build(nil)
	require.NoError(t, err)
	in := s.Target.putInput("/g")
	require.Nil(t, in.RoleArn, "no role for a Lambda destination")
	require.Empty(t, in.Distribution)
}

// A role change on our filter is an update, not "already subscribed".
func TestPlanUpdatesTheRole(t *testing.T) {
	fake := newFakeLogs("/g")
	fake.groups["/g"] = []types.SubscriptionFilter{{FilterName: aws.String("logwarden"), DestinationArn: aws.String(streamARN),
		FilterPattern: aws.String(""), RoleArn: aws.String("arn:aws:iam::123456789012:role/old")}}
	s, err := Options{DestinationARN: streamARN, RoleARN: roleARN, SkipFunctions: []string{"p"}}.Build(fake)
	require.NoError(t, err)
	plan, err := s.Plan(context.Background())
	require.NoError(t, err)
	require.Equal(t, Update, plan.Entries[0].Action)
}
