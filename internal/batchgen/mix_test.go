package batchgen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

// TestMixShape pins the production mix on several seeds: proportions,
// line sizes, and that logline reads the REPORTs and failures as such (a
// corpus the classifier misreads would measure the wrong work).
func TestMixShape(t *testing.T) {
	p := logline.Default()
	for _, seed := range []uint64{1, 2, 3, 42} {
		b := Mix(Options{Seed: seed})
		require.Len(t, b.Messages, 5000)
		require.InDelta(t, 1.5e6, float64(len(b.Document)), 0.3e6, "inflated size")
		n := float64(len(b.Messages))
		require.InDelta(t, 0.10, float64(b.Kinds["platform"])/n, 0.02, "seed %d", seed)
		require.InDelta(t, 0.10, float64(b.Kinds["auth"])/n, 0.02, "seed %d", seed)
		require.InDelta(t, 0.80, float64(b.Kinds["app"])/n, 0.03, "seed %d", seed)
		var kinds [logline.KindAuthSuccess + 1]int
		for _, m := range b.Messages {
			kinds[p.Parse(m).Kind]++
		}
		require.Equal(t, b.Kinds["auth"], kinds[logline.KindAuthFailure], "seed %d", seed)
		require.Equal(t, b.Kinds["platform"], kinds[logline.KindReport]+kinds[logline.KindTimeout]+kinds[logline.KindCrash], "seed %d", seed)
		require.True(t, bytes.HasPrefix(b.Event, []byte(`{"awslogs":{"data":"H4sI`)))
	}
	a, b := Mix(Options{Seed: 5}), Mix(Options{Seed: 5})
	require.Equal(t, a.Document, b.Document)
	require.NotEqual(t, a.Document, Mix(Options{Seed: 6}).Document)
}

func TestMixAppLineSizes(t *testing.T) {
	b := Mix(Options{Seed: 9})
	for i, m := range b.Messages {
		if !strings.HasPrefix(m, "REPORT") && !strings.Contains(m, "platform.report") && len(m) > 0 {
			require.LessOrEqual(t, len(m), 420, "line %d: %q", i, m)
		}
	}
}

func TestCapture(t *testing.T) {
	var out bytes.Buffer
	st, err := Capture(&out, 3, 100)
	require.NoError(t, err)
	require.Equal(t, 3, st.Batches)
	require.Equal(t, 15000, st.Events)
	require.Equal(t, int64(out.Len()), st.Bytes)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	require.Equal(t, string(Mix(Options{Seed: 101, StartMs: 1718645035000 + 5000*20}).Event), lines[1])
}
