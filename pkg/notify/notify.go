// Package notify delivers alerts. Each channel is its own package
// (notify/slack, notify/email, notify/console) behind the Notifier interface;
// errors say whether a retry can help, as Prometheus Alertmanager's do.
// Package notify/channels builds the configured notifiers from the
// environment.
package notify

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
)

// Notifier sends alerts to one channel. retry reports whether a failure is
// worth retrying (throttling, 5xx, network) or not (bad token, unknown
// channel, unverified identity). Several alerts in one call are one digest
// message, not one message each.
type Notifier interface {
	Name() string
	Notify(ctx context.Context, alerts ...detect.Alert) (retry bool, err error)
}

// Route is where one delivery goes, resolved from the thresholds items
// (slack_channel, email_to). Empty fields mean the channel's configured
// default.
type Route struct {
	SlackChannel string   `json:"slack_channel,omitempty"`
	EmailTo      []string `json:"email_to,omitempty"`
}

// Equal reports whether two routes go to the same places.
func (r Route) Equal(o Route) bool {
	return r.SlackChannel == o.SlackChannel && slices.Equal(r.EmailTo, o.EmailTo)
}

type routeKey struct{}

// WithRoute returns ctx carrying the route of the alerts about to be sent,
// so the Notifier interface stays one call for every channel.
func WithRoute(ctx context.Context, r Route) context.Context {
	return context.WithValue(ctx, routeKey{}, r)
}

// RouteFrom returns the route set by WithRoute (zero: defaults).
func RouteFrom(ctx context.Context) Route {
	r, _ := ctx.Value(routeKey{}).(Route)
	return r
}

// Error is a delivery failure with what the operator should do about it.
// Notifiers return it so the dispatcher can log one actionable line.
type Error struct {
	Channel string
	Err     error
	// Fix tells the operator what to change ("invite the bot to the
	// channel"); empty when a retry is all it needs.
	Fix string
	// RetryAfter is the server's requested wait, if it gave one.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := e.Channel + ": " + e.Err.Error()
	if e.Fix != "" {
		s += " (fix: " + e.Fix + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// RetryAfter returns the wait a server asked for in err, or 0.
func RetryAfter(err error) time.Duration {
	var ne *Error
	if errors.As(err, &ne) {
		return ne.RetryAfter
	}
	return 0
}

// Fix returns the operator's fix carried by err, or "".
func Fix(err error) string {
	var ne *Error
	if errors.As(err, &ne) {
		return ne.Fix
	}
	return ""
}
