// Command benchtable is `make bench`: one run that measures, on generated
// corpora of the production mix (batchgen.Mix, several seeds), the decode
// floor, decoding, decoding plus classification, detection, and max
// batches through the whole pipeline against the in-memory store, and
// prints each as a ratio to the floor. The stages run in this one process,
// interleaved, so that every ratio compares like with like on a machine
// whose load changes.
//
// With -cli it also measures the user's path: `logwarden parse --summary`
// over a capture of 100 max-size subscription events against a program
// that only does the floor on the same file, and `logwarden replay`
// throughput on the demo and on a large capture.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/logwarden/logwarden/internal/batchgen"
)

func main() {
	testing.Init()
	seeds := flag.Int("seeds", 4, "corpus: this many max-size batches of the production mix, seeds 1..N")
	rounds := flag.Int("rounds", 5, "measure every stage this many times, interleaved; the fastest round counts")
	cli := flag.Bool("cli", true, "also measure logwarden parse/replay on a generated capture (builds the CLI)")
	captureN := flag.Int("capture", 100, "max-size subscription events in the CLI capture")
	floorFile := flag.String("floor", "", "internal: only run the floor over `FILE` (one Lambda event per line) and exit")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the `STAGE=FILE` stage (e.g. decode+classify=cpu.prof) after the table")
	flag.Parse()
	if *floorFile != "" {
		if err := floorMain(*floorFile); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("logwarden benchmark table — %s, %s/%s, GOMAXPROCS %d, %s\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339))
	corpus := newCorpus(*seeds)
	fmt.Printf("corpus: %d batches of batchgen.Mix (seeds 1..%d): %d events, %.2f MB inflated, %.2f MB as Lambda events\n\n",
		len(corpus.batches), *seeds, corpus.events, float64(corpus.inflated)/1e6, float64(corpus.eventBytes)/1e6)
	rows, err := runTable(corpus, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	printTable(os.Stdout, rows, corpus)
	if *profile != "" {
		if err := profileStage(corpus, *profile); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
	}
	if *cli {
		fmt.Println()
		if err := runCLI(os.Stdout, *captureN, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
	}
}

// corpus is the generated input every in-process stage runs over.
type corpus struct {
	batches    []batchgen.Batch
	events     int
	inflated   int64
	eventBytes int64
}

func newCorpus(n int) *corpus {
	c := &corpus{}
	for seed := 1; seed <= n; seed++ {
		b := batchgen.Mix(batchgen.Options{Seed: uint64(seed)})
		c.batches = append(c.batches, b)
		c.events += len(b.Messages)
		c.inflated += int64(len(b.Document))
		c.eventBytes += int64(len(b.Event))
	}
	return c
}
