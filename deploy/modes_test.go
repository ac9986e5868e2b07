package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mode is one way of deploying the template: parameter values over the
// defaults.
type mode struct {
	name   string
	params map[string]any
}

var (
	directMode  = mode{"direct", map[string]any{}}
	accountMode = mode{"kinesis account policy", map[string]any{"DeliveryMode": "kinesis", "KinesisSubscriptions": "account-policy"}}
	groupsMode  = mode{"kinesis per group", map[string]any{"DeliveryMode": "kinesis", "KinesisSubscriptions": "per-group"}}
)

// eval is a small CloudFormation evaluator: parameters (defaults, then the
// mode's values), conditions and the string intrinsics the template uses.
// Resource attributes stay symbolic ("${LogStream.Arn}").
type eval struct {
	t      *testing.T
	tm     template
	params map[string]any
}

func (tm template) in(t *testing.T, m mode) eval {
	p := map[string]any{}
	for name, def := range tm.Parameters {
		v := get(def, "Default")
		if get(def, "Type") == "CommaDelimitedList" {
			v = strings.Split(fmt.Sprint(v), ",")
		}
		p[name] = v
	}
	for k, v := range m.params {
		p[k] = v
	}
	return eval{t: t, tm: tm, params: p}
}

func (e eval) cond(name string) bool {
	c, ok := e.tm.Conditions[name]
	require.True(e.t, ok, "condition %s", name)
	return e.value(c).(bool)
}

func (e eval) value(v any) any {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return v
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Ref":
			if p, ok := e.params[arg.(string)]; ok {
				return p
			}
			return "${" + arg.(string) + "}"
		case "Fn::GetAtt":
			return fmt.Sprintf("${%s.%s}", args[0], args[1])
		case "Fn::Equals":
			return fmt.Sprint(e.value(args[0])) == fmt.Sprint(e.value(args[1]))
		case "Fn::Not":
			return !e.value(args[0]).(bool)
		case "Fn::And", "Fn::Or":
			and := fn == "Fn::And"
			for _, a := range args {
				if e.value(a).(bool) != and {
					return !and
				}
			}
			return and
		case "Fn::Condition":
			return e.cond(arg.(string))
		case "Fn::If":
			if e.cond(args[0].(string)) {
				return e.value(args[1])
			}
			return e.value(args[2])
		case "Fn::Join":
			var parts []string
			list := e.value(args[1])
			if l, ok := list.([]string); ok {
				parts = l
			} else {
				for _, x := range list.([]any) {
					parts = append(parts, fmt.Sprint(e.value(x)))
				}
			}
			return strings.Join(parts, args[0].(string))
		case "Fn::Sub":
			return e.sub(arg)
		}
	}
	return v
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// sub resolves parameters and the variable map of Fn::Sub, leaving pseudo
// parameters and resource attributes as ${...}.
func (e eval) sub(arg any) string {
	s, vars := "", map[string]any{}
	if l, ok := arg.([]any); ok {
		s, vars = l[0].(string), l[1].(map[string]any)
	} else {
		s = arg.(string)
	}
	return subVar.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		if v, ok := vars[name]; ok {
			return fmt.Sprint(e.value(v))
		}
		if v, ok := e.params[name]; ok {
			return fmt.Sprint(v)
		}
		return ref
	})
}

// deployed lists the resources that a mode creates.
func (e eval) deployed() []string {
	var out []string
	for name, r := range e.tm.Resources {
		if r.Condition == "" || e.cond(r.Condition) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestModesDeployOnlyTheirResources(t *testing.T) {
	tm := loadTemplate(t)
	always := []string{"StateTable", "ConfigTable", "DeadLetterQueue", "DeadLetterQueueAlarm",
		"ProcessorLogGroup", "ProcessorRole", "ProcessorFunction"}
	kinesis := []string{"LogStream", "LogsToStreamRole", "LogStreamEventSource"}
	subscriber := []string{"SubscriberLogGroup", "SubscriberRole", "SubscriberFunction"}
	for _, tc := range []struct {
		mode mode
		want [][]string
	}{
		{directMode, [][]string{always, subscriber, {"LogsInvokePermission"}}},
		{accountMode, [][]string{always, kinesis, {"LogsAccountPolicy"}}},
		{groupsMode, [][]string{always, kinesis, subscriber}},
	} {
		var want []string
		for _, w := range tc.want {
			want = append(want, w...)
		}
		sort.Strings(want)
		require.Equal(t, want, tm.in(t, tc.mode).deployed(), tc.mode.name)
	}
	require.Equal(t, "direct", get(tm.Parameters["DeliveryMode"], "Default"), "today's behaviour stays the default")
}

func TestKinesisEventSourceMapping(t *testing.T) {
	tm := loadTemplate(t)
	esms := tm.ofType("AWS::Lambda::EventSourceMapping")
	require.Len(t, esms, 1)
	for _, m := range esms {
		p := m.Properties
		require.Equal(t, "IsKinesis", m.Condition)
		require.Equal(t, getAtt("LogStream", "Arn"), p["EventSourceArn"])
		require.Equal(t, map[string]any{"Ref": "ProcessorFunction"}, p["FunctionName"])
		require.Equal(t, []any{"ReportBatchItemFailures"}, p["FunctionResponseTypes"])
		require.Equal(t, true, p["BisectBatchOnFunctionError"])
		// -1 (the default) retries until the record expires: a poison
		// record would block its shard for the stream's retention.
		retries, ok := p["MaximumRetryAttempts"].(int)
		require.True(t, ok && retries >= 0 && retries <= 10, "bounded retries, got %v", p["MaximumRetryAttempts"])
		age, ok := p["MaximumRecordAgeInSeconds"].(int)
		require.True(t, ok && age >= 60 && age <= 24*3600, "bounded record age within the retention, got %v", p["MaximumRecordAgeInSeconds"])
		require.Equal(t, getAtt("DeadLetterQueue", "Arn"), get(p, "DestinationConfig", "OnFailure", "Destination"))
		require.Equal(t, map[string]any{"Ref": "KinesisParallelization"}, p["ParallelizationFactor"])
		par := tm.Parameters["KinesisParallelization"]
		require.Equal(t, 1, get(par, "MinValue"))
		require.Equal(t, 10, get(par, "MaxValue"))
		require.Equal(t, "TRIM_HORIZON", p["StartingPosition"])
	}
	s := tm.Resources["LogStream"].Properties
	require.Equal(t, "ON_DEMAND", get(s, "StreamModeDetails", "StreamMode"))
	require.Equal(t, "KMS", get(s, "StreamEncryption", "EncryptionType"))
	require.Equal(t, 24, s["RetentionPeriodHours"])
}

func TestLogsToStreamRole(t *testing.T) {
	tm := loadTemplate(t)
	p := tm.Resources["LogsToStreamRole"].Properties
	trust := get(p, "AssumeRolePolicyDocument", "Statement").([]any)
	require.Len(t, trust, 1)
	require.Equal(t, "logs.amazonaws.com", get(trust[0], "Principal", "Service"))
	require.Equal(t, "sts:AssumeRole", get(trust[0], "Action"))
	require.Equal(t, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"},
		get(trust[0], "Condition", "StringLike", "aws:SourceArn"))
	require.Equal(t, map[string]any{"Ref": "AWS::AccountId"}, get(trust[0], "Condition", "StringEquals", "aws:SourceAccount"))
	stmts := tm.statements(t)["LogsToStreamRole"]
	require.Len(t, stmts, 1)
	require.ElementsMatch(t, []any{"kinesis:PutRecord", "kinesis:PutRecords"}, stmts[0]["Action"])
	require.Equal(t, getAtt("LogStream", "Arn"), stmts[0]["Resource"])

	reads := map[string]bool{}
	for _, s := range tm.statements(t)["ProcessorRole"] {
		for _, a := range asList(s["Action"]) {
			if strings.HasPrefix(a.(string), "kinesis:") {
				reads[a.(string)] = true
				require.Equal(t, getAtt("LogStream", "Arn"), s["Resource"])
			}
		}
	}
	for _, a := range []string{"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"} {
		require.True(t, reads[a], "the processor can poll the stream: %s", a)
	}
	var pass bool
	for _, s := range tm.statements(t)["SubscriberRole"] {
		if s["Action"] == "iam:PassRole" {
			pass = true
			require.Equal(t, getAtt("LogsToStreamRole", "Arn"), s["Resource"], "the subscriber passes only the stream role")
		}
	}
	require.True(t, pass, "per-group Kinesis filters need iam:PassRole on the stream role")
}

func TestAccountPolicyExcludesOwnGroups(t *testing.T) {
	tm := loadTemplate(t)
	r := tm.Resources["LogsAccountPolicy"]
	require.Equal(t, "AWS::Logs::AccountPolicy", r.Type)
	require.Equal(t, "SUBSCRIPTION_FILTER_POLICY", r.Properties["PolicyType"])
	require.Equal(t, "ALL", r.Properties["Scope"])

	for _, tc := range []struct {
		excludes string
		want     string
	}{
		{"", `LogGroupName NOT IN ["/aws/lambda/${AWS::StackName}-processor", "/aws/lambda/${AWS::StackName}-subscriber"]`},
		{"/aws/lambda/noisy,/ecs/batch", `LogGroupName NOT IN ["/aws/lambda/${AWS::StackName}-processor", "/aws/lambda/${AWS::StackName}-subscriber", "/aws/lambda/noisy", "/ecs/batch"]`},
	} {
		m := mode{"excludes", map[string]any{"DeliveryMode": "kinesis", "AccountPolicyExcludes": strings.Split(tc.excludes, ",")}}
		require.Equal(t, tc.want, tm.in(t, m).value(r.Properties["SelectionCriteria"]), tc.excludes)
	}
	// The excluded names are the functions' log groups.
	for _, fn := range []string{"ProcessorFunction", "SubscriberFunction"} {
		name := get(tm.Resources[fn].Properties, "FunctionName", "Fn::Sub").(string)
		require.Contains(t, tm.in(t, accountMode).value(r.Properties["SelectionCriteria"]), `"/aws/lambda/`+name+`"`)
	}

	doc := tm.in(t, mode{"pattern", map[string]any{"FilterPattern": "REPORT"}}).value(r.Properties["PolicyDocument"]).(string)
	var pd map[string]string
	require.NoError(t, json.Unmarshal([]byte(doc), &pd), doc)
	require.Equal(t, map[string]string{"DestinationArn": "${LogStream.Arn}", "RoleArn": "${LogsToStreamRole.Arn}",
		"FilterPattern": "REPORT", "Distribution": "Random"}, pd)
}

func TestSubscriberFollowsTheMode(t *testing.T) {
	tm := loadTemplate(t)
	env := get(tm.Resources["SubscriberFunction"].Properties, "Environment", "Variables")
	for _, tc := range []struct {
		mode       mode
		dest, role string
	}{
		{directMode, "${ProcessorFunction.Arn}", ""},
		{groupsMode, "${LogStream.Arn}", "${LogsToStreamRole.Arn}"},
	} {
		e := tm.in(t, tc.mode)
		require.Equal(t, tc.dest, e.value(get(env, "LOGWARDEN_DESTINATION_ARN")), tc.mode.name)
		require.Equal(t, tc.role, e.value(get(env, "LOGWARDEN_ROLE_ARN")), tc.mode.name)
		require.Equal(t, tc.dest, e.value(get(tm.Outputs["SubscriptionDestinationArn"], "Value")), tc.mode.name)
	}
}
