package cwlogs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Input describes one file-like input for DecodeInput.
type Input struct {
	// Name is how errors and sources refer to the input (a file name).
	Name string
	// LogGroup is the log group of shapes that do not carry one: the JSON
	// of `aws logs filter-log-events` / `get-log-events`, S3 exports and
	// plain text. Empty means Name, and Warn is told so.
	LogGroup string
	Limits   Limits
	// Warn receives notes about the input that are not errors: the log
	// group was guessed, lines carry no timestamp. Nil discards them.
	Warn func(msg string)
}

// DecodeInput is Decode with the options of Input: the log group for
// shapes without one and a place for warnings.
func DecodeInput(in Input, data []byte, emit func(Batch)) []error {
	d := decoder{name: in.Name, group: in.LogGroup, lim: in.Limits, emit: emit, warn: in.Warn}
	if useAhead(data) {
		return decodeAhead(d, data)
	}
	d.input(data)
	return d.errs
}

func (d *decoder) warnf(format string, args ...any) {
	if d.warn != nil {
		d.warn(fmt.Sprintf(format, args...))
	}
}

// logGroup is the group of an input whose shape names none: the one given,
// else the input's name, said once so the operator knows what the alerts
// will call it.
func (d *decoder) logGroup(shape string) string {
	if d.group != "" {
		return d.group
	}
	if !d.groupWarned {
		d.groupWarned = true
		d.warnf("%s: %s names no log group: using %q (pass --log-group NAME)", d.name, shape, d.name)
	}
	return d.name
}

// cliShape names the AWS CLI output in messages.
const cliShape = "aws logs filter-log-events/get-log-events output"

// errNotEvents marks a top-level JSON array that is not a list of log
// events, so that it is read as plain text instead.
var errNotEvents = errors.New("not a list of log events")

// cliBatcher turns the flat event list of `aws logs filter-log-events`
// ({"events":[{"logStreamName","timestamp","message","eventId",...}],
// "searchedLogStreams":...,"nextToken":...}) or `get-log-events` (no
// stream, no id) into batches: consecutive events of one stream form one
// batch, as a subscription would deliver them.
type cliBatcher struct {
	d        *decoder
	src      string
	b        Batch
	total    int
	batches  int
	hasGroup bool
}

func (c *cliBatcher) add(stream string, ev LogEvent) {
	if !c.hasGroup {
		c.hasGroup = true
		c.b.LogGroup = c.d.logGroup(cliShape)
	}
	if len(c.b.LogEvents) > 0 && (c.b.LogStream != stream || len(c.b.LogEvents) == textBatchEvents) {
		c.flush()
	}
	if len(c.b.LogEvents) == 0 {
		c.b.LogStream = strings.Clone(stream)
	}
	c.total++
	c.b.LogEvents = append(c.b.LogEvents, ev)
	c.b.Bytes += len(ev.Message) + 26 // PutLogEvents' per-event overhead
}

func (c *cliBatcher) flush() {
	if len(c.b.LogEvents) == 0 {
		return
	}
	c.batches++
	c.b.MessageType = DataMessage
	c.b.Source = fmt.Sprintf("%s: events batch %d", c.src, c.batches)
	// The same timestamp check as a subscription document's: an event
	// without a sane time is an input error naming it, never a 1970 alert.
	_ = check(&c.b) // the type is set above: only events can be rejected
	c.d.batch(c.b)
	c.b = Batch{LogGroup: c.b.LogGroup}
}

func (c *cliBatcher) done() {
	c.flush()
	if c.total == 0 {
		// `aws logs filter-log-events` over a quiet range prints an empty
		// list: worth a word, since a backtest of it finds nothing.
		c.d.warnf("%s: %s without any log event", c.src, cliShape)
	}
}

// cliEvents reads the "events" array of AWS CLI output at the cursor.
func (d *decoder) cliEvents(s *scanner, src string) error {
	c := &cliBatcher{d: d, src: src}
	err := s.array(func(int) error {
		stream, ev, _, err := s.cliEvent()
		if err == nil {
			c.add(stream, ev)
		}
		return err
	})
	c.done()
	return err
}

// eventArray reads a top-level JSON array of log events, as written by
// `aws logs filter-log-events --query events`. It returns false, having
// emitted nothing, when the first element is not a log event.
func (d *decoder) eventArray(data []byte) bool {
	s := scanner{b: data, arena: make([]byte, 0, len(data))}
	c := &cliBatcher{d: d, src: d.name}
	err := s.array(func(i int) error {
		if s.peek() != '{' {
			if i == 0 {
				return errNotEvents
			}
			return s.fail("expected a log event object")
		}
		stream, ev, isEvent, err := s.cliEvent()
		if i == 0 && (err != nil || !isEvent) {
			return errNotEvents
		}
		if err == nil {
			c.add(stream, ev)
		}
		return err
	})
	if errors.Is(err, errNotEvents) {
		return false
	}
	if err == nil && s.more() {
		err = s.fail("unexpected data after the event list")
	}
	c.done()
	if err != nil {
		d.fail(d.name, err)
	}
	return true
}

// cliEvent reads one event object of AWS CLI output. isEvent reports
// whether it has both a message and a timestamp, the mark of a log event.
func (s *scanner) cliEvent() (stream string, ev LogEvent, isEvent bool, err error) {
	var hasMsg, hasTime bool
	err = s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "logStreamName":
			stream, err = s.text()
		case "eventId":
			ev.ID, err = s.text()
		case "timestamp":
			hasTime = true
			ev.Timestamp, err = s.int64()
		case "message":
			hasMsg = true
			ev.Message, err = s.text()
		default:
			err = s.skip(1)
		}
		return err
	})
	return stream, ev, hasMsg && hasTime, err
}

// leadingTimestamp splits "<RFC 3339 time> <message>", the line format of
// CloudWatch Logs exports to S3 (create-export-task) and of the console's
// copy. A tab after the time (Lambda's Node.js and Python text format) is
// part of the application's own line, so the message is kept whole; a
// space is CloudWatch's separator, so the time is cut off.
func leadingTimestamp(line string) (ms int64, msg string, ok bool) {
	// Shortest form: 2006-01-02T15:04:05Z (20 bytes) plus a separator.
	if len(line) < 21 || line[4] != '-' || line[7] != '-' || (line[10] != 'T' && line[10] != 't') {
		return 0, line, false
	}
	end := strings.IndexAny(line, " \t")
	if end < 20 || end > 40 {
		return 0, line, false
	}
	t, err := time.Parse(time.RFC3339Nano, line[:end])
	if err != nil || t.Year() < 1971 {
		return 0, line, false
	}
	if line[end] == ' ' {
		msg = line[end+1:]
	} else {
		msg = line
	}
	return t.UnixMilli(), msg, true
}
