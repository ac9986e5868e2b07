package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/subscribe"
)

// Exit codes of `logwarden subscribe`, beyond the usual 0 ok, 1 failure
// (an API call failed), 2 usage.
const subscribeExitCannot = 3 // some selected groups have both filter slots taken, or the account has another policy

const subscribeLong = `Puts logwarden's subscription filter on existing CloudWatch Logs log groups,
or (--account-policy) one account-level subscription filter policy that covers
every log group of the account and region, present and future.
Dry run by default: prints the plan (already subscribed, will subscribe,
will update, cannot: both filter slots taken, excluded: logwarden's own log
group). --apply carries it out, --remove takes logwarden's filter (or the
account policy) off again.

The destination is the processor function (direct mode) or the Kinesis data
stream it reads (kinesis mode): the stack's SubscriptionDestinationArn output.
A stream also needs --role-arn (the role CloudWatch Logs assumes to write to
it, the stack's SubscriptionRoleArn output) and --skip-function naming the
processor, whose own log group must never feed the stream it reads.

A group is selected when it starts with one of --prefix (every group when
none is given), matches at least one --include (when given) and matches no
--exclude. Patterns are Go regular expressions matched anywhere in the name:
anchor them (^/aws/lambda/prod-, -test$) to match whole names. The
processor's own group (/aws/lambda/<function in --destination-arn>) and those
of --skip-function are never subscribed.

--account-policy replaces the selection flags with exclusions: the policy
covers every group except logwarden's own (always) and each --exclude-group
(at most 50 in all). An account has one subscription filter policy; --remove
deletes the one named --policy-name (the destination flags are then only
checked against it, when given).

Region, credentials and endpoint come from the AWS SDK's usual settings
(AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, ...).

Exit codes: 0 done (or nothing to do), 1 an AWS call failed (listing, or a
group during --apply/--remove), 2 usage, 3 some selected groups cannot be
subscribed because both subscription filter slots are taken, or (with
--account-policy) the account already has a subscription filter policy of
another name, or the policy to remove sends to another destination.`

func init() { register(newSubscribeCmd) }

func newSubscribeCmd(o cliIO) *cobra.Command {
	var opts subscribeOptions
	cmd := &cobra.Command{
		Use:   "subscribe --destination-arn ARN [flags]",
		Short: "subscribe existing log groups to the processor (dry run by default)",
		Long:  subscribeLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.accountPolicy {
				return runAccountPolicy(cmd.Context(), opts, args, o)
			}
			s, err := subscribeFromOptions(opts, args)
			if err != nil {
				return &usageError{err}
			}
			return runSubscribe(cmd.Context(), opts, s, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.destination, "destination-arn", "", "`ARN` of the processor function or of the Kinesis stream it reads (required)")
	fs.StringVar(&opts.roleARN, "role-arn", "", "`ARN` of the role CloudWatch Logs assumes to write to a Kinesis stream (Kinesis only)")
	// --destination was the flag's name while only Lambda ARNs were
	// accepted; scripts written then (also in the one-dash style of package
	// flag, -destination) keep working. Hidden: help shows one name.
	fs.StringVar(&opts.destination, "destination", "", "old name of --destination-arn")
	_ = fs.MarkHidden("destination")
	fs.Var(&opts.prefixes, "prefix", "log group name prefix to select (repeatable)")
	fs.Var(&opts.include, "include", "regular expression a selected group must match (repeatable)")
	fs.Var(&opts.exclude, "exclude", "regular expression that deselects a group (repeatable)")
	fs.Var(&opts.skip, "skip-function", "another logwarden function whose log group must never be subscribed, e.g. the subscriber (repeatable)")
	fs.StringVar(&opts.filterName, "filter-name", subscribe.DefaultFilterName, "subscription filter name")
	fs.StringVar(&opts.filterPattern, "filter-pattern", "", "CloudWatch Logs filter pattern (empty forwards every event)")
	fs.BoolVar(&opts.accountPolicy, "account-policy", false, "manage one account-level subscription filter policy instead of per-group filters")
	fs.StringVar(&opts.policyName, "policy-name", subscribe.DefaultAccountPolicyName, "`NAME` of the account policy (with --account-policy)")
	fs.Var(&opts.excludeGroups, "exclude-group", "log group `NAME` the account policy leaves out (repeatable, with --account-policy)")
	fs.BoolVar(&opts.apply, "apply", false, "carry out the plan")
	fs.BoolVar(&opts.remove, "remove", false, "remove logwarden's filter (or account policy) instead; a dry run unless --apply is given too")
	fs.BoolVar(&opts.json, "json", false, "print the plan and results as one JSON object")
	return cmd
}

// subscribeList is a repeatable string flag.
type subscribeList []string

func (l *subscribeList) String() string     { return strings.Join(*l, ",") }
func (l *subscribeList) Set(v string) error { *l = append(*l, v); return nil }
func (l *subscribeList) Type() string       { return "strings" }

type subscribeOptions struct {
	destination, roleARN, filterName, filterPattern string
	prefixes, include, exclude, skip                subscribeList
	accountPolicy                                   bool
	policyName                                      string
	excludeGroups                                   subscribeList
	apply, remove, json                             bool
}

// options are the flags in the form pkg/subscribe validates.
func (o subscribeOptions) options() subscribe.Options {
	return subscribe.Options{DestinationARN: o.destination, RoleARN: o.roleARN, FilterName: o.filterName,
		FilterPattern: o.filterPattern, Prefixes: o.prefixes, Include: o.include, Exclude: o.exclude, SkipFunctions: o.skip}
}

const errNoDestination = "--destination-arn is required: the processor function's or the Kinesis stream's ARN " +
	"(the stack's SubscriptionDestinationArn output)"

// subscribeFromOptions validates the per-group flags, every problem at
// once. The client is set after validation, so a usage mistake never
// needs AWS configuration.
func subscribeFromOptions(o subscribeOptions, args []string) (*subscribe.Subscriber, error) {
	var problems []error
	if len(args) > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments: %s", strings.Join(args, " ")))
	}
	if len(o.excludeGroups) > 0 || o.policyName != subscribe.DefaultAccountPolicyName {
		problems = append(problems, errors.New("--exclude-group and --policy-name go with --account-policy"))
	}
	if o.filterName == "" {
		problems = append(problems, errors.New("--filter-name must not be empty"))
	}
	if o.destination == "" {
		// Only the selection is left to check; Build would repeat the
		// missing destination in its own words.
		problems = append(problems, errors.New(errNoDestination))
		if _, err := subscribe.NewRules(o.prefixes, o.include, o.exclude, o.skip); err != nil {
			problems = append(problems, err)
		}
		return nil, errors.Join(problems...)
	}
	s, err := o.options().Build(nil)
	if err != nil {
		problems = append(problems, err)
	}
	return s, errors.Join(problems...)
}

func runSubscribe(ctx context.Context, opts subscribeOptions, s *subscribe.Subscriber, o cliIO) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	logs, err := subscribeClient(ctx)
	if err != nil {
		return err
	}
	s.Logs = logs
	if code := subscribeRun(ctx, s, opts, o.stdout, o.stderr); code != 0 {
		return exitCode(code)
	}
	return nil
}

// subscribeClient is the CloudWatch Logs client from the SDK's usual
// configuration, with the throttling-tolerant retryer.
func subscribeClient(ctx context.Context) (*cloudwatchlogs.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return subscribe.NewClient(cfg), nil
}

// subscribeRun plans, prints and (with --apply) carries out the plan.
func subscribeRun(ctx context.Context, s *subscribe.Subscriber, o subscribeOptions, stdout, stderr io.Writer) int {
	planFn, applyFn, verb := s.Plan, s.Apply, "subscribed"
	if o.remove {
		planFn, applyFn, verb = s.PlanRemoval, s.ApplyRemoval, "removed from"
	}
	plan, err := planFn(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "logwarden subscribe: %v\n", err)
		return 1
	}
	var rep *subscribe.Report
	if o.apply {
		todo, done := subscribePending(plan), 0
		r := applyFn(ctx, plan, func(res subscribe.Result) {
			done++
			if res.Err != nil {
				fmt.Fprintf(stderr, "[%d/%d] FAILED %s: %v\n", done, todo, res.LogGroup, res.Err)
				return
			}
			fmt.Fprintf(stderr, "[%d/%d] %s %s\n", done, todo, verb, res.LogGroup)
		})
		rep = &r
	}
	if o.json {
		err = subscribeJSON(stdout, plan, o, rep)
	} else {
		err = subscribeTable(stdout, plan, o, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "logwarden subscribe: write output: %v\n", err)
		return 1
	}
	switch {
	case rep != nil && rep.Failed > 0 && subscribeOnlyCannot(rep):
		return subscribeExitCannot
	case rep != nil && rep.Failed > 0:
		return 1
	case !o.remove && plan.Counts()[subscribe.Cannot] > 0:
		return subscribeExitCannot
	}
	return 0
}

func subscribePending(plan subscribe.Plan) int {
	c := plan.Counts()
	return c[subscribe.Subscribe] + c[subscribe.Update] + c[subscribe.Remove]
}

// subscribeOnlyCannot reports whether every failure was a group whose slots
// filled up after planning: that is exit code 3, not an API failure.
func subscribeOnlyCannot(rep *subscribe.Report) bool {
	for _, r := range rep.Results {
		if r.Err != nil && r.Action != subscribe.Cannot {
			return false
		}
	}
	return true
}

func subscribeTable(w io.Writer, plan subscribe.Plan, o subscribeOptions, rep *subscribe.Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOG GROUP\tACTION\tDETAIL")
	for _, e := range plan.Entries {
		detail := e.Reason
		if detail == "" && len(e.Filters) > 0 {
			detail = "existing filters: " + strings.Join(e.Filters, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.LogGroup, e.Action, detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := plan.Counts()
	if o.remove {
		fmt.Fprintf(w, "\n%d log groups: %d to remove the filter from, %d without it\n", len(plan.Entries), c[subscribe.Remove], c[subscribe.Absent])
	} else {
		fmt.Fprintf(w, "\n%d log groups: %d to subscribe, %d to update, %d already subscribed, %d cannot (both filter slots taken), %d excluded (logwarden's own)\n",
			len(plan.Entries), c[subscribe.Subscribe], c[subscribe.Update], c[subscribe.Already], c[subscribe.Cannot], c[subscribe.Excluded])
	}
	switch {
	case rep != nil:
		_, err := fmt.Fprintf(w, "applied: %d changed, %d failed\n", rep.Changed, rep.Failed)
		return err
	case subscribePending(plan) > 0:
		_, err := fmt.Fprintln(w, "dry run: nothing was changed; re-run with --apply to carry out this plan")
		return err
	}
	return nil
}

func subscribeJSON(w io.Writer, plan subscribe.Plan, o subscribeOptions, rep *subscribe.Report) error {
	if plan.Entries == nil {
		plan.Entries = []subscribe.Entry{}
	}
	return json.NewEncoder(w).Encode(struct {
		Mode        string                   `json:"mode"`
		Destination string                   `json:"destination"`
		RoleARN     string                   `json:"role_arn,omitempty"`
		FilterName  string                   `json:"filter_name"`
		Counts      map[subscribe.Action]int `json:"counts"`
		Entries     []subscribe.Entry        `json:"entries"`
		Report      *subscribe.Report        `json:"report,omitempty"`
	}{subscribeMode(o), o.destination, o.roleARN, o.filterName, plan.Counts(), plan.Entries, rep})
}

// subscribeMode names the run in JSON output: dry-run, apply, dry-run-remove
// or apply-remove.
func subscribeMode(o subscribeOptions) string {
	mode := "dry-run"
	if o.apply {
		mode = "apply"
	}
	if o.remove {
		mode += "-remove"
	}
	return mode
}
