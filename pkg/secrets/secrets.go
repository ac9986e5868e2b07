// Package secrets reads the Slack credentials from AWS Secrets Manager or
// SSM Parameter Store (SecureString) once, at cold start, so the token or
// webhook URL never sits in the function's environment.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Slack is what the secret may hold.
type Slack struct {
	WebhookURL string `json:"webhook_url"`
	Token      string `json:"token"`
	Channel    string `json:"channel"`
}

// SecretsManager and SSM are the calls Fetch makes.
type (
	SecretsManager interface {
		GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	}
	SSM interface {
		GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	}
)

// Source reads secrets; its clients are built on first use, so a process
// that stores no secret needs no AWS configuration.
type Source struct {
	SecretsManager SecretsManager
	SSM            SSM
}

// NewSource returns a Source using awsCfg.
func NewSource(awsCfg aws.Config) *Source {
	return &Source{SecretsManager: secretsmanager.NewFromConfig(awsCfg), SSM: ssm.NewFromConfig(awsCfg)}
}

// IsSecretsManager reports whether ref names a Secrets Manager secret: an
// ARN of that service. Anything else is an SSM parameter name or ARN.
func IsSecretsManager(ref string) bool {
	return strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":secretsmanager:")
}

// Fetch returns the secret value behind ref. Errors name ref (an ARN or
// parameter name is not secret) but never the value.
func (s *Source) Fetch(ctx context.Context, ref string) (string, error) {
	if IsSecretsManager(ref) {
		out, err := s.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ref)})
		if err != nil {
			return "", fmt.Errorf("read secret %s from Secrets Manager (the role needs secretsmanager:GetSecretValue): %w", ref, err)
		}
		if out.SecretString == nil {
			return "", fmt.Errorf("secret %s holds binary data; store the Slack credentials as a string", ref)
		}
		return *out.SecretString, nil
	}
	out, err := s.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(ref), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read parameter %s from SSM (the role needs ssm:GetParameter and kms:Decrypt): %w", ref, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("parameter %s has no value", ref)
	}
	return *out.Parameter.Value, nil
}

// ParseSlack reads a secret value: JSON with webhook_url or token (and
// optionally channel), or the plain webhook URL or token.
func ParseSlack(value string) (Slack, error) {
	v := strings.TrimSpace(value)
	if strings.HasPrefix(v, "{") {
		var s Slack
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			// The JSON error could quote the value: keep it out.
			return Slack{}, errors.New("the Slack secret is not valid JSON")
		}
		s.WebhookURL, s.Token, s.Channel = strings.TrimSpace(s.WebhookURL), strings.TrimSpace(s.Token), strings.TrimSpace(s.Channel)
		switch {
		case s.WebhookURL == "" && s.Token == "":
			return Slack{}, errors.New(`the Slack secret has neither "webhook_url" nor "token"`)
		case s.WebhookURL != "" && s.Token != "":
			return Slack{}, errors.New(`the Slack secret has both "webhook_url" and "token"; keep one`)
		}
		return s, nil
	}
	switch {
	case strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://"):
		return Slack{WebhookURL: v}, nil
	case strings.HasPrefix(v, "xox"):
		return Slack{Token: v}, nil
	}
	return Slack{}, errors.New("the Slack secret is neither JSON, a webhook URL (https://...) nor a token (xoxb-...)")
}
