package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
)

// forwardedBatch is 12 failed logins whose messages come from line(i).
func forwardedBatch(line func(i int) string) *cwlogs.Batch {
	b := &cwlogs.Batch{MessageType: cwlogs.DataMessage, LogGroup: "/aws/lambda/login", LogStream: "s"}
	for i := 0; i < 12; i++ {
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{
			ID:        fmt.Sprintf("%056d", 700000+i),
			Timestamp: t0.Add(time.Duration(i) * time.Second).UnixMilli(),
			Message:   line(i),
		})
	}
	return b
}

func bruteForceIPs(alerts []detect.Alert) []string {
	var ips []string
	for _, a := range alerts {
		if a.Type == detect.TypeBruteForce {
			ips = append(ips, a.IP)
		}
	}
	return ips
}

// TestForwardedHopsAndTrustedProxies: a forged left hop of X-Forwarded-For is
// never named, never blocked, and never lets a failure skip counting through
// allow_cidrs; trusted_proxies looks through the operator's own proxies.
func TestForwardedHopsAndTrustedProxies(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		line  func(i int) string
		want  []string // brute-force alert IPs
	}{
		{"forged allowed first hop still counts", map[string]any{"allow_cidrs": []string{"10.0.0.0/8"}},
			func(int) string { return `{"msg":"login failed","x-forwarded-for":"10.0.0.5, 203.0.113.5"}` },
			[]string{"203.0.113.5"}},
		{"forged first hop is never named", nil,
			func(i int) string {
				return fmt.Sprintf(`{"msg":"login failed","user":"u%d","x-forwarded-for":"198.51.100.77, 203.0.113.5"}`, i)
			},
			[]string{"203.0.113.5"}},
		{"trusted proxy hops are looked through", map[string]any{"trusted_proxies": []string{"10.0.0.0/8"}},
			func(int) string {
				return `{"msg":"login failed","x-forwarded-for":"198.51.100.77, 203.0.113.5, 10.0.3.4"}`
			},
			[]string{"203.0.113.5"}},
		{"peer that is a trusted ALB gives way to the header", map[string]any{"trusted_proxies": []string{"10.0.0.0/8"}},
			func(int) string {
				return `{"msg":"login failed","ip":"10.0.7.7","headers":{"X-Forwarded-For":"198.51.100.9"}}`
			},
			[]string{"198.51.100.9"}},
		{"untrusted peer is kept", map[string]any{"trusted_proxies": []string{"10.0.0.0/8"}},
			func(int) string {
				return `{"msg":"login failed","ip":"203.0.113.8","headers":{"X-Forwarded-For":"198.51.100.9"}}`
			},
			[]string{"203.0.113.8"}},
		{"only trusted hops: no culprit", map[string]any{"trusted_proxies": []string{"10.0.0.0/8"}},
			func(int) string { return `{"msg":"login failed","x-forwarded-for":"10.0.0.5, 10.0.0.6"}` },
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var static []store.Item
			if tt.attrs != nil {
				static = []store.Item{{ID: "defaults", Attrs: tt.attrs}}
			}
			p := &Processor{Parser: logline.Default(), State: store.NewMemory(), Thresholds: &ThresholdCache{Static: static}}
			res, err := p.Process(context.Background(), forwardedBatch(tt.line), t0)
			require.NoError(t, err)
			require.Equal(t, tt.want, bruteForceIPs(res.Alerts))
		})
	}
}
