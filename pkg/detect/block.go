package detect

import (
	"fmt"
	"slices"
	"time"

	"github.com/logwarden/logwarden/pkg/logline"
)

// blockRecord is block#<ip>: the blocklist entry of one address (v6: /64),
// shared by all functions so that an address attacking several of them is
// one offender.
type blockRecord struct {
	header
	IP        string  `json:"ip"`
	Fails     []int64 `json:"f,omitempty"` // recent failure times, at most BruteForceFailures
	Offences  int     `json:"n,omitempty"`
	Until     int64   `json:"until,omitempty"`
	Reason    string  `json:"why,omitempty"`
	LastAlert int64   `json:"last,omitempty"` // start of the latest block
	Function  string  `json:"fn,omitempty"`
}

// BlockEntry is a blocklist entry as `logwarden blocklist` shows it.
type BlockEntry struct {
	IP        string    `json:"ip"` // address, or IPv6 /64
	Offences  int       `json:"offences"`
	Until     time.Time `json:"blocked_until"`
	Reason    string    `json:"reason"`
	LastAlert time.Time `json:"last_alert"`
	Function  string    `json:"function,omitempty"`
}

// Blocked reports whether the entry blocks at now.
func (b BlockEntry) Blocked(now time.Time) bool { return now.Before(b.Until) }

// DecodeBlock decodes a block# record's data.
func DecodeBlock(data []byte) (BlockEntry, error) {
	var r blockRecord
	if err := unmarshalRecord(data, &r); err != nil {
		return BlockEntry{}, fmt.Errorf("decode blocklist entry: %w", err)
	}
	e := BlockEntry{IP: r.IP, Offences: r.Offences, Reason: r.Reason, Function: r.Function}
	if r.Until > 0 {
		e.Until = fromMs(r.Until)
	}
	if r.LastAlert > 0 {
		e.LastAlert = fromMs(r.LastAlert)
	}
	return e, nil
}

// applyBlock counts the address's failures in a sliding window (only the
// last BruteForceFailures times are needed: the window holds that many
// failures iff the oldest of them is inside it). Crossing it while not
// blocked starts a block of BlockBase doubled per previous offence (fail2ban
// bantime.increment), capped at BlockMax. The failure window restarts after
// each block, so a block needs fresh evidence.
func (p *plan) applyBlock(t target, data []byte) (Update, bool) {
	key, ip := t.key, p.ips[t.ent].name
	var rec blockRecord
	note := decodeRecord(key, data, &rec, p.ips[t.ent].fails)
	if note != "" {
		rec = blockRecord{}
	}
	if rec.seen(p.in.BatchID) {
		return Update{}, false
	}
	rec.IP = ip
	th := &p.in.Thresholds
	win := th.BruteForceWindow.Milliseconds()
	// A shared address (an office NAT, slowbrute.go) is never blocked:
	// that would lock out everyone behind it (fail2ban#779, #4199).
	shared := p.sharedIP(t.ent)
	// block starts a block at t, doubled per previous offence.
	block := func(t int64, why string) {
		rec.Offences++
		d := th.BlockBase
		for i := 1; i < rec.Offences && d < th.BlockMax; i++ {
			d *= 2
		}
		d = min(d, th.BlockMax)
		rec.Until, rec.LastAlert, rec.Fails = t+d.Milliseconds(), t, nil
		rec.Function = p.in.Function
		rec.Reason = fmt.Sprintf("%s on %s (offence %d, blocked %s)", why, p.in.Function, rec.Offences, d)
	}
	// An address promoted by the spray view alone (spray.go) is not this
	// function's offender: its seeds (every attempt the tally kept, the
	// batch's among them) come in any order, other functions' failures
	// being in the record already, and only sprayCheck blocks it, with the
	// alert naming the functions.
	exact := p.ips[t.ent].exact
	count := func(t int64) {
		if t < rec.Until {
			return // already blocked: its own rejections are not new evidence (Charon#939)
		}
		// Kept in time order: failures of other functions arrive late.
		i, found := slices.BinarySearch(rec.Fails, t)
		if !exact && (found || t <= rec.LastAlert || (i == 0 && len(rec.Fails) >= th.BruteForceFailures)) {
			return // counted already, evidence of the last block, or older than every kept failure
		}
		rec.Fails = slices.Insert(rec.Fails, i, t)
		if n := len(rec.Fails) - th.BruteForceFailures; n > 0 {
			rec.Fails = rec.Fails[n:]
		}
		last := rec.Fails[len(rec.Fails)-1]
		if !exact || len(rec.Fails) < th.BruteForceFailures || last-rec.Fails[0] > win || shared {
			return
		}
		block(last, fmt.Sprintf("%d failed logins in %s", th.BruteForceFailures, fmtSpan(last-rec.Fails[0])))
	}
	// Failures the tally kept before the address had a record written.
	newest := max(lastFail(rec.Fails), rec.LastAlert)
	if !exact {
		newest = 0
	}
	seedF, _ := p.seed(true, t.ent, newest)
	for _, h := range seedF {
		count(h.T)
	}
	if exact {
		p.ipEvents(t.ent, func(o *Observation, _ string) {
			if o.Event.Kind == logline.KindAuthFailure {
				count(ms(o.Time))
			}
		})
	}
	// The slow rule fired on this address (slowbrute.go): the same block,
	// unless the short window blocked it already.
	if at := p.ips[t.ent].slowFired; at > 0 && at >= rec.Until {
		block(at, fmt.Sprintf("slow brute force: %d+ failed logins in %s", th.SlowBruteFailures, th.SlowBruteWindow))
	}
	// Failures spread over several functions, none over its threshold.
	var alerts []Alert
	if o := p.lastFailure(t.ent); o != nil && !shared {
		if a, ok := p.sprayCheck(&rec, t.ent, o, block); ok {
			alerts = append(alerts, a)
		}
	}
	rec.remember(p.in.BatchID)
	// Keep the entry a BlockMax past its block so a relapse is recognised
	// as a repeat offence; an address never blocked goes with its window.
	exp := lastFail(rec.Fails) + win
	if rec.Offences > 0 {
		exp = max(rec.Until, exp) + th.BlockMax.Milliseconds()
	}
	return Update{Key: key, Data: p.fit(&rec, budgetBlock), Expires: fromMs(exp), Note: note, Alerts: alerts}, true
}

func lastFail(ts []int64) int64 {
	var last int64
	for _, t := range ts {
		last = max(last, t)
	}
	return last
}

func maxDur(ds ...time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
