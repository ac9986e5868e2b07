package subscribe

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Result is what happened to one entry of a plan when it was applied.
type Result struct {
	Entry
	// Done is true when the API call succeeded (or nothing was needed).
	Done bool `json:"done"`
	// Err is set when the call failed; Error carries it into JSON.
	Err   error  `json:"-"`
	Error string `json:"error,omitempty"`
}

// Report sums up an applied plan.
type Report struct {
	Results []Result `json:"results"`
	Changed int      `json:"changed"` // filters put or deleted
	Failed  int      `json:"failed"`
}

// Progress is called after each group an Apply or ApplyRemoval touched.
type Progress func(Result)

// Apply puts the subscription filter on every Subscribe and Update entry of
// the plan. It carries on past a failed group so one bad group does not
// stop the rest, and reports each failure. A group that filled its last free
// slot since the plan was made becomes Cannot; a group deleted since is
// skipped. Applying the same plan twice is harmless: PutSubscriptionFilter
// with the same filter name replaces the filter.
func (s *Subscriber) Apply(ctx context.Context, plan Plan, progress Progress) Report {
	var rep Report
	for _, e := range plan.Entries {
		if e.Action != Subscribe && e.Action != Update {
			continue
		}
		if err := ctx.Err(); err != nil {
			rep.add(Result{Entry: e, Err: err}, progress)
			continue
		}
		_, err := s.Logs.PutSubscriptionFilter(ctx, s.Target.putInput(e.LogGroup))
		var limit *types.LimitExceededException
		var gone *types.ResourceNotFoundException
		switch {
		case errors.As(err, &limit):
			e.Action, e.Reason = Cannot, "both subscription filter slots were taken before the filter could be put"
			rep.add(Result{Entry: e, Err: fmt.Errorf("put subscription filter on %s: %w", e.LogGroup, err)}, progress)
		case errors.As(err, &gone):
			e.Reason = "log group was deleted"
			rep.add(Result{Entry: e, Done: true}, progress)
		case err != nil:
			rep.add(Result{Entry: e, Err: fmt.Errorf("put subscription filter on %s: %w", e.LogGroup, err)}, progress)
		default:
			rep.Changed++
			rep.add(Result{Entry: e, Done: true}, progress)
		}
	}
	return rep
}

// putInput is the PutSubscriptionFilter request for one group.
func (t Target) putInput(group string) *cloudwatchlogs.PutSubscriptionFilterInput {
	in := &cloudwatchlogs.PutSubscriptionFilterInput{
		LogGroupName:   aws.String(group),
		FilterName:     aws.String(t.name()),
		FilterPattern:  aws.String(t.FilterPattern),
		DestinationArn: aws.String(t.DestinationARN),
		Distribution:   t.Distribution,
	}
	if t.RoleARN != "" {
		in.RoleArn = aws.String(t.RoleARN)
	}
	return in
}

func (r *Report) add(res Result, progress Progress) {
	if res.Err != nil {
		r.Failed++
		res.Error = res.Err.Error()
	}
	r.Results = append(r.Results, res)
	if progress != nil {
		progress(res)
	}
}

// PlanRemoval lists the groups the rules select, including logwarden's own
// (removing a filter that should never have been there is welcome), and
// marks those carrying our filter to our destination for removal. A filter
// with our name that sends elsewhere belongs to another installation and is
// left alone.
func (s *Subscriber) PlanRemoval(ctx context.Context) (Plan, error) {
	names, err := s.listGroups(ctx)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Target: s.Target}
	for _, name := range names {
		filters, err := s.filters(ctx, name)
		if errors.Is(err, errGroupGone) {
			continue
		}
		if err != nil {
			return Plan{}, err
		}
		e := Entry{LogGroup: name, Action: Absent}
		for _, f := range filters {
			e.Filters = append(e.Filters, aws.ToString(f.FilterName))
			if aws.ToString(f.FilterName) != s.Target.name() {
				continue
			}
			if aws.ToString(f.DestinationArn) == s.Target.DestinationARN {
				e.Action = Remove
			} else {
				e.Reason = "filter " + s.Target.name() + " sends to another destination: " + aws.ToString(f.DestinationArn)
			}
		}
		plan.Entries = append(plan.Entries, e)
	}
	sort.Slice(plan.Entries, func(i, j int) bool { return plan.Entries[i].LogGroup < plan.Entries[j].LogGroup })
	return plan, nil
}

// ApplyRemoval deletes our filter from every Remove entry. A filter already
// gone counts as done, so removal is idempotent.
func (s *Subscriber) ApplyRemoval(ctx context.Context, plan Plan, progress Progress) Report {
	var rep Report
	for _, e := range plan.Entries {
		if e.Action != Remove {
			continue
		}
		_, err := s.Logs.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{
			LogGroupName: aws.String(e.LogGroup),
			FilterName:   aws.String(s.Target.name()),
		})
		var gone *types.ResourceNotFoundException
		switch {
		case errors.As(err, &gone):
			rep.add(Result{Entry: e, Done: true}, progress)
		case err != nil:
			rep.add(Result{Entry: e, Err: fmt.Errorf("delete subscription filter from %s: %w", e.LogGroup, err)}, progress)
		default:
			rep.Changed++
			rep.add(Result{Entry: e, Done: true}, progress)
		}
	}
	return rep
}
