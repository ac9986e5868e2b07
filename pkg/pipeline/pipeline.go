// Package pipeline runs one decoded batch end to end: classify every event,
// evaluate the function's detectors against its stored state, write the state
// back with optimistic locking and hand the resulting alerts on. It knows the
// stages only through their interfaces, so the Lambda, `logwarden replay` and
// the tests share it.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/logwarden/logwarden/internal/wait"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
)

// ThresholdSource resolves the thresholds that apply to a function.
type ThresholdSource interface {
	For(ctx context.Context, function, logGroup string, now time.Time) (detect.Thresholds, error)
}

// Processor classifies and evaluates batches. It holds no per-batch state,
// so one Processor serves every invocation of a warm Lambda container.
type Processor struct {
	Parser     *logline.Parser
	State      store.State
	Thresholds ThresholdSource
	// SkipLogGroups are never analysed: the processor's own log group, which
	// an account-level subscription would otherwise feed back to it.
	SkipLogGroups map[string]bool
	// MaxAttempts bounds the optimistic-locking retries per batch.
	MaxAttempts int
}

// Result is what one batch produced.
type Result struct {
	Skipped bool // control message or excluded log group
	Events  int
	Kinds   [logline.KindAuthSuccess + 1]int
	Alerts  []detect.Alert
	// State traffic, to report store calls per batch.
	KeysRead, KeysWritten, Conflicts, Attempts int
}

// ErrStateConflict is returned when concurrent writers kept winning the race
// for a record past MaxAttempts; retrying the batch later is safe, because
// records remember the batches they applied.
var ErrStateConflict = errors.New("state kept changing under concurrent updates")

// Process runs one batch. The batch's own event times are the clock (now is
// used only for record expiry checks), so replays are deterministic.
func (p *Processor) Process(ctx context.Context, b *cwlogs.Batch, now time.Time) (Result, error) {
	var res Result
	if b.IsControl() || p.SkipLogGroups[b.LogGroup] {
		res.Skipped = true
		return res, nil
	}
	res.Events = len(b.LogEvents)
	obs := make([]detect.Observation, 0, len(b.LogEvents)/8)
	for i := range b.LogEvents {
		ev := &b.LogEvents[i]
		e := p.Parser.Parse(ev.Message)
		res.Kinds[e.Kind]++
		if e.Kind == logline.KindOther || e.Kind == logline.KindPlatform {
			continue
		}
		obs = append(obs, detect.Observation{
			EventID:   ev.ID,
			Time:      time.UnixMilli(ev.Timestamp).UTC(),
			LogGroup:  b.LogGroup,
			LogStream: b.LogStream,
			Account:   b.Owner,
			Event:     e,
		})
	}
	if len(obs) == 0 {
		return res, nil
	}
	fn := detect.FunctionName(b.LogGroup)
	th, err := p.Thresholds.For(ctx, fn, b.LogGroup, now)
	if err != nil {
		return res, fmt.Errorf("thresholds for %s: %w", fn, err)
	}
	// Which forwarding hops are our own proxies is per function, so the
	// parser's right-most-hop client is re-read here, before any counting
	// or allow_cidrs check sees it.
	if trusted := logline.TrustedProxies(th.TrustedProxies); trusted != nil {
		for i := range obs {
			obs[i].Event.TrustProxies(trusted)
		}
	}
	in := detect.Input{
		BatchID:      BatchID(b),
		Function:     fn,
		LogGroup:     b.LogGroup,
		Thresholds:   th,
		Observations: obs,
	}
	err = p.evaluate(ctx, in, now, &res)
	return res, err
}

// evaluate is the optimistic-locking loop: read the records, evaluate, write
// each conditionally; keys that lost a race are re-read and re-evaluated
// alone. Alerts are kept only from records whose write won, so a lost race
// never sends an alert computed from stale state.
func (p *Processor) evaluate(ctx context.Context, in detect.Input, now time.Time, res *Result) error {
	keys := detect.Keys(in)
	attempts := p.MaxAttempts
	if attempts <= 0 {
		attempts = 8
	}
	for attempt := 1; attempt <= attempts; attempt++ {
		res.Attempts = attempt
		recs, err := p.State.Get(ctx, keys, now)
		if err != nil {
			return fmt.Errorf("read state: %w", err)
		}
		res.KeysRead += len(keys)
		data := make(map[string][]byte, len(recs))
		for k, r := range recs {
			data[k] = r.Data
		}
		out, err := detect.Evaluate(in, data)
		if err != nil {
			return fmt.Errorf("evaluate %s: %w", in.Function, err)
		}
		writes := make([]store.Record, 0, len(out.Updates))
		for _, u := range out.Updates {
			writes = append(writes, store.Record{Key: u.Key, Version: recs[u.Key].Version, Data: u.Data, Expires: u.Expires})
		}
		var conflicts []string
		if len(writes) > 0 {
			if conflicts, err = p.State.Put(ctx, writes, now); err != nil {
				return fmt.Errorf("write state: %w", err)
			}
		}
		res.KeysWritten += len(writes) - len(conflicts)
		lost := make(map[string]bool, len(conflicts))
		for _, k := range conflicts {
			lost[k] = true
		}
		for _, u := range out.Updates {
			if !lost[u.Key] {
				res.Alerts = append(res.Alerts, u.Alerts...)
			}
		}
		if len(conflicts) == 0 {
			return nil
		}
		res.Conflicts += len(conflicts)
		in.Only, keys = conflicts, conflicts
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: %w (%d keys after %d attempts)", in.Function, ErrStateConflict, len(keys), attempts)
}

func backoff(ctx context.Context, attempt int) error {
	return wait.Sleep(ctx, time.Duration(attempt*attempt)*5*time.Millisecond)
}

// BatchID identifies a delivery by its content: the same events of the same
// stream give the same id however often CloudWatch Logs or Lambda retries
// them. Event ids are unique per event; control-free batches without ids
// (plain text captures) fall back to timestamps and message lengths.
func BatchID(b *cwlogs.Batch) string {
	h := sha256.New()
	h.Write([]byte(b.LogGroup))
	h.Write([]byte{0})
	h.Write([]byte(b.LogStream))
	var n [8]byte
	for i := range b.LogEvents {
		ev := &b.LogEvents[i]
		h.Write([]byte{0})
		if ev.ID != "" {
			h.Write([]byte(ev.ID))
			continue
		}
		binary.LittleEndian.PutUint64(n[:], uint64(ev.Timestamp))
		h.Write(n[:])
		h.Write([]byte(ev.Message))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
