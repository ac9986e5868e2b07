package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplayTwiceIntoOneStoreRaisesNothing pins issue #9: replaying the
// demo twice into one store raised a false CRITICAL cost anomaly whose
// "since" was after its "when" (records remember 16 batches; the demo has
// more per function). Every event now counts once.
func TestReplayTwiceIntoOneStoreRaisesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	first, stderr, code := runCLI(t, "replay", "--json", "--store", db, "../../testdata/demo")
	require.Equal(t, 0, code, stderr)
	require.NotEmpty(t, first)
	again, stderr, code := runCLI(t, "replay", "--json", "--store", db, "../../testdata/demo")
	require.Equal(t, 0, code, stderr)
	require.Empty(t, again, "the same captures again raise no alert")
}
