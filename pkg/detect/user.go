package detect

import (
	"fmt"

	"github.com/logwarden/logwarden/pkg/logline"
)

// userRecord is user#<function>#<user>: failures for one account from any
// address (the distributed brute force every per-IP counter misses:
// fail2ban#881).
type userRecord struct {
	header
	User    string    `json:"u"`
	Fails   []authHit `json:"f,omitempty"` // E = IP entity
	Crossed int64     `json:"x,omitempty"`
	BFLast  int64     `json:"bf,omitempty"`
	Comp    int64     `json:"c,omitempty"` // crossing already reported compromised
}

func (p *plan) applyUser(t target, data []byte) (Update, bool) {
	key, rest := t.key, p.users[t.ent].name
	var rec userRecord
	note := decodeRecord(key, data, &rec, p.users[t.ent].events)
	if note != "" {
		rec = userRecord{}
	}
	if rec.seen(p.in.BatchID) {
		return Update{}, false
	}
	rec.User = rest
	th := &p.in.Thresholds
	var alerts []Alert
	seedF, _ := p.seed(false, t.ent, lastHit(rec.Fails))
	for _, h := range seedF {
		rec.Fails = push(rec.Fails, h, maxFailRing)
	}
	failed := len(seedF) > 0
	p.userEvents(t.ent, func(o *Observation, ip string) {
		t := ms(o.Time)
		if o.Event.Kind == logline.KindAuthSuccess {
			if a, ok := p.userCompromise(&rec, o, ip); ok {
				alerts = append(alerts, a)
			}
			return
		}
		failed = true
		rec.Fails = push(rec.Fails, authHit{T: t, E: ip, R: o.Event.RequestID}, maxFailRing)
		forgetOldIDs(rec.Fails)
		if a, ok := p.distributed(&rec, o); ok {
			alerts = append(alerts, a)
		}
	})
	if len(data) == 0 && !failed {
		return Update{}, false
	}
	rec.remember(p.in.BatchID)
	last := max(lastHit(rec.Fails)+th.DistributedWindow.Milliseconds(), rec.Crossed+th.CompromiseWindow.Milliseconds())
	return Update{Key: key, Data: p.fit(&rec, budgetUser), Expires: fromMs(last), Alerts: alerts, Note: note}, true
}

// distributed is the per-user brute force (Elastic's multi-source rule):
// DistributedFailures failures from at least DistributedMinIPs addresses
// within DistributedWindow.
func (p *plan) distributed(rec *userRecord, o *Observation) (Alert, bool) {
	th, t := &p.in.Thresholds, ms(o.Time)
	from := t - th.DistributedWindow.Milliseconds()
	if rec.BFLast > 0 && rec.BFLast >= from {
		rec.BFLast, rec.Crossed = t, t
		return Alert{}, false
	}
	if countSince(rec.Fails, from) < th.DistributedFailures {
		return Alert{}, false
	}
	hits := p.since(rec.Fails, from)
	ips := p.countBy(hits)
	if len(ips) < th.DistributedMinIPs {
		return Alert{}, false
	}
	rec.BFLast, rec.Crossed = t, t
	a := newAlert(p.in, TypeBruteForce, SeverityWarning, o, "user:"+rec.User)
	a.User, a.TopIPs = rec.User, top(ips, 5)
	a.Summary = fmt.Sprintf("%d failed logins for %s from %d addresses in %s (distributed), threshold %d from %d addresses in %s",
		len(hits), rec.User, len(ips), fmtSpan(t-hits[0].T), th.DistributedFailures, th.DistributedMinIPs, th.DistributedWindow)
	a.Value, a.Baseline, a.Unit, a.Samples = float64(len(hits)), float64(th.DistributedFailures), "failures", len(hits)
	a.WindowStart, a.RequestIDs = fromMs(hits[0].T), requestIDs(hits)
	return a, true
}

// userCompromise: a success for a user within CompromiseWindow after the
// user's own failures crossed the distributed threshold, from any address.
func (p *plan) userCompromise(rec *userRecord, o *Observation, ip string) (Alert, bool) {
	th, t := &p.in.Thresholds, ms(o.Time)
	if rec.Crossed == 0 || rec.Comp >= rec.Crossed || t-rec.Crossed > th.CompromiseWindow.Milliseconds() {
		return Alert{}, false
	}
	rec.Comp = rec.Crossed
	fails := p.since(rec.Fails, rec.Crossed-th.DistributedWindow.Milliseconds())
	a := newAlert(p.in, TypeAccountCompromise, SeverityCritical, o, "user:"+rec.User)
	ips := p.countBy(fails)
	a.User, a.IP, a.TopIPs = rec.User, ip, top(ips, 5)
	from := ip
	if from == "" {
		from = "an unknown address"
	}
	a.Summary = fmt.Sprintf("successful login for %s from %s after %d failed attempts from %d addresses (threshold crossed at %s)",
		rec.User, from, len(fails), len(ips), clock(fromMs(rec.Crossed)))
	a.Value, a.Baseline, a.Unit, a.Samples = float64(len(fails)), float64(th.DistributedFailures), "failures", len(fails)
	a.WindowStart, a.RequestIDs = fromMs(rec.Crossed), nonEmpty(o.Event.RequestID)
	return a, true
}
