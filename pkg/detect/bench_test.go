package detect_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/logwarden/logwarden/internal/batchgen"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
)

// maxBatch classifies batchgen's max-size batch (5,000 events, the
// production mix) into one function's observations.
func maxBatch() ([]string, []detect.Observation) {
	msgs := batchgen.Max().Messages
	obs := make([]detect.Observation, 0, len(msgs))
	t := time.Date(2024, 6, 17, 12, 0, 0, 0, time.UTC)
	for i, m := range msgs {
		obs = append(obs, detect.Observation{Time: t.Add(time.Duration(i) * 10 * time.Millisecond),
			LogGroup: "/aws/lambda/checkout-api", LogStream: "2024/06/17/[$LATEST]0123", Event: logline.Default().Parse(m)})
	}
	return msgs, obs
}

// BenchmarkEvaluate is detection per max-size batch against warm state
// (baselines learned, auth records present): Keys, the state lookup and
// Evaluate, as the pipeline runs them. Compare ns/op with
// BenchmarkParseMaxBatch in the same run: detection must add < 30 %.
func BenchmarkEvaluate(b *testing.B) {
	_, obs := maxBatch()
	state := map[string][]byte{}
	in := detect.Input{Function: "checkout-api", LogGroup: "/aws/lambda/checkout-api",
		Thresholds: detect.Defaults(), Observations: obs}
	for i := range 3 { // warm the records with earlier deliveries
		in.BatchID = fmt.Sprint("warm", i)
		res, err := detect.Evaluate(in, state)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range res.Updates {
			state[u.Key] = u.Data
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n++
		in.BatchID = fmt.Sprint("bench", n)
		keys := detect.Keys(in)
		read := make(map[string][]byte, len(keys))
		for _, k := range keys {
			if v, ok := state[k]; ok {
				read[k] = v
			}
		}
		if _, err := detect.Evaluate(in, read); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(detect.Keys(in))), "keys/batch")
}

// BenchmarkParseMaxBatch classifies the same batch: the reference for
// BenchmarkEvaluate's overhead.
func BenchmarkParseMaxBatch(b *testing.B) {
	msgs, _ := maxBatch()
	p := logline.Default()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, m := range msgs {
			_ = p.Parse(m)
		}
	}
}
