package detect

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDecoysDoNotHideTheAttacker pins issue #9's evasion: 20 batches, each
// with 128 fresh IPv6 /64 decoys failing twice and the real attacker failing
// twice. Only 128 entities per batch used to be tracked, so the attacker was
// never counted; every failure now counts, and each batch still writes a
// handful of records whatever the number of decoys.
func TestDecoysDoNotHideTheAttacker(t *testing.T) {
	const attacker = "2001:db8:ffff:1::/64"
	r := newRunner(t, Defaults())
	at := t0
	var caught []Alert
	for b := range 20 {
		var obs []Observation
		for d := range 128 {
			ip := fmt.Sprintf("2001:db8:%x:%x::1", b+1, d+1)
			user := fmt.Sprintf("decoy%d-%d", b, d)
			obs = append(obs, fail(at, ip, user), fail(at.Add(time.Millisecond), ip, user))
		}
		// The attacker sits at the end of the batch, after every decoy.
		obs = append(obs, fail(at.Add(2*time.Millisecond), "2001:db8:ffff:1::7", "root"),
			fail(at.Add(3*time.Millisecond), "2001:db8:ffff:1:9::1", "admin"))
		before := len(r.state)
		got := r.feed("login", obs)
		caught = append(caught, got...)
		require.LessOrEqual(t, len(r.state)-before, 4+sprayShards, "batch %d: the decoys cost no records of their own", b)
		at = at.Add(15 * time.Second)
	}
	require.NotEmpty(t, caught, "the attacker is caught")
	a := caught[0]
	require.Equal(t, TypeBruteForce, a.Type)
	require.Equal(t, attacker, a.IP)
	require.EqualValues(t, 10, a.Value, "the alert states the exact count")
	for _, a := range caught {
		require.Equal(t, attacker, a.IP, "no decoy is named")
	}
	entry, err := DecodeBlock(r.state[BlockKey(mustAddr("2001:db8:ffff:1::1"))])
	require.NoError(t, err)
	require.Equal(t, 1, entry.Offences, "and blocked")
	require.LessOrEqual(t, len(r.state[TallyKey("login")]), budgetTally)
	for k := range r.state {
		require.False(t, strings.HasPrefix(k, prefixBlock+"2001:db8:1:"), "no decoy is blocked: %s", k)
	}
}

// TestOneOffFailuresCostOneRecord pins that a long tail of addresses failing
// once has no records of its own (they used to get an ip# record each and a
// block# record living 7 days).
func TestOneOffFailuresCostOneRecord(t *testing.T) {
	r := newRunner(t, Defaults())
	for b := range 10 {
		var obs []Observation
		for i := range 1000 {
			obs = append(obs, fail(t0.Add(time.Duration(b)*time.Minute), fmt.Sprintf("10.%d.%d.%d", b, i>>8, i&255), "u"))
		}
		r.feed("login", obs)
	}
	keys := make([]string, 0, len(r.state))
	for k := range r.state {
		keys = append(keys, k)
	}
	want := []string{"tally#login", "user#login#" + userHash("u")}
	for n := range sprayShards { // the account-wide view: a fixed number of shards
		want = append(want, SprayKey(n))
	}
	require.ElementsMatch(t, want, keys)
}

// TestTallyKeepsCountingPastItsBudget pins that a flood of decoys bigger than
// the tally's byte budget sheds decoys, not the attacker's count.
func TestTallyKeepsCountingPastItsBudget(t *testing.T) {
	th := Defaults()
	th.BruteForceFailures = 40 // the attacker stays unpromoted for a while
	r := newRunner(t, th)
	at := t0
	var caught []Alert
	for b := range 30 {
		var obs []Observation
		for d := range 2000 {
			obs = append(obs, fail(at, fmt.Sprintf("2001:db8:%x:%x::1", b+1, d+1), fmt.Sprintf("%s%d-%d", strings.Repeat("x", 40), b, d)))
		}
		obs = append(obs, fail(at, "198.51.100.66", "root"), fail(at, "198.51.100.66", "root"))
		caught = append(caught, r.feed("login", obs)...)
		require.LessOrEqual(t, len(r.state[TallyKey("login")]), budgetTally)
		at = at.Add(10 * time.Second)
	}
	require.NotEmpty(t, caught)
	require.Equal(t, "198.51.100.66", caught[0].IP)
	require.EqualValues(t, 40, caught[0].Value)
}

func userHash(u string) string {
	_, id := userIdentity(u)
	return id
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestUnblockedAddressExpiresWithItsWindow pins that an address that failed
// a few times, never enough for a block, leaves no record beyond the auth
// window (block# records used to live 7 days for every failing address).
func TestUnblockedAddressExpiresWithItsWindow(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 6 { // promoted (5), not blocked (10)
		obs = append(obs, fail(t0.Add(time.Duration(i)*time.Second), "198.51.100.9", "bob"))
	}
	in := Input{BatchID: "b", Function: "fn", Thresholds: Defaults(), Observations: obs}
	res, err := EvaluateWith(in, r.read)
	require.NoError(t, err)
	th := Defaults()
	window := maxDur(th.BruteForceWindow, th.StuffingWindow, th.DistributedWindow, th.CompromiseWindow)
	seen := map[string]bool{}
	for _, u := range res.Updates {
		seen[u.Key[:strings.IndexByte(u.Key, '#')+1]] = true
		require.False(t, u.Expires.After(obs[5].Time.Add(window)), "%s expires %v", u.Key, u.Expires)
	}
	require.True(t, seen[prefixBlock] && seen[prefixIP] && seen[prefixTally], "%v", seen)
}
