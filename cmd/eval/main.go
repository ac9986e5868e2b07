// Command eval prints the detection table of `make eval`: every scenario
// folder replayed against its expected alerts, then every simulated
// scenario generated afresh under several seeds and incident magnitudes,
// with incidents detected, detection delay and false alerts.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/logwarden/logwarden/internal/eval"
)

func main() {
	dir := flag.String("dir", "testdata/scenarios", "scenario folders to replay (empty: none)")
	seeds := flag.Int("seeds", 3, "generated seeds per scenario (0: folders only)")
	mags := flag.String("magnitudes", "0.8,1,1.5", "multipliers of each loud incident's excess factor")
	only := flag.String("run", "", "only cases whose name contains this")
	verbose := flag.Bool("v", false, "list every false alert")
	flag.Parse()
	var ms []float64
	for _, s := range strings.Split(*mags, ",") {
		m, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || m <= 0 {
			fmt.Fprintf(os.Stderr, "eval: bad magnitude %q\n", s)
			os.Exit(2)
		}
		ms = append(ms, m)
	}
	var rows []eval.Row
	if *dir != "" {
		r, err := eval.Folders(*dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "eval:", err)
			os.Exit(1)
		}
		rows = append(rows, r...)
	}
	if *seeds > 0 {
		r, err := eval.Generated(*seeds, ms, *only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "eval:", err)
			os.Exit(1)
		}
		rows = append(rows, r...)
	}
	if *only != "" {
		kept := rows[:0]
		for _, r := range rows {
			if strings.Contains(r.Case, *only) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	eval.Print(os.Stdout, rows, *verbose)
}
