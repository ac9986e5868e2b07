// Package storetest is the conformance suite every store.State and
// store.Config implementation runs, so that the embedded store behaves
// exactly like DynamoDB (versions, conditions, expiry) and a local replay
// predicts what the Lambda will do.
package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/store"
)

// Base is the clock the suite runs at. Stores must take time from their
// arguments, never from the wall clock, so a fixed date works everywhere.
var Base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the State conformance tests; newState returns an empty store
// (cleaned up by the caller through t.Cleanup).
func Run(t *testing.T, newState func(t *testing.T) store.State) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.State)
	}{
		{"MissingKeys", testMissingKeys},
		{"CreateAndRead", testCreateAndRead},
		{"Versions", testVersions},
		{"MixedBatch", testMixedBatch},
		{"Expiry", testExpiry},
		{"ExpiryRoundsUp", testExpiryRoundsUp},
		{"Claim", testClaim},
		{"Delete", testDelete},
		{"ListPrefix", testListPrefix},
		{"ManyKeys", testManyKeys},
		{"LargeData", testLargeData},
		{"BinaryData", testBinaryData},
		{"InvalidPut", testInvalidPut},
		{"ConcurrentUpdaters", testConcurrentUpdaters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newState(t)) })
	}
}

func put(t *testing.T, s store.State, now time.Time, recs ...store.Record) []string {
	t.Helper()
	conflicts, err := s.Put(context.Background(), recs, now)
	require.NoError(t, err)
	return conflicts
}

func get(t *testing.T, s store.State, now time.Time, keys ...string) map[string]store.Record {
	t.Helper()
	got, err := s.Get(context.Background(), keys, now)
	require.NoError(t, err)
	return got
}

func testMissingKeys(t *testing.T, s store.State) {
	require.Empty(t, get(t, s, Base))
	require.Empty(t, get(t, s, Base, "nope", "also#missing"))
	put(t, s, Base, store.Record{Key: "here", Data: []byte("x")})
	got := get(t, s, Base, "nope", "here", "here")
	require.Len(t, got, 1)
	require.Equal(t, []byte("x"), got["here"].Data)
}

func testCreateAndRead(t *testing.T, s store.State) {
	exp := Base.Add(time.Hour)
	require.Empty(t, put(t, s, Base, store.Record{Key: "fn#a", Data: []byte(`{"n":1}`), Expires: exp}))
	got := get(t, s, Base, "fn#a")["fn#a"]
	require.Equal(t, "fn#a", got.Key)
	require.Equal(t, int64(1), got.Version)
	require.Equal(t, []byte(`{"n":1}`), got.Data)
	require.True(t, exp.Equal(got.Expires), "expires %v, want %v", got.Expires, exp)

	put(t, s, Base, store.Record{Key: "forever", Data: []byte("y")})
	require.True(t, get(t, s, Base, "forever")["forever"].Expires.IsZero())
}

func testVersions(t *testing.T, s store.State) {
	tests := []struct {
		name     string
		version  int64
		conflict bool
		want     int64 // stored version afterwards
	}{
		{"create", 0, false, 1},
		{"create again loses", 0, true, 1},
		{"update from 1", 1, false, 2},
		{"stale version loses", 1, true, 2},
		{"future version loses", 7, true, 2},
		{"update from 2", 2, false, 3},
	}
	for _, tc := range tests {
		data := []byte(tc.name)
		conflicts := put(t, s, Base, store.Record{Key: "k", Version: tc.version, Data: data})
		if tc.conflict {
			require.Equal(t, []string{"k"}, conflicts, tc.name)
		} else {
			require.Empty(t, conflicts, tc.name)
		}
		got := get(t, s, Base, "k")["k"]
		require.Equal(t, tc.want, got.Version, tc.name)
		if !tc.conflict {
			require.Equal(t, data, got.Data, tc.name)
		}
	}
	require.Equal(t, []string{"absent"}, put(t, s, Base, store.Record{Key: "absent", Version: 3}),
		"a version above 0 needs the record to exist")
}

func testMixedBatch(t *testing.T, s store.State) {
	put(t, s, Base, store.Record{Key: "a"}, store.Record{Key: "b"})
	conflicts := put(t, s, Base,
		store.Record{Key: "a", Version: 1, Data: []byte("a2")},
		store.Record{Key: "b", Version: 0, Data: []byte("lost")},
		store.Record{Key: "c", Version: 0, Data: []byte("c1")},
		store.Record{Key: "d", Version: 4, Data: []byte("lost")},
	)
	require.Equal(t, []string{"b", "d"}, conflicts)
	got := get(t, s, Base, "a", "b", "c", "d")
	require.Len(t, got, 3)
	require.Equal(t, []byte("a2"), got["a"].Data)
	require.Equal(t, int64(2), got["a"].Version)
	require.Empty(t, got["b"].Data)
	require.Equal(t, []byte("c1"), got["c"].Data)
}

func testExpiry(t *testing.T, s store.State) {
	exp := Base.Add(10 * time.Minute)
	put(t, s, Base, store.Record{Key: "w#1", Data: []byte("old"), Expires: exp},
		store.Record{Key: "w#2", Data: []byte("kept")})
	require.Len(t, get(t, s, exp.Add(-time.Second), "w#1"), 1, "live one second before expiry")
	require.Empty(t, get(t, s, exp, "w#1"), "expired at its expiry second")
	require.Empty(t, get(t, s, exp.Add(time.Hour), "w#1"))

	later := exp.Add(time.Minute)
	recs, err := s.List(context.Background(), "w#", later)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, "w#2", recs[0].Key)

	// Expired records count as absent for writers too (TTL deletion lags).
	require.Equal(t, []string{"w#1"}, put(t, s, Base, store.Record{Key: "w#1", Data: []byte("early")}))
	require.Empty(t, put(t, s, later, store.Record{Key: "w#1", Data: []byte("new")}))
	got := get(t, s, later, "w#1")["w#1"]
	require.Equal(t, int64(1), got.Version)
	require.Equal(t, []byte("new"), got.Data)
	require.True(t, got.Expires.IsZero())
}

func testExpiryRoundsUp(t *testing.T, s store.State) {
	exp := Base.Add(90*time.Second + 250*time.Millisecond)
	put(t, s, Base, store.Record{Key: "r", Expires: exp})
	got := get(t, s, Base, "r")["r"]
	require.True(t, Base.Add(91*time.Second).Equal(got.Expires), "got %v", got.Expires)
	require.Len(t, get(t, s, exp, "r"), 1, "still live within the rounded second")
}

func testClaim(t *testing.T, s store.State) {
	ctx := context.Background()
	until := Base.Add(time.Hour)
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"first claim wins", Base, true},
		{"second claim loses", Base.Add(time.Minute), false},
		{"just before expiry loses", until.Add(-time.Second), false},
		{"after expiry wins", until, true},
	}
	for _, tc := range tests {
		ok, err := s.Claim(ctx, "cooldown#x", tc.now, tc.now.Add(until.Sub(Base)))
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, ok, tc.name)
		if tc.want {
			until = tc.now.Add(time.Hour)
		}
	}
	put(t, s, Base, store.Record{Key: "held", Data: []byte("x")})
	ok, err := s.Claim(ctx, "held", Base, until)
	require.NoError(t, err)
	require.False(t, ok, "a live record without expiry is never claimable")
}

func testDelete(t *testing.T, s store.State) {
	ctx := context.Background()
	put(t, s, Base, store.Record{Key: "d", Data: []byte("x")})
	require.NoError(t, s.Delete(ctx, "d"))
	require.NoError(t, s.Delete(ctx, "d"), "deleting an absent key is not an error")
	require.Empty(t, get(t, s, Base, "d"))
	require.Empty(t, put(t, s, Base, store.Record{Key: "d"}), "a deleted key can be created again")
}

func testListPrefix(t *testing.T, s store.State) {
	for _, k := range []string{"block#10.0.0.2", "block#10.0.0.1", "blocked", "base#fn", "block"} {
		put(t, s, Base, store.Record{Key: k, Data: []byte(k)})
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"block#", []string{"block#10.0.0.1", "block#10.0.0.2"}},
		{"block", []string{"block", "block#10.0.0.1", "block#10.0.0.2", "blocked"}},
		{"none#", nil},
		{"", []string{"base#fn", "block", "block#10.0.0.1", "block#10.0.0.2", "blocked"}},
	}
	for _, tc := range tests {
		recs, err := s.List(context.Background(), tc.prefix, Base)
		require.NoError(t, err)
		var keys []string
		for _, r := range recs {
			keys = append(keys, r.Key)
			require.Equal(t, []byte(r.Key), r.Data)
			require.Equal(t, int64(1), r.Version)
		}
		require.Equal(t, tc.want, keys, "prefix %q", tc.prefix)
	}
}

func testManyKeys(t *testing.T, s store.State) {
	const n = 150 // more than one BatchGetItem page (100 keys)
	recs := make([]store.Record, n)
	keys := make([]string, 0, n+5)
	for i := range recs {
		recs[i] = store.Record{Key: fmt.Sprintf("many#%03d", i), Data: []byte(strconv.Itoa(i))}
		keys = append(keys, recs[i].Key)
	}
	require.Empty(t, put(t, s, Base, recs...))
	for i := 0; i < 5; i++ {
		keys = append(keys, fmt.Sprintf("missing#%d", i))
	}
	got := get(t, s, Base, keys...)
	require.Len(t, got, n)
	for i := range recs {
		require.Equal(t, []byte(strconv.Itoa(i)), got[recs[i].Key].Data)
	}
}

func testLargeData(t *testing.T, s store.State) {
	data := make([]byte, 300<<10) // under DynamoDB's 400 KB item limit
	for i := range data {
		data[i] = byte(i * 7)
	}
	put(t, s, Base, store.Record{Key: "large", Data: data})
	require.Equal(t, data, get(t, s, Base, "large")["large"].Data)
}

func testBinaryData(t *testing.T, s store.State) {
	all := make([]byte, 512)
	for i := range all {
		all[i] = byte(i)
	}
	put(t, s, Base, store.Record{Key: "bin", Data: all}, store.Record{Key: "empty"})
	got := get(t, s, Base, "bin", "empty")
	require.Equal(t, all, got["bin"].Data)
	require.Contains(t, got, "empty")
	require.Empty(t, got["empty"].Data)
}

func testInvalidPut(t *testing.T, s store.State) {
	ctx := context.Background()
	_, err := s.Put(ctx, []store.Record{{Key: "x"}, {Key: "x"}}, Base)
	require.Error(t, err, "a key twice in one batch")
	_, err = s.Put(ctx, []store.Record{{Key: ""}}, Base)
	require.Error(t, err, "empty key")
	conflicts, err := s.Put(ctx, nil, Base)
	require.NoError(t, err)
	require.Empty(t, conflicts)
}

// testConcurrentUpdaters is the lost-update test: many instances doing
// read-modify-write with retry on conflict must all land.
func testConcurrentUpdaters(t *testing.T, s store.State) {
	const updaters = 50
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, updaters)
	for g := 0; g < updaters; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- increment(ctx, s, "counter")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got := get(t, s, Base, "counter")["counter"]
	require.Equal(t, strconv.Itoa(updaters), string(got.Data))
	require.Equal(t, int64(updaters), got.Version)
}

func increment(ctx context.Context, s store.State, key string) error {
	for attempt := 0; attempt < 10000; attempt++ {
		cur, err := s.Get(ctx, []string{key}, Base)
		if err != nil {
			return err
		}
		rec := cur[key]
		n := 0
		if len(rec.Data) > 0 {
			if n, err = strconv.Atoi(string(rec.Data)); err != nil {
				return err
			}
		}
		conflicts, err := s.Put(ctx, []store.Record{{Key: key, Version: rec.Version, Data: []byte(strconv.Itoa(n + 1))}}, Base)
		if err != nil {
			return err
		}
		if len(conflicts) == 0 {
			return nil
		}
	}
	return fmt.Errorf("increment %s: still conflicting after 10000 attempts", key)
}
