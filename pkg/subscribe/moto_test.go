package subscribe_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// TestAgainstMoto walks a real CloudWatch Logs API (moto server): more
// groups than one DescribeLogGroups page, a group whose two slots are taken,
// the processor's own group, apply twice, then remove.
func TestAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	ctx := context.Background()
	processor := "lw-proc-" + env.Suffix
	dest := env.CreateFunction(t, processor)
	other1 := env.CreateFunction(t, "lw-other1-"+env.Suffix)
	other2 := env.CreateFunction(t, "lw-other2-"+env.Suffix)

	prefix := "/aws/lambda/lw-" + env.Suffix + "-"
	var groups []string
	for i := range 55 { // > 50, the DescribeLogGroups page size
		groups = append(groups, fmt.Sprintf("%s%02d", prefix, i))
	}
	env.CreateLogGroups(t, groups...)
	own := subscribe.LambdaLogGroup(processor)
	env.CreateLogGroups(t, own)
	full := groups[0]
	env.PutFilter(t, full, "vendor-a", other1)
	env.PutFilter(t, full, "vendor-b", other2)
	half := groups[1]
	env.PutFilter(t, half, "vendor-a", other1)

	rules, err := subscribe.NewRules([]string{prefix, own}, nil, []string{"-54$"}, []string{subscribe.FunctionName(dest)})
	require.NoError(t, err)
	s := &subscribe.Subscriber{Logs: subscribe.NewClient(env.Config), Rules: rules, Target: subscribe.Target{DestinationARN: dest}}

	plan, err := s.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, map[subscribe.Action]int{subscribe.Subscribe: 53, subscribe.Cannot: 1, subscribe.Excluded: 1}, plan.Counts())

	rep := s.Apply(ctx, plan, nil)
	require.Zero(t, rep.Failed, "%+v", rep.Results)
	require.Equal(t, 53, rep.Changed)
	require.Equal(t, map[string]string{"vendor-a": other1, "logwarden": dest}, env.Filters(t, half))
	require.Equal(t, map[string]string{"vendor-a": other1, "vendor-b": other2}, env.Filters(t, full))
	require.Empty(t, env.Filters(t, own), "the processor's own group is never subscribed")
	require.Empty(t, env.Filters(t, groups[54]), "excluded by pattern")

	// Idempotent: the second plan has nothing to do.
	plan, err = s.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, map[subscribe.Action]int{subscribe.Already: 53, subscribe.Cannot: 1, subscribe.Excluded: 1}, plan.Counts())
	require.Zero(t, s.Apply(ctx, plan, nil).Changed)

	// Remove takes our filter off and leaves the others.
	plan, err = s.PlanRemoval(ctx)
	require.NoError(t, err)
	require.Equal(t, 53, plan.Counts()[subscribe.Remove])
	rep = s.ApplyRemoval(ctx, plan, nil)
	require.Zero(t, rep.Failed)
	require.Equal(t, 53, rep.Changed)
	require.Equal(t, map[string]string{"vendor-a": other1}, env.Filters(t, half))
	plan, err = s.PlanRemoval(ctx)
	require.NoError(t, err)
	require.Zero(t, plan.Counts()[subscribe.Remove])
}

// TestMotoTwoFilterLimit checks that a group filling up between plan and
// apply turns into "cannot" rather than a retry storm or a crash.
func TestMotoTwoFilterLimit(t *testing.T) {
	env := subscribetest.New(t)
	ctx := context.Background()
	dest := env.CreateFunction(t, "lw-proc-"+env.Suffix)
	other := env.CreateFunction(t, "lw-other-"+env.Suffix)
	group := "/lw-limit/" + env.Suffix
	env.CreateLogGroups(t, group)

	rules, err := subscribe.NewRules([]string{group}, nil, nil, nil)
	require.NoError(t, err)
	s := &subscribe.Subscriber{Logs: subscribe.NewClient(env.Config), Rules: rules, Target: subscribe.Target{DestinationARN: dest}}
	plan, err := s.Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, subscribe.Subscribe, plan.Entries[0].Action)

	env.PutFilter(t, group, "a", other)
	env.PutFilter(t, group, "b", other)
	rep := s.Apply(ctx, plan, nil)
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, subscribe.Cannot, rep.Results[0].Action)
	require.ErrorContains(t, rep.Results[0].Err, "LimitExceeded")
}
