package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/store"
)

// pendingTTL bounds how long an undelivered alert is retried: a day-old
// page helps nobody, and the store must not fill up while a channel is
// broken.
const pendingTTL = 24 * time.Hour

// pendingIndex lists the pending records, so RetryPending reads two items
// instead of scanning the table (a Scan on DynamoDB) every invocation.
const pendingIndex = "pending#index"

type pendingDelivery struct {
	Channel  string         `json:"channel"`
	Route    notify.Route   `json:"route"`
	Alerts   []detect.Alert `json:"alerts"`
	Attempts int            `json:"attempts"`
	Since    time.Time      `json:"since"`
}

type indexData struct {
	Keys []string `json:"keys"`
}

func (d *Dispatcher) savePending(ctx context.Context, channel string, route notify.Route, alerts []detect.Alert, now time.Time) error {
	key := pendingID(channel, route, alerts)
	data, err := json.Marshal(pendingDelivery{Channel: channel, Route: route, Alerts: alerts, Attempts: 1, Since: now})
	if err != nil {
		return fmt.Errorf("encode pending alerts: %w", err)
	}
	cur, err := d.state.Get(ctx, []string{key}, now)
	if err != nil {
		return fmt.Errorf("read pending %s: %w", key, err)
	}
	rec := store.Record{Key: key, Version: cur[key].Version, Data: data, Expires: now.Add(pendingTTL)}
	if _, err := d.state.Put(ctx, []store.Record{rec}, now); err != nil {
		return fmt.Errorf("save pending %s: %w", key, err)
	}
	return d.updateIndex(ctx, now, func(keys []string) []string {
		if slices.Contains(keys, key) {
			return keys
		}
		return append(keys, key)
	})
}

// updateIndex applies change to the index under optimistic locking.
func (d *Dispatcher) updateIndex(ctx context.Context, now time.Time, change func([]string) []string) error {
	for range 8 {
		cur, err := d.state.Get(ctx, []string{pendingIndex}, now)
		if err != nil {
			return fmt.Errorf("read pending index: %w", err)
		}
		var idx indexData
		rec := cur[pendingIndex]
		if len(rec.Data) > 0 {
			if err := json.Unmarshal(rec.Data, &idx); err != nil {
				idx = indexData{} // corrupt: rebuilt from the next pending records
			}
		}
		idx.Keys = change(idx.Keys)
		data, _ := json.Marshal(idx)
		conflicts, err := d.state.Put(ctx, []store.Record{{Key: pendingIndex, Version: rec.Version, Data: data,
			Expires: now.Add(2 * pendingTTL)}}, now)
		if err != nil {
			return fmt.Errorf("save pending index: %w", err)
		}
		if len(conflicts) == 0 {
			return nil
		}
	}
	return fmt.Errorf("save pending index: %w", store.ErrConflict)
}

// RetryPending delivers the alerts earlier invocations could not. Call it
// at the start of every invocation; it reads one index item when nothing
// is pending.
func (d *Dispatcher) RetryPending(ctx context.Context, now time.Time) Report {
	rep := newReport()
	idx, err := d.state.Get(ctx, []string{pendingIndex}, now)
	if err != nil {
		d.log.WithError(err).Warn("alerting: cannot read pending alerts")
		return rep
	}
	var list indexData
	if r, ok := idx[pendingIndex]; ok {
		_ = json.Unmarshal(r.Data, &list)
	}
	if len(list.Keys) == 0 {
		return rep
	}
	recs, err := d.state.Get(ctx, list.Keys, now)
	if err != nil {
		d.log.WithError(err).Warn("alerting: cannot read pending alerts")
		return rep
	}
	var done []string
	for _, key := range list.Keys {
		rec, ok := recs[key]
		if !ok {
			done = append(done, key) // expired or delivered elsewhere
			continue
		}
		if finished := d.retryOne(ctx, rec, now, rep); finished {
			done = append(done, key)
		}
	}
	if len(done) > 0 {
		err := d.updateIndex(ctx, now, func(keys []string) []string {
			return slices.DeleteFunc(keys, func(k string) bool { return slices.Contains(done, k) })
		})
		if err != nil {
			d.log.WithError(err).Warn("alerting: cannot update the pending index")
		}
	}
	return rep
}

// retryOne retries one pending delivery and reports whether it is settled
// (sent, or given up on) and can leave the index.
func (d *Dispatcher) retryOne(ctx context.Context, rec store.Record, now time.Time, rep Report) bool {
	var p pendingDelivery
	if err := json.Unmarshal(rec.Data, &p); err != nil {
		d.log.WithError(err).WithField("key", rec.Key).Error("alerting: corrupt pending record dropped")
		_ = d.state.Delete(ctx, rec.Key)
		return true
	}
	if _, ok := d.notifiers[p.Channel]; !ok {
		d.log.WithError(errNoNotifier).WithField("channel", p.Channel).WithField("keys", alertKeys(p.Alerts)).
			Error("alerting: pending alerts dropped: their channel is no longer configured")
		_ = d.state.Delete(ctx, rec.Key)
		rep.Failed[p.Channel] += len(p.Alerts)
		return true
	}
	// Two instances starting at once must not both resend.
	if !d.claim(ctx, "retrying#"+rec.Key, now, now.Add(2*time.Minute)) {
		return false
	}
	switch d.attempt(ctx, p.Channel, p.Route, p.Alerts) {
	case sent:
		rep.Sent[p.Channel] += len(p.Alerts)
		rep.Messages[p.Channel]++
	case failed:
		rep.Failed[p.Channel] += len(p.Alerts)
	case pending:
		p.Attempts++
		data, _ := json.Marshal(p)
		rec.Data = data
		if _, err := d.state.Put(context.WithoutCancel(ctx), []store.Record{rec}, now); err != nil {
			d.log.WithError(err).WithField("key", rec.Key).Warn("alerting: cannot update pending alerts")
		}
		_ = d.state.Delete(context.WithoutCancel(ctx), "retrying#"+rec.Key)
		rep.Pending[p.Channel] += len(p.Alerts)
		return false
	}
	if err := d.state.Delete(context.WithoutCancel(ctx), rec.Key); err != nil {
		d.log.WithError(err).WithField("key", rec.Key).Warn("alerting: cannot delete delivered pending alerts")
	}
	return true
}
