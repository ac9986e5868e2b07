// Package local keeps logwarden's state and threshold items in one embedded
// bbolt file, so the CLI and replay run with no AWS account. It follows the
// DynamoDB store's semantics exactly (versions, conditional writes, expiry
// read as absence); the shared suite in store/storetest checks both.
package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/logwarden/logwarden/pkg/store"
)

var (
	stateBucket  = []byte("state")
	configBucket = []byte("config")
)

// lockTimeout bounds the wait for another process's file lock; without a
// timeout bbolt blocks forever.
const lockTimeout = time.Second

// Store is a store.State and store.Config on a bbolt file.
type Store struct {
	db   *bolt.DB
	path string
}

var (
	_ store.State  = (*Store)(nil)
	_ store.Config = (*Store)(nil)
)

// Open opens (creating it and its directory if needed) the state file at
// path. Only one process may hold it at a time.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state file %s: create directory: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("state file %s is in use by another logwarden process", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{stateBucket, configBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("init state file %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// Close releases the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state file %s: %w", s.path, err)
	}
	return nil
}

// record is the decoded form of a stored value.
type record struct {
	version int64
	expires int64 // epoch seconds, 0: never
	data    []byte
}

// encode packs a record as uvarint version, uvarint expiry, then the data:
// a few bytes of overhead instead of a JSON or gob envelope.
func (r record) encode() []byte {
	buf := make([]byte, 0, 2*binary.MaxVarintLen64+len(r.data))
	buf = binary.AppendUvarint(buf, uint64(r.version))
	buf = binary.AppendUvarint(buf, uint64(r.expires))
	return append(buf, r.data...)
}

func decode(key, b []byte) (record, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return record{}, fmt.Errorf("record %q: corrupt version", key)
	}
	e, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return record{}, fmt.Errorf("record %q: corrupt expiry", key)
	}
	// Copy: bbolt's slices are only valid inside the transaction.
	return record{version: int64(v), expires: int64(e), data: bytes.Clone(b[n+m:])}, nil
}

func (r record) toRecord(key string) store.Record {
	return store.Record{Key: key, Version: r.version, Data: r.data, Expires: store.ExpiryTime(r.expires)}
}

// Get implements store.State.
func (s *Store) Get(_ context.Context, keys []string, now time.Time) (map[string]store.Record, error) {
	out := make(map[string]store.Record, len(keys))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(stateBucket)
		for _, k := range keys {
			raw := b.Get([]byte(k))
			if raw == nil {
				continue
			}
			r, err := decode([]byte(k), raw)
			if err != nil {
				return err
			}
			if store.LiveAt(r.expires, now) {
				out[k] = r.toRecord(k)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state file %s: get: %w", s.path, err)
	}
	return out, nil
}

// Put implements store.State. All records are checked and written in one
// transaction, which also serialises concurrent writers in this process.
func (s *Store) Put(_ context.Context, recs []store.Record, now time.Time) ([]string, error) {
	if err := store.CheckPut(recs); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	var conflicts []string
	err := s.db.Update(func(tx *bolt.Tx) error {
		conflicts = conflicts[:0]
		b := tx.Bucket(stateBucket)
		for _, rec := range recs {
			ok, err := writable(b, rec.Key, rec.Version, now)
			if err != nil {
				return err
			}
			if !ok {
				conflicts = append(conflicts, rec.Key)
				continue
			}
			val := record{version: rec.Version + 1, expires: store.ExpiresAt(rec.Expires), data: rec.Data}
			if err := b.Put([]byte(rec.Key), val.encode()); err != nil {
				return fmt.Errorf("put %q: %w", rec.Key, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state file %s: put: %w", s.path, err)
	}
	sort.Strings(conflicts)
	return conflicts, nil
}

func writable(b *bolt.Bucket, key string, want int64, now time.Time) (bool, error) {
	raw := b.Get([]byte(key))
	if raw == nil {
		return store.Writable(false, 0, 0, want, now), nil
	}
	cur, err := decode([]byte(key), raw)
	if err != nil {
		return false, err
	}
	return store.Writable(true, cur.version, cur.expires, want, now), nil
}

// Claim implements store.State.
func (s *Store) Claim(_ context.Context, key string, now, until time.Time) (bool, error) {
	var got bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(stateBucket)
		ok, err := writable(b, key, 0, now)
		if err != nil || !ok {
			return err
		}
		got = true
		return b.Put([]byte(key), record{version: 1, expires: store.ExpiresAt(until)}.encode())
	})
	if err != nil {
		return false, fmt.Errorf("state file %s: claim %q: %w", s.path, key, err)
	}
	return got, nil
}

// Delete implements store.State.
func (s *Store) Delete(_ context.Context, key string) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(stateBucket).Delete([]byte(key)) })
	if err != nil {
		return fmt.Errorf("state file %s: delete %q: %w", s.path, key, err)
	}
	return nil
}

// List implements store.State; keys come back in byte order.
func (s *Store) List(_ context.Context, prefix string, now time.Time) ([]store.Record, error) {
	var out []store.Record
	p := []byte(prefix)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(stateBucket).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			r, err := decode(k, v)
			if err != nil {
				return err
			}
			if store.LiveAt(r.expires, now) {
				out = append(out, r.toRecord(string(k)))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state file %s: list %q: %w", s.path, prefix, err)
	}
	return out, nil
}
