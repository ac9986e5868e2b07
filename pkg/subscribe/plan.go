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

// LogsAPI is the part of the CloudWatch Logs client this package uses, so
// the plan logic can be tested without a server.
type LogsAPI interface {
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	DescribeSubscriptionFilters(context.Context, *cloudwatchlogs.DescribeSubscriptionFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeSubscriptionFiltersOutput, error)
	PutSubscriptionFilter(context.Context, *cloudwatchlogs.PutSubscriptionFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutSubscriptionFilterOutput, error)
	DeleteSubscriptionFilter(context.Context, *cloudwatchlogs.DeleteSubscriptionFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteSubscriptionFilterOutput, error)
}

// DefaultFilterName names logwarden's subscription filter on every group.
const DefaultFilterName = "logwarden"

// MaxFiltersPerGroup is the number of subscription filters CloudWatch Logs
// allows on one log group ("Each log group can have up to two subscription
// filters", Subscriptions.html). PutSubscriptionFilter answers a third with
// LimitExceededException.
const MaxFiltersPerGroup = 2

// Target is the subscription filter logwarden puts on a group.
type Target struct {
	DestinationARN string // the processor function's or the Kinesis stream's ARN
	// RoleARN is the role CloudWatch Logs assumes to write to a Kinesis
	// destination; empty for a Lambda destination.
	RoleARN       string
	FilterName    string             // DefaultFilterName when empty
	FilterPattern string             // "" forwards every event
	Distribution  types.Distribution // Kinesis only; "" leaves the service default
}

func (t Target) name() string {
	if t.FilterName == "" {
		return DefaultFilterName
	}
	return t.FilterName
}

// Action is what a plan does with one log group.
type Action string

// The actions of a plan. Subscribe and Update call PutSubscriptionFilter;
// the others leave the group alone.
const (
	Already   Action = "already-subscribed" // a filter already sends this group to the destination
	Subscribe Action = "subscribe"          // no logwarden filter yet, and a free slot
	Update    Action = "update"             // our filter name, but another destination or pattern
	Cannot    Action = "cannot"             // every filter slot is taken by other destinations
	Excluded  Action = "excluded"           // a logwarden function's own log group
	Remove    Action = "remove"             // (remove plans) our filter is on the group
	Absent    Action = "absent"             // (remove plans) nothing of ours to remove
)

// Entry is the plan for one log group.
type Entry struct {
	LogGroup string `json:"log_group"`
	Action   Action `json:"action"`
	// Reason explains Already, Update, Cannot and Excluded in words.
	Reason string `json:"reason,omitempty"`
	// Filters are the names of the filters already on the group.
	Filters []string `json:"filters,omitempty"`
}

// Plan is the list of entries, sorted by log group name.
type Plan struct {
	Target  Target  `json:"-"`
	Entries []Entry `json:"entries"`
}

// Counts returns how many entries have each action.
func (p Plan) Counts() map[Action]int {
	c := map[Action]int{}
	for _, e := range p.Entries {
		c[e.Action]++
	}
	return c
}

// Subscriber plans and applies logwarden's subscription filter.
type Subscriber struct {
	Logs   LogsAPI
	Rules  Rules
	Target Target
}

// Plan lists every log group the rules select (paginated, one
// DescribeLogGroups walk per prefix) and decides what to do with each.
func (s *Subscriber) Plan(ctx context.Context) (Plan, error) {
	names, err := s.listGroups(ctx)
	if err != nil {
		return Plan{}, err
	}
	return s.PlanGroups(ctx, names)
}

// PlanGroups plans the named log groups only; groups the rules do not select
// are left out of the plan. A group deleted since it was listed is skipped.
func (s *Subscriber) PlanGroups(ctx context.Context, names []string) (Plan, error) {
	plan := Plan{Target: s.Target}
	for _, name := range names {
		switch s.Rules.Match(name) {
		case NotSelected:
			continue
		case OwnGroup:
			plan.Entries = append(plan.Entries, Entry{LogGroup: name, Action: Excluded,
				Reason: "logwarden's own log group: subscribing it would make the processor feed on its own logs"})
			continue
		}
		filters, err := s.filters(ctx, name)
		if errors.Is(err, errGroupGone) {
			continue
		}
		if err != nil {
			return Plan{}, err
		}
		plan.Entries = append(plan.Entries, classify(name, filters, s.Target))
	}
	sort.Slice(plan.Entries, func(i, j int) bool { return plan.Entries[i].LogGroup < plan.Entries[j].LogGroup })
	return plan, nil
}

// classify decides the action for one group from the filters already on it.
func classify(group string, filters []types.SubscriptionFilter, t Target) Entry {
	e := Entry{LogGroup: group}
	var ours *types.SubscriptionFilter
	for i, f := range filters {
		name := aws.ToString(f.FilterName)
		e.Filters = append(e.Filters, name)
		if name == t.name() {
			ours = &filters[i]
		}
	}
	if ours != nil {
		if aws.ToString(ours.DestinationArn) == t.DestinationARN && aws.ToString(ours.FilterPattern) == t.FilterPattern &&
			aws.ToString(ours.RoleArn) == t.RoleARN {
			e.Action, e.Reason = Already, "filter "+t.name()+" sends to the destination"
			return e
		}
		e.Action = Update
		e.Reason = fmt.Sprintf("filter %s sends to %s with pattern %q", t.name(),
			aws.ToString(ours.DestinationArn), aws.ToString(ours.FilterPattern))
		return e
	}
	for _, f := range filters {
		// Another filter name already delivering to us (an earlier install
		// under another name): a second filter would deliver every event twice.
		if aws.ToString(f.DestinationArn) == t.DestinationARN {
			e.Action, e.Reason = Already, "filter "+aws.ToString(f.FilterName)+" already sends to the destination"
			return e
		}
	}
	if len(filters) >= MaxFiltersPerGroup {
		e.Action = Cannot
		e.Reason = fmt.Sprintf("both subscription filter slots are taken (%d filters to other destinations)", len(filters))
		return e
	}
	e.Action = Subscribe
	return e
}

var errGroupGone = errors.New("log group no longer exists")

// filters returns every subscription filter on the group.
func (s *Subscriber) filters(ctx context.Context, group string) ([]types.SubscriptionFilter, error) {
	var out []types.SubscriptionFilter
	p := cloudwatchlogs.NewDescribeSubscriptionFiltersPaginator(s.Logs,
		&cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, errGroupGone
		}
		if err != nil {
			return nil, fmt.Errorf("describe subscription filters of %s: %w", group, err)
		}
		out = append(out, page.SubscriptionFilters...)
	}
	return out, nil
}

// listGroups returns the names of every log group under the rules'
// prefixes that the rules do not reject outright.
func (s *Subscriber) listGroups(ctx context.Context) ([]string, error) {
	var names []string
	for _, prefix := range s.Rules.listPrefixes() {
		in := &cloudwatchlogs.DescribeLogGroupsInput{}
		if prefix != "" {
			in.LogGroupNamePrefix = aws.String(prefix)
		}
		p := cloudwatchlogs.NewDescribeLogGroupsPaginator(s.Logs, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe log groups (prefix %q): %w", prefix, err)
			}
			for _, g := range page.LogGroups {
				if name := aws.ToString(g.LogGroupName); s.Rules.Match(name) != NotSelected {
					names = append(names, name)
				}
			}
		}
	}
	return names, nil
}
