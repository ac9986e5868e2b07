package detect

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCulprit(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"0.0.0.0", false},
		{"::", false},
		{"127.0.0.1", false},
		{"127.255.0.9", false},
		{"::1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"febf:ffff::1", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"ff02::1", false},
		{"ff05::2", false},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.1.1", false},
		{"::ffff:0.0.0.0", false},
		{"::ffff:255.255.255.255", false},
		{"::ffff:224.0.0.5", false},
		{"198.51.100.7", true},
		{"10.0.0.1", true}, // private: a real client behind a VPC load balancer
		{"2001:db8::1", true},
		{"::ffff:203.0.113.9", true},
		{"fec0::1", true}, // deprecated site-local, not link-local
		{"255.255.255.254", true},
	} {
		require.Equal(t, tc.want, culprit(netip.MustParseAddr(tc.ip)), tc.ip)
	}
	require.False(t, culprit(netip.Addr{}), "no address")
}

// TestNonCulpritsAreNeverBlocked pins that failures claiming to come from
// loopback, metadata or broadcast addresses still count for the user but
// never name or block the address.
func TestNonCulpritsAreNeverBlocked(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "::ffff:169.254.169.254", "0.0.0.0", "ff02::1", "255.255.255.255", "fe80::1"} {
		t.Run(ip, func(t *testing.T) {
			r := newRunner(t, Defaults())
			var obs []Observation
			for i := range 12 {
				obs = append(obs, fail(t0.Add(time.Duration(i)*time.Second), ip, "bob"))
			}
			for _, a := range r.feed("fn", obs) {
				require.Empty(t, a.IP, "alert names %s", ip)
				require.NotContains(t, a.Key, "ip:")
			}
			for k := range r.state {
				require.NotContains(t, k, "ip#", "per-IP record for %s", ip)
				require.NotContains(t, k, "block#", "block record for %s", ip)
			}
		})
	}
}
