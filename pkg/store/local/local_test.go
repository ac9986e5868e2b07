package local_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/local"
	"github.com/logwarden/logwarden/pkg/store/storetest"
)

func open(t *testing.T) *local.Store {
	t.Helper()
	s, err := local.Open(filepath.Join(t.TempDir(), "sub", "state.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestState(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.State { return open(t) })
}

func TestConfig(t *testing.T) {
	storetest.RunConfig(t, func(t *testing.T) store.Config { return open(t) })
}

func TestSecondOpenIsRefused(t *testing.T) {
	s := open(t)
	_, err := local.Open(s.Path())
	require.EqualError(t, err, "state file "+s.Path()+" is in use by another logwarden process")
}

func TestSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := local.Open(path)
	require.NoError(t, err)
	_, err = s.Put(ctx, []store.Record{{Key: "k", Data: []byte("v"), Expires: storetest.Base.Add(3600e9)}}, storetest.Base)
	require.NoError(t, err)
	require.NoError(t, s.PutItem(ctx, store.Item{ID: "defaults", Attrs: map[string]any{"allow_cidrs": []string{"10.0.0.0/8"}}}))
	require.NoError(t, s.Close())

	s, err = local.Open(path)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Get(ctx, []string{"k"}, storetest.Base)
	require.NoError(t, err)
	require.Equal(t, int64(1), got["k"].Version)
	require.Equal(t, []byte("v"), got["k"].Data)
	it, ok, err := s.GetItem(ctx, "defaults")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []string{"10.0.0.0/8"}, it.Attrs["allow_cidrs"])
}
