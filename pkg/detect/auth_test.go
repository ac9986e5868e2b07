package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBruteForceFromOneIP(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 30 {
		obs = append(obs, fail(t0.Add(time.Duration(i)*20*time.Second), "198.51.100.7", "bob"))
	}
	got := r.feed("fn", obs[:9])
	require.Empty(t, got, "9 failures are under the threshold")
	got = r.feed("fn", obs[9:])
	require.Equal(t, []string{"brute_force/firing"}, types(got), "one alert per episode")
	a := got[0]
	require.Equal(t, "198.51.100.7", a.IP)
	require.Equal(t, "bob", a.User)
	require.Equal(t, "brute_force|fn|ip:198.51.100.7", a.Key)
	require.Equal(t, obs[9].Time, a.Time, "time of the triggering event")
	require.Equal(t, obs[0].Time, a.WindowStart)

	entry, err := DecodeBlock(r.state["block#198.51.100.7"])
	require.NoError(t, err)
	require.Equal(t, 1, entry.Offences)
	require.Equal(t, obs[9].Time.Add(4*time.Hour), entry.Until)
	require.True(t, entry.Blocked(obs[9].Time.Add(time.Hour)))

	// Success for the attacked user from the same IP: compromise.
	got = r.feed("fn", []Observation{success(t0.Add(time.Hour), "198.51.100.7", "Bob")})
	require.Equal(t, []string{"account_compromise/firing"}, types(got))
	require.Equal(t, "account_compromise|fn|user:bob", got[0].Key)
	require.Equal(t, SeverityCritical, got[0].Severity)
	require.Empty(t, r.feed("fn", []Observation{success(t0.Add(2*time.Hour), "198.51.100.7", "bob")}), "said once")

	// A new episode after the block expired escalates: 8 h.
	var again []Observation
	for i := range 10 {
		again = append(again, fail(t0.Add(6*time.Hour+time.Duration(i)*time.Second), "198.51.100.7", "bob"))
	}
	require.Equal(t, []string{"brute_force/firing"}, types(r.feed("fn", again)))
	entry, err = DecodeBlock(r.state["block#198.51.100.7"])
	require.NoError(t, err)
	require.Equal(t, 2, entry.Offences)
	require.Equal(t, again[9].Time.Add(8*time.Hour), entry.Until)
}

// One failure every 2 minutes is 5 per short window: no short-window rule
// fires; the long window (slowbrute.go) does, once, and nothing else.
func TestSlowFailuresEscapeTheShortWindows(t *testing.T) {
	r := newRunner(t, Defaults())
	var got []Alert
	for i := range 100 {
		got = append(got, r.feed("fn", []Observation{fail(t0.Add(time.Duration(i)*2*time.Minute), "198.51.100.8", "amy")})...)
	}
	require.Len(t, got, 1)
	require.Equal(t, RuleSlowBrute, got[0].Rule)
}

func TestCredentialStuffing(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 40 {
		obs = append(obs, fail(t0.Add(time.Duration(i)*10*time.Second), "203.0.113.50", fmt.Sprintf("user%02d@example.com", i)))
	}
	got := r.feed("fn", obs)
	require.Equal(t, []string{"brute_force/firing", "credential_stuffing/firing"}, types(got))
	cs := got[1]
	require.Equal(t, obs[24].Time, cs.Time, "the 25th failure crosses")
	require.Equal(t, float64(25), cs.Value)
	require.Len(t, cs.TopUsers, 5)

	// Stuffing works: a never-failed account logs in from the same address.
	got = r.feed("fn", []Observation{success(t0.Add(20*time.Minute), "203.0.113.50", "victim@example.com")})
	require.Equal(t, []string{"account_compromise/firing"}, types(got))
}

func TestBusyNATStaysQuiet(t *testing.T) {
	r := newRunner(t, Defaults())
	at := t0
	for b := range 6 * 24 { // a day of 10-minute batches
		var obs []Observation
		for i := range 60 {
			obs = append(obs, success(at, "192.0.2.1", fmt.Sprintf("emp%03d", (b*7+i)%400)))
			at = at.Add(10 * time.Second)
		}
		if b%2 == 0 { // one typo every 20 minutes, sometimes two in a row
			obs = append(obs, fail(at, "192.0.2.1", fmt.Sprintf("emp%03d", b%400)), fail(at, "192.0.2.1", fmt.Sprintf("emp%03d", b%400)))
		}
		require.Empty(t, r.feed("fn", obs), "batch %d", b)
	}
}

func TestNATWithStuffingShapeButMostlySuccessIsQuiet(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 30 { // 30 users mistyping once each in 10 minutes ...
		at := t0.Add(time.Duration(i) * 20 * time.Second)
		obs = append(obs, success(at, "192.0.2.1", fmt.Sprintf("ok%d", i)), success(at, "192.0.2.1", fmt.Sprintf("ok%d", i+100)))
		obs = append(obs, fail(at, "192.0.2.1", fmt.Sprintf("typo%d", i)))
	}
	for _, a := range r.feed("fn", obs) {
		require.NotEqual(t, TypeCredentialStuffing, a.Type, "... among twice as many successes is a NAT, not stuffing")
	}
}

func TestDistributedBruteForce(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 12 {
		obs = append(obs, fail(t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf("198.51.100.%d", 10+i%6), "admin"))
	}
	got := r.feed("fn", obs)
	require.Equal(t, []string{"brute_force/firing"}, types(got))
	require.Equal(t, "admin", got[0].User)
	require.Equal(t, "brute_force|fn|user:admin", got[0].Key)
	require.Len(t, got[0].TopIPs, 5)
	require.Equal(t, obs[9].Time, got[0].Time)

	got = r.feed("fn", []Observation{success(t0.Add(90*time.Minute), "203.0.113.9", "admin")})
	require.Equal(t, []string{"account_compromise/firing"}, types(got))
	require.Equal(t, "203.0.113.9", got[0].IP)
	require.Empty(t, r.feed("fn", []Observation{success(t0.Add(4*time.Hour+time.Minute), "203.0.113.9", "admin")}))
}

func TestCompromiseWindowExpires(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 10 {
		obs = append(obs, fail(t0.Add(time.Duration(i)*time.Second), "198.51.100.7", "bob"))
	}
	require.Len(t, r.feed("fn", obs), 1)
	require.Empty(t, r.feed("fn", []Observation{success(t0.Add(4*time.Hour), "198.51.100.7", "bob")}))
}

func TestAllowListAndIPv6(t *testing.T) {
	th := Defaults()
	th.AllowCIDRs = []string{"10.0.0.0/8", "2001:db8:ffff::/48"}
	r := newRunner(t, th)
	var obs []Observation
	for i := range 20 {
		at := t0.Add(time.Duration(i) * time.Second)
		obs = append(obs, fail(at, "10.1.2.3", "bob"), fail(at, "2001:db8:ffff::1", "bob"),
			fail(at, fmt.Sprintf("2001:db8:1:2::%x", i+1), "carol"))
	}
	in := Input{BatchID: "x", Function: "fn", Thresholds: th, Observations: obs}
	_, keys, err := AllKeys(in, r.read)
	require.NoError(t, err)
	require.NotContains(t, strings.Join(keys, " "), "10.1.2.3")
	require.Contains(t, keys, "block#2001:db8:1:2::/64")
	got := r.apply(in)
	require.Equal(t, []string{"brute_force/firing"}, types(got))
	require.Equal(t, "2001:db8:1:2::/64", got[0].IP, "rotating inside a /64 is one source")
}

func TestKeysAreBoundedAndOnlyRestricts(t *testing.T) {
	var obs []Observation
	for i := range 5000 { // 5,000 one-off addresses: the tally alone
		obs = append(obs, fail(t0, fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255), fmt.Sprintf("u%d", i)))
	}
	for i := range 1000 { // 200 addresses failing 5 times each: promoted
		obs = append(obs, fail(t0, fmt.Sprintf("192.0.2.%d", i%200), "root"))
	}
	in := Input{BatchID: "x", Function: "fn", Thresholds: Defaults(), Observations: obs}
	r := newRunner(t, Defaults())
	_, keys, err := AllKeys(in, r.read)
	require.NoError(t, err)
	require.Equal(t, "tally#fn", keys[0])
	require.Len(t, keys, 1+sprayShards+2*maxEntities+1, "the tally, the spray shards, 128 addresses and their blocks, and root")
	in.Only = keys[1+sprayShards : 3+sprayShards]
	res, err := Evaluate(in, nil)
	require.NoError(t, err)
	require.Len(t, res.Updates, 2)
	require.Equal(t, in.Only, []string{res.Updates[0].Key, res.Updates[1].Key})
}

func TestHostileUserNamesMakeBoundedKeys(t *testing.T) {
	long := strings.Repeat("ä", 3000)
	in := Input{BatchID: "x", Function: "fn", Thresholds: Defaults(), Observations: []Observation{fail(t0, "", long)}}
	keys := Keys(in)
	require.Len(t, keys, 1)
	require.Less(t, len(keys[0]), 200)
	res, err := Evaluate(in, nil)
	require.NoError(t, err)
	require.Len(t, res.Updates, 1)
}
