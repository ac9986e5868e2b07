package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/logwarden/logwarden/internal/batchgen"
)

// runCLI measures the user's path: the logwarden binary on a generated
// capture file against this binary's -floor mode on the same file, each a
// fresh process reading the file, rounds times alternately (best counts).
// No peak RSS: Linux's rusage of a child counts the parent's pages at fork
// (this process holds the corpus), so small children looked as large as it;
// use /usr/bin/time -v on the commands for that.
func runCLI(w io.Writer, n, rounds int) error {
	dir, err := os.MkdirTemp("", "logwarden-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	capture := filepath.Join(dir, "capture.json")
	f, err := os.Create(capture)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	st, err := batchgen.Capture(bw, n, 1000)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write capture: %w", err)
	}
	fmt.Fprintf(w, "user's path: %s, %d Lambda subscription events (batchgen.Capture), %d log events, %.0f MB inflated, %.0f MB on disk\n",
		capture, st.Batches, st.Events, float64(st.Inflated)/1e6, float64(st.Bytes)/1e6)
	bin := filepath.Join(dir, "logwarden")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/logwarden/logwarden/cmd/logwarden").CombinedOutput(); err != nil {
		return fmt.Errorf("go build cmd/logwarden: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var floorBest, parseBest run
	for range rounds {
		fr, err := timed(self, "-floor", capture)
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		pr, err := timed(bin, "parse", "--summary", capture)
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		floorBest, parseBest = floorBest.best(fr), parseBest.best(pr)
	}
	fmt.Fprintf(w, "  floor program        %7.0f ms\n", ms(floorBest.wall))
	fmt.Fprintf(w, "  parse --summary      %7.0f ms  %.2f × floor time (target ≤ 2.0), %.0f %% of floor speed\n",
		ms(parseBest.wall), float64(parseBest.wall)/float64(floorBest.wall),
		100*float64(floorBest.wall)/float64(parseBest.wall))
	fmt.Fprintf(w, "  CPU time             floor %.0f ms, parse %.0f ms: %.2f × (parse decodes one batch ahead on a second core)\n",
		ms(floorBest.cpu), ms(parseBest.cpu), float64(parseBest.cpu)/float64(floorBest.cpu))
	fmt.Fprintf(w, "  parse throughput     %7.0f events/s, %.0f MB/s inflated\n",
		float64(st.Events)/parseBest.wall.Seconds(), float64(st.Inflated)/1e6/parseBest.wall.Seconds())

	for _, in := range []struct{ name, path string }{{"demo (testdata/demo)", demoDir()}, {"large (the capture above)", capture}} {
		if in.path == "" {
			fmt.Fprintf(w, "  replay %s: not found, skipped\n", in.name)
			continue
		}
		var best run
		var eps string
		for range rounds {
			r, err := timed(bin, "replay", "--json", in.path) // the default, fresh store, as users run it
			if err != nil {
				return fmt.Errorf("replay %s: %w", in.name, err)
			}
			if best.wall == 0 || r.wall < best.wall {
				best, eps = r, replayRate(r.stderr)
			}
		}
		fmt.Fprintf(w, "  replay %-26s %7.0f ms  %s\n", in.name, ms(best.wall), eps)
	}
	return nil
}

type run struct {
	wall   time.Duration
	cpu    time.Duration // user + system, fastest round
	stderr []byte
}

func (r run) best(o run) run {
	cpu := o.cpu
	if r.cpu != 0 && r.cpu < cpu {
		cpu = r.cpu
	}
	if r.wall == 0 || o.wall < r.wall {
		r = o
	}
	r.cpu = cpu
	return r
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// timed runs a command to completion, timing it from start to exit.
func timed(name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start), stderr: stderr.Bytes()}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if err != nil {
		return r, fmt.Errorf("%s %v: %v\n%s", name, args, err, stderr.Bytes())
	}
	return r, nil
}

var replayLine = regexp.MustCompile(`([0-9]+) events, .* in ([0-9.]+)s \(([0-9]+) events/s\)`)

// replayRate is replay's own events/s figure (its summary on stderr).
func replayRate(stderr []byte) string {
	m := replayLine.FindSubmatch(stderr)
	if m == nil {
		return "(no summary)"
	}
	return fmt.Sprintf("%s events in %ss: %s events/s", m[1], m[2], m[3])
}

// demoDir finds testdata/demo from the module root (make runs in it).
func demoDir() string {
	for _, p := range []string{"testdata/demo", "../../testdata/demo"} {
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			abs, _ := filepath.Abs(p)
			return abs
		}
	}
	return ""
}

// floorMain is the floor as a program of its own: read the file, and for
// every line find awslogs.data, base64-decode and gunzip it.
func floorMain(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f := &floor{}
	var events, inflated int
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		n, err := f.event(line)
		if err != nil {
			return fmt.Errorf("event %d: %w", events+1, err)
		}
		events++
		inflated += n
	}
	fmt.Println(strconv.Itoa(events) + " events, " + strconv.Itoa(inflated) + " bytes inflated")
	return nil
}
