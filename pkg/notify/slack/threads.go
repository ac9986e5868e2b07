package slack

import (
	"context"
	"fmt"
	"time"

	"github.com/logwarden/logwarden/pkg/store"
)

// Threads remembers the Slack thread of each alert key, so follow-ups and
// the resolution land under the first message.
type Threads interface {
	Lookup(ctx context.Context, channel string, keys []string) (map[string]string, error)
	Remember(ctx context.Context, channel string, keys []string, ts string) error
}

// threadTTL bounds how long a thread is reused: an incident older than this
// starts a fresh thread rather than replying weeks up a channel.
const threadTTL = 14 * 24 * time.Hour

// StateThreads keeps threads in the state store next to the cooldowns,
// under "slackthread#<channel>#<alert key>".
type StateThreads struct {
	State store.State
	Now   func() time.Time
}

func threadKey(channel, key string) string { return "slackthread#" + channel + "#" + key }

// Lookup implements Threads.
func (t StateThreads) Lookup(ctx context.Context, channel string, keys []string) (map[string]string, error) {
	if len(keys) == 0 {
		return map[string]string{}, nil
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = threadKey(channel, k)
	}
	recs, err := t.State.Get(ctx, ids, t.now())
	if err != nil {
		return nil, fmt.Errorf("read slack threads: %w", err)
	}
	out := make(map[string]string, len(recs))
	for i, k := range keys {
		if r, ok := recs[ids[i]]; ok && len(r.Data) > 0 {
			out[k] = string(r.Data)
		}
	}
	return out, nil
}

// Remember implements Threads. A key that another instance threaded at the
// same moment keeps that thread.
func (t StateThreads) Remember(ctx context.Context, channel string, keys []string, ts string) error {
	if len(keys) == 0 || ts == "" {
		return nil
	}
	now := t.now()
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = threadKey(channel, k)
	}
	cur, err := t.State.Get(ctx, ids, now)
	if err != nil {
		return fmt.Errorf("read slack threads: %w", err)
	}
	recs := make([]store.Record, 0, len(ids))
	for _, id := range ids {
		recs = append(recs, store.Record{Key: id, Version: cur[id].Version, Data: []byte(ts), Expires: now.Add(threadTTL)})
	}
	if _, err := t.State.Put(ctx, recs, now); err != nil {
		return fmt.Errorf("save slack threads: %w", err)
	}
	return nil
}

func (t StateThreads) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}
