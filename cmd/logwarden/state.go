package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store/open"
)

func init() {
	register(newBaselinesCmd)
	register(newBlocklistCmd)
}

const stateStoreHelp = `Store: --store PATH (an embedded file, which must exist), --store dynamodb,
--stack NAME; by default DynamoDB when LOGWARDEN_STATE_TABLE or LOGWARDEN_STACK is
set, else the embedded file under $XDG_STATE_HOME or ~/.local/state/logwarden/.
A plain 'logwarden replay' keeps its state in a temporary store deleted at its
end: keep it with 'logwarden replay --store PATH', then look with --store PATH.`

// stateFlags are the flags the read-only state commands share.
type stateFlags struct {
	store, stack string
	json         bool
	at           string
}

func (f *stateFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.store, "store", "", "embedded store file `PATH` (must exist), or \"dynamodb\"")
	fl.StringVar(&f.stack, "stack", "", "CloudFormation stack `NAME` whose outputs name the tables (default $LOGWARDEN_STACK)")
	fl.BoolVar(&f.json, "json", false, "print JSON lines (one object per line)")
	fl.StringVar(&f.at, "at", "", "evaluate expiry as of this RFC 3339 `TIME` (for replays of older captures)")
}

// now is --at, for looking at the state of a replay of older captures
// (records expire relative to the captured time), or the wall clock.
func (f *stateFlags) now() (time.Time, error) {
	if f.at == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, f.at)
	if err != nil {
		return time.Time{}, usageErrorf("--at: want an RFC 3339 time such as 2026-03-05T00:00:00Z, got %q", f.at)
	}
	return t, nil
}

// open opens the store read only. An embedded file that does not exist is
// an error when it was named, and "nothing learned yet" (ok false, the
// reason on stderr) at the default path: looking must never create one.
func (f *stateFlags) open(ctx context.Context, stderr io.Writer, what string) (s *open.Stores, ok bool, err error) {
	s, err = open.FromEnv(ctx, open.Options{StorePath: f.store, Stack: f.stack, ReadOnly: true})
	if errors.Is(err, open.ErrNoStore) && f.store == "" {
		path, _ := open.DefaultPath(nil)
		fmt.Fprintf(stderr, "no %s yet: nothing was stored in the default embedded store %s.\n%s\n", what, path, replayStoreHint)
		return nil, false, nil
	}
	if errors.Is(err, open.ErrNoStore) {
		return nil, false, fmt.Errorf("%w (%s)", err, replayStoreHint)
	}
	return s, err == nil, err
}

const replayStoreHint = "A plain 'logwarden replay' keeps its state in a temporary store deleted at its end; " +
	"run 'logwarden replay --store PATH ...' and then look with --store PATH"

func newBaselinesCmd(o cliIO) *cobra.Command {
	f := &stateFlags{}
	cmd := &cobra.Command{
		Use:   "baselines [flags] [FUNCTION...]",
		Short: "show what the detector believes about each function",
		Long: "Shows each function's learned baselines: warm duration centre and spread, p50/p95\n" +
			"estimates, samples, cold starts, memory, cost rate, and a chart of recent warm durations.\n" +
			"A FUNCTION without a baseline is an error naming it.\n\n" + stateStoreHelp,
		RunE: func(cmd *cobra.Command, args []string) error { return runBaselines(cmd.Context(), f, args, o) },
	}
	f.add(cmd)
	return cmd
}

func runBaselines(ctx context.Context, f *stateFlags, fns []string, o cliIO) error {
	now, err := f.now()
	if err != nil {
		return err
	}
	stores, ok, err := f.open(ctx, o.stderr, "baselines")
	if !ok {
		if err == nil && len(fns) > 0 {
			return fmt.Errorf("unknown function %s: no store to look in", strings.Join(fns, ", "))
		}
		return err
	}
	defer stores.Close()
	recs, err := stores.State.List(ctx, detect.PrefixFunction, now)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, fn := range fns {
		want[fn] = true
	}
	var views []detect.BaselineView
	var known []string
	for _, r := range recs {
		v, err := detect.DescribeBaseline(r.Data)
		if err != nil {
			fmt.Fprintf(o.stderr, "logwarden baselines: %s: %v\n", r.Key, err)
			continue
		}
		known = append(known, v.Function)
		if len(want) == 0 || want[v.Function] {
			views = append(views, v)
			delete(want, v.Function)
		}
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Function < views[j].Function })
	if f.json {
		enc := json.NewEncoder(o.stdout)
		for _, v := range views {
			_ = enc.Encode(v)
		}
	} else {
		for i, v := range views {
			if i > 0 {
				fmt.Fprintln(o.stdout)
			}
			printBaseline(o.stdout, v)
			printProfile(o.stdout, v)
		}
	}
	if len(want) > 0 {
		return unknownFunctions(want, known, stores.Desc)
	}
	if len(recs) == 0 {
		fmt.Fprintf(o.stderr, "no baselines in %s yet: the detector learns them from REPORT lines.\n%s\n", stores.Desc, replayStoreHint)
	}
	return nil
}

// unknownFunctions names the functions asked for that have no baseline,
// with the ones that do.
func unknownFunctions(want map[string]bool, known []string, desc string) error {
	var missing []string
	for fn := range want {
		missing = append(missing, fn)
	}
	sort.Strings(missing)
	sort.Strings(known)
	msg := fmt.Sprintf("unknown function %s: no baseline in %s", strings.Join(missing, ", "), desc)
	if len(known) > 0 {
		msg += " (known: " + strings.Join(known, ", ") + ")"
	}
	return errors.New(msg)
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

func newBlocklistCmd(o cliIO) *cobra.Command {
	f := &stateFlags{}
	var all bool
	cmd := &cobra.Command{
		Use:   "blocklist [flags]",
		Short: "show the IPs blocked for authentication abuse",
		Long: "Lists the source IPs (IPv6 as /64) the detector blocked for brute force or credential\n" +
			"stuffing, with their offences and block expiry. Repeat offenders are blocked longer.\n\n" + stateStoreHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBlocklist(cmd.Context(), f, all, o) },
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "also show entries whose block has expired (kept to lengthen repeat offenders' blocks)")
	return cmd
}

func runBlocklist(ctx context.Context, f *stateFlags, all bool, o cliIO) error {
	now, err := f.now()
	if err != nil {
		return err
	}
	stores, ok, err := f.open(ctx, o.stderr, "blocked IPs")
	if !ok {
		return err
	}
	defer stores.Close()
	recs, err := stores.State.List(ctx, detect.PrefixBlock, now)
	if err != nil {
		return err
	}
	var entries []detect.BlockEntry
	for _, r := range recs {
		b, err := detect.DecodeBlock(r.Data)
		if err != nil {
			fmt.Fprintf(o.stderr, "logwarden blocklist: %s: %v\n", r.Key, err)
			continue
		}
		if b.Offences > 0 && (all || b.Blocked(now)) {
			entries = append(entries, b)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Until.After(entries[j].Until) })
	if f.json {
		enc := json.NewEncoder(o.stdout)
		for _, b := range entries {
			_ = enc.Encode(b)
		}
		return nil
	}
	if len(entries) == 0 {
		fmt.Fprintf(o.stderr, "no blocked IPs in %s\n", stores.Desc)
		return nil
	}
	tw := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "IP\tOFFENCES\tBLOCKED UNTIL\tREASON\tFUNCTION\tLAST ALERT")
	for _, b := range entries {
		until := b.Until.UTC().Format(time.RFC3339)
		if !b.Blocked(now) {
			until += " (expired)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", b.IP, b.Offences, until, b.Reason, orDash(b.Function),
			b.LastAlert.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
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
