package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Input is one function's share of one delivery.
type Input struct {
	BatchID      string // stable id of the delivery (same events => same id)
	Function     string
	LogGroup     string
	Thresholds   Thresholds    // already resolved for this function
	Observations []Observation // this function's events of the batch, in input order
	Only         []string      // if non-nil: evaluate only these state keys (retry after a conflict)
}

// Result is what Evaluate decided: one update per state record it changed.
type Result struct{ Updates []Update }

// Update is the new content of one state record and the alerts it produced.
// The pipeline sends Alerts only if the conditional write of Data wins.
type Update struct {
	Key     string
	Data    []byte
	Expires time.Time // zero: keep forever (function baselines)
	Alerts  []Alert
	// Note is set when the stored record was unreadable and was started
	// afresh; the batch is still applied (losing one record's history beats
	// losing the batch).
	Note string
}

// Key prefixes. Every record is derived only from the batch and its own
// previous content, so a conflicting key can be retried on its own.
const (
	prefixFunction = "fn#"    // baselines, memory, cost windows, incident flags
	prefixIP       = "ip#"    // ip#<function>#<ip or v6 /64>: failure window, users tried
	prefixUser     = "user#"  // user#<function>#<hash of user>: failures across IPs
	prefixBlock    = "block#" // block#<ip or v6 /64>: blocklist entry, all functions
	// tally#<function>: failures of every address and user (tally.go)
	// spray#<n>: failures per address of every function, sharded (spray.go)
	// authz#<function>: resources denied per address (authz.go)
)

// PrefixBlock is the key prefix of blocklist entries (for `logwarden blocklist`).
const PrefixBlock = prefixBlock

// PrefixFunction is the key prefix of function baselines (for `logwarden baselines`).
const PrefixFunction = prefixFunction

// maxBatchIDs is how many applied deliveries a record remembers. Lambda
// retries an async invocation at most twice and CloudWatch redelivers within
// hours, so 16 covers any realistic duplicate.
const maxBatchIDs = 16

// maxEntities caps the promoted IPs and users written to their own records
// per batch (each is a state read and write): the busiest ones (most
// failures, then first seen) are; the others' attempts wait in the tally
// and reach their records in a later batch. Counting is never capped.
const maxEntities = 128

// FunctionName maps a log group to the function it belongs to:
// "/aws/lambda/<name>" gives <name>, any other group is its own name.
func FunctionName(logGroup string) string {
	if name, ok := strings.CutPrefix(logGroup, "/aws/lambda/"); ok && name != "" {
		return name
	}
	return logGroup
}

// FunctionKey is the state key of a function's baselines.
func FunctionKey(function string) string { return prefixFunction + function }

// BlockKey is the state key of an IP's blocklist entry.
func BlockKey(ip netip.Addr) string { return prefixBlock + entityIP(ip) }

// Keys returns the state keys Evaluate reads first for in: the function
// record and the function's failure tally. The exact records of the
// addresses and users the tally promoted are listed by MoreKeys once the
// tally is read; a caller reads both before Evaluate.
func Keys(in Input) []string {
	p := newPlan(in)
	return p.keys(in.Only)
}

// MoreKeys returns the keys of the exact records the batch touches, given
// the records Keys listed (absent ones: new); nil when there are none.
func MoreKeys(in Input, state map[string][]byte) []string {
	in.Thresholds = in.Thresholds.sane()
	p := newPlan(in)
	if !p.hasAuth {
		return nil
	}
	p.keysOnly = true
	n := len(p.targets)
	p.loadTally(state[TallyKey(in.Function)])
	p.loadSpray(state)
	p.addExact()
	p.targets = p.targets[n:]
	return p.keys(in.Only)
}

// AllKeys reads the records Evaluate needs through get, in the two rounds
// Keys and MoreKeys describe, and returns them with every key read.
func AllKeys(in Input, get func(keys []string) (map[string][]byte, error), extra ...string) (map[string][]byte, []string, error) {
	keys := append(Keys(in), extra...)
	state, err := get(keys)
	if err != nil {
		return nil, nil, err
	}
	more := MoreKeys(in, state)
	if len(more) == 0 {
		return state, keys, nil
	}
	got, err := get(more)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range got {
		state[k] = v
	}
	return state, append(keys, more...), nil
}

// Evaluate applies the batch to the records in state (key -> stored Data;
// absent means new) and returns the updated records with their alerts.
// state must hold the records of Keys and of MoreKeys (EvaluateWith reads
// both itself).
func Evaluate(in Input, state map[string][]byte) (Result, error) {
	p, err := start(in)
	if err != nil {
		return Result{}, err
	}
	if p.hasAuth {
		p.loadTally(state[TallyKey(in.Function)])
		p.loadSpray(state)
		p.addExact()
	}
	return p.run(state), nil
}

// EvaluateWith reads what the batch needs through get, in the two rounds
// Keys and MoreKeys describe, and evaluates it: the pipeline's path, which
// plans the batch and reads the tally once.
func EvaluateWith(in Input, get func(keys []string) (map[string][]byte, error)) (Result, error) {
	p, err := start(in)
	if err != nil {
		return Result{}, err
	}
	state, err := get(p.keys(in.Only))
	if err != nil {
		return Result{}, err
	}
	if p.hasAuth {
		p.loadTally(state[TallyKey(in.Function)])
		p.loadSpray(state)
		n := len(p.targets)
		p.addExact()
		var more []string
		for _, t := range p.targets[n:] {
			if in.Only == nil || slices.Contains(in.Only, t.key) {
				more = append(more, t.key)
			}
		}
		if len(more) > 0 {
			got, err := get(more)
			if err != nil {
				return Result{}, err
			}
			for k, v := range got {
				state[k] = v
			}
		}
	}
	return p.run(state), nil
}

// start validates in and plans it.
func start(in Input) (*plan, error) {
	if in.Function == "" {
		return nil, fmt.Errorf("detect: input without a function (log group %q)", in.LogGroup)
	}
	in.Thresholds = in.Thresholds.sane()
	in.Observations = boundInput(in.Observations)
	return newPlan(in), nil
}

// run evaluates the plan's targets against state.
func (p *plan) run(state map[string][]byte) Result {
	targets := p.selected(p.in.Only)
	// All records are encoded into one buffer, sized for their old size
	// plus a batch id; records that grew more make it regrow.
	size := 0
	for _, t := range targets {
		size += len(state[t.key]) + 64
	}
	p.buf = make([]byte, 0, size)
	res := Result{Updates: make([]Update, 0, len(targets))}
	for _, t := range targets {
		up, changed := p.evaluate(t, state[t.key])
		if changed {
			res.Updates = append(res.Updates, up)
		}
	}
	if len(res.Updates) == 0 {
		res.Updates = nil
	}
	return res
}

// evaluate dispatches on the record's kind.
func (p *plan) evaluate(t target, data []byte) (Update, bool) {
	switch t.kind {
	case kindFunction:
		return p.applyFunction(t.key, data)
	case kindIP:
		return p.applyIP(t, data)
	case kindUser:
		return p.applyUser(t, data)
	case kindBlock:
		return p.applyBlock(t, data)
	case kindTally:
		return p.applyTallyRecord(t.key)
	case kindAuthz:
		return p.applyAuthz(t.key, data)
	case kindSpray:
		return p.applySpray(t)
	}
	return Update{}, false
}

// header is embedded in every record: the schema version and the deliveries
// already applied.
type header struct {
	Batches []string `json:"b,omitempty"`
}

// seen reports whether the batch was applied already.
func (h *header) seen(id string) bool { return id != "" && slices.Contains(h.Batches, id) }

// remember records the batch as applied, keeping the last maxBatchIDs.
func (h *header) remember(id string) {
	if id == "" {
		return
	}
	h.Batches = push(h.Batches, id, maxBatchIDs)
}

// isPerf reports whether an event feeds the function record.
func isPerf(k logline.Kind) bool {
	return k == logline.KindReport || k == logline.KindTimeout || k == logline.KindCrash
}

// isAuth reports whether an event feeds the authentication records. A
// seclog authz_fail is of KindAuthFailure too but never gets here: newPlan
// sends it to the authz detector first.
func isAuth(k logline.Kind) bool { return k == logline.KindAuthFailure || k == logline.KindAuthSuccess }

// ms converts a time to epoch milliseconds (the resolution of log events).
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMs converts epoch milliseconds back to a UTC time.
func fromMs(v int64) time.Time { return time.UnixMilli(v).UTC() }
