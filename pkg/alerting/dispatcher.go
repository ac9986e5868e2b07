// Package alerting decides which alerts are sent and makes sure they are:
// it dedupes by alert key across Lambda instances (store.Claim), applies
// cooldowns, re-notification, muting and minimum severity from the
// thresholds, gathers a batch into one digest per destination, threads the
// resolution after the firing message, retries with backoff within the
// invocation's deadline and keeps what still could not be delivered as
// pending in the store for the next invocation.
//
// Lifecycle of one key: the first firing alert opens an episode and is sent.
// Further firing alerts are suppressed for the type's cooldown; once it has
// passed (and, if set, the Renotify interval since the last message) a
// reminder goes out. A resolved alert is sent once per episode, and only if
// the firing side was sent.
package alerting

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/internal/wait"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/store"
)

// Reasons an alert was not sent.
const (
	SuppressedCooldown  = "cooldown"   // same key sent recently
	SuppressedMuted     = "muted"      // muted_until / muted_types
	SuppressedSeverity  = "severity"   // below min_severity
	SuppressedNotOpen   = "not_firing" // resolved, but its firing side was never sent
	SuppressedNoChannel = "no_channel" // no notifier configured
)

// Report counts what happened to the alerts of one call. Sent, Failed and
// Pending count alerts per channel; Suppressed counts alerts per reason.
type Report struct {
	Sent       map[string]int
	Failed     map[string]int
	Pending    map[string]int
	Suppressed map[string]int
	// Messages counts messages (a digest is one) per channel.
	Messages map[string]int
}

func newReport() Report {
	return Report{Sent: map[string]int{}, Failed: map[string]int{}, Pending: map[string]int{},
		Suppressed: map[string]int{}, Messages: map[string]int{}}
}

func (r Report) add(o Report) {
	for _, p := range [][2]map[string]int{{r.Sent, o.Sent}, {r.Failed, o.Failed}, {r.Pending, o.Pending},
		{r.Suppressed, o.Suppressed}, {r.Messages, o.Messages}} {
		for k, v := range p[1] {
			p[0][k] += v
		}
	}
}

// Dispatcher sends alerts through notifiers. Build one per process (Lambda
// cold start) so a broken setting is logged loudly once, not per batch.
type Dispatcher struct {
	state     store.State
	notifiers map[string]notify.Notifier
	routeFor  func(detect.Alert) detect.Thresholds
	log       *logrus.Entry

	// Backoff is the first wait between attempts, doubled after each one;
	// MaxAttempts bounds the attempts per message within one call.
	Backoff     time.Duration
	MaxAttempts int
	// AttemptTimeout bounds one Notify call (budget.go); PendingRetries
	// the pending deliveries retried per RetryPending; MaxPending the
	// pending set.
	AttemptTimeout time.Duration
	PendingRetries int
	MaxPending     int
	// Sleep waits d or until ctx is done (replaced in tests).
	Sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	warned map[string]bool
}

// New returns a dispatcher. routeFor gives the resolved thresholds of the
// alert's function (routing, cooldowns, muting).
func New(state store.State, notifiers map[string]notify.Notifier, routeFor func(a detect.Alert) detect.Thresholds, log *logrus.Entry) *Dispatcher {
	if log == nil {
		log = logrus.NewEntry(logrus.StandardLogger())
	}
	if routeFor == nil {
		routeFor = func(detect.Alert) detect.Thresholds { return detect.Thresholds{} }
	}
	return &Dispatcher{state: state, notifiers: notifiers, routeFor: routeFor, log: log,
		Backoff: time.Second, MaxAttempts: 4, Sleep: wait.Sleep, warned: map[string]bool{},
		AttemptTimeout: defaultAttemptTimeout, PendingRetries: defaultPendingRetries, MaxPending: defaultMaxPending}
}

// Dispatch decides which alerts to send, sends each destination one message
// (a digest when there are several alerts) on every channel, and records
// the episodes.
func (d *Dispatcher) Dispatch(ctx context.Context, alerts []detect.Alert, now time.Time) Report {
	rep := newReport()
	if len(alerts) == 0 {
		return rep
	}
	ctx, _ = runFrom(ctx)
	if len(d.notifiers) == 0 {
		// Claiming keys here would silence the alerts once a channel is set.
		rep.Suppressed[SuppressedNoChannel] += len(alerts)
		return rep
	}
	for i := range alerts {
		if alerts[i].Key == "" {
			alerts[i].Key = DefaultKey(alerts[i])
		}
	}
	episodes := d.loadEpisodes(ctx, alerts, now)
	var send []detect.Alert
	var routes []notify.Route
	for _, a := range alerts {
		th := d.routeFor(a)
		out, reason := d.gate(ctx, a, th, episodes, now)
		if reason != "" {
			rep.Suppressed[reason]++
			continue
		}
		send = append(send, out)
		routes = append(routes, notify.Route{SlackChannel: th.SlackChannel, EmailTo: th.EmailTo})
	}
	for _, g := range groupByRoute(send, routes) {
		rep.add(d.deliverAll(ctx, g.route, g.alerts, now))
	}
	park, cancel := parkContext(ctx)
	defer cancel()
	d.saveEpisodes(park, send, episodes, now)
	return rep
}

// DefaultKey is the dedupe key of an alert without one: type, function and
// the entity (IP or user) it is about.
func DefaultKey(a detect.Alert) string {
	entity := a.IP
	if entity == "" {
		entity = a.User
	}
	return a.Type + "#" + a.Function + "#" + entity
}

type group struct {
	route  notify.Route
	alerts []detect.Alert
}

// groupByRoute gathers the alerts going to the same destination, in the
// order first seen, so a burst is one digest per destination.
func groupByRoute(alerts []detect.Alert, routes []notify.Route) []group {
	var out []group
	idx := map[string]int{}
	for i, a := range alerts {
		k := routes[i].SlackChannel + "\x00" + strings.Join(routes[i].EmailTo, ",")
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, group{route: routes[i]})
		}
		out[j].alerts = append(out[j].alerts, a)
	}
	return out
}

// deliverAll sends one group on every channel at once, so a slow or
// failing channel does not eat the others' deadline.
func (d *Dispatcher) deliverAll(ctx context.Context, route notify.Route, alerts []detect.Alert, now time.Time) Report {
	rep := newReport()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range d.channelNames() {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			r := d.deliver(ctx, name, route, alerts, now)
			mu.Lock()
			rep.add(r)
			mu.Unlock()
		}(name)
	}
	wg.Wait()
	return rep
}

func (d *Dispatcher) channelNames() []string {
	names := make([]string, 0, len(d.notifiers))
	for n := range d.notifiers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
