package logline

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// benchMix builds a realistic log group batch: ~30 % platform lines, ~10 %
// auth lines, the rest ordinary application lines of 80–400 bytes.
func benchMix(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"order", "processed", "customer", "item", "cache", "miss", "request", "handler", "queue", "message",
		"payload", "retry", "upstream", "latency", "record", "batch", "config", "loaded", "user", "session", "token", "value"}
	app := func() string {
		var b bytes.Buffer
		fmt.Fprintf(&b, "2024-06-17T17:23:55.%03dZ\t%08x-1111-4222-8333-444455556666\tINFO\t", r.IntN(1000), r.Uint32())
		target := 80 + r.IntN(320)
		for b.Len() < target {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
			if r.IntN(5) == 0 {
				fmt.Fprintf(&b, "%d ", r.IntN(100000))
			}
		}
		return b.String()
	}
	jsonApp := func() string {
		return fmt.Sprintf(`{"timestamp":"2024-02-09T08:42:44.078Z","level":"INFO","requestId":"%08x-0000-4000-8000-000000000000","message":"handled %s %s in %d ms"}`+"\n",
			r.Uint32(), words[r.IntN(len(words))], words[r.IntN(len(words))], r.IntN(900))
	}
	platform := []func() string{
		func() string {
			return fmt.Sprintf("START RequestId: %08x-b765-490f-ad8a-02ab3415e2bf Version: $LATEST\n", r.Uint32())
		},
		func() string { return fmt.Sprintf("END RequestId: %08x-b765-490f-ad8a-02ab3415e2bf\n", r.Uint32()) },
		func() string {
			return fmt.Sprintf("REPORT RequestId: %08x-b765-490f-ad8a-02ab3415e2bf\tDuration: %d.%02d ms\tBilled Duration: %d ms\tMemory Size: 512 MB\tMax Memory Used: %d MB\t\n",
				r.Uint32(), r.IntN(900), r.IntN(100), r.IntN(900)+1, 60+r.IntN(200))
		},
		func() string {
			return fmt.Sprintf(`{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"%08x-a38d-40fc-aa6b-7e3be2b7aa55","metrics":{"durationMs":18.593,"billedDurationMs":19,"memorySizeMB":2048,"maxMemoryUsedMB":246},"status":"success"}}`, r.Uint32())
		},
	}
	auth := []func() string{
		func() string {
			return fmt.Sprintf("Mar  1 10:00:00 ip-10-0-0-1 sshd[%d]: Failed password for invalid user admin from 203.0.113.%d port %d ssh2", r.IntN(30000), r.IntN(255), r.IntN(65000))
		},
		func() string {
			return fmt.Sprintf(`{"level":"warn","event":"login","outcome":"failure","username":"user%d","sourceIp":"198.51.100.%d","requestId":"r-%d"}`, r.IntN(100), r.IntN(255), r.IntN(1e6))
		},
		func() string {
			return fmt.Sprintf(`{"requestId":"%08x","ip":"51.14.4.%d","httpMethod":"POST","resourcePath":"/login","status":"401","protocol":"HTTP/1.1","user":"-"}`, r.Uint32(), r.IntN(255))
		},
		func() string {
			return fmt.Sprintf("2024-01-01T00:00:00Z WARN login failed for bob%d from 203.0.113.%d", r.IntN(50), r.IntN(255))
		},
	}
	out := make([]string, n)
	for i := range out {
		switch p := r.IntN(100); {
		case p < 30:
			out[i] = platform[r.IntN(len(platform))]()
		case p < 40:
			out[i] = auth[r.IntN(len(auth))]()
		case p < 55:
			out[i] = jsonApp()
		default:
			out[i] = app()
		}
	}
	return out
}

func mixBytes(lines []string) (n int64) {
	for _, l := range lines {
		n += int64(len(l))
	}
	return n
}

// BenchmarkParse classifies a 5,000-event mix; bytes are message bytes.
func BenchmarkParse(b *testing.B) {
	lines := benchMix(5000)
	p := Default()
	b.SetBytes(mixBytes(lines))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, l := range lines {
			_ = p.Parse(l)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lines)), "ns/line")
}

// BenchmarkFloor base64-decodes and gunzips the same mix wrapped as a
// subscription document: the cost of merely reading the batch. Compare its
// MB/s with BenchmarkParse's to see what classification adds.
func BenchmarkFloor(b *testing.B) {
	lines := benchMix(5000)
	type ev struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	doc := struct {
		LogEvents []ev `json:"logEvents"`
	}{}
	for i, l := range lines {
		doc.LogEvents = append(doc.LogEvents, ev{ID: fmt.Sprintf("%056d", i), Timestamp: 1718645035000 + int64(i), Message: l})
	}
	raw, _ := json.Marshal(doc)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(raw)
	_ = w.Close()
	enc := base64.StdEncoding.EncodeToString(gz.Bytes())
	dec := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	out := bytes.NewBuffer(make([]byte, 0, len(raw)))
	var zr kgzip.Reader
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n, err := base64.StdEncoding.Decode(dec, []byte(enc))
		if err != nil {
			b.Fatal(err)
		}
		if err := zr.Reset(bytes.NewReader(dec[:n])); err != nil {
			b.Fatal(err)
		}
		out.Reset()
		if _, err := io.Copy(out, &zr); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	lines := benchMix(2000)
	p := Default()
	allocs := testing.AllocsPerRun(5, func() {
		for _, l := range lines {
			_ = p.Parse(l)
		}
	})
	require := allocs / float64(len(lines))
	if require > 0.05 {
		t.Fatalf("%.3f allocations per line, want ~0", require)
	}
}
