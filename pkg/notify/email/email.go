// Package email sends alerts through Amazon SES v2 SendEmail (simple
// content): an HTML body with every value escaped, a plain-text body and a
// subject that says severity, type and function.
package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

// SES accepts at most 50 recipients per message
// (docs.aws.amazon.com/ses/latest/dg/quotas.html).
const maxRecipients = 50

// Sender is the part of the SES v2 client the notifier uses.
type Sender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Config is the sender identity and default recipients.
type Config struct {
	From             string
	To               []string
	ConfigurationSet string
	Render           render.Options
}

// Notifier sends alert mail.
type Notifier struct {
	cfg Config
	ses Sender
}

// New validates cfg and returns the notifier.
func New(ses Sender, cfg Config) (*Notifier, error) {
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("email: sender %q: %w", cfg.From, err)
	}
	for _, to := range cfg.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return nil, fmt.Errorf("email: recipient %q: %w", to, err)
		}
	}
	return &Notifier{cfg: cfg, ses: ses}, nil
}

// Name implements notify.Notifier.
func (n *Notifier) Name() string { return "email" }

// Notify implements notify.Notifier: one message for all alerts.
func (n *Notifier) Notify(ctx context.Context, alerts ...detect.Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	to := notify.RouteFrom(ctx).EmailTo
	if len(to) == 0 {
		to = n.cfg.To
	}
	to = validRecipients(to)
	if len(to) == 0 {
		return false, &notify.Error{Channel: "email", Err: errors.New("no recipients"),
			Fix: "set LOGWARDEN_EMAIL_TO or email_to in the thresholds items"}
	}
	cs := render.All(alerts, n.cfg.Render)
	htmlBody, err := HTML(cs)
	if err != nil {
		return false, &notify.Error{Channel: "email", Err: err}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(n.cfg.From),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(Subject(cs)), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(htmlBody), Charset: aws.String("UTF-8")},
				Text: &types.Content{Data: aws.String(Text(cs)), Charset: aws.String("UTF-8")},
			},
		}},
	}
	if n.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(n.cfg.ConfigurationSet)
	}
	if _, err := n.ses.SendEmail(ctx, in); err != nil {
		return classify(err)
	}
	return false, nil
}

// validRecipients drops malformed addresses (a typo in one thresholds item
// must not stop mail to the others) and caps the list at SES's limit.
func validRecipients(to []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range to {
		t = strings.TrimSpace(t)
		if _, err := mail.ParseAddress(t); err != nil || seen[t] || strings.ContainsAny(t, "\r\n") {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > maxRecipients {
		out = out[:maxRecipients]
	}
	return out
}
