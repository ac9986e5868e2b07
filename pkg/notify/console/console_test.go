package console

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

func TestConsoleWritesInertText(t *testing.T) {
	var buf bytes.Buffer
	n := New(&buf, render.Options{Region: "eu-west-1"})
	a := detect.Alert{Type: detect.TypeCrash, Status: detect.StatusFiring, Severity: detect.SeverityCritical,
		Time: time.Date(2026, 3, 1, 3, 20, 0, 0, time.UTC), Function: "orders", LogGroup: "/aws/lambda/orders",
		Summary: "Runtime.ExitError\x1b]0;pwned\x07\r\nfake line"}
	retry, err := n.Notify(context.Background(), a, a)
	require.NoError(t, err)
	require.False(t, retry)
	out := buf.String()
	require.True(t, strings.HasPrefix(out, "=== 2 alerts ===\n"))
	require.NotContains(t, out, "\x1b", "no terminal escapes from log text")
	require.NotContains(t, out, "\r")
	require.Contains(t, out, "CRITICAL · Crash · orders")
	require.Contains(t, out, "Log events:")
}
