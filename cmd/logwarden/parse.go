package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
)

const parseUsage = `usage: logwarden parse [--json] [--summary] [--rules FILE] [--max-inflated MIB] [FILE|DIR|-]...

Decodes captured CloudWatch Logs deliveries and classifies every log event.
The format of each input is detected from its content: a Lambda subscription
event ({"awslogs":{"data":...}}), a Kinesis Data Streams or Firehose event,
gzip (one or several members, as Firehose writes to S3), a bare base64
awslogs.data value, one or more concatenated subscription documents. Anything
else is plain text: one event per non-empty line, log group = file name.
A DIR is walked in lexical order; - reads standard input.

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
processed, and the exit code is 1 if any failed (2 for usage errors).

flags:
`

func init() {
	register(&command{name: "parse", summary: "decode and classify captured log deliveries", run: runParse})
}

type parseCmd struct {
	json, summary bool
	parser        *logline.Parser
	lim           cwlogs.Limits
	out           *bufio.Writer
	stderr        io.Writer
	failed        bool
	stats         parseStats
	buf           []byte
	header        bool // table header printed
}

func runParse(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("parse", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, parseUsage); fl.PrintDefaults() }
	c := &parseCmd{stderr: stderr, out: bufio.NewWriterSize(stdout, 64<<10)}
	fl.BoolVar(&c.json, "json", false, "print one JSON object per event (or, with --summary, the summary as JSON)")
	fl.BoolVar(&c.summary, "summary", false, "print only counts and throughput")
	rules := fl.String("rules", "", "JSON or YAML `FILE` of extra classification rules (see pkg/logline.Rule)")
	maxMiB := fl.Int64("max-inflated", cwlogs.DefaultMaxInflated>>20, "largest inflated size of one payload or gzip file, in `MiB`")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(stderr, "logwarden parse: no input given (use - for standard input)")
		fl.Usage()
		return 2
	}
	if *maxMiB <= 0 {
		fmt.Fprintln(stderr, "logwarden parse: --max-inflated must be positive")
		return 2
	}
	c.lim = cwlogs.Limits{MaxInflated: *maxMiB << 20}
	c.parser = logline.Default()
	if *rules != "" {
		extra, err := logline.LoadRules(*rules)
		if err == nil {
			c.parser, err = logline.New(extra...)
		}
		if err != nil {
			fmt.Fprintf(stderr, "logwarden parse: %v\n", err)
			return 2
		}
	}
	start := time.Now()
	for _, arg := range fl.Args() {
		c.arg(arg)
	}
	c.stats.elapsed = time.Since(start)
	if c.summary {
		c.printSummary()
	}
	if err := c.out.Flush(); err != nil {
		fmt.Fprintf(stderr, "logwarden parse: write output: %v\n", err)
		return 1
	}
	if c.failed {
		return 1
	}
	return 0
}

func (c *parseCmd) fail(err error) {
	c.failed = true
	c.stats.errors++
	fmt.Fprintf(c.stderr, "logwarden parse: %v\n", err)
}

// arg processes one command-line input: stdin, a file or a directory tree
// (walked as replay walks it, so both commands read the same files).
func (c *parseCmd) arg(arg string) {
	files, errs := expandInputs([]string{arg})
	for _, err := range errs {
		c.fail(err)
	}
	for _, f := range files {
		data, err := readInput(f.path)
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
	for _, err := range cwlogs.Decode(name, data, c.lim, c.batch) {
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
