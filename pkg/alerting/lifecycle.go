package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

// fallbackCooldown applies to types this package does not know yet.
const fallbackCooldown = time.Hour

// Cooldown returns the cooldown of an alert type under th.
func Cooldown(typ string, th detect.Thresholds) time.Duration {
	if d, ok := th.Cooldown[typ]; ok && d > 0 {
		return d
	}
	if d, ok := detect.Defaults().Cooldown[typ]; ok && d > 0 {
		return d
	}
	return fallbackCooldown
}

var severityRank = map[string]int{detect.SeverityInfo: 0, detect.SeverityWarning: 1, detect.SeverityCritical: 2}

func rank(sev string) int {
	if r, ok := severityRank[sev]; ok {
		return r
	}
	return severityRank[detect.SeverityWarning]
}

// episode is the notification state of one alert key.
type episode struct {
	Status   string    `json:"status"`
	Since    time.Time `json:"since"`
	LastSent time.Time `json:"last_sent"`
	Sends    int       `json:"sends"`
	version  int64
}

func episodeKey(key string) string { return "episode#" + key }

func (d *Dispatcher) loadEpisodes(ctx context.Context, alerts []detect.Alert, now time.Time) map[string]*episode {
	keys := make([]string, 0, len(alerts))
	for _, a := range alerts {
		keys = append(keys, episodeKey(a.Key))
	}
	out := map[string]*episode{}
	recs, err := d.state.Get(ctx, keys, now)
	if err != nil {
		// Without episodes every alert looks new: better a duplicate than a
		// lost alert. Claims still dedupe.
		d.log.WithError(err).Warn("alerting: cannot read alert episodes; treating alerts as new")
		return out
	}
	for k, r := range recs {
		var ep episode
		if err := json.Unmarshal(r.Data, &ep); err != nil {
			d.log.WithError(err).WithField("key", k).Warn("alerting: corrupt episode record; starting afresh")
			ep = episode{}
		}
		ep.version = r.Version
		out[k] = &ep
	}
	return out
}

// gate decides whether a is sent; it returns the alert to send (a
// reminder says so in its summary) or the reason it is suppressed.
func (d *Dispatcher) gate(ctx context.Context, a detect.Alert, th detect.Thresholds, eps map[string]*episode, now time.Time) (detect.Alert, string) {
	if now.Before(th.MutedUntil) || now.Before(th.MutedTypes[a.Type]) {
		return a, SuppressedMuted
	}
	ep := eps[episodeKey(a.Key)]
	open := ep != nil && ep.Status == detect.StatusFiring
	if a.Status == detect.StatusResolved {
		if !open {
			return a, SuppressedNotOpen
		}
		// One resolution per episode, whichever instance sees it first.
		claim := "resolved#" + a.Key + "#" + strconv.FormatInt(ep.Since.Unix(), 10)
		if !d.claim(ctx, claim, now, now.Add(7*24*time.Hour)) {
			return a, SuppressedCooldown
		}
		return a, ""
	}
	if th.MinSeverity != "" && rank(a.Severity) < rank(th.MinSeverity) {
		return a, SuppressedSeverity
	}
	if open && th.Renotify > 0 && now.Sub(ep.LastSent) < th.Renotify {
		return a, SuppressedCooldown
	}
	if !d.claim(ctx, "claim#"+a.Key, now, now.Add(Cooldown(a.Type, th))) {
		return a, SuppressedCooldown
	}
	if open && !ep.Since.IsZero() {
		a.Summary = fmt.Sprintf("Still firing since %s (notification %d). %s",
			ep.Since.UTC().Format("Jan 2 15:04 UTC"), ep.Sends+1, a.Summary)
	}
	return a, ""
}

// claim takes key, failing open: if the store is down, sending a duplicate
// beats losing the alert.
func (d *Dispatcher) claim(ctx context.Context, key string, now, until time.Time) bool {
	ok, err := d.state.Claim(ctx, key, now, until)
	if err != nil {
		d.log.WithError(err).WithField("key", key).Warn("alerting: claim failed; sending anyway")
		return true
	}
	return ok
}

// saveEpisodes records what was sent, so later alerts of the same key know
// they are reminders or resolutions.
func (d *Dispatcher) saveEpisodes(ctx context.Context, sent []detect.Alert, eps map[string]*episode, now time.Time) {
	recs := map[string]store.Record{}
	for _, a := range sent {
		k := episodeKey(a.Key)
		ep := eps[k]
		if ep == nil {
			ep = &episode{}
			eps[k] = ep
		}
		th := d.routeFor(a)
		keep := 2 * max(Cooldown(a.Type, th), th.Renotify, 24*time.Hour)
		if a.Status == detect.StatusResolved {
			ep.Status = detect.StatusResolved
		} else {
			if ep.Status != detect.StatusFiring || ep.Since.IsZero() {
				ep.Since, ep.Sends = a.Time, 0
				if ep.Since.IsZero() {
					ep.Since = now
				}
			}
			ep.Status = detect.StatusFiring
			ep.Sends++
		}
		ep.LastSent = now
		data, _ := json.Marshal(ep)
		recs[k] = store.Record{Key: k, Version: ep.version, Data: data, Expires: now.Add(keep)}
	}
	if len(recs) == 0 {
		return
	}
	list := make([]store.Record, 0, len(recs))
	for _, r := range recs {
		list = append(list, r)
	}
	conflicts, err := d.state.Put(ctx, list, now)
	if err != nil {
		d.log.WithError(err).Warn("alerting: cannot save alert episodes; the next alert of these keys may repeat")
	}
	if len(conflicts) > 0 {
		// Another instance recorded the same episode at the same time.
		d.log.WithField("keys", conflicts).Debug("alerting: episode updated concurrently")
	}
}
