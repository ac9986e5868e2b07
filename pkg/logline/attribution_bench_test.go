package logline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkParseAuthCorpus parses every sample of testdata/auth: lines that
// all pass the prefilter, so it measures the matchers and attribution
// rather than the prefilter that ordinary lines stop at (BenchmarkParse).
func BenchmarkParseAuthCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "auth", "*", "input.txt"))
	var lines []string
	size := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for l := range strings.SplitSeq(strings.TrimRight(string(data), "\n"), "\n") {
			lines = append(lines, l)
			size += len(l)
		}
	}
	if len(lines) == 0 {
		b.Skip("no corpus")
	}
	p := Default()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			p.Parse(l)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
}
