package open_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
	"github.com/logwarden/logwarden/pkg/store/open"
)

// stackTemplate has the table resources and outputs of deploy/template.yaml
// that the CLI reads, in plain CloudFormation (moto does not run the SAM
// transform).
const stackTemplate = `{
  "Resources": {
    "StateTable": {"Type": "AWS::DynamoDB::Table", "Properties": {
      "BillingMode": "PAY_PER_REQUEST",
      "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
    "ConfigTable": {"Type": "AWS::DynamoDB::Table", "Properties": {
      "BillingMode": "PAY_PER_REQUEST",
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}
  },
  "Outputs": {
    "StateTableName": {"Value": {"Ref": "StateTable"}},
    "ConfigTableName": {"Value": {"Ref": "ConfigTable"}}
  }
}`

// TestStackTablesAgainstMoto resolves table names from a real
// DescribeStacks answer (moto server's CloudFormation).
func TestStackTablesAgainstMoto(t *testing.T) {
	endpoint := testenv.Require(t, testenv.Moto)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	cf := cloudformation.NewFromConfig(cfg)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	stack := "logwarden-" + hex.EncodeToString(b)
	ctx := context.Background()
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(stack), TemplateBody: aws.String(stackTemplate)})
	require.NoError(t, err)

	tables, err := open.StackTables(ctx, cf, stack)
	require.NoError(t, err)
	require.Equal(t, "stack "+stack, tables.From)
	require.Contains(t, tables.State, "StateTable")
	require.Contains(t, tables.Config, "ConfigTable")
	require.NotEqual(t, tables.State, tables.Config)

	// The same through the options, as --stack does.
	o := open.Options{Stack: stack, AWSConfig: &cfg, Getenv: func(string) string { return "" }}
	got, err := open.TableNames(ctx, o, func() (aws.Config, error) { return cfg, nil })
	require.NoError(t, err)
	require.Equal(t, tables, got)

	_, err = open.StackTables(ctx, cf, stack+"-missing")
	require.ErrorContains(t, err, "stack "+stack+"-missing")
}
