package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/fetch"
)

const fetchLong = `Pulls log events from CloudWatch Logs (FilterLogEvents, paginated, with
backoff while throttled) into a capture that 'logwarden replay' and 'logwarden
parse' read: one subscription document per line, keeping log group, stream,
event id and timestamp, so a replay of the capture is a faithful backtest.
Events of several groups are merged in time order.

Times: --since and --until take a duration back from now (90m, 24h, 7d) or an
RFC 3339 time (2026-03-03T00:00:00Z); --until defaults to now.

Region, credentials and endpoint come from the AWS SDK's usual settings
(AWS_PROFILE or --profile, AWS_REGION or --region, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS).
A progress line goes to stderr when it is a terminal; a summary always.

  logwarden fetch --log-group /aws/lambda/checkout --since 24h --out checkout.jsonl
  logwarden replay checkout.jsonl`

func init() { register(newFetchCmd) }

type fetchFlags struct {
	groups               []string
	prefix, since, until string
	filterPattern, out   string
	profile, region      string
	chunk                time.Duration
}

func newFetchCmd(o cliIO) *cobra.Command {
	f := &fetchFlags{}
	cmd := &cobra.Command{
		Use:   "fetch",
		Short: "pull log events from CloudWatch Logs into a capture for replay",
		Long:  fetchLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options(time.Now())
			if err != nil {
				return err
			}
			return runFetch(cmd.Context(), f, opts, o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.groups, "log-group", nil, "log group `NAME` to fetch (repeatable)")
	fl.StringVar(&f.prefix, "log-group-prefix", "", "also fetch every log group whose name starts with `PREFIX`")
	fl.StringVar(&f.since, "since", "1h", "start: a `DURATION` back from now (90m, 24h, 7d) or an RFC 3339 time")
	fl.StringVar(&f.until, "until", "", "end (exclusive): a `DURATION` back from now or an RFC 3339 time (default now)")
	fl.StringVar(&f.filterPattern, "filter-pattern", "", "CloudWatch Logs filter `PATTERN` (default: every event)")
	fl.StringVar(&f.out, "out", "", "capture `FILE` to write (default standard output)")
	fl.DurationVar(&f.chunk, "chunk", fetch.DefaultChunk, "time slice fetched from every group and merged in memory before it is written (lower it for very busy groups)")
	fl.StringVar(&f.profile, "profile", "", "AWS shared config `PROFILE` (default $AWS_PROFILE)")
	fl.StringVar(&f.region, "region", "", "AWS `REGION` (default $AWS_REGION or the profile's)")
	return cmd
}

func (f *fetchFlags) options(now time.Time) (fetch.Options, error) {
	var o fetch.Options
	if len(f.groups) == 0 && f.prefix == "" {
		return o, usageErrorf("name the log groups: --log-group or --log-group-prefix")
	}
	for _, g := range f.groups {
		if strings.TrimSpace(g) == "" {
			return o, usageErrorf("--log-group must not be empty")
		}
	}
	start, err := parseWhen(f.since, now)
	if err != nil {
		return o, usageErrorf("--since: %v", err)
	}
	end := now
	if f.until != "" {
		if end, err = parseWhen(f.until, now); err != nil {
			return o, usageErrorf("--until: %v", err)
		}
	}
	if !start.Before(end) {
		return o, usageErrorf("--since (%s) must be before --until (%s)", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	if f.chunk <= 0 {
		return o, usageErrorf("--chunk must be positive")
	}
	return fetch.Options{Groups: f.groups, Prefix: f.prefix, Start: start, End: end, FilterPattern: f.filterPattern, Chunk: f.chunk}, nil
}

// parseWhen reads a duration back from now (Go syntax plus a "d" for days)
// or an RFC 3339 time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := parseAgo(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want a duration such as 90m, 24h or 7d, or an RFC 3339 time, got %q", s)
	}
	return now.Add(-d), nil
}

func parseAgo(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n <= 0 || n > 3650 {
			return 0, errors.New("bad days")
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("bad duration")
	}
	return d, nil
}

func runFetch(ctx context.Context, f *fetchFlags, opts fetch.Options, o cliIO) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var cfgOpts []func(*config.LoadOptions) error
	if f.profile != "" {
		cfgOpts = append(cfgOpts, config.WithSharedConfigProfile(f.profile))
	}
	if f.region != "" {
		cfgOpts = append(cfgOpts, config.WithRegion(f.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, cfgOpts...)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return errors.New("no AWS region configured (set AWS_REGION, --region or a profile's region)")
	}
	if isTerminal(o.stderr) {
		opts.Progress = func(p fetch.Progress) {
			fmt.Fprintf(o.stderr, "\r\033[K%d events, %d pages; %s through %s", p.Events, p.Pages, p.Group, p.Through.UTC().Format(time.RFC3339))
		}
	}
	out, finish, err := fetchOutput(f.out, o.stdout)
	if err != nil {
		return err
	}
	st, err := fetch.Fetch(ctx, cloudwatchlogs.NewFromConfig(cfg), opts, out)
	if opts.Progress != nil {
		fmt.Fprint(o.stderr, "\r\033[K")
	}
	if ferr := finish(err == nil); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	dest := "standard output"
	if f.out != "" {
		dest = f.out
	}
	fmt.Fprintf(o.stderr, "fetched %d events from %d log groups (%s to %s) into %s: %d documents, %d pages, %d throttled calls retried\n",
		st.Events, st.Groups, opts.Start.UTC().Format(time.RFC3339), opts.End.UTC().Format(time.RFC3339), dest,
		st.Documents, st.Pages, st.Throttled)
	if st.Events == 0 {
		fmt.Fprintln(o.stderr, "logwarden fetch: warning: no events in that time range (check --since/--until and --filter-pattern)")
	}
	return nil
}

// fetchOutput opens --out as a temporary file renamed into place only on
// success: a capture cut short by an error or ^C must not pass for a whole
// one in a later backtest.
func fetchOutput(path string, stdout io.Writer) (io.Writer, func(ok bool) error, error) {
	if path == "" {
		w := bufio.NewWriterSize(stdout, 256<<10)
		return w, func(bool) error { return w.Flush() }, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriterSize(tmp, 256<<10)
	return w, func(ok bool) error {
		err := w.Flush()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if ok && err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if !ok || err != nil {
			os.Remove(tmp.Name())
		}
		return err
	}, nil
}
