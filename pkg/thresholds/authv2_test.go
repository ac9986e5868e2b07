package thresholds

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

// TestAuthV2Attributes: the slow brute force and authz enumeration settings
// are tunable per function with the same validation as every other one.
func TestAuthV2Attributes(t *testing.T) {
	s, err := New([]store.Item{{ID: "function#login", Attrs: map[string]any{
		"slow_brute_failures": 50.0, "slow_brute_window": "3h", "slow_brute_fail_ratio": 0.9,
		"authz_resources": 40.0, "authz_window": "5m", "cooldown_authz_enumeration": "2h",
	}}})
	require.NoError(t, err)
	th := s.Resolve("login", "/aws/lambda/login")
	require.Equal(t, 50, th.SlowBruteFailures)
	require.Equal(t, 3*time.Hour, th.SlowBruteWindow)
	require.Equal(t, 0.9, th.SlowBruteRatio)
	require.Equal(t, 40, th.AuthzResources)
	require.Equal(t, 5*time.Minute, th.AuthzWindow)
	require.Equal(t, 2*time.Hour, th.Cooldown[detect.TypeAuthzEnumeration])
	other := s.Resolve("web", "/aws/lambda/web")
	require.Equal(t, detect.Defaults().SlowBruteWindow, other.SlowBruteWindow)
	require.Equal(t, detect.Defaults().AuthzResources, other.AuthzResources)

	for _, tc := range []struct {
		attr string
		v    any
		want string
	}{
		{"slow_brute_failures", 0.0, "must be between 1 and"},
		{"slow_brute_window", "3m", "must be between 4m and 24h"},
		{"slow_brute_window", "48h", "must be between 4m and 24h"},
		{"slow_brute_fail_ratio", 0.0, "must be in (0, 1]"},
		{"slow_brute_fail_ratio", 1.5, "must be in (0, 1]"},
		{"authz_resources", 1.0, "must be between 2 and 256"},
		{"authz_resources", 300.0, "must be between 2 and 256"},
		{"authz_window", "48h", "must be at most 24h"},
		{"authz_window", "0s", "must be at least 1s"},
	} {
		_, err := New([]store.Item{{ID: "defaults", Attrs: map[string]any{tc.attr: tc.v}}})
		require.ErrorContains(t, err, "defaults: "+tc.attr+": "+tc.want, tc.attr)
	}
}
