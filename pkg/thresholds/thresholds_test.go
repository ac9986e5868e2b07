package thresholds

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

func TestResolveOrder(t *testing.T) {
	items := []store.Item{
		{ID: "defaults", Attrs: map[string]any{"memory_percent": 85.0, "duration_ratio": 3.0, "cooldown": "2h"}},
		{ID: "loggroup#/aws/lambda/orders", Attrs: map[string]any{"memory_percent": 80.0, "brute_force_window": "15m"}},
		{ID: "function#orders", Attrs: map[string]any{"memory_percent": 95.0, "architecture": "arm64",
			"cooldown_timeout": "48h", "allow_cidrs": []string{"10.0.0.0/8", "192.0.2.1"}, "stuffing_window": 600.0,
			"muted_until_timeout": "2026-03-02T18:00:00Z"}},
	}
	s, err := New(items)
	require.NoError(t, err)
	th := s.Resolve("orders", "/aws/lambda/orders")
	require.Equal(t, 95.0, th.MemoryPercent, "function beats log group beats defaults")
	require.Equal(t, 3.0, th.DurationRatio, "from the defaults item")
	require.Equal(t, 15*time.Minute, th.BruteForceWindow, "from the log group")
	require.Equal(t, 10*time.Minute, th.StuffingWindow, "seconds")
	require.Equal(t, detect.ArchARM64, th.Architecture)
	require.Equal(t, 48*time.Hour, th.Cooldown[detect.TypeTimeout])
	require.Equal(t, 2*time.Hour, th.Cooldown[detect.TypeCrash])
	require.Equal(t, time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC), th.MutedTypes[detect.TypeTimeout])
	require.Equal(t, []string{"10.0.0.0/8", "192.0.2.1"}, th.AllowCIDRs)

	other := s.Resolve("billing", "/aws/lambda/billing")
	require.Equal(t, 85.0, other.MemoryPercent)
	require.Equal(t, detect.Defaults().BruteForceWindow, other.BruteForceWindow)
	require.Equal(t, 2*time.Hour, other.Cooldown[detect.TypeTimeout])
	require.Equal(t, 90.0, detect.Defaults().MemoryPercent, "resolution must not modify the defaults")
}

func TestValidationNamesItemAndAttribute(t *testing.T) {
	tests := []struct {
		item store.Item
		want string
	}{
		{store.Item{ID: "function#orders", Attrs: map[string]any{"duration_ratio": 0.5}},
			"function#orders: duration_ratio: must be > 1, got 0.5"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"memory_percent": 120.0}}, "defaults: memory_percent: must be in (0, 100]"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"brute_force_window": "ten minutes"}}, "brute_force_window: must be a duration"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"brute_force_failures": 2.5}}, "must be a whole number"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"architecture": "sparc"}}, `architecture: must be "x86_64" or "arm64"`},
		{store.Item{ID: "defaults", Attrs: map[string]any{"allow_cidrs": []string{"10.0.0.0/33"}}}, "allow_cidrs: \"10.0.0.0/33\" is not a CIDR"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"trusted_proxies": []string{"10.0.0.0/8", "alb"}}}, "trusted_proxies: \"alb\" is not a CIDR"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"cooldown_tiemout": "1h"}}, "unknown alert type \"tiemout\""},
		{store.Item{ID: "defaults", Attrs: map[string]any{"duration_rato": 2.0}}, "duration_rato: unknown attribute"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"muted_until": "tomorrow"}}, "muted_until: must be an RFC 3339 time"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"email_to": []string{"ops"}}}, "\"ops\" is not an e-mail address"},
		{store.Item{ID: "orders", Attrs: map[string]any{}}, "id \"orders\": must be"},
		{store.Item{ID: "defaults", Attrs: map[string]any{"duration_window": 64.0}}, "between 1 and 32"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			err := Validate(tc.item)
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrInvalid))
			require.Contains(t, err.Error(), tc.want)
		})
	}
	require.NoError(t, Validate(store.Item{ID: "defaults", Attrs: map[string]any{"description": "tuned 2026-03", "renotify": "0"}}))
}

func TestTrustedProxies(t *testing.T) {
	th, err := Resolve([]store.Item{
		{ID: "defaults", Attrs: map[string]any{"trusted_proxies": "10.0.0.0/8, 2001:db8::/32"}},
		{ID: "function#web", Attrs: map[string]any{"trusted_proxies": []any{"192.0.2.10"}}},
	}, "orders", "/aws/lambda/orders")
	require.NoError(t, err)
	require.Equal(t, []string{"10.0.0.0/8", "2001:db8::/32"}, th.TrustedProxies)
	web, err := Resolve([]store.Item{{ID: "function#web", Attrs: map[string]any{"trusted_proxies": []any{"192.0.2.10"}}}}, "web", "/aws/lambda/web")
	require.NoError(t, err)
	require.Equal(t, []string{"192.0.2.10"}, web.TrustedProxies)
	require.Empty(t, detect.Defaults().TrustedProxies, "no proxy is trusted unless the operator says so")
}

func TestParseFile(t *testing.T) {
	items, err := ParseFile([]byte(`[
		{"id": "defaults", "memory_percent": 85, "allow_cidrs": ["10.0.0.0/8"]},
		{"id": "function#orders", "cost_min_usd_per_hour": "0.05", "cooldown_timeout": "48h", "duration_window": 12}
	]`), "t.json")
	require.NoError(t, err)
	th, err := Resolve(items, "orders", "/aws/lambda/orders")
	require.NoError(t, err)
	require.Equal(t, 85.0, th.MemoryPercent)
	require.Equal(t, 0.05, th.CostMinUSDPerHr)
	require.Equal(t, 12, th.DurationWindow)

	_, err = ParseFile([]byte(`[{"id":"function#x","duration_ratio":0.5}]`), "bad.json")
	require.ErrorContains(t, err, "bad.json: invalid threshold item: function#x: duration_ratio: must be > 1, got 0.5")
	_, err = ParseFile([]byte(`{"id":"defaults"}`), "obj.json")
	require.ErrorContains(t, err, "obj.json")
	_, err = ParseFile([]byte(`[{"memory_percent":1}]`), "noid.json")
	require.ErrorContains(t, err, "no string \"id\"")
}

func TestDocsCoverEveryAttribute(t *testing.T) {
	docs := Docs()
	require.Len(t, docs, len(fields))
	for _, d := range docs {
		require.NotEmpty(t, d.Description, d.Name)
		require.NotEmpty(t, d.Unit, d.Name)
		require.NotEmpty(t, d.Default, d.Name)
	}
	byName := map[string]Doc{}
	for _, d := range docs {
		byName[d.Name] = d
	}
	require.Equal(t, "10m", byName["brute_force_window"].Default)
	require.Equal(t, "90", byName["memory_percent"].Default)
	require.Contains(t, byName["cooldown"].Default, "timeout=24h")
}

// TestInvalidAttributeDropsOnlyItself: a typo in one attribute must not
// take the item's allow list (or anything else valid) with it, and the
// error names the item and every bad attribute.
func TestInvalidAttributeDropsOnlyItself(t *testing.T) {
	items := []store.Item{
		{ID: "defaults", Attrs: map[string]any{"memory_percent": 85.0, "allow_cidrs": []string{"192.0.2.0/24"}}},
		{ID: "function#login", Attrs: map[string]any{
			"allow_cidrs":          []string{"10.0.0.0/8", "203.0.113.7/32"},
			"duration_ratio":       0.5,    // out of range
			"memory_percent":       "lots", // not a number
			"brute_force_failures": 5.0,    // valid
			"stuffing_users":       3.5,    // not whole: setAttr sets the field before checking
		}},
		{ID: "login", Attrs: map[string]any{"memory_percent": 50.0}}, // bad id: the whole item
	}
	s, err := New(items)
	require.Error(t, err)
	require.ErrorIs(t, err, ErrInvalid)
	msg := err.Error()
	require.Contains(t, msg, "function#login: duration_ratio: must be > 1, got 0.5 (ignored: the item's other attributes still apply)")
	require.Contains(t, msg, "function#login: memory_percent: must be a number")
	require.Contains(t, msg, "function#login: stuffing_users: must be a whole number")
	require.Contains(t, msg, `id "login"`)
	require.Len(t, strings.Split(msg, "\n"), 4, "one line per problem:\n%s", msg)

	th := s.Resolve("login", "/aws/lambda/login")
	require.Equal(t, []string{"10.0.0.0/8", "203.0.113.7/32"}, th.AllowCIDRs, "the allow list survives")
	require.Equal(t, 5, th.BruteForceFailures)
	require.Equal(t, 85.0, th.MemoryPercent, "the bad override falls back to the defaults item")
	require.Equal(t, detect.Defaults().DurationRatio, th.DurationRatio)
	require.Equal(t, detect.Defaults().StuffingUsers, th.StuffingUsers, "a bad attribute is not applied")

	// Validate (the CLI's check before writing) reports every bad attribute.
	err = Validate(items[1])
	require.Len(t, strings.Split(err.Error(), "\n"), 3)
}
