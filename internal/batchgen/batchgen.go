// Package batchgen generates realistic CloudWatch Logs subscription batches
// for benchmarks and load tests: a deterministic mix of Lambda platform
// lines (text and JSON), authentication lines in the shapes logwarden must
// recognise, and ordinary application output, in every encoding a batch
// travels in (document, gzip, awslogs event).
package batchgen

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// Options shape a generated batch. Zero fields take the defaults of a
// max-size batch.
type Options struct {
	Events    int    // number of log events; default 5000
	Seed      uint64 // PRNG seed; same seed, same batch
	LogGroup  string // default "/aws/lambda/checkout-api"
	LogStream string // default a $LATEST stream name
	// StartMs is the first event's timestamp (epoch ms); default 2024-06-17.
	StartMs int64
}

// Batch is one generated subscription batch in each of its encodings.
type Batch struct {
	Document []byte // the DATA_MESSAGE JSON, as CloudWatch writes it
	Gzip     []byte // Document gzip'd at level 6, as CloudWatch sends it
	Base64   string // base64 of Gzip: the awslogs.data value
	Event    []byte // {"awslogs":{"data":...}}: what the Lambda receives
	Messages []string
	// Kinds counts generated lines by family ("platform", "auth", "app"),
	// so tests can check the mix.
	Kinds map[string]int
}

type logEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

type document struct {
	MessageType         string     `json:"messageType"`
	Owner               string     `json:"owner"`
	LogGroup            string     `json:"logGroup"`
	LogStream           string     `json:"logStream"`
	SubscriptionFilters []string   `json:"subscriptionFilters"`
	LogEvents           []logEvent `json:"logEvents"`
}

var (
	maxOnce  sync.Once
	maxBatch Batch
)

// Max returns the default max-size batch (about 5,000 events, ~1.5 MB
// inflated), generated once per process. Callers must not modify it.
func Max() Batch {
	maxOnce.Do(func() { maxBatch = Generate(Options{}) })
	return maxBatch
}

// Generate builds a batch deterministically from o.
func Generate(o Options) Batch {
	if o.Events <= 0 {
		o.Events = 5000
	}
	if o.LogGroup == "" {
		o.LogGroup = "/aws/lambda/checkout-api"
	}
	if o.LogStream == "" {
		o.LogStream = "2024/06/17/[$LATEST]94fa867e5374431291a7fc14e2f56ae7"
	}
	if o.StartMs == 0 {
		o.StartMs = 1718645035000
	}
	g := &gen{r: rand.New(rand.NewPCG(o.Seed, 0x6c6f67776172)), ts: o.StartMs, kinds: map[string]int{}}
	for len(g.msgs) < o.Events {
		g.invocation()
	}
	g.msgs = g.msgs[:o.Events]
	doc := document{
		MessageType: "DATA_MESSAGE", Owner: "123456789012",
		LogGroup: o.LogGroup, LogStream: o.LogStream,
		SubscriptionFilters: []string{"logwarden"},
		LogEvents:           make([]logEvent, len(g.msgs)),
	}
	for i, m := range g.msgs {
		doc.LogEvents[i] = logEvent{ID: g.ids[i], Timestamp: g.tss[i], Message: m}
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // CloudWatch does not HTML-escape
	if err := enc.Encode(doc); err != nil {
		panic(fmt.Sprintf("batchgen: encode: %v", err)) // plain strings only: cannot fail
	}
	document := bytes.TrimSuffix(js.Bytes(), []byte("\n"))
	gz := Gzip(document)
	b64 := base64.StdEncoding.EncodeToString(gz)
	event, _ := json.Marshal(map[string]map[string]string{"awslogs": {"data": b64}})
	return Batch{Document: document, Gzip: gz, Base64: b64, Event: event, Messages: g.msgs, Kinds: g.kinds}
}

// Gzip compresses b at level 6, the level CloudWatch Logs uses.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, 6)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}
