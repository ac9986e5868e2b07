package detect_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/eval"
	"github.com/logwarden/logwarden/internal/simulate"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

//go:generate go test -run TestScenarios -update

var update = flag.Bool("update", false, "regenerate testdata/scenarios from internal/simulate")

const scenarioDir = "../../testdata/scenarios"

// expectedAlert is what a scenario pins: not the summaries (wording may
// improve), but what fired, when, about whom.
type expectedAlert struct {
	Type     string    `json:"type"`
	Status   string    `json:"status"`
	Severity string    `json:"severity"`
	Function string    `json:"function"`
	Key      string    `json:"key"`
	IP       string    `json:"ip,omitempty"`
	User     string    `json:"user,omitempty"`
	Time     time.Time `json:"time"`
}

// TestScenarios walks testdata/scenarios/<name>/: events.json (decoded
// DATA_MESSAGE documents; events.json.gz for the longer traces of
// detection v2), optional thresholds.json, expected.json.
func TestScenarios(t *testing.T) {
	if *update {
		writeScenarios(t)
	}
	dirs, err := os.ReadDir(scenarioDir)
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(scenarioDir, d.Name())
			batches, err := eval.ReadEvents(dir)
			require.NoError(t, err)
			var items []store.Item
			if _, err := os.Stat(filepath.Join(dir, "thresholds.json")); err == nil {
				items, err = thresholds.LoadFile(filepath.Join(dir, "thresholds.json"))
				require.NoError(t, err)
			}
			var want []expectedAlert
			readJSON(t, filepath.Join(dir, "expected.json"), &want)
			got := pin(replay(t, batches, items))
			require.Equal(t, want, got)
			if strings.HasPrefix(d.Name(), "quiet_") {
				require.Empty(t, got, "a quiet scenario must raise no alert")
			}
		})
	}
}

// replay simulates the pipeline: classify, group per function, Keys, read,
// Evaluate, write, in delivery order; every batch is delivered twice to
// prove redeliveries are counted once.
func replay(t testing.TB, batches []cwlogs.Batch, items []store.Item) []detect.Alert {
	set, err := thresholds.New(items)
	require.NoError(t, err)
	parser := logline.Default()
	state := map[string][]byte{}
	var alerts []detect.Alert
	for _, b := range batches {
		if b.IsControl() {
			continue
		}
		fn := detect.FunctionName(b.LogGroup)
		in := detect.Input{BatchID: batchID(b), Function: fn, LogGroup: b.LogGroup,
			Thresholds: set.Resolve(fn, b.LogGroup)}
		for _, e := range b.LogEvents {
			ev := parser.Parse(e.Message)
			if ev.Kind == logline.KindOther || ev.Kind == logline.KindPlatform {
				continue
			}
			in.Observations = append(in.Observations, detect.Observation{EventID: e.ID,
				Time: time.UnixMilli(e.Timestamp).UTC(), LogGroup: b.LogGroup, LogStream: b.LogStream,
				Account: b.Owner, Event: ev})
		}
		for range 2 {
			read, keys, err := detect.AllKeys(in, func(keys []string) (map[string][]byte, error) {
				got := map[string][]byte{}
				for _, k := range keys {
					if v, ok := state[k]; ok {
						got[k] = v
					}
				}
				return got, nil
			})
			require.NoError(t, err)
			res, err := detect.Evaluate(in, read)
			require.NoError(t, err)
			for _, u := range res.Updates {
				require.True(t, slices.Contains(keys, u.Key), u.Key)
				require.Empty(t, u.Note)
				state[u.Key] = u.Data
				alerts = append(alerts, u.Alerts...)
			}
		}
	}
	return alerts
}

// batchID is a delivery's stable id: the same events give the same id.
func batchID(b cwlogs.Batch) string {
	h := sha256.New()
	h.Write([]byte(b.LogGroup + "\x00" + b.LogStream))
	for _, e := range b.LogEvents {
		h.Write([]byte(e.ID))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func pin(alerts []detect.Alert) []expectedAlert {
	out := []expectedAlert{}
	for _, a := range alerts {
		out = append(out, expectedAlert{Type: a.Type, Status: a.Status, Severity: a.Severity, Function: a.Function,
			Key: a.Key, IP: a.IP, User: a.User, Time: a.Time})
	}
	return out
}

func readJSON(t testing.TB, path string, v any) {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v), path)
}

// writeScenarios regenerates the folders and checks each scenario raises
// what it was designed to (and a quiet one nothing) before writing it.
func writeScenarios(t *testing.T) {
	for _, sc := range simulate.Scenarios() {
		dir := filepath.Join(scenarioDir, sc.Name)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		batches := simulate.Generate(sc.Config)
		var items []store.Item
		os.Remove(filepath.Join(dir, "thresholds.json"))
		if sc.Thresholds != nil {
			data, err := json.MarshalIndent(sc.Thresholds, "", "  ")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "thresholds.json"), append(data, '\n'), 0o644))
			items, err = thresholds.ParseFile(data, sc.Name)
			require.NoError(t, err)
		}
		got := pin(replay(t, batches, items))
		var seen []string
		for _, a := range got {
			seen = append(seen, a.Type+"/"+a.Status)
		}
		if len(sc.Want) == 0 {
			require.Empty(t, got, "%s must be quiet", sc.Name)
		}
		for _, w := range sc.Want {
			require.Contains(t, seen, w, "%s: %v", sc.Name, got)
		}
		events, err := json.Marshal(batches)
		require.NoError(t, err)
		writeEvents(t, dir, append(events, '\n'))
		exp, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "expected.json"), append(exp, '\n'), 0o644))
	}
}

// writeEvents keeps a folder's format: events.json where it exists (the
// first scenarios), gzip for new folders (a week of traffic is megabytes
// of JSON and a tenth of it compressed).
func writeEvents(t *testing.T, dir string, events []byte) {
	if _, err := os.Stat(filepath.Join(dir, "events.json")); err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "events.json"), events, 0o644))
		return
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(events)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "events.json.gz"), buf.Bytes(), 0o644))
}
