package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
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

// TypeUndelivered is the notice sent on the other channels when the
// pending set of one overflowed: its oldest alerts were dropped.
const TypeUndelivered = "alerts_undelivered"

type pendingDelivery struct {
	Channel  string         `json:"channel"`
	Route    notify.Route   `json:"route"`
	Alerts   []detect.Alert `json:"alerts"`
	Attempts int            `json:"attempts"`
	Since    time.Time      `json:"since"`
}

// indexData lists the pending records, oldest first, with what an
// overflow needs to say what it dropped.
type indexData struct {
	Keys []string `json:"keys"`
	// Info is each key's channel and alert count.
	Info map[string]pendingInfo `json:"info,omitempty"`
	// Dropped counts, per channel, the alerts dropped by an overflow and
	// not yet reported; Since is the oldest drop.
	Dropped map[string]int       `json:"dropped,omitempty"`
	Since   map[string]time.Time `json:"since,omitempty"`
}

type pendingInfo struct {
	Channel string `json:"c"`
	N       int    `json:"n"`
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
	var dropped []string
	idx, err := d.updateIndex(ctx, now, func(idx *indexData) {
		dropped = nil
		if !slices.Contains(idx.Keys, key) {
			idx.Keys = append(idx.Keys, key)
			idx.Info[key] = pendingInfo{Channel: channel, N: len(alerts)}
		}
		limit := d.MaxPending
		if limit <= 0 {
			limit = defaultMaxPending
		}
		for len(idx.Keys) > limit {
			old := idx.Keys[0]
			idx.Keys = idx.Keys[1:]
			info := idx.Info[old]
			delete(idx.Info, old)
			if info.Channel == "" {
				info = pendingInfo{Channel: "unknown", N: 1}
			}
			if idx.Dropped[info.Channel] == 0 {
				idx.Since[info.Channel] = now
			}
			idx.Dropped[info.Channel] += info.N
			dropped = append(dropped, old)
		}
	})
	if err != nil {
		return err
	}
	for _, k := range dropped {
		_ = d.state.Delete(ctx, k)
	}
	if len(idx.Dropped) > 0 {
		d.reportDropped(ctx, idx, now, newReport())
	}
	return nil
}

// updateIndex applies change to the index under optimistic locking and
// returns the index written.
func (d *Dispatcher) updateIndex(ctx context.Context, now time.Time, change func(*indexData)) (indexData, error) {
	for range 8 {
		cur, err := d.state.Get(ctx, []string{pendingIndex}, now)
		if err != nil {
			return indexData{}, fmt.Errorf("read pending index: %w", err)
		}
		rec := cur[pendingIndex]
		idx := decodeIndex(rec.Data)
		change(&idx)
		data, _ := json.Marshal(idx)
		conflicts, err := d.state.Put(ctx, []store.Record{{Key: pendingIndex, Version: rec.Version, Data: data,
			Expires: now.Add(2 * pendingTTL)}}, now)
		if err != nil {
			return indexData{}, fmt.Errorf("save pending index: %w", err)
		}
		if len(conflicts) == 0 {
			return idx, nil
		}
	}
	return indexData{}, fmt.Errorf("save pending index: %w", store.ErrConflict)
}

// decodeIndex reads the index; a corrupt one is rebuilt from the next
// pending records.
func decodeIndex(data []byte) indexData {
	var idx indexData
	if len(data) > 0 {
		if err := json.Unmarshal(data, &idx); err != nil {
			idx = indexData{}
		}
	}
	if idx.Info == nil {
		idx.Info = map[string]pendingInfo{}
	}
	if idx.Dropped == nil {
		idx.Dropped = map[string]int{}
	}
	if idx.Since == nil {
		idx.Since = map[string]time.Time{}
	}
	return idx
}

// RetryPending delivers the alerts earlier invocations could not: the
// oldest PendingRetries deliveries, one attempt each, so a long outage
// never turns one invocation into hundreds of Notify calls. Call it at the
// start of every invocation; it reads one index item when nothing is
// pending.
func (d *Dispatcher) RetryPending(ctx context.Context, now time.Time) Report {
	ctx, _ = runFrom(ctx)
	rep := newReport()
	idx, err := d.state.Get(ctx, []string{pendingIndex}, now)
	if err != nil {
		d.log.WithError(err).Warn("alerting: cannot read pending alerts")
		return rep
	}
	list := decodeIndex(idx[pendingIndex].Data)
	if len(list.Dropped) > 0 {
		d.reportDropped(ctx, list, now, rep)
	}
	if len(list.Keys) == 0 {
		return rep
	}
	limit := d.PendingRetries
	if limit <= 0 {
		limit = defaultPendingRetries
	}
	keys := list.Keys[:min(limit, len(list.Keys))]
	recs, err := d.state.Get(ctx, keys, now)
	if err != nil {
		d.log.WithError(err).Warn("alerting: cannot read pending alerts")
		return rep
	}
	var done []string
	for _, key := range keys {
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
		park, cancel := parkContext(ctx)
		defer cancel()
		_, err := d.updateIndex(park, now, func(idx *indexData) {
			idx.Keys = slices.DeleteFunc(idx.Keys, func(k string) bool { return slices.Contains(done, k) })
			for _, k := range done {
				delete(idx.Info, k)
			}
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
	if _, r := runFrom(ctx); r.isBroken(p.Channel) || ctx.Err() != nil {
		rep.Pending[p.Channel] += len(p.Alerts)
		return false
	}
	// Two instances starting at once must not both resend.
	if !d.claim(ctx, "retrying#"+rec.Key, now, now.Add(2*time.Minute)) {
		return false
	}
	outcome := d.attempt(ctx, p.Channel, p.Route, p.Alerts, 1)
	// The bookkeeping after the attempt gets its own deadline: the attempt
	// may have used up the delivery's.
	park, cancel := parkContext(ctx)
	defer cancel()
	switch outcome {
	case sent:
		rep.Sent[p.Channel] += len(p.Alerts)
		rep.Messages[p.Channel]++
	case failed:
		rep.Failed[p.Channel] += len(p.Alerts)
	case pending:
		p.Attempts++
		data, _ := json.Marshal(p)
		rec.Data = data
		if _, err := d.state.Put(park, []store.Record{rec}, now); err != nil {
			d.log.WithError(err).WithField("key", rec.Key).Warn("alerting: cannot update pending alerts")
		}
		_ = d.state.Delete(park, "retrying#"+rec.Key)
		rep.Pending[p.Channel] += len(p.Alerts)
		return false
	}
	if err := d.state.Delete(park, rec.Key); err != nil {
		d.log.WithError(err).WithField("key", rec.Key).Warn("alerting: cannot delete delivered pending alerts")
	}
	return true
}

// reportDropped sends one notice per overflowed channel on every other
// channel ("N alerts could not be delivered"), and clears the count once
// one of them took it. With no other channel, or none answering, the
// count stays for the next invocation and is logged: never a silent drop.
func (d *Dispatcher) reportDropped(ctx context.Context, idx indexData, now time.Time, rep Report) {
	channels := make([]string, 0, len(idx.Dropped))
	for ch := range idx.Dropped {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	var told []string
	for _, ch := range channels {
		n := idx.Dropped[ch]
		notice := detect.Alert{Type: TypeUndelivered, Status: detect.StatusFiring, Severity: detect.SeverityCritical,
			Time: now, Function: "logwarden", Key: TypeUndelivered + "#" + ch, Value: float64(n), Unit: "alerts", Samples: n,
			WindowStart: idx.Since[ch],
			Summary: fmt.Sprintf("%d alerts could not be delivered to %s since %s: it kept failing and the pending queue "+
				"(%d deliveries) overflowed, so the oldest were dropped. Check the %s channel and the processor's logs.",
				n, ch, idx.Since[ch].UTC().Format("Jan 2 15:04 UTC"), d.maxPending(), ch)}
		delivered := false
		for _, other := range d.channelNames() {
			if other == ch || other == "unknown" {
				continue
			}
			if d.attempt(ctx, other, notify.Route{}, []detect.Alert{notice}, 1) == sent {
				rep.Sent[other]++
				rep.Messages[other]++
				delivered = true
			}
		}
		entry := d.log.WithField("channel", ch).WithField("dropped_alerts", n)
		if !delivered {
			entry.Error("alerting: ALERTS DROPPED: the pending queue overflowed and no other channel took the notice; " +
				"it is retried on the next invocation")
			continue
		}
		entry.Error("alerting: alerts dropped: the pending queue overflowed; the notice went to the other channels")
		told = append(told, ch)
	}
	if len(told) == 0 {
		return
	}
	park, cancel := parkContext(ctx)
	defer cancel()
	_, err := d.updateIndex(park, now, func(x *indexData) {
		for _, ch := range told {
			if x.Dropped[ch] -= idx.Dropped[ch]; x.Dropped[ch] <= 0 {
				delete(x.Dropped, ch)
				delete(x.Since, ch)
			}
		}
	})
	if err != nil {
		d.log.WithError(err).Warn("alerting: cannot clear the dropped count; the notice may repeat")
	}
}

func (d *Dispatcher) maxPending() int {
	if d.MaxPending <= 0 {
		return defaultMaxPending
	}
	return d.MaxPending
}
