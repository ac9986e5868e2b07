package channels

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		errs    []string // substrings, one per expected error
		slack   bool
		email   bool
		region  string
		emailTo []string
	}{
		{name: "nothing", env: map[string]string{}},
		{name: "webhook", env: map[string]string{EnvSlackWebhook: "https://hooks.slack.com/services/T/B/x", "AWS_REGION": "eu-west-1"},
			slack: true, region: "eu-west-1"},
		{name: "token and channel", env: map[string]string{EnvSlackToken: "xoxb-1", EnvSlackChannel: "C1", EnvRegion: "us-east-2", "AWS_REGION": "eu-west-1"},
			slack: true, region: "us-east-2"},
		{name: "email", env: map[string]string{EnvEmailFrom: "alerts@example.com", EnvEmailTo: " a@example.com, b@example.com ,"},
			email: true, emailTo: []string{"a@example.com", "b@example.com"}},
		{name: "every problem at once", env: map[string]string{
			EnvSlackWebhook: "hooks.slack.com/secretpath", EnvSlackToken: "bad-token", EnvSlackAPIURL: "http://127.0.0.1:1/api",
			EnvEmailTo: "not-an-address"},
			errs: []string{"only one of", EnvSlackWebhook + " is not an http(s) URL", "does not look like a Slack bot token",
				"needs " + EnvSlackChannel, "must end in /", EnvEmailFrom + " is required", "not-an-address"},
			slack: true},
		{name: "from without to", env: map[string]string{EnvEmailFrom: "alerts@example.com"}, errs: []string{EnvEmailTo + " is required"}, email: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, errs := FromEnv(env(tc.env))
			require.Len(t, errs, len(tc.errs), "%v", errs)
			for i, want := range tc.errs {
				require.Contains(t, errs[i].Error(), want)
				require.NotContains(t, errs[i].Error(), "secretpath", "credentials are never echoed")
			}
			require.Equal(t, tc.slack, cfg.Slack())
			require.Equal(t, tc.email, cfg.Email())
			require.Equal(t, tc.region, cfg.Render.Region)
			if tc.emailTo != nil {
				require.Equal(t, tc.emailTo, cfg.EmailTo)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	cfg, errs := FromEnv(env(map[string]string{EnvSlackToken: "xoxb-1", EnvSlackChannel: "C1",
		EnvEmailFrom: "alerts@example.com", EnvEmailTo: "a@example.com"}))
	require.Empty(t, errs)
	ns, err := Build(context.Background(), cfg, aws.Config{Region: "eu-west-1"})
	require.NoError(t, err)
	require.Len(t, ns, 2)
	require.Equal(t, "slack", ns["slack"].Name())
	require.Equal(t, "email", ns["email"].Name())
	require.True(t, strings.Contains(Hint(), EnvSlackSecret))
}
