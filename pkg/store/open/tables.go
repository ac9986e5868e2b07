package open

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// EnvStack names the CloudFormation stack whose outputs name the tables, as
// --stack does.
const EnvStack = "LOGWARDEN_STACK"

// Default table names: `logwarden tables create` makes these, and
// `--store dynamodb` uses them when nothing else names the tables.
const (
	DefaultStateTable  = "logwarden-state"
	DefaultConfigTable = "logwarden-config"
)

// Output keys of deploy/template.yaml that name the tables.
const (
	OutputStateTable  = "StateTableName"
	OutputConfigTable = "ConfigTableName"
)

// StackOutputs reads a stack's outputs (CloudFormation DescribeStacks).
type StackOutputs interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// Tables are the DynamoDB table names a command uses and where they came
// from, for messages.
type Tables struct {
	State, Config string
	From          string
}

// TableNames resolves the table names, first match wins: the stack given
// as --stack, the LOGWARDEN_STATE_TABLE / LOGWARDEN_CONFIG_TABLE variables
// (each falling back to its default), the stack in LOGWARDEN_STACK, and
// finally the names `tables create` uses.
// An explicit flag beats the environment so that one shell can look at two
// deployments.
func TableNames(ctx context.Context, o Options, cfg func() (aws.Config, error)) (Tables, error) {
	getenv := o.getenv()
	stack := o.Stack
	if stack == "" && getenv(EnvStateTable) == "" && getenv(EnvConfigTable) == "" {
		stack = getenv(EnvStack)
	}
	if stack == "" {
		// Each name on its own: the variable, else the default, exactly
		// what `tables create` creates.
		t := Tables{State: getenv(EnvStateTable), Config: getenv(EnvConfigTable), From: "environment"}
		if t.State == "" && t.Config == "" {
			t.From = "default names"
		}
		t.State = cmp.Or(t.State, DefaultStateTable)
		t.Config = cmp.Or(t.Config, DefaultConfigTable)
		return t, nil
	}
	api := o.Stacks
	if api == nil {
		c, err := cfg()
		if err != nil {
			return Tables{}, err
		}
		api = cloudformation.NewFromConfig(c)
	}
	return StackTables(ctx, api, stack)
}

// StackTables reads the table names from a logwarden stack's outputs.
func StackTables(ctx context.Context, api StackOutputs, stack string) (Tables, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return Tables{}, fmt.Errorf("stack %s: %w", stack, err)
	}
	if len(out.Stacks) == 0 {
		return Tables{}, fmt.Errorf("stack %s: not found", stack)
	}
	t := Tables{From: "stack " + stack}
	for _, o := range out.Stacks[0].Outputs {
		switch aws.ToString(o.OutputKey) {
		case OutputStateTable:
			t.State = aws.ToString(o.OutputValue)
		case OutputConfigTable:
			t.Config = aws.ToString(o.OutputValue)
		}
	}
	if t.State == "" || t.Config == "" {
		return Tables{}, fmt.Errorf("stack %s: %w", stack, errNoTableOutputs)
	}
	return t, nil
}

var errNoTableOutputs = errors.New("outputs " + OutputStateTable + " and " + OutputConfigTable +
	" not found (is it a logwarden stack from deploy/template.yaml?)")
