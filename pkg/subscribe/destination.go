package subscribe

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Kind is the service a subscription filter delivers to.
type Kind string

// The destinations logwarden's processor can be reached through.
const (
	// KindLambda: CloudWatch Logs invokes the processor directly, allowed by
	// the function's resource policy (no role).
	KindLambda Kind = "lambda"
	// KindKinesis: CloudWatch Logs writes to a Kinesis data stream, assuming
	// a role that may kinesis:PutRecord on it; the processor reads the stream.
	KindKinesis Kind = "kinesis"
)

// ParseDestination says which kind of destination an ARN names:
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME or
// arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME.
func ParseDestination(arn string) (Kind, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[3] == "" || parts[4] == "" {
		return "", fmt.Errorf("destination %q is not an ARN", arn)
	}
	switch {
	case parts[2] == "lambda" && FunctionName(arn) != "":
		return KindLambda, nil
	case parts[2] == "kinesis" && strings.HasPrefix(parts[5], "stream/") && len(parts[5]) > len("stream/"):
		return KindKinesis, nil
	}
	return "", fmt.Errorf("destination %q is neither a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME) "+
		"nor a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", arn)
}

// isRoleARN accepts arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
func isRoleARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] != "" &&
		strings.HasPrefix(parts[5], "role/") && len(parts[5]) > len("role/")
}

// Options are the settings of `logwarden subscribe` (and the subscriber
// function), one field per flag, validated together by Build.
type Options struct {
	DestinationARN string   // --destination-arn: the processor function or the stream
	RoleARN        string   // --role-arn: Kinesis only, the role CloudWatch Logs assumes
	FilterName     string   // --filter-name (DefaultFilterName when empty)
	FilterPattern  string   // --filter-pattern ("" forwards every event)
	Prefixes       []string // --prefix (repeatable)
	Include        []string // --include (repeatable)
	Exclude        []string // --exclude (repeatable)
	// SkipFunctions are logwarden functions whose log groups are never
	// subscribed (--skip-function). With a Lambda destination the
	// processor is known from its ARN; with a stream it must be named here,
	// or its own logs would travel the stream back to it.
	SkipFunctions []string
}

// Build validates the options (every problem at once) and returns the
// subscriber; logs is the CloudWatch Logs client (NewClient).
func (o Options) Build(logs LogsAPI) (*Subscriber, error) {
	target, own, errs := o.target()
	rules, err := NewRules(o.Prefixes, o.Include, o.Exclude, append(own, o.SkipFunctions...))
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Subscriber{Logs: logs, Rules: rules, Target: target}, nil
}

// target checks the destination, role and filter settings; own is the
// processor function known from a Lambda destination.
func (o Options) target() (t Target, own []string, errs []error) {
	t = Target{DestinationARN: o.DestinationARN, RoleARN: o.RoleARN, FilterName: o.FilterName, FilterPattern: o.FilterPattern}
	kind, err := ParseDestination(o.DestinationARN)
	switch {
	case err != nil:
		errs = append(errs, err)
	case kind == KindLambda:
		own = append(own, FunctionName(o.DestinationARN))
		if o.RoleARN != "" {
			errs = append(errs, errors.New("a role is for Kinesis destinations: CloudWatch Logs invokes a Lambda function "+
				"through the function's resource policy, so leave the role out"))
		}
	case kind == KindKinesis:
		// ByLogStream (the default) sends one busy log stream to one shard,
		// which throttles it; the processor does not need per-stream order.
		t.Distribution = types.DistributionRandom
		if o.RoleARN == "" {
			errs = append(errs, errors.New("a Kinesis destination needs the role CloudWatch Logs assumes to write to it "+
				"(the stack's SubscriptionRoleArn output)"))
		}
		if len(o.SkipFunctions) == 0 {
			errs = append(errs, errors.New("with a Kinesis destination, name the processor function (the stack's "+
				"ProcessorFunctionName output) as a function to skip, so its own log group is never subscribed"))
		}
	}
	if o.RoleARN != "" && !isRoleARN(o.RoleARN) {
		errs = append(errs, fmt.Errorf("role %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", o.RoleARN))
	}
	if name := t.name(); len(name) > 512 || strings.ContainsAny(name, ":*") {
		errs = append(errs, fmt.Errorf("filter name %q must be 1-512 characters without ':' or '*'", name))
	}
	return t, own, errs
}
