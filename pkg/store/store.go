// Package store defines where logwarden keeps its state (baselines, windows,
// cooldowns, the blocklist, pending alerts) and the operator's threshold
// items. store/dynamo implements it on DynamoDB, store/local on an embedded
// bbolt file so that logwarden runs without an AWS account.
package store

import (
	"context"
	"errors"
	"time"
)

// Record is one state item: an opaque payload under a key, versioned for
// optimistic locking. Many Lambda instances update the same records at once;
// a write only succeeds against the version it read.
type Record struct {
	Key     string
	Version int64 // 0: not stored yet
	Data    []byte
	// Expires is written to the DynamoDB TTL attribute; zero means never.
	// Readers treat an expired record as absent (TTL deletion lags by days).
	Expires time.Time
}

// ErrConflict reports a conditional write that lost a race.
var ErrConflict = errors.New("store: conflicting concurrent update")

// PartialError is returned by a Put that wrote some records and failed to
// write others (DynamoDB writes each record on its own): callers must still
// act on the records that were written, such as sending their alerts.
type PartialError struct {
	Failed []string // keys not written for a reason other than a conflict
	Err    error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// FailedKeys returns the keys a Put error says were not written, and false
// when the error does not tell (then no record may be assumed written).
func FailedKeys(err error) ([]string, bool) {
	var pe *PartialError
	if errors.As(err, &pe) {
		return pe.Failed, true
	}
	return nil, false
}

// State is the detector's state.
type State interface {
	// Get returns the live (unexpired at now) records among keys; missing keys
	// are absent from the map. Implementations batch the reads (DynamoDB:
	// BatchGetItem, 100 keys a call).
	Get(ctx context.Context, keys []string, now time.Time) (map[string]Record, error)
	// Put writes each record on condition that the stored version is still
	// rec.Version (0: absent or expired); a written record's version becomes
	// rec.Version+1. Keys that lost the race are returned in conflicts and
	// were not written; err reports any other failure, as a *PartialError
	// naming the failed keys when the others were written.
	Put(ctx context.Context, recs []Record, now time.Time) (conflicts []string, err error)
	// Claim takes key until `until` if it is absent or expired at now, and
	// reports whether this caller got it. It is how two instances agree on
	// who sends an alert.
	Claim(ctx context.Context, key string, now, until time.Time) (bool, error)
	// Delete removes key (no error if absent).
	Delete(ctx context.Context, key string) error
	// List returns the live records whose key starts with prefix (for the
	// CLI; a Scan on DynamoDB, never used per log line).
	List(ctx context.Context, prefix string, now time.Time) ([]Record, error)
}

// Item is one threshold item as operators edit it: an id ("defaults",
// "function#<name>", "loggroup#<name>") and attributes whose values are
// string, float64, bool or []string.
type Item struct {
	ID    string
	Attrs map[string]any
}

// Config holds the operators' threshold items.
type Config interface {
	ListItems(ctx context.Context) ([]Item, error)
	GetItem(ctx context.Context, id string) (Item, bool, error)
	PutItem(ctx context.Context, it Item) error
	DeleteItem(ctx context.Context, id string) error
}
