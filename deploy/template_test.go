package deploy

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// template is the parsed template.yaml with short-form intrinsics expanded
// to their long form: `!Ref X` becomes {"Ref": "X"}, `!GetAtt X.Arn` becomes
// {"Fn::GetAtt": ["X", "Arn"]}, `!Sub s` becomes {"Fn::Sub": "s"}.
type template struct {
	Resources  map[string]resource
	Conditions map[string]any
	Parameters map[string]any
	Outputs    map[string]any
}

type resource struct {
	Type       string
	Condition  string
	Properties map[string]any
}

func loadTemplate(t *testing.T) template {
	t.Helper()
	raw, err := os.ReadFile("template.yaml")
	require.NoError(t, err)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	root, ok := expand(doc.Content[0]).(map[string]any)
	require.True(t, ok, "template root is a mapping")
	require.Equal(t, "AWS::Serverless-2016-10-31", root["Transform"])
	tmpl := template{Resources: map[string]resource{}}
	tmpl.Conditions, _ = root["Conditions"].(map[string]any)
	tmpl.Parameters, _ = root["Parameters"].(map[string]any)
	tmpl.Outputs, _ = root["Outputs"].(map[string]any)
	for name, r := range root["Resources"].(map[string]any) {
		m := r.(map[string]any)
		props, _ := m["Properties"].(map[string]any)
		cond, _ := m["Condition"].(string)
		tmpl.Resources[name] = resource{Type: m["Type"].(string), Condition: cond, Properties: props}
	}
	return tmpl
}

// expand converts a YAML node to plain Go values, turning CloudFormation's
// short-form tags into the long form so tests compare one shape.
func expand(n *yaml.Node) any {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := strings.TrimPrefix(n.Tag, "!")
		inner := *n
		inner.Tag = ""
		if name == "Ref" {
			return map[string]any{"Ref": n.Value}
		}
		if name == "GetAtt" && n.Kind == yaml.ScalarNode {
			res, attr, _ := strings.Cut(n.Value, ".")
			return map[string]any{"Fn::GetAtt": []any{res, attr}}
		}
		if n.Kind == yaml.ScalarNode {
			return map[string]any{"Fn::" + name: n.Value}
		}
		return map[string]any{"Fn::" + name: expand(&inner)}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = expand(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, expand(c))
		}
		return s
	case yaml.AliasNode:
		return expand(n.Alias)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return v
}

func (tm template) ofType(typ string) map[string]resource {
	out := map[string]resource{}
	for name, r := range tm.Resources {
		if r.Type == typ {
			out[name] = r
		}
	}
	return out
}

// get walks a path of map keys.
func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func getAtt(res, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{res, attr}}
}

// tableByKey finds the DynamoDB table whose hash key is key.
func (tm template) tableByKey(t *testing.T, key string) (string, resource) {
	t.Helper()
	for name, r := range tm.ofType("AWS::DynamoDB::Table") {
		for _, k := range r.Properties["KeySchema"].([]any) {
			if get(k, "KeyType") == "HASH" && get(k, "AttributeName") == key {
				return name, r
			}
		}
	}
	t.Fatalf("no DynamoDB table with hash key %q", key)
	return "", resource{}
}

func TestLogsPermissionIsScoped(t *testing.T) {
	tm := loadTemplate(t)
	var found int
	for name, p := range tm.ofType("AWS::Lambda::Permission") {
		if p.Properties["Principal"] != "logs.amazonaws.com" {
			continue
		}
		found++
		require.Equal(t, map[string]any{"Ref": "AWS::AccountId"}, p.Properties["SourceAccount"], name)
		require.Equal(t, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"},
			p.Properties["SourceArn"], name)
		require.Equal(t, getAtt("ProcessorFunction", "Arn"), p.Properties["FunctionName"], name)
		require.Equal(t, "lambda:InvokeFunction", p.Properties["Action"], name)
	}
	require.Equal(t, 1, found, "one permission for logs.amazonaws.com")
}

func TestTables(t *testing.T) {
	tm := loadTemplate(t)
	_, state := tm.tableByKey(t, "pk")
	require.Equal(t, "PAY_PER_REQUEST", state.Properties["BillingMode"])
	require.Equal(t, map[string]any{"AttributeName": "expires_at", "Enabled": true}, state.Properties["TimeToLiveSpecification"])
	require.Equal(t, true, get(state.Properties, "SSESpecification", "SSEEnabled"))

	_, cfg := tm.tableByKey(t, "id")
	require.Equal(t, "PAY_PER_REQUEST", cfg.Properties["BillingMode"])
	require.Equal(t, true, get(cfg.Properties, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"))
	require.Equal(t, true, get(cfg.Properties, "SSESpecification", "SSEEnabled"))
}

func TestDeadLetterQueueWiredAndAlarmed(t *testing.T) {
	tm := loadTemplate(t)
	for _, fn := range []string{"ProcessorFunction", "SubscriberFunction"} {
		cfg := tm.Resources[fn].Properties["EventInvokeConfig"]
		require.Equal(t, 2, get(cfg, "MaximumRetryAttempts"), fn)
		require.Equal(t, "SQS", get(cfg, "DestinationConfig", "OnFailure", "Type"), fn)
		dest := get(cfg, "DestinationConfig", "OnFailure", "Destination").(map[string]any)
		queue := dest["Fn::GetAtt"].([]any)[0].(string)
		require.Equal(t, "AWS::SQS::Queue", tm.Resources[queue].Type, fn)
		q := tm.Resources[queue].Properties
		require.True(t, q["SqsManagedSseEnabled"] == true || q["KmsMasterKeyId"] != nil, "queue %s encrypted", queue)

		var alarmed bool
		for _, a := range tm.ofType("AWS::CloudWatch::Alarm") {
			p := a.Properties
			dims, _ := p["Dimensions"].([]any)
			if p["Namespace"] == "AWS/SQS" && p["MetricName"] == "ApproximateNumberOfMessagesVisible" &&
				len(dims) == 1 && get(dims[0], "Value") != nil &&
				fmt.Sprint(get(dims[0], "Value")) == fmt.Sprint(getAtt(queue, "QueueName")) {
				require.Equal(t, "GreaterThanThreshold", p["ComparisonOperator"])
				require.Equal(t, 0, p["Threshold"])
				alarmed = true
			}
		}
		require.True(t, alarmed, "an alarm on the depth of %s", queue)
	}
}

// statements returns every IAM statement of every role.
func (tm template) statements(t *testing.T) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for name, role := range tm.ofType("AWS::IAM::Role") {
		for _, p := range role.Properties["Policies"].([]any) {
			if ifs, ok := get(p, "Fn::If").([]any); ok {
				p = ifs[1] // the policy when its condition holds
			}
			for _, s := range get(p, "PolicyDocument", "Statement").([]any) {
				out[name] = append(out[name], s.(map[string]any))
			}
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func TestLeastPrivilege(t *testing.T) {
	tm := loadTemplate(t)
	state, _ := tm.tableByKey(t, "pk")
	cfg, _ := tm.tableByKey(t, "id")
	tables := []any{getAtt(state, "Arn"), getAtt(cfg, "Arn")}
	var dynamo int
	for role, stmts := range tm.statements(t) {
		for _, s := range stmts {
			for _, r := range asList(s["Resource"]) {
				require.NotEqual(t, "*", r, "%s grants %v on every resource", role, s["Action"])
			}
			for _, a := range asList(s["Action"]) {
				require.NotContains(t, a, "*", "%s grants a wildcard action", role)
				if strings.HasPrefix(a.(string), "dynamodb:") {
					dynamo++
					require.ElementsMatch(t, tables, asList(s["Resource"]), "%s: DynamoDB only on the two tables", role)
				}
				if strings.HasPrefix(a.(string), "ses:") {
					require.Contains(t, fmt.Sprint(s["Resource"]), ":identity/", "SES only on the sender identity")
				}
				if strings.HasPrefix(a.(string), "secretsmanager:") || strings.HasPrefix(a.(string), "ssm:") {
					require.Equal(t, map[string]any{"Ref": "SlackSecretArn"}, s["Resource"])
				}
				if strings.HasPrefix(a.(string), "logs:") && strings.Contains(a.(string), "SubscriptionFilter") {
					require.Equal(t, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"}, s["Resource"])
				}
			}
		}
	}
	require.Positive(t, dynamo, "the processor can reach its tables")
	for _, s := range tm.statements(t)["SubscriberRole"] {
		for _, a := range asList(s["Action"]) {
			require.NotContains(t, a, "dynamodb:", "the subscriber has no table access")
		}
	}
}

func TestFunctions(t *testing.T) {
	tm := loadTemplate(t)
	for fn, dir := range map[string]string{"ProcessorFunction": "processor", "SubscriberFunction": "subscriber"} {
		p := tm.Resources[fn].Properties
		require.Equal(t, "AWS::Serverless::Function", tm.Resources[fn].Type)
		require.Equal(t, "../build/"+dir+"/", p["CodeUri"], fn)
		require.Equal(t, "bootstrap", p["Handler"], fn)
		require.Equal(t, "provided.al2023", p["Runtime"], fn)
		require.Equal(t, []any{"arm64"}, p["Architectures"], fn)
		require.Equal(t, 60, p["Timeout"], fn)
		// The own-log-group exclusion assumes /aws/lambda/<function name>.
		name := get(p, "FunctionName", "Fn::Sub").(string)
		group := get(p, "LoggingConfig", "LogGroup", "Ref").(string)
		require.Equal(t, "/aws/lambda/"+name, get(tm.Resources[group].Properties, "LogGroupName", "Fn::Sub"), fn)
		require.NotNil(t, tm.Resources[group].Properties["RetentionInDays"], fn)
	}
	p := tm.Resources["ProcessorFunction"].Properties
	require.Equal(t, map[string]any{"Ref": "ProcessorMemory"}, p["MemorySize"])
	require.Equal(t, map[string]any{"Fn::If": []any{"HasReservedConcurrency", map[string]any{"Ref": "ReservedConcurrency"}, map[string]any{"Ref": "AWS::NoValue"}}},
		p["ReservedConcurrentExecutions"])
}

func TestEnvironment(t *testing.T) {
	tm := loadTemplate(t)
	envOf := func(fn string) map[string]any {
		return get(tm.Resources[fn].Properties, "Environment", "Variables").(map[string]any)
	}
	proc := envOf("ProcessorFunction")
	for _, k := range []string{"LOGWARDEN_STATE_TABLE", "LOGWARDEN_CONFIG_TABLE", "LOGWARDEN_SLACK_SECRET", "LOGWARDEN_SLACK_CHANNEL",
		"LOGWARDEN_EMAIL_FROM", "LOGWARDEN_EMAIL_TO", "LOGWARDEN_ALLOW_CIDRS", "LOGWARDEN_LOG_LEVEL"} {
		require.Contains(t, proc, k)
	}
	state, _ := tm.tableByKey(t, "pk")
	cfg, _ := tm.tableByKey(t, "id")
	require.Equal(t, map[string]any{"Ref": state}, proc["LOGWARDEN_STATE_TABLE"])
	require.Equal(t, map[string]any{"Ref": cfg}, proc["LOGWARDEN_CONFIG_TABLE"])

	sub := envOf("SubscriberFunction")
	for _, k := range []string{"LOGWARDEN_DESTINATION_ARN", "LOGWARDEN_INCLUDE_PREFIXES", "LOGWARDEN_INCLUDE_PATTERNS",
		"LOGWARDEN_EXCLUDE_PATTERNS", "LOGWARDEN_FILTER_NAME", "LOGWARDEN_FILTER_PATTERN", "LOGWARDEN_PROCESSOR_FUNCTION",
		"LOGWARDEN_ROLE_ARN"} {
		require.Contains(t, sub, k)
	}
	require.Equal(t, "${ProcessorFunction.Arn}", tm.in(t, directMode).value(sub["LOGWARDEN_DESTINATION_ARN"]))

	events := get(tm.Resources["SubscriberFunction"].Properties, "Events").(map[string]any)
	var rule bool
	for _, e := range events {
		if get(e, "Type") == "EventBridgeRule" {
			pat := get(e, "Properties", "Pattern")
			require.Equal(t, []any{"AWS API Call via CloudTrail"}, get(pat, "detail-type"))
			require.Equal(t, []any{"CreateLogGroup"}, get(pat, "detail", "eventName"))
			rule = true
		}
	}
	require.True(t, rule, "the subscriber listens for CreateLogGroup")
}
