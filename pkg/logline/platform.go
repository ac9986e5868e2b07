package logline

import (
	"strconv"
	"strings"
)

// platformPrefixes are the Lambda platform lines in text log format. They
// are never alarming on their own; REPORT and crash lines are handled apart.
var platformPrefixes = [...]string{
	"START RequestId:", "END RequestId:", "INIT_START", "INIT_REPORT", "INIT_RUNTIME_DONE",
	"RESTORE_START", "RESTORE_REPORT", "RESTORE_RUNTIME_DONE", "EXTENSION", "TELEMETRY",
	"LOGS\t", "LOGS ", "XRAY TraceId:", "PLATFORM", "SHUTDOWN",
}

// parsePlatformText classifies a text line that starts with an upper-case
// platform keyword. ok is false when the line is not a platform line.
func parsePlatformText(s string) (ev Event, ok bool) {
	switch s[0] {
	case 'R':
		if strings.HasPrefix(s, "REPORT") && len(s) > 6 && isSpace(s[6]) {
			return parseReport(s)
		}
		if strings.HasPrefix(s, "RequestId:") {
			if ev, ok := parseRuntimeError(s); ok {
				return ev, true
			}
		}
	}
	for _, p := range platformPrefixes {
		if strings.HasPrefix(s, p) {
			ev.Kind = KindPlatform
			if strings.HasPrefix(s, "START ") || strings.HasPrefix(s, "END ") {
				_, end := nextToken(s, 0)
				if tok, end := nextToken(s, end); tok == "RequestId:" {
					ev.RequestID, _ = nextToken(s, end)
				}
			}
			return ev, true
		}
	}
	return ev, false
}

// REPORT labels, keyed by their words (tokens may be separated by any white
// space, so labels are matched word by word, never by position).
const (
	lblNone = iota
	lblRequestID
	lblDuration
	lblBilled
	lblMemory
	lblMaxMemory
	lblInit
	lblRestore
	lblBilledRestore
	lblStatus
	lblErrorType
)

func reportLabel(words []string) int {
	switch len(words) {
	case 1:
		switch words[0] {
		case "RequestId":
			return lblRequestID
		case "Duration":
			return lblDuration
		case "Status":
			return lblStatus
		}
	case 2:
		a, b := words[0], words[1]
		switch {
		case a == "Billed" && b == "Duration":
			return lblBilled
		case a == "Memory" && b == "Size":
			return lblMemory
		case a == "Init" && b == "Duration":
			return lblInit
		case a == "Restore" && b == "Duration":
			return lblRestore
		case a == "Error" && b == "Type":
			return lblErrorType
		}
	case 3:
		if words[0] == "Max" && words[1] == "Memory" && words[2] == "Used" {
			return lblMaxMemory
		}
		if words[0] == "Billed" && words[1] == "Restore" && words[2] == "Duration" {
			return lblBilledRestore
		}
	}
	return lblNone
}

// parseReport reads "REPORT RequestId: … Duration: … ms …" with a hand
// tokenizer: labels end with ':', the value is the next token, units are
// skipped. The X-Ray line that may follow in the same message ends it.
func parseReport(s string) (Event, bool) {
	ev := Event{Kind: KindReport, Status: StatusSuccess}
	var words [3]string
	n := 0
	hasDuration := false
	_, i := nextToken(s, 0) // "REPORT"
	for {
		var tok string
		tok, i = nextToken(s, i)
		if tok == "" || tok == "XRAY" {
			break
		}
		if tok[len(tok)-1] != ':' {
			if n < len(words) {
				words[n] = tok
			}
			n++
			continue
		}
		if n < len(words) {
			words[n] = tok[:len(tok)-1]
		}
		n++
		lbl := lblNone
		if n <= len(words) {
			lbl = reportLabel(words[:n])
		}
		n = 0
		if lbl == lblNone {
			continue
		}
		var val string
		val, i = nextToken(s, i)
		if val == "" {
			break
		}
		if applyReportField(&ev, lbl, val) && lbl == lblDuration {
			hasDuration = true
		}
		// Skip the unit so that it is not read as a label word.
		if lbl != lblRequestID && lbl != lblStatus && lbl != lblErrorType {
			if unit, j := nextToken(s, i); unit == "ms" || unit == "MB" {
				i = j
			}
		}
	}
	if ev.RequestID == "" || !hasDuration {
		// Looks like a REPORT but carries no metrics: recognised, not measured.
		return Event{Kind: KindPlatform, RequestID: ev.RequestID}, true
	}
	return ev, true
}

func applyReportField(ev *Event, lbl int, val string) bool {
	switch lbl {
	case lblRequestID:
		ev.RequestID = val
	case lblStatus:
		ev.Status = normalStatus(val)
	case lblErrorType:
		ev.ErrorType = val
	case lblMemory, lblMaxMemory:
		v, err := strconv.Atoi(val)
		if err != nil || v < 0 {
			return false
		}
		if lbl == lblMemory {
			ev.MemorySizeMB = v
		} else {
			ev.MaxMemoryUsedMB = v
			ev.HasMemory = true
		}
	default:
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || v < 0 || v != v {
			return false
		}
		switch lbl {
		case lblDuration:
			ev.DurationMs = v
		case lblBilled:
			ev.BilledDurationMs, ev.HasBilled = v, true
		case lblInit:
			ev.InitDurationMs, ev.HasInit = v, true
		case lblRestore:
			ev.RestoreDurationMs, ev.HasRestore = v, true
		}
	}
	return true
}

// normalStatus maps the statuses Lambda prints (text and telemetry JSON) to
// the three the detector knows. "failure" is the telemetry word for error.
func normalStatus(s string) string {
	switch {
	case s == "" || equalFoldLower(s, "success"):
		return StatusSuccess
	case equalFoldLower(s, "timeout"):
		return StatusTimeout
	default:
		return StatusError
	}
}

// parseRuntimeError reads the runtime's fault line
// "RequestId: <id> Error: Runtime exited with error: signal: killed\nRuntime.ExitError".
func parseRuntimeError(s string) (Event, bool) {
	id, end := nextToken(s, len("RequestId:"))
	rest := s[end:]
	reason := runtimeCrashReason(rest)
	if reason == "" {
		return Event{}, false
	}
	return Event{Kind: KindCrash, RequestID: id, Reason: reason}, true
}

// runtimeCrashReason names the crash in a runtime fault text, preferring the
// most specific: an OOM error type, then the exit cause, then the error type.
func runtimeCrashReason(s string) string {
	switch {
	case strings.Contains(s, "Runtime.OutOfMemory"):
		return "Runtime.OutOfMemory"
	case strings.Contains(s, "Runtime exited with error: "):
		r := s[strings.Index(s, "Runtime exited with error: ")+len("Runtime exited with error: "):]
		if i := strings.IndexAny(r, "\r\n"); i >= 0 {
			r = r[:i]
		}
		r = strings.TrimSpace(r)
		if r == "" || len(r) > 128 {
			return "Runtime.ExitError"
		}
		return r
	case strings.Contains(s, "Runtime.ExitError"):
		return "Runtime.ExitError"
	case strings.Contains(s, "Process exited before completing request"):
		return "Process exited before completing request"
	}
	return ""
}

// oomStrings are the per-language out-of-memory texts (longest first where
// one contains another), with the reason reported for each.
var oomStrings = [...]struct{ text, reason string }{
	{"fatal error: runtime: out of memory", "runtime: out of memory"},
	{"java.lang.OutOfMemoryError", "java.lang.OutOfMemoryError"},
	{"JavaScript heap out of memory", "JavaScript heap out of memory"},
	{"failed to allocate memory (NoMemoryError)", "NoMemoryError"},
	{"OutOfMemoryException", "OutOfMemoryException"},
	{"OutOfMemoryError", "OutOfMemoryError"},
	{"MemoryError", "MemoryError"},
}

// parseCrashText finds a crash in any text line: the runtime's fault text or a
// language's out-of-memory message.
func parseCrashText(s string) (Event, bool) {
	reason := runtimeCrashReason(s)
	if reason == "" {
		for _, o := range oomStrings {
			if strings.Contains(s, o.text) {
				reason = o.reason
				break
			}
		}
	}
	if reason == "" {
		return Event{}, false
	}
	id := lambdaRequestID(s)
	if id == "" {
		if i := strings.Index(s, "RequestId: "); i >= 0 {
			id, _ = nextToken(s, i+len("RequestId: "))
		}
	}
	return Event{Kind: KindCrash, RequestID: id, Reason: reason}, true
}

// parseTimeoutText reads "<time> <request id> Task timed out after 3.00 seconds".
func parseTimeoutText(s string) (Event, bool) {
	const phrase = "Task timed out after "
	i := strings.Index(s, phrase)
	if i < 0 {
		return Event{}, false
	}
	num, _ := nextToken(s, i+len(phrase))
	secs, err := strconv.ParseFloat(num, 64)
	if err != nil || secs < 0 || secs != secs {
		return Event{}, false
	}
	return Event{Kind: KindTimeout, RequestID: lambdaRequestID(s[:i]), TimeoutS: secs}, true
}
