package main

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
)

const parseLong = `Decodes captured CloudWatch Logs deliveries and classifies every log event.
The format of each input is detected from its content: a Lambda subscription
event ({"awslogs":{"data":...}}), a Kinesis Data Streams or Firehose event,
gzip (one or several members, as Firehose writes to S3), a bare base64
awslogs.data value, one or more concatenated subscription documents (what
'logwarden fetch' writes), the JSON of 'aws logs filter-log-events' or
'get-log-events' (log group: --log-group, else the file name, said on
stderr), a CloudWatch Logs export to S3 (gzip'd "<RFC 3339 time> <message>"
lines). Anything else is plain text: one event per non-empty line; lines
without a leading timestamp get a warning. A DIR is walked in lexical order;
- reads standard input; empty files and directories get a warning.

Output (one of):
  default     a table: TIME (UTC), GROUP, KIND and the key facts of each event
  --json      one JSON object per log event, in input order:
                kind          report|timeout|crash|auth_failure|auth_success|platform|other
                log_group, log_stream; timestamp (epoch ms) and id when known
                request_id    when the line names one
                report:       duration_ms, billed_duration_ms, memory_size_mb,
                              max_memory_used_mb, init_duration_ms,
                              restore_duration_ms, status (success|timeout|error),
                              error_type (absent fields are omitted)
                timeout:      timeout_s
                crash:        reason
                auth_*:       ip, user, reason, rule
  --summary   counts per kind, batches (and CONTROL_MESSAGEs among them),
              events, inflated bytes, elapsed time and throughput (MB/s,
              events/s); nothing per event. With --json: one JSON object.

CONTROL_MESSAGE batches are counted but have no events to print. Errors go to
stderr naming the input (file, record, document); every other input is still
processed, and the exit code is 1 if any failed (2 for usage errors).`

func init() { register(newParseCmd) }

type parseCmd struct {
	json, summary bool
	logGroup      string
	parser        *logline.Parser
	lim           cwlogs.Limits
	out           *bufio.Writer
	stdin         io.Reader
	stderr        io.Writer
	failed        bool
	stats         parseStats
	buf           []byte
	header        bool // table header printed
}

func newParseCmd(o cliIO) *cobra.Command {
	c := &parseCmd{stderr: o.stderr}
	var rules string
	var maxMiB int64
	cmd := &cobra.Command{
		Use:   "parse [flags] FILE|DIR|-...",
		Short: "decode and classify captured log deliveries",
		Long:  parseLong,
		Args:  minArgs(1, "at least one input (use - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if maxMiB <= 0 {
				return usageErrorf("--max-inflated must be positive")
			}
			c.lim = cwlogs.Limits{MaxInflated: maxMiB << 20}
			c.parser = logline.Default()
			if rules != "" {
				extra, err := logline.LoadRules(rules)
				if err == nil {
					c.parser, err = logline.New(extra...)
				}
				if err != nil {
					return &usageError{err}
				}
			}
			c.out = bufio.NewWriterSize(o.stdout, 64<<10)
			c.stdin = cmd.InOrStdin()
			return c.run(args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&c.json, "json", false, "print one JSON object per event (or, with --summary, the summary as JSON)")
	fl.BoolVar(&c.summary, "summary", false, "print only counts and throughput")
	fl.StringVar(&rules, "rules", "", "JSON or YAML `FILE` of extra classification rules (see pkg/logline.Rule)")
	fl.Int64Var(&maxMiB, "max-inflated", cwlogs.DefaultMaxInflated>>20, "largest inflated size of one payload or gzip file, in `MiB`")
	fl.StringVar(&c.logGroup, "log-group", "", "log group `NAME` of inputs that name none (AWS CLI output, S3 exports, plain text); default: the file name")
	return cmd
}

func (c *parseCmd) run(args []string) error {
	start := time.Now()
	for _, arg := range args {
		c.arg(arg)
	}
	c.stats.elapsed = time.Since(start)
	if c.summary {
		c.printSummary()
	}
	if err := c.out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if c.failed {
		return exitCode(1)
	}
	return nil
}

func (c *parseCmd) warn(msg string) { fmt.Fprintf(c.stderr, "logwarden parse: warning: %s\n", msg) }

func (c *parseCmd) fail(err error) {
	c.failed = true
	c.stats.errors++
	fmt.Fprintf(c.stderr, "logwarden parse: %v\n", err)
}

// arg processes one command-line input: stdin, a file or a directory tree
// (walked as replay walks it, so both commands read the same files).
func (c *parseCmd) arg(arg string) {
	files, errs := expandInputs([]string{arg}, c.warn)
	for _, err := range errs {
		c.fail(err)
	}
	for _, f := range files {
		data, err := readInput(f.path, c.stdin, c.warn)
		if err != nil {
			c.fail(err) // unreadable input: report it and go on with the rest
			continue
		}
		c.input(f.name, data)
	}
}

func (c *parseCmd) input(name string, data []byte) {
	c.stats.inputs++
	c.stats.inputBytes += int64(len(data))
	in := cwlogs.Input{Name: name, LogGroup: c.logGroup, Limits: c.lim, Warn: c.warn}
	for _, err := range cwlogs.DecodeInput(in, data, c.batch) {
		c.fail(err)
	}
}

func (c *parseCmd) batch(b cwlogs.Batch) {
	c.stats.batches++
	c.stats.bytes += int64(b.Bytes)
	if b.IsControl() {
		c.stats.control++
		return
	}
	for i := range b.LogEvents {
		ev := &b.LogEvents[i]
		e := c.parser.Parse(ev.Message)
		c.stats.events++
		c.stats.kinds[e.Kind]++
		switch {
		case c.summary:
		case c.json:
			c.buf = parseAppendEventJSON(c.buf[:0], &b, ev, &e)
			c.out.Write(c.buf)
		default:
			if !c.header {
				c.out.WriteString(parseTableHeader)
				c.header = true
			}
			c.buf = parseAppendEventRow(c.buf[:0], &b, ev, &e)
			c.out.Write(c.buf)
		}
	}
}
