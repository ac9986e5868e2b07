package cwlogs

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"
)

// Decode decodes an input of unknown shape, as read from a file or stdin, and
// calls emit for every batch in input order. It recognises, by content:
// gzip (one or several members), a base64 gzip payload, one or more
// concatenated JSON values each being a Lambda subscription event, a
// Kinesis Data Streams event, a Firehose transformation or HTTP-endpoint
// event, a subscription document, or the output of `aws logs
// filter-log-events` / `get-log-events` (an object with "events", or the
// bare event list). Anything else is plain text: one event per non-empty
// line, log group = name; a leading RFC 3339 time (S3 exports) is the
// event's timestamp, otherwise it has none. DecodeInput takes the log group
// and reports warnings.
//
// Errors name the input (name, record index and id) and never stop the
// other records; a JSON syntax error in the outer structure ends the input
// because nothing after it can be located reliably. The batches share memory
// with one another as DecodeAWSLogs describes.
func Decode(name string, input []byte, lim Limits, emit func(Batch)) []error {
	return DecodeInput(Input{Name: name, LogGroup: name, Limits: lim}, input, emit)
}

type decoder struct {
	name    string
	group   string // for shapes without one; "" means name, with a warning
	lim     Limits
	emit    func(Batch)
	warn    func(string)
	errs    []error
	scratch []byte

	groupWarned bool
}

func (d *decoder) fail(source string, err error) { d.errs = append(d.errs, inputErr(source, err)) }

// batch emits b; the events it lost at decode are errors of the input.
func (d *decoder) batch(b Batch) {
	d.errs = append(d.errs, b.Rejected...)
	d.emit(b)
}

func (d *decoder) input(data []byte) {
	max := d.lim.maxInflated()
	for level := 0; isGzip(data); level++ {
		if level == 2 {
			d.fail(d.name, fmt.Errorf("%w: gzip nested more than twice", ErrGzip))
			return
		}
		buf := getBuffer()
		defer putBuffer(buf)
		if err := inflate(buf, data, max); err != nil {
			d.fail(d.name, err)
			return
		}
		data = buf.Bytes()
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return
	case trimmed[0] == '{':
		if !d.values(data) {
			d.text(data)
		}
	case trimmed[0] == '[':
		if !d.eventArray(data) {
			d.text(data)
		}
	case bytes.HasPrefix(trimmed, []byte("H4sI")) && !bytes.ContainsAny(trimmed, " \t"):
		// A bare awslogs.data value saved to a file ("H4sI" is base64 of
		// the gzip magic plus deflate method).
		buf := getBuffer()
		defer putBuffer(buf)
		if err := decodeBase64(buf, trimmed); err != nil {
			d.fail(d.name, err)
			return
		}
		d.payload(buf.Bytes(), d.name)
	default:
		d.text(data)
	}
}

// values decodes concatenated top-level JSON values. It returns false,
// having emitted nothing, when the first value is not something this
// package recognises, so that the input is read as plain text instead.
func (d *decoder) values(data []byte) bool {
	s := newScanner(data, false)
	for n := 1; s.more(); n++ {
		src := d.name
		if n > 1 {
			src = fmt.Sprintf("%s: value %d", d.name, n)
		}
		if s.peek() != '{' {
			if n == 1 {
				return false
			}
			d.fail(src, s.fail("expected a JSON object"))
			return true
		}
		recognised, err := d.value(&s, src)
		switch {
		case n == 1 && !recognised:
			return false
		case err != nil:
			d.fail(src, err)
			return true
		case !recognised:
			d.fail(src, fmt.Errorf("%w: no awslogs, Records, records, logEvents or events", ErrNotSubscription))
		}
	}
	return true
}

// value decodes one top-level object: an envelope or a document.
func (d *decoder) value(s *scanner, src string) (recognised bool, err error) {
	var b Batch
	isDoc := false
	start := s.i
	err = s.object(func(key []byte) error {
		handled, marks, err := s.docField(&b, key)
		if handled {
			isDoc = isDoc || marks
			recognised = recognised || marks
			return err
		}
		switch string(key) {
		case "awslogs":
			recognised = true
			return d.awslogs(s, src)
		case "Records":
			recognised = true
			return d.records(s, src, true)
		case "records":
			recognised = true
			return d.records(s, src, false)
		case "events":
			// AWS CLI output; an "events" that is not a list is some
			// application's JSON log line, read as text.
			if s.peek() == '[' {
				recognised = true
				return d.cliEvents(s, src)
			}
		}
		return s.skip(1)
	})
	if err == nil && isDoc {
		b.Source, b.Bytes = src, s.i-start
		if cerr := check(&b); cerr != nil {
			d.fail(src, cerr)
		} else {
			d.batch(b)
		}
	}
	return recognised, err
}

func (d *decoder) awslogs(s *scanner, src string) error {
	return s.object(func(key []byte) error {
		if string(key) != "data" {
			return s.skip(1)
		}
		data, err := s.rawString(d.scratch)
		if err != nil {
			return err
		}
		buf := getBuffer()
		defer putBuffer(buf)
		if err := decodeBase64(buf, data); err != nil {
			d.fail(src, fmt.Errorf("awslogs.data: %w", err))
			return nil
		}
		d.payload(buf.Bytes(), src)
		return nil
	})
}

// records decodes the records of a Kinesis event (Records[].kinesis.data)
// or of a Firehose event (records[].data with recordId), each independently.
func (d *decoder) records(s *scanner, src string, kinesis bool) error {
	return s.array(func(i int) error {
		var data []byte
		var id string
		dataField := func(key []byte) error {
			var err error
			switch string(key) {
			case "data":
				data, err = s.rawString(d.scratch)
			case "sequenceNumber", "recordId":
				id, err = s.text()
			default:
				err = s.skip(1)
			}
			return err
		}
		err := s.object(func(key []byte) error {
			if kinesis && string(key) == "kinesis" {
				return s.object(dataField)
			}
			if !kinesis {
				return dataField(key)
			}
			return s.skip(1)
		})
		if err != nil {
			return err
		}
		rsrc := recordSource(src, kinesis, i, id)
		if data == nil {
			d.fail(rsrc, fmt.Errorf("%w: record has no data", ErrNotSubscription))
			return nil
		}
		buf := getBuffer()
		defer putBuffer(buf)
		if err := decodeBase64(buf, data); err != nil {
			d.fail(rsrc, err)
			return nil
		}
		d.payload(buf.Bytes(), rsrc)
		return nil
	})
}

func recordSource(src string, kinesis bool, i int, id string) string {
	switch {
	case kinesis && id != "":
		return fmt.Sprintf("%s: Records[%d] (sequenceNumber %s)", src, i, id)
	case kinesis:
		return fmt.Sprintf("%s: Records[%d]", src, i)
	case id != "":
		return fmt.Sprintf("%s: records[%d] (recordId %s)", src, i, id)
	}
	return fmt.Sprintf("%s: records[%d]", src, i)
}

func (d *decoder) payload(data []byte, src string) {
	batches, err := decodePayload(data, d.lim, src, nil)
	for _, b := range batches {
		d.batch(b)
	}
	if err != nil {
		d.fail(src, err)
	}
}

// text reads data as plain log lines: Firehose streams with message
// extraction, CloudWatch Logs exports to S3, CloudWatch agent files,
// captures pasted from the console. A line without a leading RFC 3339 time
// gets no timestamp, and the input a warning: its events cannot be placed
// in time.
func (d *decoder) text(data []byte) {
	all := string(data) // one copy; every message is a slice of it
	all0 := all
	group := ""
	b := Batch{MessageType: DataMessage}
	first, line, untimed, total := 0, 0, 0, 0
	flush := func() {
		if len(b.LogEvents) > 0 {
			b.Source = fmt.Sprintf("%s: lines %d-%d", d.name, first, line)
			d.emit(b)
		}
		b = Batch{MessageType: DataMessage, LogGroup: group}
	}
	for len(all) > 0 {
		msg, rest, _ := strings.Cut(all, "\n")
		all = rest
		line++
		msg = strings.TrimSuffix(msg, "\r")
		if strings.TrimSpace(msg) == "" {
			continue
		}
		if total == 0 {
			group = d.logGroup("plain text")
			b.LogGroup = group
		}
		if len(b.LogEvents) == 0 {
			first = line
		}
		ts, msg, ok := leadingTimestamp(msg)
		if n := len(b.LogEvents); !ok && n > 0 && b.LogEvents[n-1].Timestamp > 0 {
			// A continuation line of a multi-line message (a stack trace
			// in an S3 export): it belongs to the event before it, and an
			// attacker's newline inside a message does not become an event
			// of its own.
			last := &b.LogEvents[n-1]
			last.Message = all0[offsetOf(all0, last.Message) : offsetOf(all0, msg)+len(msg)]
			b.Bytes += len(msg) + 1
			continue
		}
		if !ok {
			untimed++
		}
		total++
		b.LogEvents = append(b.LogEvents, LogEvent{Timestamp: ts, Message: msg})
		b.Bytes += len(msg) + 1
		if len(b.LogEvents) == textBatchEvents {
			flush()
		}
	}
	flush()
	if untimed > 0 {
		d.warnf("%s: plain text: %d of %d lines have no leading RFC 3339 timestamp, so their events have no time", d.name, untimed, total)
	}
}

// offsetOf is the offset of sub, a substring of s sharing its memory.
func offsetOf(s, sub string) int {
	return int(uintptr(unsafe.Pointer(unsafe.StringData(sub))) - uintptr(unsafe.Pointer(unsafe.StringData(s))))
}
