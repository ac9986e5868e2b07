package local

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/logwarden/logwarden/pkg/store"
)

// Threshold items are stored as JSON objects: they are small, rarely
// written, and JSON keeps the file inspectable. Decoding goes through
// store.NormalizeItem so lists come back as []string like DynamoDB's.

// ListItems implements store.Config.
func (s *Store) ListItems(context.Context) ([]store.Item, error) {
	var items []store.Item
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(configBucket).ForEach(func(k, v []byte) error {
			it, err := decodeItem(string(k), v)
			if err != nil {
				return err
			}
			items = append(items, it)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("state file %s: list threshold items: %w", s.path, err)
	}
	store.SortItems(items)
	return items, nil
}

// GetItem implements store.Config.
func (s *Store) GetItem(_ context.Context, id string) (store.Item, bool, error) {
	var (
		it    store.Item
		found bool
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(configBucket).Get([]byte(id))
		if raw == nil {
			return nil
		}
		var err error
		it, err = decodeItem(id, raw)
		found = err == nil
		return err
	})
	if err != nil {
		return store.Item{}, false, fmt.Errorf("state file %s: get threshold item: %w", s.path, err)
	}
	return it, found, nil
}

// PutItem implements store.Config; it replaces the whole item.
func (s *Store) PutItem(_ context.Context, it store.Item) error {
	n, err := store.NormalizeItem(it)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(n.Attrs)
	if err != nil {
		return fmt.Errorf("encode threshold item %q: %w", it.ID, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(configBucket).Put([]byte(n.ID), raw) })
	if err != nil {
		return fmt.Errorf("state file %s: put threshold item %q: %w", s.path, it.ID, err)
	}
	return nil
}

// DeleteItem implements store.Config.
func (s *Store) DeleteItem(_ context.Context, id string) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(configBucket).Delete([]byte(id)) })
	if err != nil {
		return fmt.Errorf("state file %s: delete threshold item %q: %w", s.path, id, err)
	}
	return nil
}

func decodeItem(id string, raw []byte) (store.Item, error) {
	var attrs map[string]any
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return store.Item{}, fmt.Errorf("threshold item %q: %w", id, err)
	}
	return store.NormalizeItem(store.Item{ID: id, Attrs: attrs})
}
