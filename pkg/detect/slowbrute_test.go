package detect

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// feedSpan feeds obs (in time order) in batches of 5 minutes and returns
// every alert.
func feedSpan(r *runner, obs []Observation) []Alert {
	var all []Alert
	for len(obs) > 0 {
		end := obs[0].Time.Truncate(5 * time.Minute).Add(5 * time.Minute)
		n := 1
		for n < len(obs) && obs[n].Time.Before(end) {
			n++
		}
		all = append(all, r.feed("login", obs[:n])...)
		obs = obs[n:]
	}
	return all
}

// every returns one event per step from start for span, made by mk(i, t).
func every(start time.Time, step, span time.Duration, mk func(i int, t time.Time) []Observation) []Observation {
	var out []Observation
	for i, t := 0, start; t.Before(start.Add(span)); i, t = i+1, t.Add(step) {
		out = append(out, mk(i, t)...)
	}
	return out
}

func merge(parts ...[]Observation) []Observation {
	var out []Observation
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.SortStableFunc(out, func(a, b Observation) int { return a.Time.Compare(b.Time) })
	return out
}

// busyNAT is an office behind one address: a login every 10 s, failPct %
// of them a typo first (then the retry succeeds).
func busyNAT(ip string, failPct int, span time.Duration) []Observation {
	return every(t0, 10*time.Second, span, func(i int, at time.Time) []Observation {
		u := fmt.Sprintf("emp%03d", i*7%400)
		if i*37%100 < failPct { // spread, not in runs
			return []Observation{fail(at, ip, u), success(at.Add(5*time.Second), ip, u)}
		}
		return []Observation{success(at, ip, u)}
	})
}

func TestSlowBruteForce(t *testing.T) {
	const attacker = "198.51.100.77"
	jitter := func(i int) time.Duration { return time.Duration(i*37%60) * time.Second }
	for _, tc := range []struct {
		name   string
		obs    []Observation
		caught bool
		users  int // distinct users the alert's evidence names at least
	}{
		{"one try every 90 s against one user", every(t0, 90*time.Second, 4*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{fail(at.Add(jitter(i)), attacker, "admin")}
		}), true, 1},
		{"one try every 2 min against many users", every(t0, 2*time.Minute, 4*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{fail(at.Add(jitter(i)), attacker, fmt.Sprintf("user%03d", i))}
		}), true, 5},
		{"a slow attacker hidden in a busy NAT's traffic", merge(busyNAT("192.0.2.1", 3, 4*time.Hour),
			every(t0, 2*time.Minute, 4*time.Hour, func(i int, at time.Time) []Observation {
				return []Observation{fail(at.Add(time.Second), attacker, "root")}
			})), true, 1},
		{"an attacker who logs in to his own account between tries", every(t0, 2*time.Minute, 4*time.Hour, func(i int, at time.Time) []Observation {
			obs := []Observation{fail(at.Add(jitter(i)), attacker, fmt.Sprintf("user%03d", i))}
			if i%2 == 0 {
				obs = append(obs, success(at.Add(jitter(i)+time.Second), attacker, "mallory"))
			}
			return obs
		}), true, 5},
		{"busy NAT, 5 % typos (36 failures an hour)", busyNAT("192.0.2.1", 5, 6*time.Hour), false, 0},
		{"busy NAT, 10 % typos", busyNAT("192.0.2.1", 10, 6*time.Hour), false, 0},
		{"corporate egress: a morning burst of mistyped passwords", merge(busyNAT("192.0.2.1", 1, 4*time.Hour),
			every(t0.Add(time.Hour), 108*time.Second, 45*time.Minute, func(i int, at time.Time) []Observation {
				u := fmt.Sprintf("monday%02d", i)
				return []Observation{fail(at, "192.0.2.1", u), success(at.Add(9*time.Second), "192.0.2.1", u)}
			})), false, 0},
		{"one try every 10 min: under the floor too", every(t0, 10*time.Minute, 8*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{fail(at, attacker, "admin")}
		}), false, 0},
		{"loopback is never a culprit", every(t0, time.Minute, 4*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{fail(at.Add(jitter(i)), "127.0.0.1", "admin")}
		}), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, Defaults())
			var slow []Alert
			for _, a := range feedSpan(r, tc.obs) {
				if a.Rule == RuleSlowBrute {
					slow = append(slow, a)
				}
				require.NotEqual(t, "192.0.2.1", a.IP, "the NAT is never named: %s", a.Summary)
			}
			if !tc.caught {
				require.Empty(t, slow)
				return
			}
			require.Len(t, slow, 1, "one alert per episode")
			a := slow[0]
			require.Equal(t, TypeBruteForce, a.Type)
			require.Equal(t, attacker, a.IP)
			require.Equal(t, "brute_force|login|ip:"+attacker, a.Key, "same key as the short window: one incident")
			require.Less(t, a.Time.Sub(t0), 3*time.Hour, "caught within 3 hours")
			require.GreaterOrEqual(t, a.Value, float64(Defaults().SlowBruteFailures))
			require.Positive(t, a.Observed, "the failed share in %")
			require.Equal(t, 75.0, a.Expected)
			require.NotEmpty(t, a.Window)
			require.NotEmpty(t, a.TopUsers)
			if tc.users > 1 {
				require.NotContains(t, a.Summary, "about 1 user", "the users tried are estimated over the whole window")
			}
			require.Contains(t, a.Summary, "slow brute force")
			entry, err := DecodeBlock(r.state[BlockKey(mustAddr(attacker))])
			require.NoError(t, err)
			require.Equal(t, 1, entry.Offences, "blocked like a short-window offender")
			require.True(t, entry.Blocked(a.Time))
			require.Contains(t, entry.Reason, "slow brute force")
		})
	}
}

// TestFastAttackIsNotReportedTwice: a 15-minute burst fills one or two of
// the long window's buckets: the short windows report it, the slow rule
// does not.
func TestFastAttackIsNotReportedTwice(t *testing.T) {
	r := newRunner(t, Defaults())
	got := feedSpan(r, every(t0, 20*time.Second, 15*time.Minute, func(i int, at time.Time) []Observation {
		return []Observation{fail(at, "203.0.113.9", fmt.Sprintf("u%d", i%3))}
	}))
	require.NotEmpty(t, got)
	for _, a := range got {
		require.NotEqual(t, RuleSlowBrute, a.Rule)
	}
}

// TestDecoysDoNotHideASlowAttacker: 1000 fresh addresses failing once per
// batch grow the tally past its budget; the slow attacker's entry (the
// most failures) is kept and caught, and no decoy is named or blocked.
func TestDecoysDoNotHideASlowAttacker(t *testing.T) {
	const attacker = "2001:db8:ffff:1::/64"
	r := newRunner(t, Defaults())
	var caught []Alert
	at := t0
	for b := range 90 { // 3 hours of 2-minute batches
		var obs []Observation
		for d := range 1000 {
			obs = append(obs, fail(at, fmt.Sprintf("2001:db8:%x:%x::1", b+1, d+1), fmt.Sprintf("decoy%d-%d", b, d)))
		}
		obs = append(obs, fail(at.Add(time.Second), fmt.Sprintf("2001:db8:ffff:1::%x", b+1), fmt.Sprintf("user%d", b)))
		caught = append(caught, r.feed("login", obs)...)
		require.LessOrEqual(t, len(r.state[TallyKey("login")]), budgetTally)
		at = at.Add(2 * time.Minute)
	}
	var slow []Alert
	for _, a := range caught {
		require.Equal(t, attacker, a.IP, "no decoy is named: %s", a.Summary)
		if a.Rule == RuleSlowBrute {
			slow = append(slow, a)
		}
	}
	require.Len(t, slow, 1)
	for k := range r.state {
		require.False(t, strings.HasPrefix(k, prefixBlock) && k != prefixBlock+attacker, "only the attacker is blocked: %s", k)
	}
}

// TestSlowCountsBuckets pins the window arithmetic: buckets roll, late
// deliveries count in their own bucket, too-late ones not at all.
func TestSlowCountsBuckets(t *testing.T) {
	const bl = 1000
	var s slowCounts
	s.add(500, bl, true, 3)
	s.add(1500, bl, true, 5)
	s.add(2500, bl, false, 0)
	s.add(3500, bl, true, 5)
	f, succ := s.sum()
	require.Equal(t, []int{3, 1, 3}, []int{f, succ, s.spread()})
	require.Equal(t, 2, s.users())
	s.add(4500, bl, true, 0) // the first bucket leaves the window
	f, _ = s.sum()
	require.Equal(t, 3, f)
	s.add(1200, bl, true, 0) // late, still inside: counted in its bucket
	s.add(100, bl, true, 0)  // late, outside: ignored
	f, _ = s.sum()
	require.Equal(t, 4, f)
	s.add(20_000, bl, false, 0) // a long pause empties the window
	f, succ = s.sum()
	require.Equal(t, []int{0, 1}, []int{f, succ})
	s.add(20_500, 2*bl, true, 0) // a changed window setting starts over
	f, succ = s.sum()
	require.Equal(t, []int{1, 0}, []int{f, succ})
}

// TestTallySlowCountsRoundTrip: the counts survive the codec; a tally of
// the older kind (no counts) still reads, with empty counts; a truncated
// one is corrupt.
func TestTallySlowCountsRoundTrip(t *testing.T) {
	rec := tallyRecord{IPs: []tallyEntry{{FP: 1, N: 3, Last: 10}, {FP: 2, N: 40, Last: 20,
		Slow: slowCounts{Len: 1800000, B: 99, F: [4]int32{1, 2, 3, 4}, S: [4]int32{0, 1, 0, 0}, Users: 0xf0, SUsers: 3, Alerted: 7}}}}
	var buf []byte
	data := encodeRecord(&buf, &rec)
	require.Equal(t, byte(kindTally2), data[1])
	var got tallyRecord
	require.NoError(t, unmarshalRecord(data, &got))
	require.Equal(t, rec.IPs[1].Slow, got.IPs[1].Slow)
	require.Zero(t, got.IPs[0].Slow)
	for n := 2; n < len(data); n++ {
		require.Error(t, unmarshalRecord(data[:n], &tallyRecord{}), "truncated at %d", n)
	}

	old := tallyRecord{IPs: []tallyEntry{{FP: 1, N: 3, Last: 10}}}
	data = encodeRecord(&buf, &old)
	legacy := append([]byte{data[0], kindTally}, data[2:len(data)-1]...) // the older kind: no counts
	got = tallyRecord{}
	require.NoError(t, unmarshalRecord(legacy, &got))
	require.Equal(t, old.IPs[0].N, got.IPs[0].N)
	require.Error(t, unmarshalRecord(data[:len(data)-1], &tallyRecord{}), "the new kind always has its counts")
}

// TestSlowBlockSurvivesARetry: the block record's write conflicts in the
// batch that raised the slow alert (the tally's won); the retry of the
// batch (every record remembers the batches it applied) still blocks the
// address, and the alert is not sent twice.
func TestSlowBlockSurvivesARetry(t *testing.T) {
	const attacker = "198.51.100.77"
	r := newRunner(t, Defaults())
	key := BlockKey(mustAddr(attacker))
	for i := range 200 {
		obs := []Observation{fail(t0.Add(time.Duration(i)*90*time.Second), attacker, "admin")}
		in := Input{BatchID: fmt.Sprintf("b%d", i), Function: "login", LogGroup: "/aws/lambda/login", Thresholds: Defaults(), Observations: obs}
		res, err := EvaluateWith(in, r.read)
		require.NoError(t, err)
		fired := false
		for _, u := range res.Updates {
			fired = fired || len(u.Alerts) > 0
			if !fired || u.Key != key {
				r.state[u.Key] = u.Data
			}
		}
		if !fired {
			continue
		}
		before, err := DecodeBlock(r.state[key])
		require.NoError(t, err)
		require.Zero(t, before.Offences, "the block write was lost")
		res, err = EvaluateWith(in, r.read)
		require.NoError(t, err)
		require.Len(t, res.Updates, 1)
		require.Empty(t, res.Updates[0].Alerts)
		e, err := DecodeBlock(res.Updates[0].Data)
		require.NoError(t, err)
		require.Equal(t, 1, e.Offences)
		require.Contains(t, e.Reason, "slow brute force")
		return
	}
	t.Fatal("the slow rule never fired")
}
