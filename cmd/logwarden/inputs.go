package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/term"
)

// inputFile is one input named on the command line or found in a directory.
type inputFile struct {
	path string // "-" for stdin
	name string // how errors and outputs refer to it
	size int64
}

// expandInputs turns FILE|DIR|- arguments into files, directories walked in
// lexical order so that runs are reproducible. An unreadable entry is
// reported in errs and the walk goes on with the rest; an empty file or a
// directory without inputs is not an error, but warn is told: a capture
// that silently contained nothing reads like "no alerts".
func expandInputs(args []string, warn func(string)) (files []inputFile, errs []error) {
	for _, arg := range args {
		if arg == "-" {
			files = append(files, inputFile{path: "-", name: "stdin"})
			continue
		}
		before := len(files)
		_ = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, fmt.Errorf("input %s: %w", path, err))
				return nil
			}
			if d.IsDir() {
				if path != arg && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || (path != arg && strings.HasPrefix(d.Name(), ".")) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				errs = append(errs, fmt.Errorf("input %s: %w", path, err))
				return nil
			}
			if info.Size() == 0 {
				warn(path + ": empty file")
			}
			files = append(files, inputFile{path: path, name: path, size: info.Size()})
			return nil
		})
		if info, err := os.Stat(arg); err == nil && info.IsDir() && len(files) == before {
			warn(arg + ": no input files in directory")
		}
	}
	return files, errs
}

// readInput reads a file, or stdin for "-" (an empty stdin is warned
// about as an empty file is: a pipe that delivered nothing is no capture).
func readInput(path string, stdin io.Reader, warn func(string)) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		if len(b) == 0 {
			warn("stdin: empty input")
		}
		return b, nil
	}
	return os.ReadFile(path)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// progress draws a one-line progress bar on a terminal; elsewhere it is
// silent so that logs and pipes stay clean.
type progress struct {
	w           io.Writer
	on          bool
	total, seen int64
	last        int
}

func newProgress(w io.Writer, on bool, files []inputFile) *progress {
	p := &progress{w: w, on: on}
	for _, f := range files {
		p.total += f.size
	}
	return p
}

func (p *progress) advance(n int64) {
	if !p.on || p.total <= 0 {
		return
	}
	p.seen += n
	pct := int(p.seen * 100 / p.total)
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%", strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct)
}

func (p *progress) finish() {
	if p.on && p.total > 0 {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
