package subscribe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"
)

func kinesisOptions() Options {
	return Options{DestinationARN: streamARN, RoleARN: roleARN, FilterPattern: `{ $.level = "ERROR" }`,
		SkipFunctions: []string{"logwarden-processor", "logwarden-subscriber"}}
}

func TestAccountPolicySelection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		exclude []string
		want    string
		err     string
	}{
		{"own groups first, duplicates once", kinesisOptions(), []string{"/ecs/batch", "/aws/lambda/logwarden-processor"},
			`LogGroupName NOT IN ["/aws/lambda/logwarden-processor", "/aws/lambda/logwarden-subscriber", "/ecs/batch"]`, ""},
		{"lambda destination excludes its function", Options{DestinationARN: lambdaARN}, nil,
			`LogGroupName NOT IN ["/aws/lambda/logwarden-processor"]`, ""},
		// A name that closes the quote and the list would widen the policy
		// to the processor's own group.
		{"quote injection", kinesisOptions(), []string{`/x"] OR LogGroupName IN ["/aws/lambda/logwarden-processor`}, "", "not a log group name"},
		{"too many", kinesisOptions(), manyGroups(49), "", "at most 50"},
		{"kinesis without the processor", Options{DestinationARN: streamARN, RoleARN: roleARN}, []string{"/a"}, "", "name the processor"},
	} {
		p, err := tc.opts.AccountPolicy("", tc.exclude)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		got, err := p.SelectionCriteria()
		require.NoError(t, err)
		require.Equal(t, tc.want, got, tc.name)
	}
	_, err := AccountPolicy{Target: Target{DestinationARN: lambdaARN}}.SelectionCriteria()
	require.ErrorContains(t, err, "must exclude at least the processor")
}

func manyGroups(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("/g/%d", i))
	}
	return out
}

func TestAccountPolicyDocument(t *testing.T) {
	p, err := kinesisOptions().AccountPolicy("", nil)
	require.NoError(t, err)
	// The pattern's quotes are JSON-escaped, not spliced in.
	require.JSONEq(t, `{"DestinationArn":"`+streamARN+`","RoleArn":"`+roleARN+`","FilterPattern":"{ $.level = \"ERROR\" }","Distribution":"Random"}`, p.Document())
	p, err = Options{DestinationARN: lambdaARN}.AccountPolicy("", nil)
	require.NoError(t, err)
	require.JSONEq(t, `{"DestinationArn":"`+lambdaARN+`","FilterPattern":""}`, p.Document())
}

// fakePolicies stands in for the account-policy calls, which moto does not
// implement (see TestMotoAccountPolicy).
type fakePolicies struct {
	policies []types.AccountPolicy
	puts     int
}

func (f *fakePolicies) PutAccountPolicy(_ context.Context, in *cloudwatchlogs.PutAccountPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutAccountPolicyOutput, error) {
	f.puts++
	p := types.AccountPolicy{PolicyName: in.PolicyName, PolicyType: in.PolicyType, PolicyDocument: in.PolicyDocument,
		Scope: in.Scope, SelectionCriteria: in.SelectionCriteria}
	for i := range f.policies {
		if aws.ToString(f.policies[i].PolicyName) == aws.ToString(in.PolicyName) {
			f.policies[i] = p
			return &cloudwatchlogs.PutAccountPolicyOutput{}, nil
		}
	}
	f.policies = append(f.policies, p)
	return &cloudwatchlogs.PutAccountPolicyOutput{}, nil
}

func (f *fakePolicies) DescribeAccountPolicies(_ context.Context, in *cloudwatchlogs.DescribeAccountPoliciesInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeAccountPoliciesOutput, error) {
	if in.PolicyType != types.PolicyTypeSubscriptionFilterPolicy {
		return nil, errors.New("policy type required")
	}
	if len(f.policies) == 0 {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no policies")}
	}
	// One policy per page, so the walk follows NextToken.
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	out := &cloudwatchlogs.DescribeAccountPoliciesOutput{AccountPolicies: f.policies[i : i+1]}
	if i+1 < len(f.policies) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func (f *fakePolicies) DeleteAccountPolicy(_ context.Context, in *cloudwatchlogs.DeleteAccountPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteAccountPolicyOutput, error) {
	for i := range f.policies {
		if aws.ToString(f.policies[i].PolicyName) == aws.ToString(in.PolicyName) {
			f.policies = append(f.policies[:i], f.policies[i+1:]...)
			return &cloudwatchlogs.DeleteAccountPolicyOutput{}, nil
		}
	}
	return nil, &types.ResourceNotFoundException{Message: aws.String("not found")}
}

func TestAccountPolicyLifecycle(t *testing.T) {
	ctx := context.Background()
	api := &fakePolicies{}
	p, err := kinesisOptions().AccountPolicy("lw", []string{"/ecs/batch"})
	require.NoError(t, err)

	plan, err := p.Plan(ctx, api)
	require.NoError(t, err)
	require.Equal(t, Subscribe, plan.Action)
	require.NoError(t, p.Apply(ctx, api))
	cur, err := Describe(ctx, api, "lw")
	require.NoError(t, err)
	require.Equal(t, types.ScopeAll, cur.Scope)
	require.Contains(t, aws.ToString(cur.SelectionCriteria), `"/aws/lambda/logwarden-processor"`)

	plan, err = p.Plan(ctx, api)
	require.NoError(t, err)
	require.Equal(t, Already, plan.Action, plan.Reason)

	p.Exclude = append(p.Exclude, "/ecs/other")
	plan, err = p.Plan(ctx, api)
	require.NoError(t, err)
	require.Equal(t, Update, plan.Action)
	require.True(t, strings.Contains(plan.Reason, "/ecs/batch"), plan.Reason)

	other, err := kinesisOptions().AccountPolicy("someone-else", nil)
	require.NoError(t, err)
	plan, err = other.Plan(ctx, api)
	require.NoError(t, err)
	require.Equal(t, Cannot, plan.Action, "one subscription filter policy per account")
	require.Contains(t, plan.Reason, `"lw"`)

	removed, err := RemoveAccountPolicy(ctx, api, "lw")
	require.NoError(t, err)
	require.True(t, removed)
	removed, err = RemoveAccountPolicy(ctx, api, "lw")
	require.NoError(t, err)
	require.False(t, removed, "removing twice is not an error")
	cur, err = Describe(ctx, api, "lw")
	require.NoError(t, err)
	require.Nil(t, cur)
}
