package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// row is one stage's best round.
type row struct {
	stage
	ns         int64 // per corpus pass, fastest round
	allocs     int64 // per corpus pass
	bytes      int64 // allocated per corpus pass
	peakHeap   uint64
	floorRatio float64 // ns / floor ns
	err        error
}

// runTable measures every stage rounds times, interleaved (floor, decode,
// ..., floor, decode, ...), keeping each stage's fastest round: the
// fastest is the one least disturbed by other work on the machine.
func runTable(c *corpus, rounds int) ([]row, error) {
	rows := make([]row, len(stages))
	ops := make([]func() error, len(stages))
	for i, s := range stages {
		op, err := s.setup(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		if err := op(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		rows[i].stage, ops[i] = s, op
		rows[i].peakHeap = peakHeapGrowth(op)
	}
	for r := 0; r < rounds; r++ {
		for i := range stages {
			var failed error
			res := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := ops[i](); err != nil {
						failed = err
						b.SkipNow()
					}
				}
			})
			if failed != nil {
				return nil, fmt.Errorf("%s: %w", stages[i].name, failed)
			}
			if ns := res.NsPerOp(); rows[i].ns == 0 || ns < rows[i].ns {
				rows[i].ns, rows[i].allocs, rows[i].bytes = ns, res.AllocsPerOp(), res.AllocedBytesPerOp()
			}
		}
	}
	for i := range rows {
		rows[i].floorRatio = float64(rows[i].ns) / float64(rows[0].ns)
	}
	return rows, nil
}

// peakHeapGrowth bounds the heap one run needs: with the collector off
// nothing is freed, so the growth of HeapAlloc is at least the most the
// run had live at once (it includes its garbage: an upper bound).
func peakHeapGrowth(f func() error) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	old := debug.SetGCPercent(-1)
	_ = f()
	runtime.ReadMemStats(&after)
	debug.SetGCPercent(old)
	runtime.GC()
	return after.HeapAlloc - before.HeapAlloc
}

func printTable(w io.Writer, rows []row, c *corpus) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tms/pass\tMB/s\t× floor time\t% of floor speed\tallocs/event\tB/event\tpeak heap MB\t")
	for _, r := range rows {
		secs := float64(r.ns) / 1e9
		fmt.Fprintf(tw, "%s\t%.2f\t%.0f\t%.2f\t%.0f %%\t%.4f\t%.1f\t%.1f\t\n", r.name, secs*1e3, float64(c.inflated)/1e6/secs,
			r.floorRatio, 100/r.floorRatio, float64(r.allocs)/float64(c.events), float64(r.bytes)/float64(c.events),
			float64(r.peakHeap)/(1<<20))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "  %-18s %s\n", r.name, r.what)
	}
	fmt.Fprintln(w, "  MB/s is inflated (document) bytes per second; a pass is the whole corpus; peak heap is an upper bound (heap growth of one pass with the GC off).")
}

// profileStage writes a CPU profile of about two seconds of one stage,
// spec being "stage=file".
func profileStage(c *corpus, spec string) error {
	name, file, ok := strings.Cut(spec, "=")
	if !ok {
		return fmt.Errorf("-cpuprofile wants STAGE=FILE, got %q", spec)
	}
	for _, s := range stages {
		if s.name != name {
			continue
		}
		op, err := s.setup(c)
		if err != nil {
			return err
		}
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
			if err := op(); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("-cpuprofile: no stage %q", name)
}
