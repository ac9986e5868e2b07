package subscribe

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// fakeLogs is an in-memory CloudWatch Logs with small pages, so tests see
// pagination, and the two-filter limit.
type fakeLogs struct {
	groups   map[string][]types.SubscriptionFilter
	pageSize int
	puts     []string
	deletes  []string
	putErr   error
}

func newFakeLogs(groups ...string) *fakeLogs {
	f := &fakeLogs{groups: map[string][]types.SubscriptionFilter{}, pageSize: 2}
	for _, g := range groups {
		f.groups[g] = nil
	}
	return f
}

func (f *fakeLogs) withFilter(group, name, dest, pattern string) *fakeLogs {
	f.groups[group] = append(f.groups[group], types.SubscriptionFilter{
		FilterName: aws.String(name), DestinationArn: aws.String(dest), FilterPattern: aws.String(pattern)})
	return f
}

func (f *fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	var names []string
	for g := range f.groups {
		if strings.HasPrefix(g, aws.ToString(in.LogGroupNamePrefix)) {
			names = append(names, g)
		}
	}
	sort.Strings(names)
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	end := min(start+f.pageSize, len(names))
	for _, n := range names[start:end] {
		out.LogGroups = append(out.LogGroups, types.LogGroup{LogGroupName: aws.String(n)})
	}
	if end < len(names) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeLogs) DescribeSubscriptionFilters(_ context.Context, in *cloudwatchlogs.DescribeSubscriptionFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeSubscriptionFiltersOutput, error) {
	filters, ok := f.groups[aws.ToString(in.LogGroupName)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("gone")}
	}
	return &cloudwatchlogs.DescribeSubscriptionFiltersOutput{SubscriptionFilters: filters}, nil
}

func (f *fakeLogs) PutSubscriptionFilter(_ context.Context, in *cloudwatchlogs.PutSubscriptionFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutSubscriptionFilterOutput, error) {
	if f.putErr != nil {
		return nil, f.putErr
	}
	g := aws.ToString(in.LogGroupName)
	filters, ok := f.groups[g]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("gone")}
	}
	f.puts = append(f.puts, g)
	for i, x := range filters {
		if aws.ToString(x.FilterName) == aws.ToString(in.FilterName) {
			filters[i].DestinationArn, filters[i].FilterPattern = in.DestinationArn, in.FilterPattern
			return &cloudwatchlogs.PutSubscriptionFilterOutput{}, nil
		}
	}
	if len(filters) >= MaxFiltersPerGroup {
		return nil, &types.LimitExceededException{Message: aws.String("Resource limit exceeded.")}
	}
	f.withFilter(g, aws.ToString(in.FilterName), aws.ToString(in.DestinationArn), aws.ToString(in.FilterPattern))
	return &cloudwatchlogs.PutSubscriptionFilterOutput{}, nil
}

func (f *fakeLogs) DeleteSubscriptionFilter(_ context.Context, in *cloudwatchlogs.DeleteSubscriptionFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteSubscriptionFilterOutput, error) {
	g := aws.ToString(in.LogGroupName)
	for i, x := range f.groups[g] {
		if aws.ToString(x.FilterName) == aws.ToString(in.FilterName) {
			f.groups[g] = append(f.groups[g][:i], f.groups[g][i+1:]...)
			f.deletes = append(f.deletes, g)
			return &cloudwatchlogs.DeleteSubscriptionFilterOutput{}, nil
		}
	}
	return nil, &types.ResourceNotFoundException{Message: aws.String("The specified subscription filter does not exist.")}
}
