package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// TestStackAgainstMoto points the CLI at a deployed stack by name, as an
// operator does after `sam deploy`: moto serves CloudFormation (the
// stack's outputs) and the DynamoDB tables the stack created.
func TestStackAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_CLOUDFORMATION": env.Endpoint, "AWS_ENDPOINT_URL_DYNAMODB": env.Endpoint,
		"AWS_REGION": subscribetest.Region, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
	} {
		t.Setenv(k, v)
	}
	stack := "logwarden-" + env.Suffix
	_, err := cloudformation.NewFromConfig(env.Config).CreateStack(context.Background(), &cloudformation.CreateStackInput{
		StackName: aws.String(stack), TemplateBody: aws.String(`{
  "Resources": {
    "StateTable": {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST",
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
    "ConfigTable": {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST",
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}
  },
  "Outputs": {"StateTableName": {"Value": {"Ref": "StateTable"}}, "ConfigTableName": {"Value": {"Ref": "ConfigTable"}}}
}`)})
	require.NoError(t, err)

	_, stderr, code := runCLI(t, "thresholds", "set", "--stack", stack, "function#checkout", "duration_ratio=20")
	require.Equal(t, 0, code, stderr)
	t.Setenv("LOGWARDEN_STACK", stack) // the variable works as the flag does
	out, stderr, code := runCLI(t, "thresholds", "get", "function#checkout", "--json")
	require.Equal(t, 0, code, stderr)
	require.JSONEq(t, `{"id":"function#checkout","duration_ratio":20}`, out)

	out, stderr, code = runCLI(t, append([]string{"replay", "--json"}, demoInputs[:3]...)...)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "duration_anomaly", "the stack's threshold table applies")
	require.Contains(t, stderr, "from stack "+stack+" (read only)")

	_, stderr, code = runCLI(t, "baselines", "--stack", stack, "checkout")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "unknown function checkout: no baseline in DynamoDB state table", "the replay left the stack's state alone")
}
