package cwlogs

import (
	"errors"
	"fmt"
	"strings"
)

// documents parses one or more concatenated subscription documents from
// data (Firehose→S3 glues them together with no delimiter) and appends a
// Batch per document to out. All messages and ids of the payload share one
// backing array: data itself when owned (it is then unescaped in place),
// otherwise a fresh arena; see Decode for what that means to callers.
func documents(data []byte, owned bool, source string, out []Batch) ([]Batch, error) {
	s := newScanner(data, owned)
	first := len(out)
	if !s.more() {
		return out, fmt.Errorf("%w: empty payload", ErrNotSubscription)
	}
	var syntax error
	for n := 1; s.more(); n++ {
		start := s.i
		b := Batch{Source: source}
		if err := s.document(&b); err != nil {
			if n > 1 {
				err = fmt.Errorf("document %d: %w", n, err)
			}
			syntax = err // nothing after it can be located
			break
		}
		b.Bytes = s.i - start
		out = append(out, b)
	}
	if len(out)-first > 1 {
		for i := first; i < len(out); i++ {
			out[i].Source = fmt.Sprintf("document %d", i-first+1)
			if source != "" {
				out[i].Source = source + ": " + out[i].Source
			}
		}
	}
	// A document with an unknown type is dropped alone: the documents
	// glued to it were parsed and are kept.
	var errs []error
	kept := out[:first]
	for i := first; i < len(out); i++ {
		if err := check(&out[i]); err != nil {
			if out[i].Source != source {
				err = fmt.Errorf("%s: %w", strings.TrimPrefix(out[i].Source, source+": "), err)
			}
			errs = append(errs, err)
			continue
		}
		kept = append(kept, out[i])
	}
	return kept, errors.Join(append(errs, syntax)...)
}

// document parses one subscription document at the cursor into b. Unknown
// fields (policyLevel today, emitted system fields tomorrow) are tolerated.
func (s *scanner) document(b *Batch) error {
	seen := false
	err := s.object(func(key []byte) error {
		handled, marks, err := s.docField(b, key)
		seen = seen || marks
		if !handled {
			return s.skip(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	if !seen {
		return ErrNotSubscription
	}
	return nil
}

// docField decodes key's value into b if key is a subscription document
// field. marks reports keys that only a subscription document has
// (messageType, logEvents), which is how documents are recognised.
func (s *scanner) docField(b *Batch, key []byte) (handled, marks bool, err error) {
	switch string(key) {
	case "messageType":
		var v string
		v, err = s.text()
		b.MessageType = intern(v)
		return true, true, err
	case "logEvents":
		err = s.array(func(int) error {
			b.LogEvents = append(b.LogEvents, LogEvent{})
			return s.event(&b.LogEvents[len(b.LogEvents)-1])
		})
		return true, true, err
	case "owner":
		b.Owner, err = s.ownedText()
	case "logGroup":
		b.LogGroup, err = s.ownedText()
	case "logStream":
		b.LogStream, err = s.ownedText()
	case "policyLevel":
		b.PolicyLevel, err = s.ownedText()
	case "subscriptionFilters":
		err = s.array(func(int) error {
			v, err := s.ownedText()
			b.SubscriptionFilters = append(b.SubscriptionFilters, v)
			return err
		})
	default:
		return false, false, nil
	}
	return true, false, err
}

func (s *scanner) event(ev *LogEvent) error {
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			ev.ID, err = s.text()
		case "timestamp":
			ev.Timestamp, err = s.int64()
		case "message":
			ev.Message, err = s.text()
		default:
			err = s.skip(1)
		}
		return err
	})
}

// ownedText is text for the few per-batch fields callers are likely to keep
// (group, stream, owner): they get their own memory so that holding them
// does not pin the payload's arena.
func (s *scanner) ownedText() (string, error) {
	start := len(s.arena)
	v, err := s.text()
	s.arena = s.arena[:start]
	return strings.Clone(v), err
}

func intern(v string) string {
	switch v {
	case DataMessage:
		return DataMessage
	case ControlMessage:
		return ControlMessage
	}
	return strings.Clone(v)
}
