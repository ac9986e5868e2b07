package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store/open"
)

func init() {
	register(&command{name: "baselines", summary: "show what the detector believes about each function", run: runBaselines})
	register(&command{name: "blocklist", summary: "show the IPs blocked for authentication abuse", run: runBlocklist})
}

const stateStoreHelp = `Store: --store PATH (embedded file), --store dynamodb, or by default DynamoDB when
LOGWARDEN_STATE_TABLE is set, else the embedded file under $XDG_STATE_HOME or
~/.local/state/logwarden/ (keep a replay's state with 'logwarden replay --store PATH').
`

// stateFlags are the flags the read-only state commands share.
type stateFlags struct {
	store string
	json  bool
	at    string
}

// now is --at, for looking at the state of a replay of older captures
// (records expire relative to the captured time), or the wall clock.
func (f *stateFlags) now() (time.Time, error) {
	if f.at == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, f.at)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at: want an RFC 3339 time such as 2026-03-05T00:00:00Z, got %q", f.at)
	}
	return t, nil
}

func parseStateFlags(name, usage string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*stateFlags, *flag.FlagSet, bool) {
	f := &stateFlags{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage+"\n\n"+stateStoreHelp+"\nflags:\n"); fs.PrintDefaults() }
	fs.StringVar(&f.store, "store", "", "embedded store file, or \"dynamodb\"")
	fs.BoolVar(&f.json, "json", false, "print JSON")
	fs.StringVar(&f.at, "at", "", "evaluate expiry as of this RFC 3339 time (for replays of older captures)")
	if extra != nil {
		extra(fs)
	}
	return f, fs, fs.Parse(args) == nil
}

func runBaselines(args []string, stdout, stderr io.Writer) int {
	f, fs, ok := parseStateFlags("baselines", "usage: logwarden baselines [--store PATH|dynamodb] [--json] [FUNCTION...]\n\n"+
		"Shows each function's learned baselines: warm duration centre and spread, p50/p95\n"+
		"estimates, samples, cold starts, memory, cost rate, and a chart of recent warm durations.", args, stderr, nil)
	if !ok {
		return 2
	}
	ctx := context.Background()
	stores, err := open.FromEnv(ctx, open.Options{StorePath: f.store})
	if err != nil {
		fmt.Fprintln(stderr, "logwarden baselines:", err)
		return 1
	}
	defer stores.Close()
	now, err := f.now()
	if err != nil {
		fmt.Fprintln(stderr, "logwarden baselines:", err)
		return 2
	}
	recs, err := stores.State.List(ctx, detect.PrefixFunction, now)
	if err != nil {
		fmt.Fprintln(stderr, "logwarden baselines:", err)
		return 1
	}
	want := map[string]bool{}
	for _, fn := range fs.Args() {
		want[fn] = true
	}
	var views []detect.BaselineView
	for _, r := range recs {
		v, err := detect.DescribeBaseline(r.Data)
		if err != nil {
			fmt.Fprintf(stderr, "logwarden baselines: %s: %v\n", r.Key, err)
			continue
		}
		if len(want) == 0 || want[v.Function] {
			views = append(views, v)
		}
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Function < views[j].Function })
	if f.json {
		enc := json.NewEncoder(stdout)
		for _, v := range views {
			_ = enc.Encode(v)
		}
		return 0
	}
	if len(views) == 0 {
		fmt.Fprintf(stderr, "no baselines in %s yet: the detector learns them from REPORT lines (replay some captures or deploy the processor)\n", stores.Desc)
		if len(want) > 0 {
			return 1
		}
		return 0
	}
	for i, v := range views {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printBaseline(stdout, v)
	}
	return 0
}

func printBaseline(w io.Writer, v detect.BaselineView) {
	state := "learning"
	if v.Alerting {
		state = "ALERTING (baseline frozen)"
	} else if v.Samples > 0 {
		state = "normal"
	}
	fmt.Fprintf(w, "%s  version %s  updated %s  %s\n", v.Function, orDash(v.Version), v.Updated.UTC().Format(time.RFC3339), state)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  warm duration\tcentre %s ×/÷ %.2f\tp50 %s\tp95 %s\t%d samples\n",
		ms(v.CentreMs), v.Spread, ms(v.P50Ms), ms(v.P95Ms), v.Samples)
	fmt.Fprintf(tw, "  cold starts\t%d of %d (%.1f %%)\tinit centre %s\tinit p95 %s\t%d samples\n",
		v.ColdStarts, v.ColdStarts+v.WarmCount, 100*v.ColdRate, ms(v.InitCentreMs), ms(v.InitP95Ms), v.InitSamples)
	if v.MemorySizeMB > 0 {
		alert := ""
		if v.MemoryAlert {
			alert = "\tALERTING"
		}
		fmt.Fprintf(tw, "  memory\tmax used %d of %d MB (%.0f %%)%s\n", v.MaxMemoryMB, v.MemorySizeMB, v.MemoryPercent, alert)
	}
	if v.CostWindows > 0 {
		fmt.Fprintf(tw, "  cost\t$%.4f and %.0f invocations per window\t%d windows\n", v.CostUSDPerWindow, v.InvPerWindow, v.CostWindows)
	}
	_ = tw.Flush()
	if len(v.RecentMs) > 1 {
		lo, hi := minMax(v.RecentMs)
		fmt.Fprintf(w, "  recent warm  %s  %s … %s\n", sparkline(v.RecentMs), ms(lo), ms(hi))
	}
}

func runBlocklist(args []string, stdout, stderr io.Writer) int {
	var all bool
	f, fs, ok := parseStateFlags("blocklist", "usage: logwarden blocklist [--store PATH|dynamodb] [--json] [--all]\n\n"+
		"Lists the source IPs (IPv6 as /64) the detector blocked for brute force or credential\n"+
		"stuffing, with their offences and block expiry. Repeat offenders are blocked longer.", args, stderr,
		func(fs *flag.FlagSet) {
			fs.BoolVar(&all, "all", false, "also show entries whose block has expired (kept to lengthen repeat offenders' blocks)")
		})
	if !ok {
		return 2
	}
	_ = fs
	ctx := context.Background()
	stores, err := open.FromEnv(ctx, open.Options{StorePath: f.store})
	if err != nil {
		fmt.Fprintln(stderr, "logwarden blocklist:", err)
		return 1
	}
	defer stores.Close()
	now, err := f.now()
	if err != nil {
		fmt.Fprintln(stderr, "logwarden blocklist:", err)
		return 2
	}
	recs, err := stores.State.List(ctx, detect.PrefixBlock, now)
	if err != nil {
		fmt.Fprintln(stderr, "logwarden blocklist:", err)
		return 1
	}
	var entries []detect.BlockEntry
	for _, r := range recs {
		b, err := detect.DecodeBlock(r.Data)
		if err != nil {
			fmt.Fprintf(stderr, "logwarden blocklist: %s: %v\n", r.Key, err)
			continue
		}
		if b.Offences > 0 && (all || b.Blocked(now)) {
			entries = append(entries, b)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Until.After(entries[j].Until) })
	if f.json {
		enc := json.NewEncoder(stdout)
		for _, b := range entries {
			_ = enc.Encode(b)
		}
		return 0
	}
	if len(entries) == 0 {
		fmt.Fprintf(stderr, "no blocked IPs in %s\n", stores.Desc)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "IP\tOFFENCES\tBLOCKED UNTIL\tREASON\tFUNCTION\tLAST ALERT")
	for _, b := range entries {
		until := b.Until.UTC().Format(time.RFC3339)
		if !b.Blocked(now) {
			until += " (expired)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", b.IP, b.Offences, until, b.Reason, orDash(b.Function),
			b.LastAlert.UTC().Format(time.RFC3339))
	}
	_ = tw.Flush()
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ms(v float64) string {
	switch {
	case v <= 0 || math.IsNaN(v):
		return "-"
	case v >= 1000:
		return fmt.Sprintf("%.2f s", v/1000)
	default:
		return fmt.Sprintf("%.1f ms", v)
	}
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// sparkline draws values on a log scale (durations are log-normal, so a
// 10× regression stands out without flattening normal jitter).
func sparkline(xs []float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	runes := []rune(bars)
	lo, hi := minMax(xs)
	llo, lhi := math.Log(math.Max(lo, 0.01)), math.Log(math.Max(hi, 0.01))
	var b strings.Builder
	for _, x := range xs {
		i := 0
		if lhi > llo {
			i = int(math.Round((math.Log(math.Max(x, 0.01)) - llo) / (lhi - llo) * float64(len(runes)-1)))
		}
		b.WriteRune(runes[i])
	}
	return b.String()
}
