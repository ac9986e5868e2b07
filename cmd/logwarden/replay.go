package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/channels"
	"github.com/logwarden/logwarden/pkg/notify/console"
	"github.com/logwarden/logwarden/pkg/notify/slack"
	"github.com/logwarden/logwarden/pkg/pipeline"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/open"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

func init() {
	register(&command{name: "replay", summary: "run the whole detector over captured deliveries", run: runReplay})
}

const replayUsage = `usage: logwarden replay [--json] [--store PATH|dynamodb] [--thresholds FILE] [--rules FILE] [--notify] FILE|DIR...

Runs the detector over captured CloudWatch Logs deliveries (every format 'logwarden parse'
reads) in input order, with the log events' own timestamps as the clock, so the result is
deterministic. Prints the alerts that would have been sent (after cooldowns, muting and
minimum severity); a summary goes to stderr. Use it to tune: replay last week's captures
with other thresholds and see what would have fired.

flags:
`

type replayOpts struct {
	json, notify      bool
	storePath, thFile string
	rulesFile         string
	progress          bool
	stdout, stderr    io.Writer
	getenv            func(string) string
}

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, replayUsage); fs.PrintDefaults() }
	o := replayOpts{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	fs.BoolVar(&o.json, "json", false, "one JSON object per alert on stdout (fields as in README)")
	fs.StringVar(&o.storePath, "store", "", "state store: a bbolt file, or 'dynamodb' (default: a fresh temporary store)")
	fs.StringVar(&o.thFile, "thresholds", "", "threshold items as a JSON file (a list of {\"id\":..., attributes})")
	fs.StringVar(&o.rulesFile, "rules", "", "extra classification rules (see 'logwarden parse --rules')")
	fs.BoolVar(&o.notify, "notify", false, "also send the alerts through the channels configured in the environment")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	o.progress = isTerminal(stderr)
	code, err := replay(context.Background(), o, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "logwarden replay:", err)
		return 1
	}
	return code
}

// replayer is one replay run.
type replayer struct {
	o     replayOpts
	proc  *pipeline.Processor
	disp  *alerting.Dispatcher
	stats replayStats
	prog  *progress
}

type replayStats struct {
	files, batches, control, events, failed int
	bytes                                   int64
	detected                                map[string]int
	sent                                    int
	suppressed                              map[string]int
}

func replay(ctx context.Context, o replayOpts, inputs []string) (int, error) {
	parser, err := parserFromRules(o.rulesFile)
	if err != nil {
		return 0, err
	}
	stores, cleanup, err := openReplayStore(ctx, o.storePath)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	cache := &pipeline.ThresholdCache{Config: stores.Config, OnInvalid: func(err error) {
		fmt.Fprintln(o.stderr, "thresholds:", err)
	}}
	if o.thFile != "" {
		items, err := thresholds.LoadFile(o.thFile)
		if err != nil {
			return 0, err
		}
		cache.Static = items
		if _, err := thresholds.New(items); err != nil {
			return 0, fmt.Errorf("%s: %w", o.thFile, err)
		}
	}
	notifiers, err := replayNotifiers(ctx, o, stores.State)
	if err != nil {
		return 0, err
	}
	log := logrus.New()
	log.SetOutput(o.stderr)
	var clock time.Time
	r := &replayer{o: o, proc: &pipeline.Processor{Parser: parser, State: stores.State, Thresholds: cache}}
	r.disp = alerting.New(stores.State, notifiers, cache.RouteFor(ctx, func() time.Time { return clock }), logrus.NewEntry(log))
	r.stats.detected, r.stats.suppressed = map[string]int{}, map[string]int{}
	files, errs := expandInputs(inputs)
	for _, err := range errs {
		r.stats.failed++
		fmt.Fprintln(o.stderr, "error:", err)
	}
	r.prog = newProgress(o.stderr, o.progress, files)
	start := time.Now()
	for _, f := range files {
		r.file(ctx, f, &clock)
	}
	r.prog.finish()
	r.summary(time.Since(start))
	if r.stats.failed > 0 {
		return 1, nil
	}
	return 0, nil
}

// file decodes one input and runs its batches in order.
func (r *replayer) file(ctx context.Context, f inputFile, clock *time.Time) {
	data, err := readInput(f.path)
	if err != nil {
		r.stats.failed++
		fmt.Fprintln(r.o.stderr, "error:", err)
		return
	}
	r.stats.files++
	r.stats.bytes += int64(len(data))
	errs := cwlogs.Decode(f.name, data, cwlogs.Limits{}, func(b cwlogs.Batch) {
		r.batch(ctx, &b, clock)
	})
	for _, err := range errs {
		r.stats.failed++
		fmt.Fprintln(r.o.stderr, "error:", err)
	}
	r.prog.advance(int64(len(data)))
}

func (r *replayer) batch(ctx context.Context, b *cwlogs.Batch, clock *time.Time) {
	r.stats.batches++
	if b.IsControl() {
		r.stats.control++
		return
	}
	// The clock is the newest event of the batch: windows, expiry and
	// cooldowns follow the captured time, not the replay's.
	for _, ev := range b.LogEvents {
		if t := time.UnixMilli(ev.Timestamp).UTC(); t.After(*clock) {
			*clock = t
		}
	}
	r.stats.events += len(b.LogEvents)
	res, err := r.proc.Process(ctx, b, *clock)
	if err != nil {
		r.stats.failed++
		fmt.Fprintf(r.o.stderr, "error: %s: %v\n", b.Source, err)
		return
	}
	for _, a := range res.Alerts {
		r.stats.detected[a.Type]++
	}
	rep := r.disp.Dispatch(ctx, res.Alerts, *clock)
	for k, v := range rep.Suppressed {
		r.stats.suppressed[k] += v
	}
}

func (r *replayer) summary(elapsed time.Duration) {
	s := r.stats
	secs := elapsed.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	fmt.Fprintf(r.o.stderr, "replayed %d files, %d batches (%d control), %d events, %.1f MB in %.2fs (%.0f events/s)\n",
		s.files, s.batches, s.control, s.events, float64(s.bytes)/1e6, secs, float64(s.events)/secs)
	total := 0
	for _, t := range detect.AlertTypes {
		total += s.detected[t]
	}
	fmt.Fprintf(r.o.stderr, "detected %d alerts", total)
	for _, t := range detect.AlertTypes {
		if n := s.detected[t]; n > 0 {
			fmt.Fprintf(r.o.stderr, ", %s %d", t, n)
		}
	}
	fmt.Fprintln(r.o.stderr)
	if len(s.suppressed) > 0 {
		fmt.Fprintf(r.o.stderr, "suppressed by the alert lifecycle:")
		for _, k := range sortedKeys(s.suppressed) {
			fmt.Fprintf(r.o.stderr, " %s %d", k, s.suppressed[k])
		}
		fmt.Fprintln(r.o.stderr)
	}
	if s.failed > 0 {
		fmt.Fprintf(r.o.stderr, "%d inputs failed (see errors above)\n", s.failed)
	}
}

// openReplayStore opens --store, or a fresh in-memory store so that a
// replay never mixes with earlier state by accident. (A throwaway bbolt file
// made `make demo` wait on one fsync per batch: 18 s of a 0.3 s replay on a
// busy disk.)
func openReplayStore(ctx context.Context, path string) (*open.Stores, func(), error) {
	if path == "" {
		mem := store.NewMemory()
		return &open.Stores{State: mem, Config: mem, Desc: "in-memory store"}, func() {}, nil
	}
	stores, err := open.FromEnv(ctx, open.Options{StorePath: path})
	if err != nil {
		return nil, nil, err
	}
	return stores, func() { _ = stores.Close() }, nil
}

// replayNotifiers prints alerts on stdout (text or JSON) and, with
// --notify, also sends them through the configured channels.
func replayNotifiers(ctx context.Context, o replayOpts, state store.State) (map[string]notify.Notifier, error) {
	out := map[string]notify.Notifier{}
	if o.json {
		out["stdout"] = jsonNotifier{w: o.stdout}
	} else {
		cfg, _ := channels.FromEnv(o.getenv)
		out["stdout"] = console.New(o.stdout, cfg.Render)
	}
	if !o.notify {
		return out, nil
	}
	cfg, errs := channels.FromEnv(o.getenv)
	if len(errs) > 0 {
		return nil, fmt.Errorf("--notify: %v", errs)
	}
	if !cfg.Slack() && !cfg.Email() {
		return nil, fmt.Errorf("--notify: %s", channels.Hint())
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("--notify: AWS configuration: %w", err)
	}
	cfg.SlackThreads = slack.StateThreads{State: state, Now: func() time.Time { return time.Now().UTC() }}
	chans, err := channels.Build(ctx, cfg, awsCfg)
	if err != nil {
		return nil, fmt.Errorf("--notify: %w", err)
	}
	for k, v := range chans {
		out[k] = v
	}
	return out, nil
}

// jsonNotifier writes one JSON object per alert: the replay --json contract.
type jsonNotifier struct{ w io.Writer }

func (jsonNotifier) Name() string { return "stdout" }

func (n jsonNotifier) Notify(_ context.Context, alerts ...detect.Alert) (bool, error) {
	enc := json.NewEncoder(n.w)
	for _, a := range alerts {
		if err := enc.Encode(a); err != nil {
			return false, err
		}
	}
	return false, nil
}

func parserFromRules(path string) (*logline.Parser, error) {
	if path == "" {
		return logline.Default(), nil
	}
	rules, err := logline.LoadRules(path)
	if err != nil {
		return nil, err
	}
	return logline.New(rules...)
}
