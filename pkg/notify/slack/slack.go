// Package slack sends alerts to Slack through an incoming webhook or a bot
// token (chat.postMessage). With a bot token, follow-ups and the RESOLVED
// message of an alert are posted in the thread of its first message.
package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

// Config selects webhook or bot-token delivery.
type Config struct {
	// WebhookURL, or Token with a default Channel (routes may override it).
	WebhookURL string
	Token      string
	Channel    string
	// APIURL points the web API at a stand-in; it must end in "/".
	APIURL     string
	HTTPClient *http.Client
	Render     render.Options
	// Threads remembers each alert's thread (bot token only); nil posts
	// every message at the top level.
	Threads Threads
}

// Notifier posts alerts to Slack.
type Notifier struct {
	cfg    Config
	client *slack.Client
	http   *http.Client
}

// New validates cfg and returns the notifier.
func New(cfg Config) (*Notifier, error) {
	switch {
	case cfg.WebhookURL == "" && cfg.Token == "":
		return nil, errors.New("slack: set a webhook URL or a bot token")
	case cfg.WebhookURL != "" && cfg.Token != "":
		return nil, errors.New("slack: set a webhook URL or a bot token, not both")
	case cfg.APIURL != "" && !strings.HasSuffix(cfg.APIURL, "/"):
		return nil, errors.New("slack: the API URL must end in /")
	}
	n := &Notifier{cfg: cfg, http: cfg.HTTPClient}
	if n.http == nil {
		n.http = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(n.http)}
		if cfg.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
		}
		n.client = slack.New(cfg.Token, opts...)
	}
	return n, nil
}

// Name implements notify.Notifier.
func (n *Notifier) Name() string { return "slack" }

// Notify implements notify.Notifier: one message for all alerts (a digest
// when there are several), or with a bot token one message per thread.
func (n *Notifier) Notify(ctx context.Context, alerts ...detect.Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	if n.client == nil {
		cs := render.All(alerts, n.cfg.Render)
		return n.classify(n.postWebhook(ctx, cs))
	}
	channel := notify.RouteFrom(ctx).SlackChannel
	if channel == "" {
		channel = n.cfg.Channel
	}
	if channel == "" {
		return false, &notify.Error{Channel: "slack", Err: errors.New("no channel to post to"),
			Fix: "set LOGWARDEN_SLACK_CHANNEL or slack_channel in the thresholds items"}
	}
	return n.classify(n.postThreaded(ctx, channel, alerts))
}

func (n *Notifier) postWebhook(ctx context.Context, cs []render.Content) error {
	return slack.PostWebhookCustomHTTPContext(ctx, n.cfg.WebhookURL, n.http, message(cs))
}

// Message is the webhook payload logwarden posts for alerts (one message,
// a digest when there are several): what the golden files pin.
func Message(alerts []detect.Alert, opt render.Options) *slack.WebhookMessage {
	return message(render.All(alerts, opt))
}

func message(cs []render.Content) *slack.WebhookMessage {
	off := false
	return &slack.WebhookMessage{
		// parse=none: a literal "@channel" or "#general" in log text is
		// never turned into a mention or a channel link.
		Parse:       "none",
		Text:        fallback(cs),
		Blocks:      &slack.Blocks{BlockSet: blocks(cs)},
		UnfurlLinks: &off,
		UnfurlMedia: &off,
	}
}

// postThreaded posts alerts that already have a thread as replies there,
// and the others as one new message whose ts becomes their thread.
func (n *Notifier) postThreaded(ctx context.Context, channel string, alerts []detect.Alert) error {
	threads := map[string]string{}
	if n.cfg.Threads != nil {
		var err error
		if threads, err = n.cfg.Threads.Lookup(ctx, channel, keys(alerts)); err != nil {
			// Losing the thread is better than losing the alert.
			threads = map[string]string{}
		}
	}
	byThread := map[string][]detect.Alert{}
	var order []string
	for _, a := range alerts {
		ts := threads[a.Key]
		if _, seen := byThread[ts]; !seen {
			order = append(order, ts)
		}
		byThread[ts] = append(byThread[ts], a)
	}
	for _, ts := range order {
		group := byThread[ts]
		newTS, err := n.post(ctx, channel, ts, render.All(group, n.cfg.Render))
		if err != nil {
			return err
		}
		if ts == "" && n.cfg.Threads != nil {
			var firing []string
			for _, a := range group {
				if a.Status != detect.StatusResolved && a.Key != "" {
					firing = append(firing, a.Key)
				}
			}
			// Best effort: a missing thread only un-threads the follow-up.
			_ = n.cfg.Threads.Remember(ctx, channel, firing, newTS)
		}
	}
	return nil
}

func (n *Notifier) post(ctx context.Context, channel, threadTS string, cs []render.Content) (string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(fallback(cs), false),
		slack.MsgOptionParse(false), // as in message(): no mentions from log text
		slack.MsgOptionLinkNames(false),
		slack.MsgOptionBlocks(blocks(cs)...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
		for _, c := range cs {
			if c.Resolved {
				// The resolution also shows in the channel, so a reader of
				// the channel knows the incident is over.
				opts = append(opts, slack.MsgOptionBroadcast())
				break
			}
		}
	}
	_, ts, err := n.client.PostMessageContext(ctx, channel, opts...)
	return ts, err
}

func keys(alerts []detect.Alert) []string {
	var out []string
	for _, a := range alerts {
		if a.Key != "" {
			out = append(out, a.Key)
		}
	}
	return out
}
