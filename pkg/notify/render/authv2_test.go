package render

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
)

func TestAuthV2TitlesAndSteps(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 2, 31, 0, time.UTC)
	enum := detect.Alert{Type: detect.TypeAuthzEnumeration, Status: detect.StatusFiring, Severity: detect.SeverityWarning,
		Time: at, Function: "shop", IP: "203.0.113.150", User: "member00042@shop.example", Value: 20, Baseline: 20,
		Unit: "resources", Samples: 20, Rule: detect.RuleAuthzResources,
		Summary: `20 distinct resources denied to 203.0.113.150 in 2m31s (user member00042@shop.example, e.g. "GET /orders/17 <!channel>")`}
	slow := detect.Alert{Type: detect.TypeBruteForce, Status: detect.StatusFiring, Severity: detect.SeverityWarning,
		Time: at, Function: "login", IP: "198.51.100.61", Value: 31, Baseline: 30, Unit: "failures", Samples: 31,
		Rule: detect.RuleSlowBrute, Window: "1h30m0s"}
	fast := slow
	fast.Rule, fast.Window = "", ""
	for _, tc := range []struct {
		name  string
		a     detect.Alert
		title string
		step  []string
	}{
		{"authz enumeration", enum, "WARNING · Authorization enumeration · shop",
			[]string{"was denied", "NOT denied", "logwarden thresholds add function#shop allow_cidrs=203.0.113.150/32"}},
		{"slow brute force", slow, "WARNING · Brute force · login",
			[]string{"slow brute force", "logwarden blocklist", "allow_cidrs=198.51.100.61/32"}},
		{"short-window brute force keeps its step", fast, "WARNING · Brute force · login",
			[]string{"logwarden blocklist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(tc.a, Options{})
			require.Equal(t, tc.title, c.Title)
			step := SpansText(c.NextStep)
			for _, s := range tc.step {
				require.Contains(t, step, s)
			}
			if tc.a.Rule != detect.RuleSlowBrute {
				require.NotContains(t, step, "slow brute force")
			}
		})
	}
}
