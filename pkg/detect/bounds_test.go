package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

// maxRecordBytes is the size no record may reach whatever the input: it
// leaves room under DynamoDB's 400 KB item limit for key and attributes.
const maxRecordBytes = 350 << 10

// TestRecordsStayBounded drives hostile input into every record type (2 KB
// request ids, 10 KB user names, hundreds of users per address and
// addresses per user, timeouts and crashes with hostile ids) for many
// batches and pins that each record stays within its budget. The old
// records grew user#login#bob to 516 KB with 2 KB ids.
func TestRecordsStayBounded(t *testing.T) {
	r := newRunner(t, Defaults())
	hostile := func(i int, c byte) string { return fmt.Sprintf("%d-", i) + strings.Repeat(string(c), 2048) }
	longUser := strings.Repeat("é", 5000) // 10 KB, and a multi-byte cut point
	at := t0
	for b := range 30 {
		var obs []Observation
		for i := range 100 {
			at = at.Add(100 * time.Millisecond)
			f := fail(at, "198.51.100.7", "bob")
			f.Event.RequestID = hostile(i, 'r')
			obs = append(obs, f)
			// One user from many addresses, one address for many users.
			d := fail(at, fmt.Sprintf("203.0.%d.%d", b, i), longUser+fmt.Sprint(i%3))
			d.Event.RequestID = hostile(i, 'd')
			obs = append(obs, d)
			s := fail(at, "192.0.2.77", longUser+fmt.Sprint(b*100+i))
			s.Event.RequestID = hostile(i, 's')
			obs = append(obs, s)
			// Denied resources: 2 KB of attacker text each, from many addresses.
			obs = append(obs, denied(at, fmt.Sprintf("198.18.%d.%d", b, i), longUser, hostile(i, 'z')),
				denied(at, "198.51.100.7", longUser, hostile(b*100+i, 'z')))
			rep := report(at, 100+float64(i%7), hostile(i, 'p'))
			obs = append(obs, rep)
			if i%10 == 0 {
				obs = append(obs,
					Observation{Time: at, LogStream: stream, Event: logline.Event{Kind: logline.KindTimeout, RequestID: hostile(i, 't'), TimeoutS: 3}},
					Observation{Time: at, LogStream: stream, Event: logline.Event{Kind: logline.KindCrash, RequestID: hostile(i, 'c'), Reason: hostile(i, 'x')}})
			}
		}
		ok := success(at, "198.51.100.7", longUser+"0")
		ok.Event.RequestID = hostile(b, 'o')
		r.feed("login", append(obs, ok))
	}
	// The spray shards: failures of thousands of addresses on 40 functions
	// with 200-byte names, in one window.
	for f := range 40 {
		var obs []Observation
		for i := range 2000 {
			obs = append(obs, fail(at, fmt.Sprintf("2001:db8:%x:%x::1", f, i), "u"))
		}
		r.feed(fmt.Sprintf("%03d", f)+strings.Repeat("f", 197), obs)
	}
	largest := map[string]int{}
	for k, v := range r.state {
		kind := k[:strings.IndexByte(k, '#')+1]
		largest[kind] = max(largest[kind], len(v))
		require.Less(t, len(v), maxRecordBytes, "record %.80s", k)
		require.LessOrEqual(t, len(k), 256, "key %.80s", k)
	}
	require.Len(t, largest, 7, "every record type was exercised: %v", largest)
	require.LessOrEqual(t, largest[prefixSpray], budgetSpray)
	require.LessOrEqual(t, largest[prefixAuthz], budgetAuthz)
	require.LessOrEqual(t, largest[prefixTally], budgetTally)
	require.LessOrEqual(t, largest[prefixFunction], budgetFunction)
	require.LessOrEqual(t, largest[prefixIP], budgetIP)
	require.LessOrEqual(t, largest[prefixUser], budgetUser)
	require.LessOrEqual(t, largest[prefixBlock], budgetBlock)
	t.Logf("largest record per type under attack: %v", largest)

	for _, a := range r.alerts {
		for _, id := range a.RequestIDs {
			require.LessOrEqual(t, len(id), maxIDBytes)
		}
		require.LessOrEqual(t, len(a.User), maxUserDisplay)
	}
}

// TestUserKeyHashesTheWholeName pins that two long names sharing their
// first kilobyte are two users, and that the key does not carry the name.
func TestUserKeyHashesTheWholeName(t *testing.T) {
	r := newRunner(t, Defaults())
	base := strings.Repeat("a", 1024)
	var obs []Observation
	for i := range 10 {
		obs = append(obs, fail(t0.Add(time.Duration(i)*time.Second), fmt.Sprintf("203.0.113.%d", i), base+"x"),
			fail(t0.Add(time.Duration(i)*time.Second), fmt.Sprintf("198.51.100.%d", i), base+"y"))
	}
	got := r.feed("fn", obs)
	require.Len(t, got, 2, "two distributed attacks on two accounts")
	require.NotEqual(t, got[0].User, got[1].User)
	n := 0
	for k := range r.state {
		if strings.HasPrefix(k, prefixUser) {
			n++
			require.NotContains(t, k, "aaaa")
			require.Len(t, k, len("user#fn#")+32)
		}
	}
	require.Equal(t, 2, n)
}

// TestOverBudgetRecordDegrades pins that a record over its budget sheds
// samples and keeps its counts instead of failing the write.
func TestOverBudgetRecordDegrades(t *testing.T) {
	p := &plan{}
	rec := &blockRecord{IP: "198.51.100.7", Offences: 7, Until: 99, Reason: strings.Repeat("x", 20<<10)}
	for i := range 5000 {
		rec.Fails = append(rec.Fails, int64(i)*1_000_000_007)
	}
	data := p.fit(rec, budgetBlock)
	require.LessOrEqual(t, len(data), budgetBlock)
	got, err := DecodeBlock(data)
	require.NoError(t, err)
	require.Equal(t, 7, got.Offences)

	fn := &fnRecord{Fn: "f", WarmN: 12345, ColdN: 7}
	for i := range 4000 {
		fn.Ring = append(fn.Ring, sample{T: int64(i), D: 1.5, R: strings.Repeat("r", 100)})
		fn.Seen = append(fn.Seen, strings.Repeat("s", 100))
	}
	data = p.fit(fn, budgetFunction)
	require.LessOrEqual(t, len(data), budgetFunction)
	v, err := DescribeBaseline(data)
	require.NoError(t, err)
	require.Equal(t, 12345, v.WarmCount)
	require.Equal(t, 7, v.ColdStarts)
}

func TestCapString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"},
		{"a\xffb", 5, "ab"},
		{"", 3, ""},
	} {
		require.Equal(t, tc.want, capString(tc.in, tc.n), "%q", tc.in)
	}
}
