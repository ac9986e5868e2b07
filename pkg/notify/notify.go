// Package notify delivers alerts. Each channel is its own package
// (notify/slack, notify/email, notify/console) behind the Notifier interface;
// errors say whether a retry can help, as Prometheus Alertmanager's do.
package notify

import (
	"context"

	"github.com/logwarden/logwarden/pkg/detect"
)

// Notifier sends alerts to one channel. retry reports whether a failure is
// worth retrying (throttling, 5xx, network) or not (bad token, unknown
// channel, unverified identity).
type Notifier interface {
	Name() string
	Notify(ctx context.Context, alerts ...detect.Alert) (retry bool, err error)
}
