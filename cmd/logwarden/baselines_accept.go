package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/open"
)

// `logwarden baselines accept FUNCTION...` and the seasonal profile shown
// by `logwarden baselines FUNCTION` (detection v2).

func init() { registerSub("baselines", newBaselinesAcceptCmd) }

func newBaselinesAcceptCmd(o cliIO) *cobra.Command {
	var store, stack string
	cmd := &cobra.Command{
		Use:   "accept [flags] FUNCTION...",
		Short: "make each function's current behaviour its baseline",
		Long: "Makes each function's current behaviour its baseline: a deliberate change\n" +
			"(a slower version, a memory size, longer cold starts) stops alerting. The\n" +
			"next batch of the function resolves its open duration or cold start\n" +
			"incident with a RESOLVED note \"accepted by the operator\", and a pending\n" +
			"deploy comparison ends (otherwise a new version becomes the normal after\n" +
			"deploy_accept_after, 24 h by default).",
		Args: minArgs(1, "at least one FUNCTION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBaselinesAccept(cmd.Context(), open.Options{StorePath: store, Stack: stack, ReadOnly: store != "dynamodb"}, args, o)
		},
	}
	cmd.Flags().StringVar(&store, "store", "", "embedded store file `PATH` (must exist), or \"dynamodb\"")
	cmd.Flags().StringVar(&stack, "stack", "", "CloudFormation stack `NAME` whose outputs name the tables (default $LOGWARDEN_STACK)")
	return cmd
}

// runBaselinesAccept accepts each function in turn; a function that fails
// does not stop the others, and the command then exits 1.
func runBaselinesAccept(ctx context.Context, opts open.Options, fns []string, o cliIO) error {
	stores, err := open.FromEnv(ctx, opts)
	if err != nil {
		return err
	}
	defer stores.Close()
	failed := 0
	for _, fn := range fns {
		if err := acceptBaseline(ctx, stores.State, fn, time.Now()); err != nil {
			fmt.Fprintf(o.stderr, "logwarden baselines accept: %s: %v\n", fn, err)
			failed++
			continue
		}
		fmt.Fprintf(o.stdout, "%s: accepted; its next batch makes the current behaviour the baseline\n", fn)
	}
	if failed > 0 {
		return exitCode(1)
	}
	return nil
}

// errNoBaseline reports a function the detector has not seen.
var errNoBaseline = errors.New("no baseline yet (the detector has seen no REPORT of this function)")

// acceptBaseline marks fn#function as accepted with a conditional write,
// re-reading on a lost race (the processor may be writing it right now).
func acceptBaseline(ctx context.Context, st store.State, function string, now time.Time) error {
	key := detect.FunctionKey(function)
	for range 5 {
		recs, err := st.Get(ctx, []string{key}, now)
		if err != nil {
			return err
		}
		rec, ok := recs[key]
		if !ok {
			return errNoBaseline
		}
		data, err := detect.AcceptBaseline(rec.Data)
		if err != nil {
			return err
		}
		rec.Data = data
		conflicts, err := st.Put(ctx, []store.Record{rec}, now)
		if err != nil {
			return err
		}
		if len(conflicts) == 0 {
			return nil
		}
	}
	return store.ErrConflict
}

// printProfile writes a function's seasonal profile: invocations per hour
// and usual warm duration by hour of day (UTC), the day-of-week factor,
// a deploy under comparison and platform lines that were not believed.
func printProfile(w io.Writer, v detect.BaselineView) {
	if len(v.InvPerHourByHour) == 24 {
		fmt.Fprintf(w, "  invocations/h by hour (UTC, %d h learned)  %s  %s … %s\n", v.ProfileHours,
			sparkline(v.InvPerHourByHour), num(minOf(v.InvPerHourByHour)), num(maxOf(v.InvPerHourByHour)))
		days := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
		var parts []string
		for d, f := range v.DayOfWeekFactor {
			if d < len(days) {
				parts = append(parts, fmt.Sprintf("%s ×%.2f", days[d], f))
			}
		}
		fmt.Fprintf(w, "  day of week  %s\n", strings.Join(parts, "  "))
	}
	if len(v.DurationByHourMs) == 24 {
		fmt.Fprintf(w, "  warm duration by hour (UTC)  %s  %s … %s  (evidence %.1f σ)\n",
			sparkline(v.DurationByHourMs), ms(minOf(v.DurationByHourMs)), ms(maxOf(v.DurationByHourMs)), v.SustainedCUSUM)
	}
	if v.DeployTo != "" {
		fmt.Fprintf(w, "  deploy  version %s since %s, compared with version %s (%s); `logwarden baselines accept %s` to accept it now\n",
			v.DeployTo, v.DeployedAt.UTC().Format(time.RFC3339), v.DeployFrom, ms(v.DeployPrevMs), v.Function)
	}
	if v.SurgeAlerting {
		fmt.Fprintln(w, "  invocations  SURGE ALERTING")
	}
	if v.SuspectLines > 0 {
		fmt.Fprintf(w, "  suspect platform lines ignored  %d (latest: %s)\n", v.SuspectLines, v.SuspectReason)
	}
}

func num(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func minOf(xs []float64) float64 {
	lo, _ := minMax(xs)
	return lo
}

func maxOf(xs []float64) float64 {
	_, hi := minMax(xs)
	return hi
}
