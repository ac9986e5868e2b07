// Package channels reads the notification settings from the environment,
// validates them with one message per problem and builds the notifiers, so
// the Lambda, the CLI and the tests configure channels the same way.
package channels

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/email"
	"github.com/logwarden/logwarden/pkg/notify/render"
	"github.com/logwarden/logwarden/pkg/notify/slack"
	"github.com/logwarden/logwarden/pkg/secrets"
)

// Environment variables.
const (
	EnvSlackWebhook  = "LOGWARDEN_SLACK_WEBHOOK_URL"
	EnvSlackToken    = "LOGWARDEN_SLACK_TOKEN"
	EnvSlackChannel  = "LOGWARDEN_SLACK_CHANNEL"
	EnvSlackSecret   = "LOGWARDEN_SLACK_SECRET"
	EnvSlackAPIURL   = "LOGWARDEN_SLACK_API_URL"
	EnvEmailFrom     = "LOGWARDEN_EMAIL_FROM"
	EnvEmailTo       = "LOGWARDEN_EMAIL_TO"
	EnvEmailConfig   = "LOGWARDEN_EMAIL_CONFIGURATION_SET"
	EnvRegion        = "LOGWARDEN_REGION"
	EnvAccount       = "LOGWARDEN_ACCOUNT_ID"
	envAWSRegion     = "AWS_REGION"
	envAWSRegionDflt = "AWS_DEFAULT_REGION"
)

// Config is the notification configuration.
type Config struct {
	SlackWebhookURL string
	SlackToken      string
	SlackChannel    string
	// SlackSecret is a Secrets Manager ARN or an SSM parameter name whose
	// value holds the webhook URL or the token; read by Build.
	SlackSecret string
	SlackAPIURL string

	EmailFrom             string
	EmailTo               []string
	EmailConfigurationSet string

	// Render sets the region and account of the links in messages.
	Render render.Options
	// SlackThreads, set by the caller, threads follow-ups (bot token).
	SlackThreads slack.Threads
}

// Slack reports whether a Slack channel is configured.
func (c Config) Slack() bool {
	return c.SlackWebhookURL != "" || c.SlackToken != "" || c.SlackSecret != ""
}

// Email reports whether email is configured.
func (c Config) Email() bool { return c.EmailFrom != "" }

// FromEnv reads the configuration; it returns every problem found, each
// naming the variable and what to do.
func FromEnv(getenv func(string) string) (Config, []error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := Config{
		SlackWebhookURL:       get(EnvSlackWebhook),
		SlackToken:            get(EnvSlackToken),
		SlackChannel:          get(EnvSlackChannel),
		SlackSecret:           get(EnvSlackSecret),
		SlackAPIURL:           get(EnvSlackAPIURL),
		EmailFrom:             get(EnvEmailFrom),
		EmailConfigurationSet: get(EnvEmailConfig),
	}
	for _, to := range strings.Split(get(EnvEmailTo), ",") {
		if to = strings.TrimSpace(to); to != "" {
			c.EmailTo = append(c.EmailTo, to)
		}
	}
	c.Render.Region = firstOf(get(EnvRegion), get(envAWSRegion), get(envAWSRegionDflt))
	c.Render.Account = get(EnvAccount)
	return c, c.Validate()
}

// Validate checks the configuration, one error per problem.
func (c Config) Validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	set := 0
	for _, v := range []string{c.SlackWebhookURL, c.SlackToken, c.SlackSecret} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		bad("set only one of %s, %s and %s", EnvSlackWebhook, EnvSlackToken, EnvSlackSecret)
	}
	if c.SlackWebhookURL != "" {
		if u, err := url.Parse(c.SlackWebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			// The value is a credential: never echo it.
			bad("%s is not an http(s) URL; copy the incoming webhook URL from the Slack app's settings", EnvSlackWebhook)
		}
	}
	if c.SlackToken != "" && !strings.HasPrefix(c.SlackToken, "xox") {
		bad("%s does not look like a Slack bot token (xoxb-...)", EnvSlackToken)
	}
	if c.SlackToken != "" && c.SlackChannel == "" {
		bad("%s needs %s (the default channel; slack_channel in the thresholds items overrides it per function)", EnvSlackToken, EnvSlackChannel)
	}
	if c.SlackChannel != "" && c.SlackWebhookURL != "" {
		bad("%s has no effect with a webhook (its channel is fixed when the webhook is created); unset it or use a bot token", EnvSlackChannel)
	}
	if c.SlackAPIURL != "" && !strings.HasSuffix(c.SlackAPIURL, "/") {
		bad("%s must end in / (e.g. http://127.0.0.1:8080/api/)", EnvSlackAPIURL)
	}
	if c.SlackSecret != "" && strings.HasPrefix(c.SlackSecret, "arn:") && !secrets.IsSecretsManager(c.SlackSecret) && !strings.Contains(c.SlackSecret, ":ssm:") {
		bad("%s must be a Secrets Manager ARN or an SSM parameter name or ARN", EnvSlackSecret)
	}
	errs = append(errs, c.validateEmail()...)
	return errs
}

func (c Config) validateEmail() []error {
	var errs []error
	switch {
	case c.EmailFrom == "" && (len(c.EmailTo) > 0 || c.EmailConfigurationSet != ""):
		errs = append(errs, fmt.Errorf("%s is required to send email (a verified SES identity)", EnvEmailFrom))
	case c.EmailFrom != "" && len(c.EmailTo) == 0:
		errs = append(errs, fmt.Errorf("%s is required with %s (comma-separated default recipients)", EnvEmailTo, EnvEmailFrom))
	}
	if c.EmailFrom != "" {
		if _, err := mail.ParseAddress(c.EmailFrom); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not an email address", EnvEmailFrom, c.EmailFrom))
		}
	}
	for _, to := range c.EmailTo {
		if _, err := mail.ParseAddress(to); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not an email address", EnvEmailTo, to))
		}
	}
	return errs
}

// Hint says what to set when nothing is configured.
func Hint() string {
	return "no notification channel is configured. Set one or more of:\n" +
		"  " + EnvSlackWebhook + "=https://hooks.slack.com/services/...   (incoming webhook)\n" +
		"  " + EnvSlackToken + "=xoxb-... and " + EnvSlackChannel + "=C0123456789   (bot token; threads follow-ups)\n" +
		"  " + EnvSlackSecret + "=<Secrets Manager ARN or SSM parameter name>   (production: either of the above, kept secret)\n" +
		"  " + EnvEmailFrom + "=alerts@example.com and " + EnvEmailTo + "=oncall@example.com,...   (SES v2)\n" +
		"and " + EnvRegion + " (or AWS_REGION) for console links."
}

// Build returns the configured notifiers by name ("slack", "email"). It
// reads the Slack secret, if one is named; cfg must have passed Validate.
func Build(ctx context.Context, cfg Config, awsCfg aws.Config) (map[string]notify.Notifier, error) {
	out := map[string]notify.Notifier{}
	if cfg.Slack() {
		sc := slack.Config{WebhookURL: cfg.SlackWebhookURL, Token: cfg.SlackToken, Channel: cfg.SlackChannel,
			APIURL: cfg.SlackAPIURL, Render: cfg.Render, Threads: cfg.SlackThreads}
		if cfg.SlackSecret != "" {
			v, err := secrets.NewSource(awsCfg).Fetch(ctx, cfg.SlackSecret)
			if err != nil {
				return nil, fmt.Errorf("slack: %w", err)
			}
			s, err := secrets.ParseSlack(v)
			if err != nil {
				return nil, fmt.Errorf("slack: %s: %w", cfg.SlackSecret, err)
			}
			sc.WebhookURL, sc.Token = s.WebhookURL, s.Token
			sc.Channel = firstOf(cfg.SlackChannel, s.Channel)
			if sc.Token != "" && sc.Channel == "" {
				return nil, errors.New("slack: the secret holds a token but no channel: add \"channel\" to it or set " + EnvSlackChannel)
			}
		}
		n, err := slack.New(sc)
		if err != nil {
			return nil, err
		}
		out[n.Name()] = n
	}
	if cfg.Email() {
		n, err := email.New(sesv2.NewFromConfig(awsCfg), email.Config{From: cfg.EmailFrom, To: cfg.EmailTo,
			ConfigurationSet: cfg.EmailConfigurationSet, Render: cfg.Render})
		if err != nil {
			return nil, err
		}
		out[n.Name()] = n
	}
	return out, nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
