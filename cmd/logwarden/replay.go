package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

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

func init() { register(newReplayCmd) }

const replayLong = `Runs the detector over captured CloudWatch Logs deliveries (every format 'logwarden parse'
reads, including what 'logwarden fetch' and 'aws logs filter-log-events' write) in input
order, with the log events' own timestamps as the clock, so the result is deterministic.
Events without a timestamp (plain text without times) are skipped with a warning: they
cannot be placed in time. Prints the alerts that would have been sent (after cooldowns,
muting and minimum severity); a summary goes to stderr. Use it to tune: replay last week's
captures with other thresholds and see what would have fired.

Stores (a replay never writes the live state table unless --store dynamodb):
  default          state in memory, gone at the end;
                   thresholds, read only, from where 'logwarden thresholds' writes them:
                   the DynamoDB threshold table when one is configured
                   (LOGWARDEN_CONFIG_TABLE, --stack or LOGWARDEN_STACK), else the
                   default embedded store if it exists
  --store PATH     state and thresholds in that embedded file (kept: inspect it with
                   'logwarden baselines --store PATH')
  --store dynamodb the deployed tables, state included: the replay changes live baselines
--thresholds FILE items override the store's items of the same id.`

type replayOpts struct {
	json, notify      bool
	storePath, thFile string
	rulesFile         string
	stack, logGroup   string
	progress          bool
	stdin             io.Reader
	stdout, stderr    io.Writer
	getenv            func(string) string
}

func newReplayCmd(cio cliIO) *cobra.Command {
	o := replayOpts{stdout: cio.stdout, stderr: cio.stderr, getenv: os.Getenv}
	cmd := &cobra.Command{
		Use:   "replay [flags] FILE|DIR...",
		Short: "run the whole detector over captured deliveries",
		Long:  replayLong,
		Args:  minArgs(1, "at least one input FILE or DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.progress = isTerminal(o.stderr)
			o.stdin = cmd.InOrStdin()
			code, err := replay(cmd.Context(), o, args)
			if err != nil {
				return err
			}
			if code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.json, "json", false, "one JSON object per alert on stdout (fields as in README)")
	fl.StringVar(&o.storePath, "store", "", "state store: an embedded `PATH`, or 'dynamodb' (default: in memory, gone at the end)")
	fl.StringVar(&o.stack, "stack", "", "CloudFormation stack `NAME` whose outputs name the tables (default $LOGWARDEN_STACK)")
	fl.StringVar(&o.thFile, "thresholds", "", "threshold items as a JSON `FILE` (a list of {\"id\":..., attributes})")
	fl.StringVar(&o.rulesFile, "rules", "", "extra classification rules `FILE` (see 'logwarden parse --rules')")
	fl.StringVar(&o.logGroup, "log-group", "", "log group `NAME` of inputs that name none (AWS CLI output, S3 exports, plain text); default: the file name")
	fl.BoolVar(&o.notify, "notify", false, "also send the alerts through the channels configured in the environment")
	return cmd
}

func (r *replayer) warn(msg string) { fmt.Fprintf(r.o.stderr, "logwarden replay: warning: %s\n", msg) }

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
	untimed                                 int
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
	stores, cleanup, err := openReplayStore(ctx, o)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	fmt.Fprintf(o.stderr, "logwarden replay: %s\n", stores.Desc)
	cache := &pipeline.ThresholdCache{Config: stores.Config, OnInvalid: func(err error) {
		fmt.Fprintln(o.stderr, "logwarden replay: thresholds:", err)
	}}
	if o.thFile != "" {
		items, err := thresholds.LoadFile(o.thFile)
		if err != nil {
			return 0, err
		}
		if _, err := thresholds.New(items); err != nil {
			return 0, fmt.Errorf("%s: %w", o.thFile, err)
		}
		cache.Config = overlayConfig{Config: stores.Config, over: items}
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
	files, errs := expandInputs(inputs, r.warn)
	for _, err := range errs {
		r.stats.failed++
		fmt.Fprintln(o.stderr, "logwarden replay:", err)
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
	data, err := readInput(f.path, r.o.stdin, r.warn)
	if err != nil {
		r.stats.failed++
		fmt.Fprintln(r.o.stderr, "logwarden replay:", err)
		return
	}
	r.stats.files++
	r.stats.bytes += int64(len(data))
	in := cwlogs.Input{Name: f.name, LogGroup: r.o.logGroup, Warn: r.warn}
	untimed := r.stats.untimed
	errs := cwlogs.DecodeInput(in, data, func(b cwlogs.Batch) {
		r.batch(ctx, &b, clock)
	})
	for _, err := range errs {
		r.stats.failed++
		fmt.Fprintln(r.o.stderr, "logwarden replay:", err)
	}
	if n := r.stats.untimed - untimed; n > 0 {
		r.warn(fmt.Sprintf("%s: skipped %d events without a timestamp: a replay runs on the events' own times "+
			"(capture with 'logwarden fetch' or 'aws logs filter-log-events' to keep them)", f.name, n))
	}
	r.prog.advance(int64(len(data)))
}

func (r *replayer) batch(ctx context.Context, b *cwlogs.Batch, clock *time.Time) {
	r.stats.batches++
	if b.IsControl() {
		r.stats.control++
		return
	}
	// An event without a time cannot be placed: run at the epoch it would
	// alert "When: 1970-01-01", at the wall clock it would mix with the
	// capture's times. It is skipped and counted.
	if slices.ContainsFunc(b.LogEvents, func(ev cwlogs.LogEvent) bool { return ev.Timestamp <= 0 }) {
		n := len(b.LogEvents)
		b.LogEvents = slices.DeleteFunc(slices.Clone(b.LogEvents), func(ev cwlogs.LogEvent) bool { return ev.Timestamp <= 0 })
		r.stats.untimed += n - len(b.LogEvents)
		if len(b.LogEvents) == 0 {
			return
		}
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
		fmt.Fprintf(r.o.stderr, "logwarden replay: %s: %v\n", b.Source, err)
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

// openReplayStore opens --store, or fresh in-memory state so that a replay
// never mixes with earlier state by accident, reading thresholds from the
// deployed threshold table when there is one.
func openReplayStore(ctx context.Context, o replayOpts) (*open.Stores, func(), error) {
	stores, err := open.ForReplay(ctx, open.Options{StorePath: o.storePath, Stack: o.stack, Getenv: o.getenv})
	if err != nil {
		return nil, nil, err
	}
	return stores, func() { _ = stores.Close() }, nil
}

// overlayConfig is the store's threshold items with --thresholds FILE's
// items in place of those of the same id: what is being tried wins over
// what is deployed. (ThresholdCache.Static would apply the file first and
// let the table override it.)
type overlayConfig struct {
	store.Config
	over []store.Item
}

func (c overlayConfig) ListItems(ctx context.Context) ([]store.Item, error) {
	base, err := c.Config.ListItems(ctx)
	if err != nil {
		return nil, err
	}
	replaced := map[string]bool{}
	for _, it := range c.over {
		replaced[it.ID] = true
	}
	out := make([]store.Item, 0, len(base)+len(c.over))
	for _, it := range base {
		if !replaced[it.ID] {
			out = append(out, it)
		}
	}
	return append(out, c.over...), nil
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
