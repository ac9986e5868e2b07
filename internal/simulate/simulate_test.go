package simulate

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
)

var update = flag.Bool("update", false, "regenerate testdata/demo")

const demoDir = "../../testdata/demo"

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := Scenarios()[0].Config
	cfg.Length = 6 * time.Hour
	a, err := json.Marshal(Generate(cfg))
	require.NoError(t, err)
	b, err := json.Marshal(Generate(cfg))
	require.NoError(t, err)
	require.Equal(t, a, b)
	cfg.Seed++
	c, err := json.Marshal(Generate(cfg))
	require.NoError(t, err)
	require.NotEqual(t, a, c)
}

func TestGeneratedLinesClassify(t *testing.T) {
	cfg := Config{Seed: 1, Start: Epoch, Length: 2 * time.Hour,
		Functions: []Function{apiFn, workerFn, loginFn}, Auth: []Auth{normalLogins},
		Incidents: []Incident{
			{Kind: Timeouts, Function: "api", Start: Epoch, End: Epoch.Add(time.Hour), Factor: 3, Every: 2},
			{Kind: OOM, Function: "api", Start: Epoch, End: Epoch.Add(time.Hour), Every: 3},
		}}
	kinds := map[string]int{}
	for _, b := range Generate(cfg) {
		require.Len(t, b.LogEvents[0].ID, 56)
		for _, e := range b.LogEvents {
			ev := logline.Default().Parse(e.Message)
			kinds[ev.Kind.String()]++
			if ev.Kind == logline.KindReport {
				require.Positive(t, ev.DurationMs, e.Message)
				require.True(t, ev.HasMemory, e.Message)
			}
		}
	}
	for _, k := range []string{"report", "timeout", "crash", "auth_failure", "auth_success", "platform"} {
		require.Positive(t, kinds[k], "no %s line classified: %v", k, kinds)
	}
}

// TestDemo writes (with -update) and checks testdata/demo: one file per
// function and day of newline-separated Lambda subscription events.
func TestDemo(t *testing.T) {
	if *update {
		writeDemo(t)
	}
	files, err := filepath.Glob(filepath.Join(demoDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var total int64
	events := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		total += int64(len(data))
		errs := cwlogs.Decode(f, data, cwlogs.Limits{}, func(b cwlogs.Batch) { events += len(b.LogEvents) })
		require.Empty(t, errs)
	}
	require.Less(t, total, int64(5<<20), "keep the demo under 5 MB")
	require.Greater(t, events, 10000)
}

func writeDemo(t *testing.T) {
	require.NoError(t, os.MkdirAll(demoDir, 0o755))
	old, _ := filepath.Glob(filepath.Join(demoDir, "*.json"))
	for _, f := range old {
		require.NoError(t, os.Remove(f))
	}
	files := map[string]*bytes.Buffer{}
	for _, b := range Generate(Demo()) {
		day := time.UnixMilli(b.LogEvents[0].Timestamp).UTC().Format("2006-01-02")
		name := fmt.Sprintf("%s-%s.json", day, b.LogGroup[len("/aws/lambda/"):])
		if files[name] == nil {
			files[name] = &bytes.Buffer{}
		}
		env, err := Envelope(b)
		require.NoError(t, err)
		files[name].Write(append(env, '\n'))
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(demoDir, n), files[n].Bytes(), 0o644))
	}
}
