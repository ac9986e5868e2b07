package logline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// serviceMarkers are the literals parseServiceJSON routes JSON by
// (jsonsources.go). It runs only on lines with hitService, so each must
// raise it at any offset and in any case the marker allows.
var serviceMarkers = []string{
	`"c":"ACCESS"`, `"atype":"authenticate"`, `"DownstreamStatus":`, `"remoteAddr":`, // with "reqId", which needs no marker of its own
	`"SYSLOG_IDENTIFIER":`, `"loggerName":"org.keycloak.events"`, `"log":"`, `Login: username=`,
}

func TestServiceMarkersRouted(t *testing.T) {
	for _, m := range serviceMarkers {
		for pad := range 8 {
			line := `{"x":"` + strings.Repeat("y", pad) + `",` + m
			require.NotZero(t, prefilter(line)&hitService, "%q", line)
		}
	}
	require.Zero(t, prefilter(`{"level":"info","message":"order 42 shipped","user":"ann"}`)&hitService)
}

// The 8-byte scan must see every keyword at every offset and at the end of
// a line, as the 4-byte scan it replaced did.
func TestPrefilterEveryOffset(t *testing.T) {
	for _, k := range keywords {
		for pad := range 16 {
			for _, tail := range []string{"", "x", "xy", "xyz tail of the line"} {
				line := strings.Repeat("q", pad) + strings.ToUpper(k.word) + tail
				require.NotZero(t, prefilter(line)&k.flag, "%q", line)
			}
		}
	}
	require.Zero(t, prefilter("2024-06-17 INFO order 42 shipped to customer in 12 ms"))
}
