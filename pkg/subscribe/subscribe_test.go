package subscribe

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

const dest = "arn:aws:lambda:eu-west-1:123456789012:function:logwarden-processor"

func mustRules(t *testing.T, prefixes, include, exclude []string) Rules {
	t.Helper()
	r, err := NewRules(prefixes, include, exclude, []string{"logwarden-processor", "logwarden-subscriber"})
	require.NoError(t, err)
	return r
}

func TestRulesMatch(t *testing.T) {
	tests := []struct {
		name                       string
		prefixes, include, exclude []string
		group                      string
		want                       Verdict
	}{
		{"no rules selects all", nil, nil, nil, "/ecs/web", Selected},
		{"prefix match", []string{"/aws/lambda/"}, nil, nil, "/aws/lambda/api", Selected},
		{"prefix miss", []string{"/aws/lambda/"}, nil, nil, "/ecs/web", NotSelected},
		{"include miss", nil, []string{"^/aws/lambda/prod-"}, nil, "/aws/lambda/dev-api", NotSelected},
		{"include hit", nil, []string{"^/aws/lambda/prod-"}, nil, "/aws/lambda/prod-api", Selected},
		{"exclude wins over include", nil, []string{"prod"}, []string{"-test$"}, "/aws/lambda/prod-test", NotSelected},
		{"unanchored pattern matches inside", nil, []string{"api"}, nil, "/aws/lambda/prod-api-v2", Selected},
		{"processor own group", nil, nil, nil, "/aws/lambda/logwarden-processor", OwnGroup},
		{"subscriber own group", []string{"/aws/"}, nil, nil, "/aws/lambda/logwarden-subscriber", OwnGroup},
		{"own group is exact, not prefix", nil, nil, nil, "/aws/lambda/logwarden-processor-2", Selected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, mustRules(t, tc.prefixes, tc.include, tc.exclude).Match(tc.group))
		})
	}
}

func TestNewRulesReportsEveryBadPattern(t *testing.T) {
	_, err := NewRules(nil, []string{"(", "ok"}, []string{"[z-a]"}, nil)
	require.ErrorContains(t, err, `include pattern "("`)
	require.ErrorContains(t, err, `exclude pattern "[z-a]"`)
}

func TestListPrefixesDropsCovered(t *testing.T) {
	r := Rules{Prefixes: []string{"/aws/lambda/prod", "/ecs/", "/aws/lambda/", "/ecs/"}}
	require.Equal(t, []string{"/aws/lambda/", "/ecs/"}, r.listPrefixes())
	require.Equal(t, []string{""}, Rules{}.listPrefixes())
}

func TestFunctionName(t *testing.T) {
	require.Equal(t, "fn", FunctionName("arn:aws:lambda:us-east-1:123456789012:function:fn"))
	require.Equal(t, "fn", FunctionName("arn:aws-cn:lambda:cn-north-1:123456789012:function:fn:live"))
	require.Empty(t, FunctionName("arn:aws:kinesis:us-east-1:123456789012:stream/s"))
	require.Empty(t, FunctionName("fn"))
}

func TestPlanClassifies(t *testing.T) {
	other := "arn:aws:lambda:eu-west-1:123456789012:function:datadog"
	logs := newFakeLogs("/aws/lambda/new", "/aws/lambda/logwarden-processor", "/ecs/ignored").
		withFilter("/aws/lambda/done", "logwarden", dest, "").
		withFilter("/aws/lambda/stale", "logwarden", other, "").
		withFilter("/aws/lambda/renamed", "old-name", dest, "").
		withFilter("/aws/lambda/full", "a", other, "").withFilter("/aws/lambda/full", "b", other, "").
		withFilter("/aws/lambda/one-free", "a", other, "")
	s := &Subscriber{Logs: logs, Rules: mustRules(t, []string{"/aws/lambda/"}, nil, nil), Target: Target{DestinationARN: dest}}
	plan, err := s.Plan(context.Background())
	require.NoError(t, err)
	got := map[string]Action{}
	for _, e := range plan.Entries {
		got[e.LogGroup] = e.Action
	}
	require.Equal(t, map[string]Action{
		"/aws/lambda/new":                 Subscribe,
		"/aws/lambda/logwarden-processor": Excluded,
		"/aws/lambda/done":                Already,
		"/aws/lambda/stale":               Update,
		"/aws/lambda/renamed":             Already,
		"/aws/lambda/full":                Cannot,
		"/aws/lambda/one-free":            Subscribe,
	}, got)
	require.Equal(t, 2, plan.Counts()[Subscribe])
	require.Equal(t, []string{"a", "b"}, plan.Entries[1].Filters) // sorted: done, full, ...
}

func TestPlanPatternChangeIsUpdate(t *testing.T) {
	logs := newFakeLogs().withFilter("/g", "logwarden", dest, "")
	s := &Subscriber{Logs: logs, Target: Target{DestinationARN: dest, FilterPattern: "REPORT"}}
	plan, err := s.Plan(context.Background())
	require.NoError(t, err)
	require.Equal(t, Update, plan.Entries[0].Action)
}

func TestApplyIsIdempotent(t *testing.T) {
	logs := newFakeLogs("/a", "/b", "/c", "/d", "/e")
	s := &Subscriber{Logs: logs, Target: Target{DestinationARN: dest}}
	ctx := context.Background()
	plan, err := s.Plan(ctx)
	require.NoError(t, err)
	var seen []string
	rep := s.Apply(ctx, plan, func(r Result) { seen = append(seen, r.LogGroup) })
	require.Equal(t, 5, rep.Changed)
	require.Zero(t, rep.Failed)
	require.Len(t, seen, 5)

	plan, err = s.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, map[Action]int{Already: 5}, plan.Counts())
	rep = s.Apply(ctx, plan, nil)
	require.Zero(t, rep.Changed)
	require.Len(t, logs.puts, 5, "second apply made no calls")
}

func TestApplyRaceAndFailures(t *testing.T) {
	logs := newFakeLogs("/a").withFilter("/b", "x", "arn:other", "")
	s := &Subscriber{Logs: logs, Target: Target{DestinationARN: dest}}
	ctx := context.Background()
	plan, err := s.Plan(ctx)
	require.NoError(t, err)
	// Between plan and apply: /b fills its last slot, /a is deleted.
	logs.withFilter("/b", "y", "arn:other2", "")
	delete(logs.groups, "/a")
	rep := s.Apply(ctx, plan, nil)
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, Cannot, rep.Results[1].Action)
	require.True(t, rep.Results[0].Done, "a deleted group is not a failure")

	logs = newFakeLogs("/a")
	logs.putErr = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	s.Logs = logs
	plan, err = s.Plan(ctx)
	require.NoError(t, err)
	rep = s.Apply(ctx, plan, nil)
	require.Equal(t, 1, rep.Failed)
	require.ErrorContains(t, rep.Results[0].Err, "put subscription filter on /a")
	require.Contains(t, rep.Results[0].Error, "AccessDenied")
}

func TestRemoveOnlyOurs(t *testing.T) {
	logs := newFakeLogs("/none").
		withFilter("/ours", "logwarden", dest, "").withFilter("/ours", "other", "arn:x", "").
		withFilter("/foreign", "logwarden", "arn:aws:lambda:eu-west-1:1:function:someone-else", "").
		withFilter("/aws/lambda/logwarden-processor", "logwarden", dest, "")
	s := &Subscriber{Logs: logs, Rules: mustRules(t, nil, nil, nil), Target: Target{DestinationARN: dest}}
	ctx := context.Background()
	plan, err := s.PlanRemoval(ctx)
	require.NoError(t, err)
	require.Equal(t, map[Action]int{Remove: 2, Absent: 2}, plan.Counts())
	rep := s.ApplyRemoval(ctx, plan, nil)
	require.Equal(t, 2, rep.Changed)
	require.ElementsMatch(t, []string{"/ours", "/aws/lambda/logwarden-processor"}, logs.deletes)
	require.Len(t, logs.groups["/ours"], 1, "the other filter stays")
	require.Len(t, logs.groups["/foreign"], 1)

	// Applying the old plan again: filters already gone count as done.
	rep = s.ApplyRemoval(ctx, plan, nil)
	require.Zero(t, rep.Failed)
	require.Zero(t, rep.Changed)
}

func TestLimitNotRate(t *testing.T) {
	tests := []struct {
		err  error
		want aws.Ternary
	}{
		{&smithy.GenericAPIError{Code: "LimitExceededException", Message: "Resource limit exceeded."}, aws.FalseTernary},
		{&smithy.GenericAPIError{Code: "LimitExceededException", Message: "Rate exceeded"}, aws.TrueTernary},
		{&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}, aws.UnknownTernary},
		{errors.New("plain"), aws.UnknownTernary},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, limitNotRate(tc.err), tc.err.Error())
	}
}
