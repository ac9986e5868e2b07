package main

import (
	"errors"
	"strconv"
	"time"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
)

// detectStage is detection alone on classified batches against warm
// state: what the pipeline does per batch between classification and the
// store (Keys, the lookup, Evaluate).
func detectStage(c *corpus) (func() error, error) {
	var inputs []detect.Input
	p := logline.Default()
	err := decodeAll(c, func(b cwlogs.Batch) {
		in := detect.Input{Function: detect.FunctionName(b.LogGroup), LogGroup: b.LogGroup, Thresholds: detect.Defaults()}
		for i := range b.LogEvents {
			ev := &b.LogEvents[i]
			e := p.Parse(ev.Message)
			if e.Kind == logline.KindOther || e.Kind == logline.KindPlatform {
				continue
			}
			in.Observations = append(in.Observations, detect.Observation{EventID: ev.ID, Time: time.UnixMilli(ev.Timestamp).UTC(),
				LogGroup: b.LogGroup, LogStream: b.LogStream, Account: b.Owner, Event: e})
		}
		inputs = append(inputs, in)
	})
	if err != nil {
		return nil, err
	}
	state := map[string][]byte{}
	run := 0
	op := func() error {
		run++
		for _, in := range inputs {
			in.BatchID = "bench" + strconv.Itoa(run)
			keys := detect.Keys(in)
			read := make(map[string][]byte, len(keys))
			for _, k := range keys {
				if v, ok := state[k]; ok {
					read[k] = v
				}
			}
			res, err := detect.Evaluate(in, read)
			if err != nil {
				return err
			}
			for _, u := range res.Updates {
				state[u.Key] = u.Data
			}
		}
		return nil
	}
	for range 3 {
		if err := op(); err != nil {
			return nil, err
		}
	}
	if len(state) == 0 {
		return nil, errors.New("detection wrote no state: the corpus has nothing to detect on")
	}
	return op, nil
}
