package secrets

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
)

func TestParseSlack(t *testing.T) {
	tests := []struct {
		in      string
		want    Slack
		wantErr string
	}{
		{`{"webhook_url":"https://hooks.slack.com/services/T/B/x"}`, Slack{WebhookURL: "https://hooks.slack.com/services/T/B/x"}, ""},
		{`{"token":"xoxb-1","channel":"C123"}`, Slack{Token: "xoxb-1", Channel: "C123"}, ""},
		{" https://hooks.slack.com/services/T/B/x\n", Slack{WebhookURL: "https://hooks.slack.com/services/T/B/x"}, ""},
		{"xoxb-123-456", Slack{Token: "xoxb-123-456"}, ""},
		{`{"token":"xoxb-1","webhook_url":"https://x"}`, Slack{}, "both"},
		{`{"channel":"C1"}`, Slack{}, "neither"},
		{`{"token":"xoxb-SECRET"`, Slack{}, "not valid JSON"},
		{"hunter2", Slack{}, "neither JSON"},
	}
	for _, tc := range tests {
		got, err := ParseSlack(tc.in)
		if tc.wantErr != "" {
			require.ErrorContains(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), "SECRET")
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}

// TestFetchFromMoto reads both kinds of secret from moto server.
func TestFetchFromMoto(t *testing.T) {
	endpoint := testenv.Require(t, testenv.Moto)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	sm := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(endpoint) })
	ps := ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(endpoint) })
	ctx := context.Background()

	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("logwarden-slack-test-" + t.Name()),
		SecretString: aws.String(`{"token":"xoxb-from-sm","channel":"C42"}`)})
	require.NoError(t, err)
	_, err = ps.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/logwarden/test/slack"), Type: ssmtypes.ParameterTypeSecureString,
		Value: aws.String("https://hooks.slack.com/services/T/B/ssm"), Overwrite: aws.Bool(true)})
	require.NoError(t, err)

	src := &Source{SecretsManager: sm, SSM: ps}
	v, err := src.Fetch(ctx, *created.ARN)
	require.NoError(t, err)
	s, err := ParseSlack(v)
	require.NoError(t, err)
	require.Equal(t, Slack{Token: "xoxb-from-sm", Channel: "C42"}, s)

	v, err = src.Fetch(ctx, "/logwarden/test/slack")
	require.NoError(t, err)
	require.Equal(t, "https://hooks.slack.com/services/T/B/ssm", v)

	_, err = src.Fetch(ctx, "/logwarden/test/missing")
	require.ErrorContains(t, err, "ssm:GetParameter")
}
