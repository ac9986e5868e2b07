// Package eval measures the detectors: it replays the committed scenario
// folders (testdata/scenarios) and freshly generated traces of every
// simulated scenario under other seeds and magnitudes, and scores each run:
// incidents detected, detection delay, false alerts. `make eval` prints its
// table; it is the tool thresholds are tuned with.
package eval

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/logwarden/logwarden/internal/simulate"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/pipeline"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

// Row is one scored run.
type Row struct {
	Case      string
	Source    string  // "folder" or "seed N"
	Magnitude float64 // multiplier of the incident's excess (1: as designed)
	Loud      bool    // the case has an incident to detect
	Detected  bool
	Delay     time.Duration // first matching firing alert after the incident started
	False     int           // firing alerts that match no incident
	Firing    int           // all firing alerts
	Note      string
	FalseAt   []string // the false alerts: time, type, summary
}

// Replay runs batches through the processor's own pipeline (classify,
// trusted proxies, the seen-event filter, the two-round read, conditional
// writes) against an in-memory store, in delivery order, with each batch's
// newest event as the clock: what eval scores is what production runs.
func Replay(batches []cwlogs.Batch, items []store.Item) ([]detect.Alert, error) {
	if _, err := thresholds.New(items); err != nil {
		return nil, err
	}
	proc := &pipeline.Processor{Parser: logline.Default(), State: store.NewMemory(),
		Thresholds: &pipeline.ThresholdCache{Static: items}}
	ctx := context.Background()
	var clock time.Time
	var alerts []detect.Alert
	for i := range batches {
		b := &batches[i]
		if b.IsControl() {
			continue
		}
		for _, e := range b.LogEvents {
			if t := time.UnixMilli(e.Timestamp).UTC(); t.After(clock) {
				clock = t
			}
		}
		res, err := proc.Process(ctx, b, clock)
		if err != nil {
			return nil, fmt.Errorf("batch %s/%s: %w", b.LogGroup, b.LogStream, err)
		}
		alerts = append(alerts, res.Alerts...)
	}
	return alerts, nil
}

// Score judges a generated scenario's alerts against its design: a loud
// scenario is detected by a firing alert of a wanted type from the start
// of its first incident until an hour after its end; every other firing
// alert is false.
func Score(sc simulate.Scenario, alerts []detect.Alert) Row {
	row := Row{Case: sc.Name, Loud: len(sc.Want) > 0}
	want := map[string]bool{}
	for _, w := range sc.Want {
		typ, status, _ := strings.Cut(w, "/")
		if status == detect.StatusFiring {
			want[typ] = true
		}
	}
	start, end := incidentSpan(sc)
	fns := map[string]bool{}
	for _, inc := range sc.Config.Incidents {
		fns[inc.Function] = true
	}
	for _, a := range alerts {
		if a.Status != detect.StatusFiring {
			continue
		}
		row.Firing++
		during := !a.Time.Before(start) && (end.IsZero() || a.Time.Before(end.Add(time.Hour)))
		if row.Loud && want[a.Type] && during {
			if !row.Detected {
				row.Detected, row.Delay = true, a.Time.Sub(start)
			}
			continue
		}
		if row.Loud && during && fns[a.Function] {
			continue // another side of the same incident (an OOM's memory alert)
		}
		row.False++
		row.FalseAt = append(row.FalseAt, falseAt(a))
	}
	return row
}

func falseAt(a detect.Alert) string {
	return fmt.Sprintf("%s %s %s %s: %s", a.Time.Format(time.RFC3339), a.Function, a.Type, a.Severity, a.Summary)
}

// incidentSpan is the span of the scenario's incidents (zero end: open).
func incidentSpan(sc simulate.Scenario) (start, end time.Time) {
	for i, inc := range sc.Config.Incidents {
		if i == 0 || inc.Start.Before(start) {
			start = inc.Start
		}
		if inc.End.IsZero() {
			end = sc.Config.Start.Add(sc.Config.Length)
		} else if inc.End.After(end) {
			end = inc.End
		}
	}
	return start, end
}

// Generated runs every simulated scenario whose name contains only under
// seeds (offsets of its own seed) and, for loud ones, the magnitudes
// (multipliers of each incident's excess factor).
func Generated(seeds int, magnitudes []float64, only string) ([]Row, error) {
	var rows []Row
	for _, sc := range simulate.Scenarios() {
		if !strings.Contains(sc.Name, only) {
			continue
		}
		mags := []float64{1}
		if len(sc.Want) > 0 && scalable(sc) {
			mags = magnitudes
		}
		for s := 1; s <= seeds; s++ {
			for _, m := range mags {
				v := variant(sc, uint64(s), m)
				items, err := scenarioItems(v)
				if err != nil {
					return nil, err
				}
				alerts, err := Replay(simulate.Generate(v.Config), items)
				if err != nil {
					return nil, fmt.Errorf("%s seed %d: %w", sc.Name, s, err)
				}
				row := Score(v, alerts)
				row.Source, row.Magnitude = fmt.Sprint("seed ", v.Config.Seed), m
				rows = append(rows, row)
			}
		}
	}
	return rows, nil
}

func scalable(sc simulate.Scenario) bool {
	for _, inc := range sc.Config.Incidents {
		if inc.Factor > 1 {
			return true
		}
	}
	return false
}

// variant copies a scenario with another seed and its incidents' excess
// (Factor-1) scaled by m.
func variant(sc simulate.Scenario, seed uint64, m float64) simulate.Scenario {
	v := sc
	v.Config.Seed = sc.Config.Seed*1000 + seed
	v.Config.Incidents = slices.Clone(sc.Config.Incidents)
	for i := range v.Config.Incidents {
		if f := v.Config.Incidents[i].Factor; f > 1 && f < 100 {
			v.Config.Incidents[i].Factor = 1 + (f-1)*m
		}
	}
	return v
}

func scenarioItems(sc simulate.Scenario) ([]store.Item, error) {
	if sc.Thresholds == nil {
		return nil, nil
	}
	data, err := json.Marshal(sc.Thresholds)
	if err != nil {
		return nil, err
	}
	return thresholds.ParseFile(data, sc.Name)
}

// Folders replays every scenario folder under dir and compares its firing
// alerts with its expected.json: expected ones found count as detected,
// any other firing alert as false.
func Folders(dir string) ([]Row, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, d := range entries {
		if !d.IsDir() {
			continue
		}
		path := filepath.Join(dir, d.Name())
		batches, err := ReadEvents(path)
		if err != nil {
			return nil, err
		}
		var items []store.Item
		if _, err := os.Stat(filepath.Join(path, "thresholds.json")); err == nil {
			if items, err = thresholds.LoadFile(filepath.Join(path, "thresholds.json")); err != nil {
				return nil, err
			}
		}
		var want []detect.Alert
		if data, err := os.ReadFile(filepath.Join(path, "expected.json")); err == nil {
			if err := json.Unmarshal(data, &want); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		alerts, err := Replay(batches, items)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, scoreFolder(d.Name(), want, alerts))
	}
	return rows, nil
}

func scoreFolder(name string, want, got []detect.Alert) Row {
	row := Row{Case: name, Source: "folder", Magnitude: 1}
	expected := 0
	for _, w := range want {
		if w.Status == detect.StatusFiring {
			expected++
		}
	}
	row.Loud = expected > 0
	found := 0
	for _, a := range got {
		if a.Status != detect.StatusFiring {
			continue
		}
		row.Firing++
		match := slices.IndexFunc(want, func(w detect.Alert) bool {
			return w.Status == a.Status && w.Key == a.Key && w.Time.Equal(a.Time)
		})
		if match < 0 {
			row.False++
			row.FalseAt = append(row.FalseAt, falseAt(a))
			continue
		}
		found++
		if !row.Detected {
			row.Detected = true
		}
	}
	row.Note = fmt.Sprintf("%d/%d expected", found, expected)
	return row
}

// ReadEvents reads a scenario folder's events.json or events.json.gz.
func ReadEvents(dir string) ([]cwlogs.Batch, error) {
	data, err := os.ReadFile(filepath.Join(dir, "events.json"))
	if os.IsNotExist(err) {
		data, err = os.ReadFile(filepath.Join(dir, "events.json.gz"))
		if err == nil {
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(data)); err == nil {
				data, err = io.ReadAll(zr)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var batches []cwlogs.Batch
	if err := json.Unmarshal(data, &batches); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return batches, nil
}

// Print writes the table and a summary line; verbose lists false alerts.
func Print(w io.Writer, rows []Row, verbose bool) {
	fmt.Fprintf(w, "%-30s %-12s %5s %-9s %9s %6s %6s  %s\n", "case", "source", "mag", "incident", "delay", "false", "firing", "note")
	loud, hit, falses := 0, 0, 0
	var delays []time.Duration
	for _, r := range rows {
		inc := "quiet"
		if r.Loud {
			loud++
			inc = "MISSED"
			if r.Detected {
				inc, hit = "detected", hit+1
				delays = append(delays, r.Delay)
			}
		}
		delay := "-"
		if r.Detected && r.Source != "folder" {
			delay = r.Delay.Round(time.Second).String()
		}
		falses += r.False
		fmt.Fprintf(w, "%-30s %-12s %5.2f %-9s %9s %6d %6d  %s\n", r.Case, r.Source, r.Magnitude, inc, delay, r.False, r.Firing, r.Note)
		if verbose {
			for _, f := range r.FalseAt {
				fmt.Fprintln(w, "    false:", f)
			}
		}
	}
	fmt.Fprintf(w, "\n%d runs: %d/%d incidents detected, median delay %s, %d false alerts\n\n",
		len(rows), hit, loud, median(delays).Round(time.Second), falses)
	printByCase(w, rows)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// printByCase condenses the runs of each case: incidents detected of
// runs, median and worst delay of the generated runs, false alerts.
func printByCase(w io.Writer, rows []Row) {
	type agg struct {
		runs, loud, hit, falses int
		delays                  []time.Duration
	}
	var names []string
	by := map[string]*agg{}
	for _, r := range rows {
		a := by[r.Case]
		if a == nil {
			a = &agg{}
			by[r.Case] = a
			names = append(names, r.Case)
		}
		a.runs++
		a.falses += r.False
		if r.Loud {
			a.loud++
			if r.Detected {
				a.hit++
				if r.Source != "folder" {
					a.delays = append(a.delays, r.Delay)
				}
			}
		}
	}
	fmt.Fprintf(w, "%-30s %5s %9s %10s %10s %6s\n", "by case", "runs", "detected", "med delay", "max delay", "false")
	for _, n := range names {
		a := by[n]
		det, med, worst := "quiet", "-", "-"
		if a.loud > 0 {
			det = fmt.Sprintf("%d/%d", a.hit, a.loud)
		}
		if len(a.delays) > 0 {
			med, worst = median(a.delays).Round(time.Second).String(), slices.Max(a.delays).Round(time.Second).String()
		}
		fmt.Fprintf(w, "%-30s %5d %9s %10s %10s %6d\n", n, a.runs, det, med, worst, a.falses)
	}
}
