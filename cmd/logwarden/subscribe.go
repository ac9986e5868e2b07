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
	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/subscribe"
)

// Exit codes of `logwarden subscribe`, beyond the usual 0 ok, 1 failure
// (an API call failed), 2 usage.
const subscribeExitCannot = 3 // some selected groups have both filter slots taken

const subscribeLong = `Puts logwarden's subscription filter on existing CloudWatch Logs log groups.
Dry run by default: prints the plan (already subscribed, will subscribe,
will update, cannot: both filter slots taken, excluded: logwarden's own log
group). --apply carries it out, --remove takes logwarden's filter off again.

A group is selected when it starts with one of --prefix (every group when
none is given), matches at least one --include (when given) and matches no
--exclude. Patterns are Go regular expressions matched anywhere in the name:
anchor them (^/aws/lambda/prod-, -test$) to match whole names. The
processor's own group (/aws/lambda/<function in --destination>) and those of
--skip-function are never subscribed.

Region, credentials and endpoint come from the AWS SDK's usual settings
(AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, ...).

Exit codes: 0 done (or nothing to do), 1 an AWS call failed (listing, or a
group during --apply/--remove), 2 usage, 3 some selected groups cannot be
subscribed because both subscription filter slots are taken.`

func init() { register(newSubscribeCmd) }

func newSubscribeCmd(o cliIO) *cobra.Command {
	var opts subscribeOptions
	cmd := &cobra.Command{
		Use:   "subscribe --destination ARN [flags]",
		Short: "subscribe existing log groups to the processor (dry run by default)",
		Long:  subscribeLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := subscribeFromOptions(opts, args)
			if err != nil {
				return &usageError{err}
			}
			return runSubscribe(cmd.Context(), opts, s, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.destination, "destination", "", "`ARN` of the logwarden processor function (required)")
	fs.Var(&opts.prefixes, "prefix", "log group name prefix to select (repeatable)")
	fs.Var(&opts.include, "include", "regular expression a selected group must match (repeatable)")
	fs.Var(&opts.exclude, "exclude", "regular expression that deselects a group (repeatable)")
	fs.Var(&opts.skip, "skip-function", "another logwarden function whose log group must never be subscribed, e.g. the subscriber (repeatable)")
	fs.StringVar(&opts.filterName, "filter-name", subscribe.DefaultFilterName, "subscription filter name")
	fs.StringVar(&opts.filterPattern, "filter-pattern", "", "CloudWatch Logs filter pattern (empty forwards every event)")
	fs.BoolVar(&opts.apply, "apply", false, "carry out the plan")
	fs.BoolVar(&opts.remove, "remove", false, "remove logwarden's filter instead (a dry run unless --apply is given too)")
	fs.BoolVar(&opts.json, "json", false, "print the plan and results as one JSON object")
	return cmd
}

// subscribeList is a repeatable string flag.
type subscribeList []string

func (l *subscribeList) String() string     { return strings.Join(*l, ",") }
func (l *subscribeList) Set(v string) error { *l = append(*l, v); return nil }
func (l *subscribeList) Type() string       { return "strings" }

type subscribeOptions struct {
	destination, filterName, filterPattern string
	prefixes, include, exclude, skip       subscribeList
	apply, remove, json                    bool
}

func subscribeFromOptions(o subscribeOptions, args []string) (subscribe.Subscriber, error) {
	var problems []error
	if len(args) > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments: %s", strings.Join(args, " ")))
	}
	fn := subscribe.FunctionName(o.destination)
	if fn == "" {
		problems = append(problems, fmt.Errorf("--destination must be a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME), got %q", o.destination))
	}
	if o.filterName == "" {
		problems = append(problems, errors.New("--filter-name must not be empty"))
	}
	rules, err := subscribe.NewRules(o.prefixes, o.include, o.exclude, append([]string{fn}, o.skip...))
	if err != nil {
		problems = append(problems, err)
	}
	s := subscribe.Subscriber{Rules: rules, Target: subscribe.Target{
		DestinationARN: o.destination, FilterName: o.filterName, FilterPattern: o.filterPattern}}
	return s, errors.Join(problems...)
}

func runSubscribe(ctx context.Context, opts subscribeOptions, s subscribe.Subscriber, o cliIO) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	s.Logs = subscribe.NewClient(cfg)
	if code := subscribeRun(ctx, &s, opts, o.stdout, o.stderr); code != 0 {
		return exitCode(code)
	}
	return nil
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
	mode := "dry-run"
	if o.apply {
		mode = "apply"
	}
	if o.remove {
		mode += "-remove"
	}
	if plan.Entries == nil {
		plan.Entries = []subscribe.Entry{}
	}
	return json.NewEncoder(w).Encode(struct {
		Mode        string                   `json:"mode"`
		Destination string                   `json:"destination"`
		FilterName  string                   `json:"filter_name"`
		Counts      map[subscribe.Action]int `json:"counts"`
		Entries     []subscribe.Entry        `json:"entries"`
		Report      *subscribe.Report        `json:"report,omitempty"`
	}{mode, o.destination, o.filterName, plan.Counts(), plan.Entries, rep})
}
