package detect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// TestDemo replays testdata/demo (what `make demo` shows) and checks it
// tells the advertised story: the 3 s -> 30 s regression (and its end), the
// memory creep and the brute force with the login that followed; the noisy
// but healthy functions stay quiet.
func TestDemo(t *testing.T) {
	files, err := filepath.Glob("../../testdata/demo/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var batches []cwlogs.Batch
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		errs := cwlogs.Decode(f, data, cwlogs.Limits{}, func(b cwlogs.Batch) {
			b.LogEvents = append([]cwlogs.LogEvent(nil), b.LogEvents...) // batches share decode memory
			batches = append(batches, b)
		})
		require.Empty(t, errs)
	}
	got := map[string]int{}
	for _, a := range replay(t, batches, nil) {
		got[a.Function+" "+a.Type+"/"+a.Status]++
	}
	require.Equal(t, map[string]int{
		"checkout duration_anomaly/firing":       1,
		"checkout duration_anomaly/resolved":     1,
		"thumbnailer memory_near_limit/firing":   1,
		"thumbnailer memory_near_limit/resolved": 1,
		"login brute_force/firing":               1,
		"login account_compromise/firing":        1,
	}, got)
}
