package slack

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/logwarden/logwarden/pkg/notify"
)

// Slack web API errors that a later attempt can get past.
var retryableAPIErrors = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "team_added_to_org": true,
}

// What to fix for the errors an operator can fix.
var apiFixes = map[string]string{
	"invalid_auth":      "the bot token is wrong: check LOGWARDEN_SLACK_TOKEN or the secret in LOGWARDEN_SLACK_SECRET",
	"not_authed":        "no bot token was sent: check LOGWARDEN_SLACK_TOKEN or the secret in LOGWARDEN_SLACK_SECRET",
	"token_revoked":     "the bot token was revoked: reinstall the Slack app and update the secret",
	"token_expired":     "the bot token expired: reinstall the Slack app and update the secret",
	"account_inactive":  "the bot's account is deactivated: reinstall the Slack app and update the secret",
	"channel_not_found": "the channel does not exist or is private: check LOGWARDEN_SLACK_CHANNEL / slack_channel (use the channel ID) and invite the bot",
	"not_in_channel":    "invite the bot to the channel (/invite @your-app) or give it chat:write.public",
	"is_archived":       "the channel is archived: unarchive it or route alerts elsewhere (slack_channel)",
	"missing_scope":     "add the chat:write scope to the Slack app and reinstall it",
	"restricted_action": "the workspace forbids the bot to post there: ask an admin or route elsewhere",
	"invalid_blocks":    "Slack rejected the message layout: please report this as a logwarden bug",
	"msg_too_long":      "Slack rejected the message size: please report this as a logwarden bug",
}

// classify turns a delivery error into retry advice and a notify.Error
// whose message holds neither the webhook URL nor the token.
func (n *Notifier) classify(err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	ne := &notify.Error{Channel: "slack", Err: n.redact(err)}
	retry := false
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var api slack.SlackErrorResponse
	var nerr net.Error
	switch {
	case errors.As(err, &rl):
		retry, ne.RetryAfter = true, rl.RetryAfter
	case errors.As(err, &sc):
		retry = sc.Retryable()
		if !retry {
			ne.Fix = n.statusFix(sc.Code)
		}
	case errors.As(err, &api):
		retry = retryableAPIErrors[api.Err]
		if !retry {
			ne.Fix = apiFixes[api.Err]
			if ne.Fix == "" {
				ne.Fix = "Slack refused the message (" + api.Err + "); see docs.slack.dev/reference/methods/chat.postMessage"
			}
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.As(err, &nerr):
		retry = true
	default:
		// Transport failures (connection refused, reset, DNS) surface as
		// *url.Error: worth another attempt.
		var ue *url.Error
		retry = errors.As(err, &ue)
	}
	return retry, ne
}

func (n *Notifier) statusFix(code int) string {
	if n.client != nil {
		return "Slack answered HTTP " + strconv.Itoa(code) + ": check LOGWARDEN_SLACK_API_URL and the token"
	}
	switch code {
	case 400:
		return "Slack rejected the webhook payload: please report this as a logwarden bug"
	case 403, 404, 410:
		return "the webhook URL is revoked, wrong or its channel archived: create a new incoming webhook and update LOGWARDEN_SLACK_WEBHOOK_URL or the secret"
	}
	return "Slack answered HTTP " + strconv.Itoa(code) + " to the webhook: check the webhook URL"
}

// redact strips the secret parts from an error message. *url.Error prints
// the full request URL, which for a webhook is the credential itself.
func (n *Notifier) redact(err error) error {
	msg := err.Error()
	secrets := []string{n.cfg.WebhookURL, n.cfg.Token}
	if u, perr := url.Parse(n.cfg.WebhookURL); perr == nil && u.Path != "" {
		secrets = append(secrets, u.Path, url.PathEscape(u.Path))
	}
	for _, s := range secrets {
		if len(s) > 8 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return redacted(msg)
}

type redacted string

func (r redacted) Error() string { return string(r) }
