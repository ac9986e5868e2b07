package thresholds

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

// TestDetectionV2Attributes: the detection v2 settings are tunable per
// function with the same validation as every other attribute.
func TestDetectionV2Attributes(t *testing.T) {
	s, err := New([]store.Item{{ID: "function#api", Attrs: map[string]any{
		"duration_bucket": "10m", "duration_cusum_k": 1.0, "duration_cusum_h": 10.0, "duration_shift_ratio": 1.5,
		"deploy_ratio": 2.0, "deploy_min_samples": 20.0, "deploy_accept_after": "48h",
		"surge_ratio": 20.0, "surge_min_extra": 100.0, "surge_window": "3m", "surge_min_hours": 24.0,
		"platform_confirm": 5.0, "cooldown_invocation_surge": "2h",
	}}})
	require.NoError(t, err)
	th := s.Resolve("api", "/aws/lambda/api")
	require.Equal(t, 10*time.Minute, th.DurationBucket)
	require.Equal(t, 1.5, th.DurationShiftRatio)
	require.Equal(t, 48*time.Hour, th.DeployAcceptAfter)
	require.Equal(t, 100, th.SurgeMinExtra)
	require.Equal(t, 3*time.Minute, th.SurgeWindow)
	require.Equal(t, 5, th.PlatformConfirm)
	require.Equal(t, 2*time.Hour, th.Cooldown[detect.TypeSurge])
	other := s.Resolve("web", "/aws/lambda/web")
	require.Equal(t, detect.Defaults().SurgeRatio, other.SurgeRatio)

	for _, tc := range []struct {
		attr string
		v    any
		want string
	}{
		{"duration_bucket", "30s", "must be between 1m and 1h"},
		{"surge_window", "20m", "must be between 1m and 10m"},
		{"surge_ratio", 1.0, "must be > 1"},
		{"deploy_ratio", 0.9, "must be > 1"},
		{"duration_shift_ratio", 0.5, "must be >= 1"},
		{"duration_cusum_h", 0.0, "must be > 0"},
		{"platform_confirm", 500.0, "must be between 1 and 100"},
		{"surge_min_extra", 0.0, "must be between 1 and"},
	} {
		_, err := New([]store.Item{{ID: "defaults", Attrs: map[string]any{tc.attr: tc.v}}})
		require.ErrorContains(t, err, "defaults: "+tc.attr+": "+tc.want)
	}
}
