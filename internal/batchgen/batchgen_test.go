package batchgen

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMaxBatchShape(t *testing.T) {
	b := Max()
	require.Len(t, b.Messages, 5000)
	require.InDelta(t, 1.5e6, float64(len(b.Document)), 0.25e6, "inflated size")
	total := float64(len(b.Messages))
	require.InDelta(t, 0.30, float64(b.Kinds["platform"])/total, 0.05)
	require.InDelta(t, 0.10, float64(b.Kinds["auth"])/total, 0.04)

	var doc document
	require.NoError(t, json.Unmarshal(b.Document, &doc))
	require.Equal(t, "DATA_MESSAGE", doc.MessageType)
	for i, ev := range doc.LogEvents {
		require.Len(t, ev.ID, 56)
		require.Equal(t, b.Messages[i], ev.Message)
		if i > 0 {
			require.GreaterOrEqual(t, ev.Timestamp, doc.LogEvents[i-1].Timestamp)
		}
	}
	require.True(t, bytes.HasPrefix(b.Gzip, []byte{0x1f, 0x8b}))
	require.Contains(t, string(b.Event), b.Base64)
}

func TestDeterministic(t *testing.T) {
	a := Generate(Options{Events: 300, Seed: 7})
	b := Generate(Options{Events: 300, Seed: 7})
	c := Generate(Options{Events: 300, Seed: 8})
	require.Equal(t, a.Document, b.Document)
	require.NotEqual(t, a.Document, c.Document)
}
