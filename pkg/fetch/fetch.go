// Package fetch pulls log events out of CloudWatch Logs into a capture that
// `logwarden replay` reads: one subscription document (DATA_MESSAGE) per
// line, so group, stream, event id and timestamp survive and a replay of
// the capture sees what the processor would have seen.
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"

	"github.com/logwarden/logwarden/internal/wait"
	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// API is the part of the CloudWatch Logs client fetch uses.
type API interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// FilterName is the subscription filter name the capture's documents carry,
// so a capture is recognisable as fetched rather than delivered.
const FilterName = "logwarden-fetch"

// Defaults of Options.
const (
	DefaultChunk      = time.Hour
	DefaultMaxRetries = 10
	// maxBatch bounds one document. Subscription deliveries are rarely
	// larger; the replay clock advances per document.
	maxBatch = 1000
)

// Options say what to fetch.
type Options struct {
	Groups []string // log group names
	Prefix string   // and every group whose name starts with Prefix
	// Start and End bound the event times, End exclusive.
	Start, End    time.Time
	FilterPattern string
	// Chunk is the time slice fetched from every group before it is
	// written, merged by time: a replay needs the groups interleaved as
	// they happened, not one group after the other. Memory holds one
	// chunk of events. Zero means DefaultChunk.
	Chunk time.Duration
	// PageLimit caps events per FilterLogEvents call (0: the API's
	// maximum, 10,000); tests use it to exercise paging.
	PageLimit int32
	// MaxRetries is how often a throttled call is retried, on top of the
	// SDK's own retries, with exponential backoff. Zero means
	// DefaultMaxRetries.
	MaxRetries int
	// Sleep waits between retries; nil waits on the clock (tests inject).
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, is called after every page.
	Progress func(Progress)
}

// Progress reports how far a fetch is.
type Progress struct {
	Group   string
	Groups  int
	Events  int
	Pages   int
	Through time.Time // end of the chunk being fetched
}

// Stats sum up a fetch.
type Stats struct {
	Groups, Events, Documents, Pages, Throttled int
}

// event is one fetched event with where it came from.
type event struct {
	group, stream string
	ev            cwlogs.LogEvent
}

// Fetch writes the events of the selected groups between Start and End to
// w, one subscription document per line, in time order across groups.
func Fetch(ctx context.Context, api API, o Options, w io.Writer) (Stats, error) {
	var st Stats
	if !o.Start.Before(o.End) {
		return st, fmt.Errorf("empty time range: %s is not before %s", o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339))
	}
	groups, err := resolveGroups(ctx, api, o, &st)
	if err != nil {
		return st, err
	}
	st.Groups = len(groups)
	chunk := o.Chunk
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	enc := json.NewEncoder(w)
	for from := o.Start; from.Before(o.End); from = from.Add(chunk) {
		to := from.Add(chunk)
		if to.After(o.End) {
			to = o.End
		}
		var evs []event
		for _, g := range groups {
			if evs, err = fetchGroup(ctx, api, o, g, from, to, evs, &st); err != nil {
				return st, fmt.Errorf("log group %s: %w", g, err)
			}
		}
		// Stable: events of one time keep the API's (and the groups') order.
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].ev.Timestamp < evs[j].ev.Timestamp })
		if err := writeDocuments(enc, evs, &st); err != nil {
			return st, fmt.Errorf("write capture: %w", err)
		}
	}
	return st, nil
}

func resolveGroups(ctx context.Context, api API, o Options, st *Stats) ([]string, error) {
	seen := map[string]bool{}
	var groups []string
	for _, g := range o.Groups {
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	if o.Prefix != "" {
		in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(o.Prefix)}
		n := 0
		for {
			out, err := retry(ctx, o, st, func() (*cloudwatchlogs.DescribeLogGroupsOutput, error) { return api.DescribeLogGroups(ctx, in) })
			if err != nil {
				return nil, fmt.Errorf("list log groups with prefix %s: %w", o.Prefix, err)
			}
			for _, lg := range out.LogGroups {
				n++
				if g := aws.ToString(lg.LogGroupName); !seen[g] {
					seen[g] = true
					groups = append(groups, g)
				}
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			in.NextToken = out.NextToken
		}
		if n == 0 {
			return nil, fmt.Errorf("no log group starts with %q", o.Prefix)
		}
	}
	if len(groups) == 0 {
		return nil, errors.New("no log group selected")
	}
	return groups, nil
}

func fetchGroup(ctx context.Context, api API, o Options, group string, from, to time.Time, evs []event, st *Stats) ([]event, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(group),
		StartTime:    aws.Int64(from.UnixMilli()),
		// EndTime is inclusive ("events with a timestamp later than this
		// time are not returned"): stop 1 ms short so the next chunk does
		// not fetch the boundary again.
		EndTime: aws.Int64(to.UnixMilli() - 1),
	}
	if o.FilterPattern != "" {
		in.FilterPattern = aws.String(o.FilterPattern)
	}
	if o.PageLimit > 0 {
		in.Limit = aws.Int32(o.PageLimit)
	}
	for {
		out, err := retry(ctx, o, st, func() (*cloudwatchlogs.FilterLogEventsOutput, error) { return api.FilterLogEvents(ctx, in) })
		if err != nil {
			return evs, err
		}
		st.Pages++
		for _, e := range out.Events {
			evs = append(evs, event{group: group, stream: aws.ToString(e.LogStreamName), ev: cwlogs.LogEvent{
				ID: aws.ToString(e.EventId), Timestamp: aws.ToInt64(e.Timestamp), Message: aws.ToString(e.Message)}})
		}
		st.Events += len(out.Events)
		if o.Progress != nil {
			o.Progress(Progress{Group: group, Groups: st.Groups, Events: st.Events, Pages: st.Pages, Through: to})
		}
		// The API may return an empty page with a token while it searches;
		// only a missing token, or the same one again, ends the group.
		next := aws.ToString(out.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			return evs, nil
		}
		in.NextToken = out.NextToken
	}
}

// writeDocuments writes runs of consecutive events of one group and stream
// as subscription documents, as CloudWatch Logs would have delivered them.
func writeDocuments(enc *json.Encoder, evs []event, st *Stats) error {
	for i := 0; i < len(evs); {
		j := i + 1
		for j < len(evs) && j-i < maxBatch && evs[j].group == evs[i].group && evs[j].stream == evs[i].stream {
			j++
		}
		b := cwlogs.Batch{MessageType: cwlogs.DataMessage, LogGroup: evs[i].group, LogStream: evs[i].stream,
			SubscriptionFilters: []string{FilterName}, LogEvents: make([]cwlogs.LogEvent, 0, j-i)}
		for _, e := range evs[i:j] {
			b.LogEvents = append(b.LogEvents, e.ev)
		}
		if err := enc.Encode(&b); err != nil {
			return err
		}
		st.Documents++
		i = j
	}
	return nil
}

// retry calls f until it succeeds, fails with something other than
// throttling, or MaxRetries throttled attempts have passed. The SDK already
// retries a throttled call a few times; a fetch of days of logs from many
// groups can stay over the FilterLogEvents quota for longer than that.
func retry[T any](ctx context.Context, o Options, st *Stats, f func() (T, error)) (T, error) {
	max := o.MaxRetries
	if max <= 0 {
		max = DefaultMaxRetries
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = wait.Sleep
	}
	for attempt := 0; ; attempt++ {
		v, err := f()
		if err == nil || !Throttled(err) || attempt >= max {
			return v, err
		}
		st.Throttled++
		if err := sleep(ctx, Backoff(attempt)); err != nil {
			return v, err
		}
	}
}

// Backoff is the wait before retry attempt+1: exponential from 250 ms,
// capped at 20 s, with up to 50 % jitter so parallel fetches spread out.
func Backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(attempt, 7)
	d = min(d, 20*time.Second)
	return d/2 + rand.N(d/2+1)
}

// Throttled reports whether err is CloudWatch Logs refusing for rate.
func Throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "TooManyRequestsException", "LimitExceededException", "RequestLimitExceeded":
		return true
	}
	return false
}
