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
	// Duplicates counts events already applied by an earlier delivery.
	Duplicates int
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
	fps := make([]uint64, 0, len(b.LogEvents)/8)
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
		fps = append(fps, eventFingerprint(ev))
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
	ev := batchEvents{key: seenKey(b), batch: batchFingerprint(in.BatchID), fps: fps}
	err = p.evaluate(ctx, in, ev, now, &res)
	return res, err
}

// batchEvents is the batch's observed events for the seen filter: the
// stream's seen record, the delivery's and one per observation.
type batchEvents struct {
	key   string
	batch uint64
	fps   []uint64
}

// evaluate drops the events the stream's seen record lists, then runs the
// optimistic-locking loop: read the records, evaluate, write each
// conditionally; after a lost race everything is read and evaluated again
// (the records already written skip the batch by its id, and the tally may
// promote differently). Alerts are kept only from records whose write won,
// so a lost race never sends an alert computed from stale state; and they
// are kept from every record that was written even when others failed, so
// a partial failure loses no alert (the retry skips the written records).
func (p *Processor) evaluate(ctx context.Context, in detect.Input, ev batchEvents, now time.Time, res *Result) error {
	// The first read takes the seen record with the function record and
	// the tally; the exact records of promoted entities come second.
	read := append(detect.Keys(in), ev.key)
	got, err := p.State.Get(ctx, read, now)
	if err != nil {
		return fmt.Errorf("read state: %w", err)
	}
	res.KeysRead += len(read)
	seen := got[ev.key]
	set := decodeSeen(seen.Data)
	n := len(in.Observations)
	in.Observations, ev.fps = fresh(in.Observations, ev, &set)
	res.Duplicates = n - len(in.Observations)
	if len(in.Observations) == 0 {
		return nil
	}
	attempts := p.MaxAttempts
	if attempts <= 0 {
		attempts = 8
	}
	for attempt := 1; attempt <= attempts; attempt++ {
		res.Attempts = attempt
		conflicts, err := p.apply(ctx, in, got, now, res)
		if err != nil {
			return err
		}
		if len(conflicts) == 0 {
			return p.markSeen(ctx, ev, seen, now, res)
		}
		res.Conflicts += len(conflicts)
		got = nil
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: %w (after %d attempts)", in.Function, ErrStateConflict, attempts)
}

// reader returns the reads of one evaluation: get for detect.EvaluateWith,
// recording each record (with its version) in recs, and reusing first (a
// read already made of Keys) when it is not nil.
func (p *Processor) reader(ctx context.Context, first map[string]store.Record, now time.Time, res *Result) (
	get func([]string) (map[string][]byte, error), recs map[string]store.Record) {
	recs = map[string]store.Record{}
	get = func(keys []string) (map[string][]byte, error) {
		var got map[string]store.Record
		if first != nil {
			got, first = first, nil
		} else {
			var err error
			if got, err = p.State.Get(ctx, keys, now); err != nil {
				return nil, fmt.Errorf("read state: %w", err)
			}
			res.KeysRead += len(keys)
		}
		data := make(map[string][]byte, len(got))
		for k, r := range got {
			recs[k] = r
			data[k] = r.Data
		}
		return data, nil
	}
	return get, recs
}

// apply reads what in needs (first: the first round, already read, or nil),
// evaluates it, and writes the changed records; it returns the keys that
// lost a race.
func (p *Processor) apply(ctx context.Context, in detect.Input, first map[string]store.Record, now time.Time, res *Result) ([]string, error) {
	get, recs := p.reader(ctx, first, now, res)
	out, err := detect.EvaluateWith(in, get)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", in.Function, err)
	}
	if len(out.Updates) == 0 {
		return nil, nil
	}
	writes := make([]store.Record, 0, len(out.Updates))
	for _, u := range out.Updates {
		writes = append(writes, store.Record{Key: u.Key, Version: recs[u.Key].Version, Data: u.Data, Expires: u.Expires})
	}
	conflicts, err := p.State.Put(ctx, writes, now)
	lost := make(map[string]bool, len(conflicts))
	for _, k := range conflicts {
		lost[k] = true
	}
	if err != nil {
		failed, partial := store.FailedKeys(err)
		if !partial {
			return nil, fmt.Errorf("write state: %w", err)
		}
		for _, k := range failed {
			lost[k] = true
		}
	}
	for _, u := range out.Updates {
		if !lost[u.Key] {
			res.KeysWritten++
			res.Alerts = append(res.Alerts, u.Alerts...)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("write state: %w", err)
	}
	return conflicts, nil
}

// markSeen adds the batch's applied events to the stream's seen record,
// merging with concurrent writers (a set union, so any order is right).
// cur is the record as first read (re-read only after a lost race).
func (p *Processor) markSeen(ctx context.Context, ev batchEvents, cur store.Record, now time.Time, res *Result) error {
	for attempt := 1; attempt <= 16; attempt++ {
		if attempt > 1 {
			got, err := p.State.Get(ctx, []string{ev.key}, now)
			if err != nil {
				return fmt.Errorf("read %s: %w", ev.key, err)
			}
			res.KeysRead++
			cur = got[ev.key]
		}
		set := decodeSeen(cur.Data)
		set.add(ev.batch, ev.fps)
		conflicts, err := p.State.Put(ctx, []store.Record{{Key: ev.key, Version: cur.Version, Data: set.encode(),
			Expires: now.Add(seenTTL)}}, now)
		if err != nil {
			return fmt.Errorf("write %s: %w", ev.key, err)
		}
		if len(conflicts) == 0 {
			res.KeysWritten++
			return nil
		}
		res.Conflicts++
		if err := backoff(ctx, min(attempt, 4)); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: %w", ev.key, ErrStateConflict)
}

// fresh returns the observations (and their fingerprints) that set does not
// list, each once; none if the delivery itself is listed.
func fresh(obs []detect.Observation, ev batchEvents, set *seenSet) ([]detect.Observation, []uint64) {
	if set.has(ev.batch) {
		return nil, nil
	}
	keepObs, keepFps := obs[:0:0], ev.fps[:0:0]
	inBatch := make(map[uint64]struct{}, len(ev.fps))
	for i, fp := range ev.fps {
		if fp != noFingerprint {
			if _, dup := inBatch[fp]; dup || set.has(fp) {
				continue
			}
			inBatch[fp] = struct{}{}
		}
		keepObs, keepFps = append(keepObs, obs[i]), append(keepFps, fp)
	}
	return keepObs, keepFps
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
