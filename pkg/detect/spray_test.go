package detect

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// blocked reports whether ip's block# blocks at now.
func (r *runner) blocked(ip string, now time.Time) bool {
	data, ok := r.state[prefixBlock+ip]
	if !ok {
		return false
	}
	e, err := DecodeBlock(data)
	require.NoError(r.t, err)
	return e.Blocked(now)
}

// sprayAlert is the across-functions brute_force alert about ip, if any.
func sprayAlert(alerts []Alert, ip string) (Alert, bool) {
	for _, a := range alerts {
		if a.Type == TypeBruteForce && a.Rule == RuleSpray && a.IP == ip {
			return a, true
		}
	}
	return Alert{}, false
}

// TestSprayAcrossFunctionsIsBlocked pins the regression of the tally: an
// address failing 4 times on each of 3 functions (12 in 10 minutes, over
// brute_force_failures 10, under half of it on each) is blocked, and the
// alert names the address and the functions.
func TestSprayAcrossFunctionsIsBlocked(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.50"
	at := t0
	for i, fn := range []string{"login", "signup", "reset"} {
		var obs []Observation
		for j := range 4 {
			at = at.Add(20 * time.Second)
			obs = append(obs, fail(at, ip, fmt.Sprintf("user%d", i*4+j)))
		}
		r.feed(fn, obs)
		require.Equal(t, i == 2, r.blocked(ip, at), "after %s", fn)
	}
	a, ok := sprayAlert(r.alerts, ip)
	require.True(t, ok, "alerts: %v", types(r.alerts))
	for _, fn := range []string{"login", "signup", "reset"} {
		require.Contains(t, a.Summary, fn)
	}
	require.Equal(t, "reset", a.Function)
	require.Equal(t, "brute_force|reset|ip:"+ip, a.Key)
	require.Len(t, r.alerts, 1)
}

// TestSprayUnderTheThresholdIsNotBlocked: 3 failures on each of 3
// functions (9 < 10) is no attack, and promoting it costs no block.
func TestSprayUnderTheThresholdIsNotBlocked(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.51"
	at := t0
	for _, fn := range []string{"login", "signup", "reset"} {
		var obs []Observation
		for range 3 {
			at = at.Add(20 * time.Second)
			obs = append(obs, fail(at, ip, "bob"))
		}
		r.feed(fn, obs)
	}
	require.False(t, r.blocked(ip, at))
	require.Empty(t, r.alerts)
}

// TestSprayOutsideTheWindowIsNotBlocked: 4 failures on each of 3
// functions, 8 minutes apart, never hold 10 within 10 minutes.
func TestSprayOutsideTheWindowIsNotBlocked(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.52"
	at := t0
	for _, fn := range []string{"login", "signup", "reset"} {
		var obs []Observation
		for range 4 {
			at = at.Add(time.Second)
			obs = append(obs, fail(at, ip, "bob"))
		}
		r.feed(fn, obs)
		at = at.Add(8 * time.Minute)
	}
	require.False(t, r.blocked(ip, at))
	require.Empty(t, r.alerts)
}

// TestSprayDecoysDoNotHideTheSprayer: 600 fresh addresses with 2 failures
// each spread over the same functions in the same batches (the sketch's
// noise) do not hide the sprayer, none of them is blocked, and the batch
// adds at most maxSprayBlocks block records.
func TestSprayDecoysDoNotHideTheSprayer(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.53"
	at := t0
	d := 0
	for _, fn := range []string{"login", "signup", "reset"} {
		var obs []Observation
		for j := range 4 {
			at = at.Add(20 * time.Second)
			obs = append(obs, fail(at, ip, fmt.Sprintf("u%d", j)))
		}
		for range 200 {
			d++
			ip := fmt.Sprintf("2001:db8:%x::1", d)
			obs = append(obs, fail(at, ip, fmt.Sprint("decoy", d)), fail(at, ip, fmt.Sprint("decoy", d)))
		}
		before := len(r.state)
		r.feed(fn, obs)
		// The tally, the shards and at most maxSprayBlocks block records.
		require.LessOrEqual(t, len(r.state)-before, 1+sprayShards+maxSprayBlocks)
	}
	require.True(t, r.blocked(ip, at))
	_, ok := sprayAlert(r.alerts, ip)
	require.True(t, ok)
	for k := range r.state {
		if strings.HasPrefix(k, prefixBlock+"2001:db8:") {
			require.False(t, r.blocked(k[len(prefixBlock):], at), k)
		}
	}
	require.Len(t, r.alerts, 1, "%v", types(r.alerts))
}

// TestSprayBusyNATStaysUnblocked: an office NAT whose employees log in to
// several functions, mistyping 4 times on each within 10 minutes, is
// not blocked: its successes explain its failures, whether each function
// sees enough users to call it shared (slowbrute.go) or only the
// account-wide success row does.
func TestSprayBusyNATStaysUnblocked(t *testing.T) {
	for _, users := range []int{30, 6} {
		t.Run(fmt.Sprint(users, " users per function"), func(t *testing.T) {
			r := newRunner(t, Defaults())
			const nat = "192.0.2.10"
			at := t0
			for i, fn := range []string{"login", "signup", "reset"} {
				var obs []Observation
				for j := range users {
					at = at.Add(5 * time.Second)
					user := fmt.Sprintf("emp%03d", i*30+j)
					if j < 4 {
						obs = append(obs, fail(at, nat, user))
					}
					obs = append(obs, success(at, nat, user))
				}
				r.feed(fn, obs)
			}
			require.False(t, r.blocked(nat, at))
			require.Empty(t, r.alerts)
		})
	}
}

// TestSprayRecordsOnlyForFailures: a batch of successes and REPORTs
// touches no shard; a batch with failures touches only its shards.
func TestSprayRecordsOnlyForFailures(t *testing.T) {
	in := Input{BatchID: "b", Function: "fn", Thresholds: Defaults(), Observations: []Observation{
		report(t0, 10, "r"), success(t0, "198.51.100.1", "a")}}
	for _, k := range Keys(in) {
		require.False(t, strings.HasPrefix(k, prefixSpray), k)
	}
	in.Observations = append(in.Observations, fail(t0, "198.51.100.2", "a"))
	var shards []string
	for _, k := range Keys(in) {
		if strings.HasPrefix(k, prefixSpray) {
			shards = append(shards, k)
		}
	}
	require.Equal(t, []string{SprayKey(ipShard(ipFP("198.51.100.2")))}, shards)
}

// TestSprayRecordRoundTrip pins the shard's codec and its bound.
func TestSprayRecordRoundTrip(t *testing.T) {
	rec := &sprayRecord{Salt: 42}
	for i := range 5000 {
		rec.add(fmt.Sprintf("fn%d", i%40), fmt.Sprintf("198.51.%d.%d", i/256%256, i%256), int64(i)*100, 200_000, i%3 != 0)
	}
	rec.add("fn0", "198.51.0.7", -1, 200_000, true) // a forged pre-1970 time: ignored, no panic
	rec.remember("b1")
	var buf []byte
	data := encodeRecord(&buf, rec)
	var got sprayRecord
	require.Empty(t, decodeRecord("spray#0", data, &got, 0))
	require.Equal(t, rec.estimate("198.51.0.7", 600_000), got.estimate("198.51.0.7", 600_000))
	require.Equal(t, rec.N, got.N)
	require.Len(t, got.Fns, maxSprayFns)
	require.Less(t, len(data), budgetSpray)
	for _, bad := range [][]byte{data[:len(data)/2], append(data[:len(data):len(data)], 0)} {
		require.NotEmpty(t, decodeRecord("spray#0", bad, &sprayRecord{}, 0))
	}
}

// TestSprayFloodDoesNotBlockAnInnocent: an address with 9 typos over 2
// functions within the window (4, then 5 in one batch: its block# holds 5
// exactly, half the threshold of 10) is not blocked however many decoys
// fill the sketch around it: a flood raises the noise the lower bound
// subtracts, it never adds to an address's count.
func TestSprayFloodDoesNotBlockAnInnocent(t *testing.T) {
	for _, decoys := range []int{0, 500, 5000, 20000} {
		t.Run(fmt.Sprint(decoys), func(t *testing.T) {
			r := newRunner(t, Defaults())
			const ip = "198.51.100.200"
			at := t0
			d := 0
			for i, fn := range []string{"signup", "reset", "login"} {
				var obs []Observation
				for range []int{4, 0, 5}[i] {
					at = at.Add(10 * time.Second)
					obs = append(obs, fail(at, ip, "carol"))
				}
				for range decoys / 3 {
					d++
					ip := fmt.Sprintf("2001:db8:%x:%x::1", d>>16, d&0xffff)
					obs = append(obs, fail(at, ip, fmt.Sprint("d", d)), fail(at, ip, fmt.Sprint("d", d)))
				}
				if len(obs) > 0 {
					r.feed(fn, obs)
				}
			}
			e, err := DecodeBlock(r.state[prefixBlock+ip])
			require.NoError(t, err, "counted exactly from half the threshold")
			require.False(t, e.Blocked(at))
			for _, a := range r.alerts {
				require.NotEqual(t, RuleSpray, a.Rule, a.Summary)
			}
		})
	}
}

// TestSprayDeliveredOutOfOrder: each function's logs reach the processor
// on their own schedule, so the latest failures may be counted first; the
// block record keeps them in time order and the sprayer is still blocked.
func TestSprayDeliveredOutOfOrder(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.54"
	for i, fn := range []string{"reset", "signup", "login"} {
		at := t0.Add(time.Duration(2-i) * 3 * time.Minute) // reset's are the latest
		var obs []Observation
		for j := range 4 {
			obs = append(obs, fail(at.Add(time.Duration(j)*20*time.Second), ip, "admin"))
		}
		r.feed(fn, obs)
	}
	require.True(t, r.blocked(ip, t0.Add(10*time.Minute)))
	a, ok := sprayAlert(r.alerts, ip)
	require.True(t, ok, "%v", types(r.alerts))
	require.Equal(t, "login", a.Function)
	require.Len(t, r.alerts, 1)
}

// TestIPFingerprintIsFNV1a pins the inline hash to hash/fnv's: the tally
// stores addresses by it, so a change would orphan every stored entry.
func TestIPFingerprintIsFNV1a(t *testing.T) {
	for _, name := range []string{"", "203.0.113.7", "2001:db8::/64"} {
		h := fnv.New64a()
		h.Write([]byte(name))
		require.Equal(t, h.Sum64(), ipFP(name), name)
	}
}

// TestSprayFunctionsWithTheirOwnWindows: functions with different
// brute_force_window share the shards without wiping each other's counts
// (a shard keeps the bucket length it was made with), and the sprayer is
// blocked by the function whose window holds its 12 failures.
func TestSprayFunctionsWithTheirOwnWindows(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.55"
	at := t0
	for i, fn := range []string{"login", "signup", "reset"} {
		th := Defaults()
		th.BruteForceWindow = []time.Duration{10 * time.Minute, 30 * time.Minute, 15 * time.Minute}[i]
		var obs []Observation
		for range 4 {
			at = at.Add(20 * time.Second)
			obs = append(obs, fail(at, ip, "admin"))
		}
		r.n++
		r.apply(Input{BatchID: fmt.Sprint("w", i), Function: fn, LogGroup: "/aws/lambda/" + fn, Thresholds: th, Observations: obs})
	}
	require.True(t, r.blocked(ip, at))
	_, ok := sprayAlert(r.alerts, ip)
	require.True(t, ok, "%v", types(r.alerts))
}

// TestSprayEstimateWindow: the lower bound counts only the buckets inside
// the asking function's window, the point estimate all four.
func TestSprayEstimateWindow(t *testing.T) {
	rec := &sprayRecord{Salt: 7}
	const bl = 200_000
	for b := range int64(4) { // 2 failures in each of 4 buckets
		for j := range int64(2) {
			rec.add("fn", "203.0.113.9", 10*bl+b*bl+j, bl, true)
		}
	}
	for _, tc := range []struct {
		win     int64
		lo, est int
	}{
		{600_000, 6, 8},   // a third of the window per bucket: the newest three
		{1_800_000, 8, 8}, // a longer window: all four, never more
		{400_000, 4, 8},
		{100_000, 0, 8}, // shorter than a bucket: none
	} {
		got := rec.estimate("203.0.113.9", tc.win)
		require.Equal(t, tc.lo, got.lo, "window %d", tc.win)
		require.Equal(t, tc.est, got.est, "window %d", tc.win)
	}
}

// TestSprayInACrowdedAccount: with more functions failing than a shard
// names (maxSprayFns), the function a sprayer failed on first may be
// dropped from the names; the counts still promote and block it.
func TestSprayInACrowdedAccount(t *testing.T) {
	r := newRunner(t, Defaults())
	const ip = "203.0.113.56"
	shard := ipShard(ipFP(ip))
	at := t0
	sprays := func(fn string) {
		var obs []Observation
		for range 4 {
			at = at.Add(time.Second)
			obs = append(obs, fail(at, ip, "admin"))
		}
		r.feed(fn, obs)
	}
	sprays("fn00")
	for f, n := 1, 0; f <= maxSprayFns+2; f++ {
		// One failing address of the function's own, in the sprayer's shard.
		var addr string
		for addr = ""; addr == "" || ipShard(ipFP(addr)) != shard; n++ {
			addr = fmt.Sprintf("198.51.100.%d", n%250+1)
		}
		at = at.Add(time.Second)
		r.feed(fmt.Sprintf("fn%02d", f), []Observation{fail(at, addr, fmt.Sprint("u", f))})
	}
	sprays("fn98")
	sprays("fn99")
	require.True(t, r.blocked(ip, at))
	_, ok := sprayAlert(r.alerts, ip)
	require.True(t, ok, "%v", types(r.alerts))
}
