package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is an in-process State and Config with the same semantics as the
// DynamoDB and bbolt stores (versions, conditions, expiry). It is meant for
// unit tests and throwaway runs; nothing survives the process.
type Memory struct {
	mu    sync.Mutex
	recs  map[string]memRecord
	items map[string]Item
	// Calls counts Get and Put calls, so tests can assert the pipeline's
	// per-batch store traffic without DynamoDB.
	Calls struct{ Get, Put, Claim, Delete, List int }
}

type memRecord struct {
	version int64
	expires int64
	data    []byte
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{recs: map[string]memRecord{}, items: map[string]Item{}}
}

// Get implements State.
func (m *Memory) Get(_ context.Context, keys []string, now time.Time) (map[string]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls.Get++
	out := make(map[string]Record, len(keys))
	for _, k := range keys {
		r, ok := m.recs[k]
		if ok && LiveAt(r.expires, now) {
			out[k] = r.record(k)
		}
	}
	return out, nil
}

// Put implements State.
func (m *Memory) Put(_ context.Context, recs []Record, now time.Time) ([]string, error) {
	if err := CheckPut(recs); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls.Put++
	var conflicts []string
	for _, rec := range recs {
		cur, ok := m.recs[rec.Key]
		if !Writable(ok, cur.version, cur.expires, rec.Version, now) {
			conflicts = append(conflicts, rec.Key)
			continue
		}
		m.recs[rec.Key] = memRecord{version: rec.Version + 1, expires: ExpiresAt(rec.Expires), data: append([]byte{}, rec.Data...)}
	}
	sort.Strings(conflicts)
	return conflicts, nil
}

// Claim implements State.
func (m *Memory) Claim(_ context.Context, key string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls.Claim++
	cur, ok := m.recs[key]
	if !Writable(ok, cur.version, cur.expires, 0, now) {
		return false, nil
	}
	m.recs[key] = memRecord{version: 1, expires: ExpiresAt(until)}
	return true, nil
}

// Delete implements State.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls.Delete++
	delete(m.recs, key)
	return nil
}

// List implements State.
func (m *Memory) List(_ context.Context, prefix string, now time.Time) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls.List++
	var out []Record
	for k, r := range m.recs {
		if strings.HasPrefix(k, prefix) && LiveAt(r.expires, now) {
			out = append(out, r.record(k))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (r memRecord) record(key string) Record {
	return Record{Key: key, Version: r.version, Data: append([]byte{}, r.data...), Expires: ExpiryTime(r.expires)}
}

// ListItems implements Config.
func (m *Memory) ListItems(context.Context) ([]Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Item, 0, len(m.items))
	for _, it := range m.items {
		c, _ := NormalizeItem(it) // deep copy; stored items are already valid
		out = append(out, c)
	}
	SortItems(out)
	return out, nil
}

// GetItem implements Config.
func (m *Memory) GetItem(_ context.Context, id string) (Item, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[id]
	if !ok {
		return Item{}, false, nil
	}
	c, _ := NormalizeItem(it)
	return c, true, nil
}

// PutItem implements Config: it replaces the whole item.
func (m *Memory) PutItem(_ context.Context, it Item) error {
	n, err := NormalizeItem(it)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[n.ID] = n
	return nil
}

// DeleteItem implements Config.
func (m *Memory) DeleteItem(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, id)
	return nil
}

// Writable is the write condition every State shares: a record at version
// want may be written when the stored one is absent or expired (want 0), or
// still at version want. It mirrors the DynamoDB condition expression
// `attribute_not_exists(pk) OR expires_at <= :now` / `v = :v`.
func Writable(exists bool, version, expires, want int64, now time.Time) bool {
	if want == 0 {
		return !exists || !LiveAt(expires, now)
	}
	return exists && version == want
}

// CheckPut rejects a Put batch that cannot be applied as one set of
// conditional writes: empty keys, negative versions or a key twice.
func CheckPut(recs []Record) error {
	seen := make(map[string]struct{}, len(recs))
	for _, r := range recs {
		if r.Key == "" {
			return fmt.Errorf("store put: empty key")
		}
		if r.Version < 0 {
			return fmt.Errorf("store put %q: negative version %d", r.Key, r.Version)
		}
		if _, dup := seen[r.Key]; dup {
			return fmt.Errorf("store put: key %q appears twice in one batch", r.Key)
		}
		seen[r.Key] = struct{}{}
	}
	return nil
}
