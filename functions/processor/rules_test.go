package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/simulate"
	"github.com/logwarden/logwarden/internal/testenv"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store/dynamo"
)

// ssoRules is a rules item with one usable rule and one broken one.
const ssoRules = `rules:
  - name: legacy_sso_reject
    kind: auth_failure
    regex: 'SSO-REJECT user=(?P<user>\S+) src=(?P<ip>[0-9a-fA-F.:]+)'
  - name: broken_rule
    kind: auth_failure
    regex: '(?P<ip>'
`

func putRules(t *testing.T, endpoint, table, doc string) {
	t.Helper()
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	_, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]ddbtypes.AttributeValue{
			"id":    &ddbtypes.AttributeValueMemberS{Value: "rules"},
			"rules": &ddbtypes.AttributeValueMemberS{Value: doc},
		}})
	require.NoError(t, err)
}

func TestLoadParser(t *testing.T) {
	endpoint := testenv.Require(t, testenv.DynamoDB)
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	cfgTable := "parser-config-" + suffix
	require.NoError(t, dynamo.CreateTables(context.Background(), client, "parser-state-"+suffix, cfgTable))
	cfg := dynamo.NewConfig(client, cfgTable)
	var out bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&out)
	logger.SetFormatter(&logrus.JSONFormatter{})
	log := logrus.NewEntry(logger)

	require.Same(t, logline.Default(), loadParser(context.Background(), cfg, log), "no item: the built-in parser")

	putRules(t, endpoint, cfgTable, ssoRules)
	p := loadParser(context.Background(), cfg, log)
	require.Equal(t, logline.KindAuthFailure, p.Parse("SSO-REJECT user=mallory src=198.51.100.7").Kind)
	require.Contains(t, out.String(), `rule \"broken_rule\"`, "the dropped rule is named in an error log")
	require.Contains(t, out.String(), `"level":"error"`)

	out.Reset()
	putRules(t, endpoint, cfgTable, "rules: [")
	require.Same(t, logline.Default(), loadParser(context.Background(), cfg, log))
	require.Contains(t, out.String(), "custom parser rules not loaded")
}

// TestCustomRulesUnderRIE: a rules item written before the cold start
// makes the deployed processor alert on a log format it does not know.
func TestCustomRulesUnderRIE(t *testing.T) {
	s := startStack(t)
	putRules(t, s.ddbURL, s.configTable, ssoRules)
	const ip = "198.51.100.77"
	now := time.Now().Add(-time.Minute)
	b := cwlogs.Batch{MessageType: "DATA_MESSAGE", Owner: "123456789012", LogGroup: "/aws/lambda/sso-gateway",
		LogStream: "2026/11/28/[$LATEST]abc", SubscriptionFilters: []string{"logwarden"}}
	for i := range 15 {
		ts := now.Add(time.Duration(i) * time.Second)
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{ID: fmt.Sprintf("3800000000000000000000000000000000000000000000000000%04d", i),
			Timestamp: ts.UnixMilli(), Message: fmt.Sprintf("%s SSO-REJECT user=user%d src=%s\n", ts.Format(time.RFC3339), i%3, ip)})
	}
	ev, err := simulate.Envelope(b)
	require.NoError(t, err)
	out := s.rie.ok(t, ev)
	require.GreaterOrEqual(t, out["alerts"], 1.0, "%v", out)
	posts := s.slack.accepted()
	require.Len(t, posts, 1)
	require.Contains(t, slackText(t, posts[0]), ip)
	require.Contains(t, s.rie.out.String(), "broken_rule", "the dropped rule is named in the function's log")
}
