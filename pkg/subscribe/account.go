package subscribe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// AccountPolicyAPI is the part of the CloudWatch Logs client that manages
// the account-level subscription filter policy.
type AccountPolicyAPI interface {
	PutAccountPolicy(context.Context, *cloudwatchlogs.PutAccountPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutAccountPolicyOutput, error)
	DescribeAccountPolicies(context.Context, *cloudwatchlogs.DescribeAccountPoliciesInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeAccountPoliciesOutput, error)
	DeleteAccountPolicy(context.Context, *cloudwatchlogs.DeleteAccountPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteAccountPolicyOutput, error)
}

// DefaultAccountPolicyName names logwarden's account-level policy (the
// template names it after the stack).
const DefaultAccountPolicyName = "logwarden"

// MaxExcludedGroups is how many names `LogGroupName NOT IN [...]` takes
// (PutAccountPolicy, selectionCriteria).
const MaxExcludedGroups = 50

// AccountPolicy is an account-level subscription filter policy: every log
// group of the account and region, present and future, except Exclude,
// delivers to Target without using the groups' two filter slots. An
// account has at most one such policy.
type AccountPolicy struct {
	Name    string // DefaultAccountPolicyName when empty
	Target  Target // FilterName is not used
	Exclude []string
}

// AccountPolicy builds the account-level policy for these options: the same
// destination, role and pattern as the per-group filters, excluding the
// logwarden functions' own groups (always) and the named log groups.
func (o Options) AccountPolicy(name string, excludeGroups []string) (AccountPolicy, error) {
	t, own, errs := o.target()
	p := AccountPolicy{Name: name, Target: t}
	for _, fn := range append(own, o.SkipFunctions...) {
		p.Exclude = append(p.Exclude, LambdaLogGroup(fn))
	}
	p.Exclude = append(p.Exclude, excludeGroups...)
	if _, err := p.SelectionCriteria(); err != nil {
		errs = append(errs, err)
	}
	return p, errors.Join(errs...)
}

func (p AccountPolicy) name() string {
	if p.Name == "" {
		return DefaultAccountPolicyName
	}
	return p.Name
}

// logGroupName is the character set CloudWatch Logs allows in a group
// name; checking it keeps a name from breaking out of its quotes in the
// selection criteria.
var logGroupName = regexp.MustCompile(`^[A-Za-z0-9._/#-]{1,512}$`)

// SelectionCriteria is `LogGroupName NOT IN ["a", "b"]`, the names in the
// order given, without duplicates.
func (p AccountPolicy) SelectionCriteria() (string, error) {
	var quoted []string
	seen := map[string]bool{}
	for _, n := range p.Exclude {
		if seen[n] {
			continue
		}
		seen[n] = true
		if !logGroupName.MatchString(n) {
			return "", fmt.Errorf("excluded log group %q is not a log group name (letters, digits, . _ / # -)", n)
		}
		quoted = append(quoted, strconv.Quote(n))
	}
	if len(quoted) == 0 {
		// Without exclusions the processor's own group would be covered.
		return "", errors.New("the account policy must exclude at least the processor's own log group")
	}
	if len(quoted) > MaxExcludedGroups {
		return "", fmt.Errorf("the account policy can exclude at most %d log groups, got %d", MaxExcludedGroups, len(quoted))
	}
	return "LogGroupName NOT IN [" + strings.Join(quoted, ", ") + "]", nil
}

// policyDocument is the JSON PolicyDocument of a subscription filter policy.
type policyDocument struct {
	DestinationArn string `json:"DestinationArn"`
	RoleArn        string `json:"RoleArn,omitempty"`
	FilterPattern  string `json:"FilterPattern"`
	Distribution   string `json:"Distribution,omitempty"`
}

// Document is the policy's JSON document.
func (p AccountPolicy) Document() string {
	b, _ := json.Marshal(policyDocument{DestinationArn: p.Target.DestinationARN, RoleArn: p.Target.RoleARN,
		FilterPattern: p.Target.FilterPattern, Distribution: string(p.Target.Distribution)})
	return string(b)
}

// AccountPlan says what applying the policy would do: Subscribe (create
// it), Update, Already (the same policy is in place) or Cannot (the
// account's one subscription filter policy has another name).
type AccountPlan struct {
	Policy  string               `json:"policy"`
	Action  Action               `json:"action"`
	Reason  string               `json:"reason,omitempty"`
	Current *types.AccountPolicy `json:"-"`
}

// Describe returns the account's subscription filter policy named name,
// or nil when there is none.
func Describe(ctx context.Context, api AccountPolicyAPI, name string) (*types.AccountPolicy, error) {
	all, err := subscriptionPolicies(ctx, api)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if aws.ToString(all[i].PolicyName) == name {
			return &all[i], nil
		}
	}
	return nil, nil
}

func subscriptionPolicies(ctx context.Context, api AccountPolicyAPI) ([]types.AccountPolicy, error) {
	var out []types.AccountPolicy
	in := &cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeSubscriptionFilterPolicy}
	for {
		page, err := api.DescribeAccountPolicies(ctx, in)
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return out, nil // no policy of this type
		}
		if err != nil {
			return nil, fmt.Errorf("describe account subscription filter policies: %w", err)
		}
		out = append(out, page.AccountPolicies...)
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// Plan compares the policy with what the account has.
func (p AccountPolicy) Plan(ctx context.Context, api AccountPolicyAPI) (AccountPlan, error) {
	criteria, err := p.SelectionCriteria()
	if err != nil {
		return AccountPlan{}, err
	}
	all, err := subscriptionPolicies(ctx, api)
	if err != nil {
		return AccountPlan{}, err
	}
	plan := AccountPlan{Policy: p.name(), Action: Subscribe}
	for i, cur := range all {
		if aws.ToString(cur.PolicyName) != p.name() {
			plan.Action = Cannot
			plan.Reason = fmt.Sprintf("the account already has subscription filter policy %q (one per account): "+
				"delete it or subscribe log groups one by one", aws.ToString(cur.PolicyName))
			continue
		}
		plan.Current = &all[i]
		switch {
		case sameJSON(aws.ToString(cur.PolicyDocument), p.Document()) && aws.ToString(cur.SelectionCriteria) == criteria &&
			cur.Scope == types.ScopeAll:
			plan.Action, plan.Reason = Already, "the policy is in place"
		default:
			plan.Action = Update
			plan.Reason = fmt.Sprintf("policy %s has document %s and selection %q", p.name(),
				aws.ToString(cur.PolicyDocument), aws.ToString(cur.SelectionCriteria))
		}
		return plan, nil
	}
	return plan, nil
}

func sameJSON(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

// Apply creates or replaces the policy (PutAccountPolicy replaces a policy
// of the same name and type).
func (p AccountPolicy) Apply(ctx context.Context, api AccountPolicyAPI) error {
	criteria, err := p.SelectionCriteria()
	if err != nil {
		return err
	}
	_, err = api.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{
		PolicyName:        aws.String(p.name()),
		PolicyType:        types.PolicyTypeSubscriptionFilterPolicy,
		PolicyDocument:    aws.String(p.Document()),
		Scope:             types.ScopeAll,
		SelectionCriteria: aws.String(criteria),
	})
	if err != nil {
		return fmt.Errorf("put account policy %s: %w", p.name(), err)
	}
	return nil
}

// RemoveAccountPolicy deletes the named subscription filter policy; a
// policy already gone is not an error (removed is then false).
func RemoveAccountPolicy(ctx context.Context, api AccountPolicyAPI, name string) (removed bool, err error) {
	_, err = api.DeleteAccountPolicy(ctx, &cloudwatchlogs.DeleteAccountPolicyInput{
		PolicyName: aws.String(name), PolicyType: types.PolicyTypeSubscriptionFilterPolicy})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("delete account policy %s: %w", name, err)
	}
	return true, nil
}
