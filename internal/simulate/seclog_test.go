package simulate

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/seclog"
)

// TestSecLogApp: the seclog function's lines are real seclog records that
// logwarden reads as authoritative, attributed to the address the load
// balancer appended — never to a client's own X-Forwarded-For entry.
func TestSecLogApp(t *testing.T) {
	app := accountsApp
	app.ForgedXFF, app.AuthzFailRate, app.FailRate = 0.5, 0.2, 0.2
	cfg := Config{Seed: 3, Start: Epoch, Length: 6 * time.Hour, SecLog: []SecLogApp{app}}
	population := netip.MustParsePrefix("198.19.0.0/16")
	reasons := map[string]int{}
	reports := 0
	for _, b := range Generate(cfg) {
		require.Equal(t, "/aws/lambda/accounts", b.LogGroup)
		for _, e := range b.LogEvents {
			ev := logline.Default().Parse(e.Message)
			switch ev.Kind {
			case logline.KindReport:
				reports++
			case logline.KindAuthFailure, logline.KindAuthSuccess:
				require.Equal(t, logline.RuleSeclog, ev.Rule, e.Message)
				require.Equal(t, seclog.IPFromALB, ev.IPFrom)
				require.True(t, population.Contains(ev.IP), "attributed %s: %s", ev.IP, e.Message)
				require.NotEmpty(t, ev.User)
				require.NotEmpty(t, ev.RequestID)
				reasons[ev.Reason]++
			}
		}
	}
	require.Positive(t, reports)
	for _, r := range []string{seclog.AuthnLoginFail, seclog.AuthnLoginSuccess, seclog.AuthzFail} {
		require.Positive(t, reasons[r], "no %s: %v", r, reasons)
	}
}

// TestSecLogAppLeavesOthersAlone: adding a seclog app does not change any
// other function's lines, so the demo files of the other functions stay as
// they are.
func TestSecLogAppLeavesOthersAlone(t *testing.T) {
	cfg := Demo()
	cfg.Length = 6 * time.Hour
	with := Generate(cfg)
	cfg.SecLog = nil
	without := Generate(cfg)
	var others []cwlogs.Batch
	for _, b := range with {
		if b.LogGroup != "/aws/lambda/accounts" {
			others = append(others, b)
		}
	}
	require.Equal(t, without, others)
	require.Greater(t, len(with), len(without))
}
