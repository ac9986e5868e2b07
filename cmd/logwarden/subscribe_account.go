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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/logwarden/logwarden/pkg/subscribe"
)

// runAccountPolicy is `subscribe --account-policy`: plan, put or remove the
// account-level subscription filter policy.
func runAccountPolicy(ctx context.Context, opts subscribeOptions, args []string, o cliIO) error {
	p, err := accountPolicyFromOptions(opts, args)
	if err != nil {
		return &usageError{err}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	logs, err := subscribeClient(ctx)
	if err != nil {
		return err
	}
	if code := accountPolicyRun(ctx, logs, p, opts, o.stdout, o.stderr); code != 0 {
		return exitCode(code)
	}
	return nil
}

// accountPolicyFromOptions validates the flags of --account-policy, every
// problem at once. Removing needs only the policy's name; a destination
// given with --remove is checked against the policy in place.
func accountPolicyFromOptions(o subscribeOptions, args []string) (subscribe.AccountPolicy, error) {
	var problems []error
	if len(args) > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments: %s", strings.Join(args, " ")))
	}
	if len(o.prefixes)+len(o.include)+len(o.exclude) > 0 {
		// Silently ignoring them would subscribe groups the operator meant
		// to leave out.
		problems = append(problems, errors.New("--prefix, --include and --exclude select groups for per-group filters; "+
			"the account policy covers every group but logwarden's own and each --exclude-group"))
	}
	if o.filterName != subscribe.DefaultFilterName {
		problems = append(problems, errors.New("--filter-name is for per-group filters; the account policy is named by --policy-name"))
	}
	if o.policyName == "" {
		problems = append(problems, errors.New("--policy-name must not be empty"))
	}
	if o.remove && o.destination == "" {
		return subscribe.AccountPolicy{Name: o.policyName}, errors.Join(problems...)
	}
	if o.destination == "" {
		problems = append(problems, errors.New(errNoDestination))
		return subscribe.AccountPolicy{}, errors.Join(problems...)
	}
	p, err := o.options().AccountPolicy(o.policyName, o.excludeGroups)
	if err != nil {
		problems = append(problems, err)
	}
	return p, errors.Join(problems...)
}

// accountPolicyResult is what one run did, as text or one JSON object.
type accountPolicyResult struct {
	Mode   string           `json:"mode"`
	Policy string           `json:"policy"`
	Action subscribe.Action `json:"action"`
	Reason string           `json:"reason,omitempty"`
	// SelectionCriteria and Document are the policy to put, or (--remove)
	// the one in place.
	SelectionCriteria string `json:"selection_criteria,omitempty"`
	Document          string `json:"document,omitempty"`
	Applied           bool   `json:"applied"`
	Error             string `json:"error,omitempty"`
}

// accountPolicyRun returns the exit code: 0, 1 (an AWS call failed) or
// subscribeExitCannot.
func accountPolicyRun(ctx context.Context, api subscribe.AccountPolicyAPI, p subscribe.AccountPolicy, o subscribeOptions,
	stdout, stderr io.Writer) int {
	var res accountPolicyResult
	var err error
	if o.remove {
		res, err = accountPolicyRemoval(ctx, api, p, o)
	} else {
		res, err = accountPolicyPut(ctx, api, p, o)
	}
	if err != nil && res.Policy == "" {
		fmt.Fprintf(stderr, "logwarden subscribe: %v\n", err)
		return 1
	}
	if err != nil {
		res.Error = err.Error()
		fmt.Fprintf(stderr, "logwarden subscribe: %v\n", err)
	}
	if werr := writeAccountPolicy(stdout, res, o.json); werr != nil {
		fmt.Fprintf(stderr, "logwarden subscribe: write output: %v\n", werr)
		return 1
	}
	switch {
	case err != nil:
		return 1
	case res.Action == subscribe.Cannot:
		return subscribeExitCannot
	}
	return 0
}

// accountPolicyPut plans the policy and, with --apply, puts it when it is
// missing or differs. A plan of Cannot is never applied: PutAccountPolicy
// would fail on the account's other policy.
func accountPolicyPut(ctx context.Context, api subscribe.AccountPolicyAPI, p subscribe.AccountPolicy, o subscribeOptions) (accountPolicyResult, error) {
	plan, err := p.Plan(ctx, api)
	if err != nil {
		return accountPolicyResult{}, err
	}
	criteria, _ := p.SelectionCriteria() // Plan has checked it
	res := accountPolicyResult{Mode: subscribeMode(o), Policy: plan.Policy, Action: plan.Action, Reason: plan.Reason,
		SelectionCriteria: criteria, Document: p.Document()}
	if !o.apply || (plan.Action != subscribe.Subscribe && plan.Action != subscribe.Update) {
		return res, nil
	}
	if err := p.Apply(ctx, api); err != nil {
		return res, err
	}
	res.Applied = true
	return res, nil
}

// accountPolicyRemoval describes the policy and, with --apply, deletes it.
func accountPolicyRemoval(ctx context.Context, api subscribe.AccountPolicyAPI, p subscribe.AccountPolicy, o subscribeOptions) (accountPolicyResult, error) {
	name := p.Name
	cur, err := subscribe.Describe(ctx, api, name)
	if err != nil {
		return accountPolicyResult{}, err
	}
	res := accountPolicyResult{Mode: subscribeMode(o), Policy: name, Action: subscribe.Absent,
		Reason: "the account has no subscription filter policy named " + name}
	if cur == nil {
		return res, nil
	}
	res.Action, res.Reason = subscribe.Remove, ""
	res.SelectionCriteria, res.Document = aws.ToString(cur.SelectionCriteria), aws.ToString(cur.PolicyDocument)
	if dest := policyDestination(cur); o.destination != "" && dest != o.destination {
		res.Action = subscribe.Cannot
		res.Reason = fmt.Sprintf("policy %s sends to %s, not to --destination-arn %s: not removing another tool's policy", name, dest, o.destination)
		return res, nil
	}
	if !o.apply {
		return res, nil
	}
	removed, err := subscribe.RemoveAccountPolicy(ctx, api, name)
	if err != nil {
		return res, err
	}
	if !removed { // deleted by someone else since Describe
		res.Action, res.Reason = subscribe.Absent, "the policy was already gone"
		return res, nil
	}
	res.Applied = true
	return res, nil
}

// policyDestination reads DestinationArn from a policy's document.
func policyDestination(p *types.AccountPolicy) string {
	var doc struct{ DestinationArn string }
	_ = json.Unmarshal([]byte(aws.ToString(p.PolicyDocument)), &doc)
	return doc.DestinationArn
}

func writeAccountPolicy(w io.Writer, res accountPolicyResult, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(res)
	}
	fmt.Fprintf(w, "account policy %s: %s\n", res.Policy, res.Action)
	if res.Reason != "" {
		fmt.Fprintf(w, "  %s\n", res.Reason)
	}
	if res.SelectionCriteria != "" {
		fmt.Fprintf(w, "  selection: %s\n  document:  %s\n", res.SelectionCriteria, res.Document)
	}
	var err error
	switch {
	case res.Applied && res.Action == subscribe.Remove:
		_, err = fmt.Fprintf(w, "applied: account policy %s removed\n", res.Policy)
	case res.Applied:
		_, err = fmt.Fprintf(w, "applied: account policy %s put\n", res.Policy)
	case res.Error == "" && (res.Action == subscribe.Subscribe || res.Action == subscribe.Update || res.Action == subscribe.Remove):
		_, err = fmt.Fprintln(w, "dry run: nothing was changed; re-run with --apply to carry out this plan")
	}
	return err
}
