package customrules_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
	"github.com/logwarden/logwarden/pkg/customrules"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store/dynamo"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

// TestLoadFromDynamo writes the rules item the way deploy/README.md does
// (aws dynamodb put-item: id and a string attribute holding the YAML) into
// dynalite and loads it as the processor does at cold start.
func TestLoadFromDynamo(t *testing.T) {
	endpoint := testenv.Require(t, testenv.DynamoDB)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	stateTable, configTable := "rules-state-"+suffix, "rules-config-"+suffix
	require.NoError(t, dynamo.CreateTables(ctx, client, stateTable, configTable))
	cfg := dynamo.NewConfig(client, configTable)

	rules, problems, err := customrules.Load(ctx, cfg)
	require.NoError(t, err)
	require.Empty(t, rules, "no item: no custom rules")
	require.Empty(t, problems)

	doc := `rules:
  - name: legacy_sso_reject
    kind: auth_failure
    regex: 'SSO-REJECT user=(?P<user>\S+) src=(?P<ip>[0-9a-fA-F.:]+)'
  - name: broken
    kind: auth_failure
    regex: '(?P<ip>'
`
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(configTable), Item: map[string]ddbtypes.AttributeValue{
		"id":          &ddbtypes.AttributeValueMemberS{Value: "rules"},
		"rules":       &ddbtypes.AttributeValueMemberS{Value: doc},
		"description": &ddbtypes.AttributeValueMemberS{Value: "SSO appliance rejects"},
	}})
	require.NoError(t, err)
	rules, problems, err = customrules.Load(ctx, cfg)
	require.NoError(t, err)
	require.Len(t, rules, 1)
	require.Len(t, problems, 1)
	require.Contains(t, problems[0].Error(), `rule "broken"`)
	p, err := customrules.Parser(rules)
	require.NoError(t, err)
	ev := p.Parse("SSO-REJECT user=mallory src=198.51.100.7")
	require.Equal(t, logline.KindAuthFailure, ev.Kind)
	require.Equal(t, "legacy_sso_reject", ev.Rule)

	// The item shares the table with the thresholds, which ignore it.
	items, err := cfg.ListItems(ctx)
	require.NoError(t, err)
	_, err = thresholds.New(items)
	require.NoError(t, err, "the rules item is not an invalid threshold item")

	// A rules attribute that is not a string is a loud error, not "no rules".
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(configTable), Item: map[string]ddbtypes.AttributeValue{
		"id":    &ddbtypes.AttributeValueMemberS{Value: "rules"},
		"rules": &ddbtypes.AttributeValueMemberN{Value: "1"},
	}})
	require.NoError(t, err)
	_, _, err = customrules.Load(ctx, cfg)
	require.ErrorIs(t, err, customrules.ErrDocument)
}
