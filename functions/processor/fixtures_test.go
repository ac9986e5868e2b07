package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/simulate"
	"github.com/logwarden/logwarden/pkg/cwlogs"
)

var update = flag.Bool("update", false, "rewrite testdata/e2e from internal/simulate")

const e2eDir = "../../testdata/e2e"

// The entities the end-to-end fixtures are about.
const (
	attackerIP  = "198.51.100.23"
	attacker2IP = "203.0.113.50"
	injectedIP  = "10.66.66.66"
	hostileUser = "<!channel> <http://evil|click>"
	// injectUser names another address where a careless parser would
	// take it for the client's.
	injectUser = "admin from " + injectedIP + " port 22"
)

// e2eStart is the fixtures' first instant; the test shifts every timestamp
// so the last fixture event happened a minute ago, as a live subscription
// delivers them.
var e2eStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func e2eAt(d time.Duration) time.Time { return e2eStart.Add(d) }

var (
	checkout = simulate.Function{Name: "checkout", MemoryMB: 1024, CentreMs: 3000, Sigma: 0.15, PeakPerMin: 1.5,
		ColdRate: 0.02, InitMs: 700, UsedMB: 350, Version: 12}
	login = simulate.Function{Name: "login", MemoryMB: 256, CentreMs: 60, Sigma: 0.3, PeakPerMin: 2,
		ColdRate: 0.03, InitMs: 300, UsedMB: 80, Version: 7}
	logins = simulate.Auth{Function: "login", NATIP: "192.0.2.10", NATUsers: 300, PerMin: 3, FailRate: 0.04, Population: 4000}
)

// e2eFixtures are the captured invocations of the end-to-end test, by
// file: each file is a JSON array of direct subscription events.
func e2eFixtures() map[string]simulate.Config {
	bf := func(ip, user string, start time.Duration, every int) simulate.Incident {
		return simulate.Incident{Kind: simulate.BruteForce, Function: "login", Start: e2eAt(start),
			End: e2eAt(start + 6*time.Minute), Every: every, IP: ip, User: user}
	}
	return map[string]simulate.Config{
		// Two hours at ~3 s, then an hour at ~30 s.
		"regression-baseline.json": {Seed: 21, Start: e2eAt(0), Length: 2 * time.Hour, BatchEvery: 30 * time.Minute,
			Functions: []simulate.Function{checkout}},
		"regression-slow.json": {Seed: 22, Start: e2eAt(2 * time.Hour), Length: time.Hour, BatchEvery: 30 * time.Minute,
			Functions: []simulate.Function{checkout},
			Incidents: []simulate.Incident{{Kind: simulate.Regression, Function: "checkout", Start: e2eAt(2 * time.Hour),
				End: e2eAt(3 * time.Hour), Factor: 10}}},
		// Normal logins around a brute force whose user names are Slack
		// mentions, links and an injected address.
		"brute-force.json": {Seed: 23, Start: e2eAt(3*time.Hour + 10*time.Minute), Length: 10 * time.Minute,
			BatchEvery: 10 * time.Minute, Functions: []simulate.Function{login}, Auth: []simulate.Auth{logins},
			Incidents: []simulate.Incident{
				bf(attackerIP, hostileUser, 3*time.Hour+11*time.Minute, 30),
				bf(attackerIP, injectUser, 3*time.Hour+11*time.Minute+7*time.Second, 45),
			}},
		"brute-force-2.json": {Seed: 24, Start: e2eAt(3*time.Hour + 30*time.Minute), Length: 10 * time.Minute,
			BatchEvery: 10 * time.Minute, Functions: []simulate.Function{login},
			Incidents: []simulate.Incident{bf(attacker2IP, "root", 3*time.Hour+31*time.Minute, 20)}},
		"quiet.json": {Seed: 25, Start: e2eAt(3*time.Hour + 40*time.Minute), Length: 10 * time.Minute,
			BatchEvery: 10 * time.Minute, Functions: []simulate.Function{login}, Auth: []simulate.Auth{logins}},
	}
}

func envelopes(t testing.TB, cfg simulate.Config) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, b := range simulate.Generate(cfg) {
		ev, err := simulate.Envelope(b)
		require.NoError(t, err)
		out = append(out, ev)
	}
	return out
}

// TestE2EFixtures keeps testdata/e2e reproducible: the files decode to
// exactly what the simulation generates (`go test -run TestE2EFixtures
// -update` rewrites them).
func TestE2EFixtures(t *testing.T) {
	for name, cfg := range e2eFixtures() {
		want := envelopes(t, cfg)
		path := filepath.Join(e2eDir, name)
		if *update {
			js, err := json.MarshalIndent(want, "", " ")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, append(js, '\n'), 0o644))
		}
		got := loadEvents(t, name)
		require.Len(t, got, len(want), name)
		for i := range want {
			require.Equal(t, decodeEvent(t, want[i]), decodeEvent(t, got[i]), "%s[%d]", name, i)
		}
	}
}

func loadEvents(t testing.TB, name string) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e2eDir, name))
	require.NoError(t, err)
	var evs []json.RawMessage
	require.NoError(t, json.Unmarshal(data, &evs), name)
	require.NotEmpty(t, evs, name)
	return evs
}

func decodeEvent(t testing.TB, ev json.RawMessage) []cwlogs.Batch {
	t.Helper()
	var top struct {
		AWSLogs struct {
			Data string `json:"data"`
		} `json:"awslogs"`
	}
	require.NoError(t, json.Unmarshal(ev, &top))
	bs, err := cwlogs.DecodeAWSLogs(top.AWSLogs.Data, cwlogs.Limits{})
	require.NoError(t, err)
	for i := range bs {
		bs[i].Source, bs[i].Bytes = "", 0
	}
	return bs
}

// rebase shifts every event's timestamp by d and re-encodes the envelope.
func rebase(t testing.TB, ev json.RawMessage, d time.Duration) []byte {
	t.Helper()
	bs := decodeEvent(t, ev)
	require.Len(t, bs, 1)
	b := bs[0]
	for i := range b.LogEvents {
		b.LogEvents[i].Timestamp += d.Milliseconds()
	}
	out, err := simulate.Envelope(b)
	require.NoError(t, err)
	return out
}
