package cwlogs_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/logwarden/logwarden/internal/batchgen"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
)

// The three benchmarks run on the same max-size batch with SetBytes = its
// inflated size, so their MB/s compare directly: decode+classify against
// the floor is the ratio the performance target is stated in.

// BenchmarkFloor is the least any decoder must do: base64-decode and
// gunzip into reused buffers.
func BenchmarkFloor(b *testing.B) {
	batch := batchgen.Max()
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(batch.Base64)))
	var out bytes.Buffer
	zr := new(gzip.Reader)
	b.SetBytes(int64(len(batch.Document)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := base64.StdEncoding.Decode(raw, []byte(batch.Base64))
		if err != nil {
			b.Fatal(err)
		}
		if err := zr.Reset(bytes.NewReader(raw[:n])); err != nil {
			b.Fatal(err)
		}
		out.Reset()
		if _, err := out.ReadFrom(zr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode is decoding alone: the envelope to batches of events.
func BenchmarkDecode(b *testing.B) {
	batch := batchgen.Max()
	b.SetBytes(int64(len(batch.Document)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cwlogs.DecodeAWSLogs(batch.Base64, cwlogs.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(testing.AllocsPerRun(5, func() { _, _ = cwlogs.DecodeAWSLogs(batch.Base64, cwlogs.Limits{}) }))/float64(len(batch.Messages)), "allocs/event")
}

// BenchmarkDecodeClassify is what the processor does per batch before
// detection: decode, then classify every message with the built-in rules.
func BenchmarkDecodeClassify(b *testing.B) {
	batch := batchgen.Max()
	p := logline.Default()
	run := func() int {
		batches, err := cwlogs.DecodeAWSLogs(batch.Base64, cwlogs.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		auth := 0
		for i := range batches {
			for _, ev := range batches[i].LogEvents {
				if e := p.Parse(ev.Message); e.Kind >= logline.KindAuthFailure {
					auth++
				}
			}
		}
		return auth
	}
	b.SetBytes(int64(len(batch.Document)))
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	b.ReportMetric(testing.AllocsPerRun(5, func() { run() })/float64(len(batch.Messages)), "allocs/event")
	b.ReportMetric(float64(peakHeapGrowth(func() { run() }))/(1<<20), "peak-heap-MB")
}

// peakHeapGrowth bounds the heap one run adds: with the collector off,
// nothing is freed during f, so the growth of HeapAlloc is the most f can
// have had live at once (plus garbage), a safe upper bound on its peak.
func peakHeapGrowth(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	old := debug.SetGCPercent(-1)
	f()
	runtime.ReadMemStats(&after)
	debug.SetGCPercent(old)
	return after.HeapAlloc - before.HeapAlloc
}

// BenchmarkDecodeAWSCLI decodes the max-size batch's events as `aws logs
// filter-log-events` prints them (an "events" list with stream, id and
// ingestion time per event), the shape operators capture by hand.
func BenchmarkDecodeAWSCLI(b *testing.B) {
	batch := batchgen.Max()
	var doc struct {
		LogStream string `json:"logStream"`
		LogEvents []struct {
			ID        string `json:"id"`
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal(batch.Document, &doc); err != nil {
		b.Fatal(err)
	}
	type cliEvent struct {
		LogStreamName string `json:"logStreamName"`
		Timestamp     int64  `json:"timestamp"`
		Message       string `json:"message"`
		IngestionTime int64  `json:"ingestionTime"`
		EventID       string `json:"eventId"`
	}
	out := struct {
		Events []cliEvent `json:"events"`
	}{}
	for _, e := range doc.LogEvents {
		out.Events = append(out.Events, cliEvent{doc.LogStream, e.Timestamp, e.Message, e.Timestamp + 400, e.ID})
	}
	input, err := json.MarshalIndent(out, "", "    ")
	if err != nil {
		b.Fatal(err)
	}
	in := cwlogs.Input{Name: "f.json", LogGroup: "/aws/lambda/bench"}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		events := 0
		if errs := cwlogs.DecodeInput(in, input, func(bt cwlogs.Batch) { events += len(bt.LogEvents) }); len(errs) > 0 || events != len(doc.LogEvents) {
			b.Fatal(errs, events)
		}
	}
}
