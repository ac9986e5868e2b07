package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/store"
)

// RunConfig runs the Config conformance tests; newConfig returns an empty
// config store.
func RunConfig(t *testing.T, newConfig func(t *testing.T) store.Config) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c store.Config)
	}{
		{"Missing", testConfigMissing},
		{"RoundTrip", testConfigRoundTrip},
		{"Replace", testConfigReplace},
		{"List", testConfigList},
		{"Delete", testConfigDelete},
		{"Invalid", testConfigInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newConfig(t)) })
	}
}

func testConfigMissing(t *testing.T, c store.Config) {
	_, ok, err := c.GetItem(context.Background(), "function#nope")
	require.NoError(t, err)
	require.False(t, ok)
	items, err := c.ListItems(context.Background())
	require.NoError(t, err)
	require.Empty(t, items)
}

func testConfigRoundTrip(t *testing.T, c store.Config) {
	ctx := context.Background()
	in := store.Item{ID: "function#checkout", Attrs: map[string]any{
		"memory_percent":     85.5,
		"duration_window":    20, // ints come back as float64
		"architecture":       "arm64",
		"brute_force_window": "15m",
		"enabled":            false,
		"allow_cidrs":        []string{"10.0.0.0/8", "2001:db8::/32"},
		"email_to":           []string{},
		"cooldown":           map[string]any{"timeout": "30m", "crash": 600.0},
		"muted_types":        map[string]any{},
	}}
	require.NoError(t, c.PutItem(ctx, in))
	got, ok, err := c.GetItem(ctx, in.ID)
	require.NoError(t, err)
	require.True(t, ok)
	want := map[string]any{
		"memory_percent":     85.5,
		"duration_window":    20.0,
		"architecture":       "arm64",
		"brute_force_window": "15m",
		"enabled":            false,
		"allow_cidrs":        []string{"10.0.0.0/8", "2001:db8::/32"},
		"email_to":           []string{},
		"cooldown":           map[string]any{"timeout": "30m", "crash": 600.0},
		"muted_types":        map[string]any{},
	}
	require.Equal(t, store.Item{ID: in.ID, Attrs: want}, got)
}

func testConfigReplace(t *testing.T, c store.Config) {
	ctx := context.Background()
	require.NoError(t, c.PutItem(ctx, store.Item{ID: "defaults", Attrs: map[string]any{"a": 1.0, "b": "x"}}))
	require.NoError(t, c.PutItem(ctx, store.Item{ID: "defaults", Attrs: map[string]any{"b": "y"}}))
	got, ok, err := c.GetItem(ctx, "defaults")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, map[string]any{"b": "y"}, got.Attrs, "PutItem replaces the whole item")
}

func testConfigList(t *testing.T, c store.Config) {
	ctx := context.Background()
	for _, id := range []string{"loggroup#/ecs/api", "defaults", "function#b", "function#a"} {
		require.NoError(t, c.PutItem(ctx, store.Item{ID: id, Attrs: map[string]any{"memory_percent": 80.0}}))
	}
	items, err := c.ListItems(ctx)
	require.NoError(t, err)
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
		require.Equal(t, 80.0, it.Attrs["memory_percent"])
	}
	require.Equal(t, []string{"defaults", "function#a", "function#b", "loggroup#/ecs/api"}, ids)
}

func testConfigDelete(t *testing.T, c store.Config) {
	ctx := context.Background()
	require.NoError(t, c.PutItem(ctx, store.Item{ID: "function#x", Attrs: map[string]any{"a": "b"}}))
	require.NoError(t, c.DeleteItem(ctx, "function#x"))
	require.NoError(t, c.DeleteItem(ctx, "function#x"), "deleting an absent item is not an error")
	_, ok, err := c.GetItem(ctx, "function#x")
	require.NoError(t, err)
	require.False(t, ok)
}

func testConfigInvalid(t *testing.T, c store.Config) {
	ctx := context.Background()
	tests := []struct {
		name string
		it   store.Item
	}{
		{"empty id", store.Item{Attrs: map[string]any{"a": "b"}}},
		{"unsupported type", store.Item{ID: "x", Attrs: map[string]any{"a": struct{}{}}}},
		{"reserved attribute", store.Item{ID: "x", Attrs: map[string]any{"id": "y"}}},
		{"not a number", store.Item{ID: "x", Attrs: map[string]any{"a": math.NaN()}}},
		{"mixed list", store.Item{ID: "x", Attrs: map[string]any{"a": []any{"a", 1.0}}}},
	}
	for _, tc := range tests {
		require.ErrorIs(t, c.PutItem(ctx, tc.it), store.ErrInvalidItem, tc.name)
	}
	_, ok, err := c.GetItem(ctx, "x")
	require.NoError(t, err)
	require.False(t, ok, "a rejected item is not written")
}
