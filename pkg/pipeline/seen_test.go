package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/store"
)

// failBatch is failed logins from one address, events first..first+n-1 of
// one stream: slices of the same events make different batches.
func failBatch(first, n int) *cwlogs.Batch {
	b := &cwlogs.Batch{MessageType: cwlogs.DataMessage, LogGroup: "/aws/lambda/login", LogStream: "2026/03/02/[1]s"}
	for i := first; i < first+n; i++ {
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{
			ID:        fmt.Sprintf("%056d", 7000+i),
			Timestamp: t0.Add(time.Duration(i) * time.Second).UnixMilli(),
			Message:   fmt.Sprintf(`{"level":"warn","msg":"login failed","user":"bob","ip":"203.0.113.%d"}`, 9),
		})
	}
	return b
}

// TestEveryEventCountsOnceWhateverTheGrouping pins that the same 6 failures
// delivered as one batch, again split 3+3 (a Kinesis retry) and through a
// second subscription filter count 6, not 18: the old per-batch dedupe
// counted 12 after the split and raised a false brute force and block.
func TestEveryEventCountsOnceWhateverTheGrouping(t *testing.T) {
	for name, deliveries := range map[string][]*cwlogs.Batch{
		"one batch then 3+3":        {failBatch(0, 6), failBatch(0, 3), failBatch(3, 3)},
		"3+3 then one batch":        {failBatch(0, 3), failBatch(3, 3), failBatch(0, 6)},
		"overlapping 0-4 and 2-6":   {failBatch(0, 4), failBatch(2, 4), failBatch(0, 6)},
		"two filters, same batches": {failBatch(0, 6), withFilter(failBatch(0, 6), "second"), failBatch(0, 6)},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := store.NewMemory()
			p := newProc(st)
			dups, total := 0, 0
			for _, b := range deliveries {
				total += len(b.LogEvents)
				res, err := p.Process(ctx, b, t0)
				require.NoError(t, err)
				require.Empty(t, res.Alerts, "6 failures are under the threshold of 10")
				dups += res.Duplicates
			}
			require.Equal(t, total-6, dups, "every event after its first delivery is a duplicate")
			blocks, err := st.List(ctx, "block#", t0)
			require.NoError(t, err)
			require.Len(t, blocks, 1)
			// 4 more failures make 10: the brute force fires exactly then.
			res, err := p.Process(ctx, failBatch(6, 3), t0)
			require.NoError(t, err)
			require.Empty(t, res.Alerts, "9 failures")
			res, err = p.Process(ctx, failBatch(9, 1), t0)
			require.NoError(t, err)
			require.Len(t, res.Alerts, 1, "the 10th failure")
		})
	}
}

func withFilter(b *cwlogs.Batch, name string) *cwlogs.Batch {
	b.SubscriptionFilters = []string{name}
	return b
}

// TestReplayTwiceCountsOnce pins that replaying the same captures (more
// batches per stream than records remember batch ids) into one store
// changes nothing the second time.
func TestReplayTwiceCountsOnce(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	p := newProc(st)
	for range 2 {
		for seq := range 40 {
			res, err := p.Process(ctx, reportBatch("orders", seq, 5, 100), t0)
			require.NoError(t, err)
			require.Empty(t, res.Alerts)
		}
		require.Equal(t, 200, warmCount(t, st, "orders"))
	}
}

func TestSeenSetIsBounded(t *testing.T) {
	var s seenSet
	fp := func(i int) uint64 { return uint64(i) * 0x9e3779b97f4a7c15 }
	for b := range 3 * seenBatches {
		var evs []uint64
		for i := range 40 {
			evs = append(evs, fp(b*40+i))
		}
		s.add(fp(1<<40+b), evs)
	}
	require.Len(t, s.events, seenEvents)
	require.Len(t, s.batches, seenBatches)
	got := decodeSeen(s.encode())
	require.Equal(t, s.events, got.events)
	require.Equal(t, s.batches, got.batches)
	require.True(t, got.has(fp(3*seenBatches*40-1)), "the newest events are kept")
	require.True(t, got.has(fp(1<<40+3*seenBatches-1)), "the newest deliveries are kept")
	require.False(t, got.has(fp(0)), "the oldest are forgotten")
	require.Less(t, len(s.encode()), 20<<10)
	require.Empty(t, decodeSeen([]byte("garbage")).events, "an unreadable record starts afresh")
	require.Empty(t, decodeSeen([]byte{seenFormat, 200, 1}).events, "a truncated one too")
}

// partialState writes every record but those whose key has one of the
// failing prefixes, as DynamoDB's independent PutItems do when some fail.
type partialState struct {
	*store.Memory
	failing map[string]bool
}

func (s *partialState) Put(ctx context.Context, recs []store.Record, now time.Time) ([]string, error) {
	var ok []store.Record
	var failed []string
	for _, r := range recs {
		if s.failing[r.Key] {
			failed = append(failed, r.Key)
			continue
		}
		ok = append(ok, r)
	}
	conflicts, err := s.Memory.Put(ctx, ok, now)
	if err != nil || len(failed) == 0 {
		return conflicts, err
	}
	return conflicts, &store.PartialError{Failed: failed, Err: errors.New("dynamodb: 500 internal server error")}
}

// TestPartialWriteFailureLosesNoAlert pins issue #9's lost alert: one
// record's write fails (a 500 on the user# record); the alerts of the
// records that were written are returned with the error, and the retry
// raises only the failed record's alerts, once.
func TestPartialWriteFailureLosesNoAlert(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	var b cwlogs.Batch
	b.MessageType, b.LogGroup, b.LogStream = cwlogs.DataMessage, "/aws/lambda/login", "s"
	for i := range 12 { // 12 failures for bob: 6 from 6 addresses, 6 from a seventh
		ip := fmt.Sprintf("198.51.100.%d", i%6)
		if i >= 6 {
			ip = "203.0.113.9"
		}
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{ID: fmt.Sprintf("%056d", i), Timestamp: t0.Add(time.Duration(i) * time.Second).UnixMilli(),
			Message: fmt.Sprintf(`{"level":"warn","msg":"login failed","user":"bob","ip":"%s"}`, ip)})
	}
	for i := range 10 { // and a brute force from one address
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{ID: fmt.Sprintf("%056d", 100+i), Timestamp: t0.Add(time.Duration(20+i) * time.Second).UnixMilli(),
			Message: fmt.Sprintf(`{"level":"warn","msg":"login failed","user":"u%d","ip":"192.0.2.1"}`, i)})
	}
	clean, err := newProc(store.NewMemory()).Process(ctx, &b, t0)
	require.NoError(t, err)
	require.Len(t, clean.Alerts, 2, "a distributed brute force on bob and a brute force from 192.0.2.1")

	// The user record is named by a hash of the user name.
	sum := sha256.Sum256([]byte("bob"))
	faulty := &partialState{Memory: mem, failing: map[string]bool{"user#login#" + hex.EncodeToString(sum[:16]): true}}
	first, err := newProc(faulty).Process(ctx, &b, t0)
	require.Error(t, err)
	require.Len(t, first.Alerts, 1, "the written records' alert is returned with the error")
	require.Equal(t, "192.0.2.1", first.Alerts[0].IP)

	faulty.failing = nil // the retry finds DynamoDB healthy
	retry, err := newProc(faulty).Process(ctx, &b, t0)
	require.NoError(t, err)
	require.Len(t, retry.Alerts, 1, "only the failed record's alert, once")
	require.Equal(t, "bob", retry.Alerts[0].User)

	again, err := newProc(faulty).Process(ctx, &b, t0)
	require.NoError(t, err)
	require.Empty(t, again.Alerts)
	require.Equal(t, len(b.LogEvents), again.Duplicates)
}

// FuzzDecodeSeen feeds arbitrary bytes as a stored seen record: decoding
// never panics, and what decodes re-encodes to the same bytes.
func FuzzDecodeSeen(f *testing.F) {
	var s seenSet
	s.add(1, []uint64{2, 3})
	f.Add(s.encode())
	f.Add([]byte{seenFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		got := decodeSeen(data)
		if len(got.events)+len(got.batches) == 0 {
			return
		}
		if again := got.encode(); string(again) != string(data) {
			t.Fatalf("does not round-trip:\n%x\n%x", data, again)
		}
	})
}

// TestEventsWithoutIDsAreNeverTakenForDuplicates pins that bare lines
// (Firehose message extraction, text captures) count each time they occur:
// identical failures in the same millisecond are several failures.
func TestEventsWithoutIDsAreNeverTakenForDuplicates(t *testing.T) {
	ctx := context.Background()
	p := newProc(store.NewMemory())
	batch := func(n int) *cwlogs.Batch {
		b := failBatch(0, n)
		for i := range b.LogEvents {
			b.LogEvents[i].ID, b.LogEvents[i].Timestamp = "", t0.UnixMilli()
		}
		return b
	}
	res, err := p.Process(ctx, batch(6), t0)
	require.NoError(t, err)
	require.Zero(t, res.Duplicates)
	require.Empty(t, res.Alerts)
	res, err = p.Process(ctx, batch(4), t0)
	require.NoError(t, err)
	require.Zero(t, res.Duplicates)
	require.Len(t, res.Alerts, 1, "6 + 4 identical failures are 10")
	res, err = p.Process(ctx, batch(4), t0)
	require.NoError(t, err)
	require.Equal(t, 4, res.Duplicates, "the same delivery again is still recognised by its batch id")
}
