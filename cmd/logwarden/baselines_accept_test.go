package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
)

// evalInto runs one batch of function fn through Evaluate against st.
func evalInto(t *testing.T, st store.State, fn string, obs []detect.Observation, id string) []detect.Alert {
	t.Helper()
	ctx := context.Background()
	in := detect.Input{BatchID: id, Function: fn, LogGroup: "/aws/lambda/" + fn, Thresholds: detect.Defaults(), Observations: obs}
	now := obs[len(obs)-1].Time
	recs, err := st.Get(ctx, detect.Keys(in), now)
	require.NoError(t, err)
	state := map[string][]byte{}
	for k, r := range recs {
		state[k] = r.Data
	}
	res, err := detect.Evaluate(in, state)
	require.NoError(t, err)
	var out []detect.Alert
	for _, u := range res.Updates {
		rec := store.Record{Key: u.Key, Version: recs[u.Key].Version, Data: u.Data}
		conflicts, err := st.Put(ctx, []store.Record{rec}, now)
		require.NoError(t, err)
		require.Empty(t, conflicts)
		out = append(out, u.Alerts...)
	}
	return out
}

func versionBatch(at time.Time, version string, centre float64, n int) ([]detect.Observation, time.Time) {
	var obs []detect.Observation
	for i := range n {
		d := centre * math.Exp(0.2*math.Sin(float64(at.Unix()%97)+float64(i)))
		obs = append(obs, detect.Observation{Time: at, LogGroup: "/aws/lambda/checkout",
			LogStream: "2026/03/02/[" + version + "]abc", Event: logline.Event{Kind: logline.KindReport,
				RequestID: fmt.Sprint("r-", at.UnixNano()), DurationMs: d, BilledDurationMs: d, HasBilled: true,
				MemorySizeMB: 1024, MaxMemoryUsedMB: 300, HasMemory: true, Status: logline.StatusSuccess}})
		at = at.Add(30 * time.Second)
	}
	return obs, at
}

// TestBaselinesAcceptResolvesWithNote: `logwarden baselines accept` on a
// function whose new version is slower; its next batch resolves the
// incident with a note saying the operator accepted it.
func TestBaselinesAcceptResolvesWithNote(t *testing.T) {
	st := store.NewMemory()
	at := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var obs []detect.Observation
	var fired []detect.Alert
	for i := range 40 {
		obs, at = versionBatch(at, "7", 3000, 10)
		require.Empty(t, evalInto(t, st, "checkout", obs, fmt.Sprint("a", i)))
	}
	for i := range 4 {
		obs, at = versionBatch(at, "8", 9100, 10)
		fired = append(fired, evalInto(t, st, "checkout", obs, fmt.Sprint("b", i))...)
	}
	require.NotEmpty(t, fired)
	require.Equal(t, detect.StatusFiring, fired[0].Status)
	require.Contains(t, fired[0].Summary, "since version 8")

	require.NoError(t, acceptBaseline(context.Background(), st, "checkout", at))
	require.ErrorIs(t, acceptBaseline(context.Background(), st, "nope", at), errNoBaseline)
	obs, _ = versionBatch(at, "8", 9100, 10)
	got := evalInto(t, st, "checkout", obs, "c")
	require.Len(t, got, 1)
	require.Equal(t, detect.StatusResolved, got[0].Status)
	require.Contains(t, got[0].Summary, "accepted by the operator")

	recs, err := st.Get(context.Background(), []string{detect.FunctionKey("checkout")}, at)
	require.NoError(t, err)
	v, err := detect.DescribeBaseline(recs[detect.FunctionKey("checkout")].Data)
	require.NoError(t, err)
	require.InDelta(t, 9100, v.CentreMs, 2000)
	var b bytes.Buffer
	printProfile(&b, v)
	require.Contains(t, b.String(), "invocations/h by hour")
	require.Contains(t, b.String(), "warm duration by hour")
}

func TestBaselinesAcceptCommand(t *testing.T) {
	t.Setenv("LOGWARDEN_STATE_TABLE", "")
	t.Setenv("LOGWARDEN_CONFIG_TABLE", "")
	db := filepath.Join(t.TempDir(), "state.db")
	_, stderr, code := runCLI(t, "replay", "--store", db, demoInputs[0])
	require.Equal(t, 0, code, stderr)
	out, errb, code := runCLI(t, "baselines", "accept", "--store", db, "checkout")
	require.Equal(t, 0, code, errb)
	require.Contains(t, out, "checkout: accepted")
	_, errb, code = runCLI(t, "baselines", "accept", "--store", db, "unknown-fn")
	require.Equal(t, 1, code)
	require.Contains(t, errb, "no baseline yet")
	_, _, code = runCLI(t, "baselines", "accept", "--store", db)
	require.Equal(t, 2, code)
	_, errb, code = runCLI(t, "baselines", "accept", "--store", filepath.Join(t.TempDir(), "missing.db"), "checkout")
	require.Equal(t, 1, code, "a missing store path is an error, never a new file")
	require.Contains(t, errb, "logwarden baselines accept:")
}

// TestReplayJSONExplainsEveryAlert pins issue #10.7 on the CLI contract:
// every alert of `replay --json` carries the rule and window that fired it.
func TestReplayJSONExplainsEveryAlert(t *testing.T) {
	stdout, stderr, code := runCLI(t, append([]string{"replay", "--json"}, demoInputs...)...)
	require.Equal(t, 0, code, stderr)
	sc := bufio.NewScanner(strings.NewReader(stdout))
	n := 0
	for sc.Scan() {
		var a map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &a))
		switch a["type"] {
		case detect.TypeBruteForce, detect.TypeCredentialStuffing, detect.TypeAccountCompromise:
			continue // the auth side is explained by its own fields (#9)
		}
		n++
		require.NotEmpty(t, a["rule"], sc.Text())
		require.NotEmpty(t, a["window"], sc.Text())
	}
	require.Positive(t, n)
}
