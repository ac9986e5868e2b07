package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/pipeline"
	"github.com/logwarden/logwarden/pkg/store"
)

// stage is one row of the table: op processes the whole corpus once.
type stage struct {
	name, what string
	setup      func(*corpus) (op func() error, err error)
}

var stages = []stage{
	{"floor", "find awslogs.data, base64-decode, gunzip (reused buffers)", floorStage},
	{"decode", "cwlogs.Decode: Lambda event -> batches of events", decodeStage},
	{"decode+classify", "decode, then logline.Default().Parse on every event", classifyStage},
	{"classify+50 rules", "decode+classify with 50 user regexp rules that never match the corpus", rulesStage},
	{"detect", "detect.Keys + state lookup + detect.Evaluate on classified batches", detectStage},
	{"pipeline", "decode + pipeline.Processor.Process against store.Memory (warm)", pipelineStage},
}

// floor is the least any decoder of the user's input must do.
type floor struct {
	raw []byte
	out bytes.Buffer
	zr  gzip.Reader
}

var dataKey = []byte(`"data":"`)

// event finds awslogs.data in one Lambda event and inflates it.
func (f *floor) event(ev []byte) (int, error) {
	i := bytes.Index(ev, dataKey)
	if i < 0 {
		return 0, errors.New("no awslogs.data")
	}
	ev = ev[i+len(dataKey):]
	j := bytes.IndexByte(ev, '"')
	if j < 0 {
		return 0, errors.New("unterminated data")
	}
	if n := base64.StdEncoding.DecodedLen(j); cap(f.raw) < n {
		f.raw = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(f.raw[:cap(f.raw)], ev[:j])
	if err != nil {
		return 0, err
	}
	if err := f.zr.Reset(bytes.NewReader(f.raw[:n])); err != nil {
		return 0, err
	}
	f.out.Reset()
	m, err := f.out.ReadFrom(&f.zr)
	return int(m), err
}

func floorStage(c *corpus) (func() error, error) {
	f := &floor{}
	return func() error {
		for _, b := range c.batches {
			if _, err := f.event(b.Event); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// decodeAll runs cwlogs.Decode, the CLI's decoder, over every Lambda event.
func decodeAll(c *corpus, emit func(cwlogs.Batch)) error {
	for _, b := range c.batches {
		if errs := cwlogs.Decode("bench", b.Event, cwlogs.Limits{}, emit); len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	return nil
}

func decodeStage(c *corpus) (func() error, error) {
	return func() error {
		n := 0
		err := decodeAll(c, func(b cwlogs.Batch) { n += len(b.LogEvents) })
		if err == nil && n != c.events {
			err = fmt.Errorf("decoded %d events, want %d", n, c.events)
		}
		return err
	}, nil
}

func classifyStage(c *corpus) (func() error, error) {
	p := logline.Default()
	return func() error {
		auth := 0
		err := decodeAll(c, func(b cwlogs.Batch) {
			for i := range b.LogEvents {
				if p.Parse(b.LogEvents[i].Message).Kind == logline.KindAuthFailure {
					auth++
				}
			}
		})
		if err == nil && auth == 0 {
			err = errors.New("no authentication failure classified: the corpus or the parser is wrong")
		}
		return err
	}, nil
}

// pipelineStage replays the corpus through one Processor, as a warm Lambda
// container processes deliveries. Each run renames the streams so that no
// delivery is skipped as a redelivery.
func pipelineStage(c *corpus) (func() error, error) {
	mem := store.NewMemory()
	proc := &pipeline.Processor{Parser: logline.Default(), State: mem, Thresholds: &pipeline.ThresholdCache{Config: mem}}
	run := 0
	op := func() error {
		run++
		suffix := "#" + strconv.Itoa(run)
		var perr error
		err := decodeAll(c, func(b cwlogs.Batch) {
			b.LogStream += suffix
			last := b.LogEvents[len(b.LogEvents)-1].Timestamp
			if _, err := proc.Process(context.Background(), &b, time.UnixMilli(last)); err != nil && perr == nil {
				perr = err
			}
		})
		return errors.Join(err, perr)
	}
	for range 3 { // learn baselines and fill the auth records first
		if err := op(); err != nil {
			return nil, err
		}
	}
	return op, nil
}

// rulesStage is decode+classify with 50 user rules loaded, none of which
// matches: what classification costs per rule. Issue #13 wants it to not
// depend on the number of rules.
func rulesStage(c *corpus) (func() error, error) {
	rules := make([]logline.Rule, 50)
	for i := range rules {
		rules[i] = logline.Rule{Name: fmt.Sprintf("vendor-%d", i), Kind: "auth_failure",
			Regex: fmt.Sprintf(`vendor%d access rejected for (?P<user>\\S+) from (?P<ip>\\S+)`, i)}
	}
	p, err := logline.New(rules...)
	if err != nil {
		return nil, err
	}
	return func() error {
		return decodeAll(c, func(b cwlogs.Batch) {
			for i := range b.LogEvents {
				_ = p.Parse(b.LogEvents[i].Message)
			}
		})
	}, nil
}
