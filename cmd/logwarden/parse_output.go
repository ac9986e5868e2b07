package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

type parseStats struct {
	inputs, batches, control, events, errors int
	bytes, inputBytes                        int64
	kinds                                    [logline.KindAuthSuccess + 1]int
	elapsed                                  time.Duration
}

var parseAllKinds = []logline.Kind{logline.KindReport, logline.KindTimeout, logline.KindCrash,
	logline.KindAuthFailure, logline.KindAuthSuccess, logline.KindPlatform, logline.KindOther}

func (c *parseCmd) printSummary() {
	s := &c.stats
	secs := s.elapsed.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	mbps, eps := float64(s.bytes)/1e6/secs, float64(s.events)/secs
	if c.json {
		kinds := map[string]int{}
		for _, k := range parseAllKinds {
			kinds[k.String()] = s.kinds[k]
		}
		out, _ := json.Marshal(map[string]any{
			"inputs": s.inputs, "batches": s.batches, "control_batches": s.control, "events": s.events,
			"errors": s.errors, "bytes": s.bytes, "input_bytes": s.inputBytes, "kinds": kinds,
			"elapsed_ms": float64(s.elapsed.Microseconds()) / 1000,
			"mb_per_s":   parseRound(mbps, 2), "events_per_s": parseRound(eps, 0),
		})
		c.out.Write(append(out, '\n'))
		return
	}
	w := c.out
	fmt.Fprintf(w, "%-14s %12d\n", "inputs", s.inputs)
	fmt.Fprintf(w, "%-14s %12d  (%d control)\n", "batches", s.batches, s.control)
	fmt.Fprintf(w, "%-14s %12d\n", "events", s.events)
	for _, k := range parseAllKinds {
		fmt.Fprintf(w, "  %-12s %12d\n", k.String(), s.kinds[k])
	}
	fmt.Fprintf(w, "%-14s %12d  (inflated; %d read)\n", "bytes", s.bytes, s.inputBytes)
	fmt.Fprintf(w, "%-14s %12d\n", "errors", s.errors)
	fmt.Fprintf(w, "%-14s %12s\n", "elapsed", s.elapsed.Round(time.Microsecond))
	fmt.Fprintf(w, "%-14s %12.1f MB/s  %.0f events/s\n", "throughput", mbps, eps)
}

func parseRound(f float64, places int) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', places, 64), 64)
	return v
}

// parseAppendEventJSON writes the `parse --json` object of one event by hand:
// the CLI is how operators measure throughput on real captures, so it must
// not be slowed down by reflection per event.
func parseAppendEventJSON(b []byte, batch *cwlogs.Batch, ev *cwlogs.LogEvent, e *logline.Event) []byte {
	b = append(b, `{"kind":"`...)
	b = append(b, e.Kind.String()...)
	b = append(b, '"')
	b = parseAppendStrField(b, "log_group", batch.LogGroup, true)
	b = parseAppendStrField(b, "log_stream", batch.LogStream, true)
	if ev.Timestamp != 0 {
		b = append(b, `,"timestamp":`...)
		b = strconv.AppendInt(b, ev.Timestamp, 10)
	}
	b = parseAppendStrField(b, "id", ev.ID, false)
	b = parseAppendStrField(b, "request_id", e.RequestID, false)
	switch e.Kind {
	case logline.KindReport:
		b = parseAppendNum(b, "duration_ms", e.DurationMs, true)
		b = parseAppendNum(b, "billed_duration_ms", e.BilledDurationMs, e.HasBilled)
		b = parseAppendNum(b, "memory_size_mb", float64(e.MemorySizeMB), e.HasMemory)
		b = parseAppendNum(b, "max_memory_used_mb", float64(e.MaxMemoryUsedMB), e.HasMemory)
		b = parseAppendNum(b, "init_duration_ms", e.InitDurationMs, e.HasInit)
		b = parseAppendNum(b, "restore_duration_ms", e.RestoreDurationMs, e.HasRestore)
		status := e.Status
		if status == "" {
			status = logline.StatusSuccess
		}
		b = parseAppendStrField(b, "status", status, true)
		b = parseAppendStrField(b, "error_type", e.ErrorType, false)
	case logline.KindTimeout:
		b = parseAppendNum(b, "timeout_s", e.TimeoutS, e.TimeoutS > 0)
	case logline.KindCrash:
		b = parseAppendStrField(b, "reason", e.Reason, false)
	case logline.KindAuthFailure, logline.KindAuthSuccess:
		if e.IP.IsValid() {
			b = parseAppendStrField(b, "ip", e.IP.String(), true)
		}
		b = parseAppendStrField(b, "host", e.Host, false)
		b = parseAppendStrField(b, "ip_from", e.IPFrom, false)
		b = parseAppendStrField(b, "resource", e.Resource, false)
		b = parseAppendStrField(b, "user", e.User, false)
		b = parseAppendStrField(b, "reason", e.Reason, false)
		b = parseAppendStrField(b, "rule", e.Rule, false)
	}
	return append(b, "}\n"...)
}

func parseAppendNum(b []byte, key string, v float64, present bool) []byte {
	if !present {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

func parseAppendStrField(b []byte, key, v string, always bool) []byte {
	if v == "" && !always {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return parseAppendJSONString(b, v)
}

const parseHexDigits = "0123456789abcdef"

// parseAppendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD
// (plain-text inputs are not validated) so every output line parses.
func parseAppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', parseHexDigits[c>>4], parseHexDigits[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, parseHexDigits[r&15])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

const (
	parseGroupWidth = 32
	parseKindWidth  = 12
)

var parseTableHeader = fmt.Sprintf("%-24s  %-*s  %-*s  %s\n", "TIME (UTC)", parseGroupWidth, "GROUP", parseKindWidth, "KIND", "FACTS")

// parseAppendEventRow renders one table row. Everything taken from the log is
// stripped of control characters: a log line must not be able to drive the
// operator's terminal (escape sequences) or forge extra rows.
func parseAppendEventRow(b []byte, batch *cwlogs.Batch, ev *cwlogs.LogEvent, e *logline.Event) []byte {
	if ev.Timestamp != 0 {
		b = time.UnixMilli(ev.Timestamp).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	} else {
		b = append(b, "-                       "...)
	}
	b = append(b, "  "...)
	b = parseAppendPadded(b, parseClip(parseSanitize(batch.LogGroup), parseGroupWidth), parseGroupWidth)
	b = append(b, "  "...)
	b = parseAppendPadded(b, e.Kind.String(), parseKindWidth)
	b = append(b, "  "...)
	b = append(b, parseFacts(ev, e)...)
	return append(b, '\n')
}

func parseFacts(ev *cwlogs.LogEvent, e *logline.Event) string {
	var f []string
	add := func(k, v string) {
		if v != "" {
			f = append(f, k+"="+parseSanitize(v))
		}
	}
	ms := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + "ms" }
	switch e.Kind {
	case logline.KindReport:
		add("req", e.RequestID)
		add("dur", ms(e.DurationMs))
		if e.HasBilled {
			add("billed", ms(e.BilledDurationMs))
		}
		if e.HasMemory {
			add("mem", fmt.Sprintf("%d/%dMB", e.MaxMemoryUsedMB, e.MemorySizeMB))
		}
		if e.HasInit {
			add("init", ms(e.InitDurationMs))
		}
		if e.HasRestore {
			add("restore", ms(e.RestoreDurationMs))
		}
		if e.Status != "" && e.Status != logline.StatusSuccess {
			add("status", e.Status)
		}
		add("error", e.ErrorType)
	case logline.KindTimeout:
		add("req", e.RequestID)
		if e.TimeoutS > 0 {
			add("after", strconv.FormatFloat(e.TimeoutS, 'f', -1, 64)+"s")
		}
	case logline.KindCrash:
		add("req", e.RequestID)
		add("reason", e.Reason)
	case logline.KindAuthFailure, logline.KindAuthSuccess:
		if e.IP.IsValid() {
			add("ip", e.IP.String())
		}
		add("host", e.Host)
		add("ip_from", e.IPFrom)
		add("resource", e.Resource)
		add("user", strconv.Quote(e.User))
		add("reason", e.Reason)
		add("rule", e.Rule)
	default:
		return parseClip(parseSanitize(strings.TrimSpace(ev.Message)), 100)
	}
	return strings.Join(f, " ")
}

// parseSanitize is the alerts' sanitizer (render.Clean): control, format
// and bidi characters show escaped (\u200b), line breaks become spaces and
// invalid UTF-8 becomes U+FFFD, so a row looks like what the log holds.
func parseSanitize(s string) string { return render.Clean(s, 0) }

// parseClip shortens s to n runes, keeping the end (the function name is the
// informative part of a log group such as /aws/lambda/checkout-api).
func parseClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return "…" + string(r[len(r)-n+1:])
}

func parseAppendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}
