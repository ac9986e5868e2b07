package logline

import (
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"
)

// jsonPool reuses fastjson parsers: a warm parser parses without allocating.
var jsonPool fastjson.ParserPool

// retain returns b as a string that outlives the pooled parser: a substring
// of msg when the bytes occur there verbatim (no allocation; identical bytes
// are the identical string wherever they occur), a copy otherwise (the value
// had JSON escapes).
func retain(msg string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return retainS(msg, unsafe.String(&b[0], len(b)))
}

// retainS is retain for a string that may point into the parser's buffer.
func retainS(msg, s string) string {
	if s == "" {
		return ""
	}
	if i := strings.Index(msg, s); i >= 0 {
		return msg[i : i+len(s)]
	}
	return strings.Clone(s)
}

// str returns the string at keys, or "" (the bytes live in the parser).
func str(v *fastjson.Value, keys ...string) []byte {
	if v == nil {
		return nil
	}
	return v.GetStringBytes(keys...)
}

// parsePlatformJSON classifies a Telemetry API record ("type":"platform.*").
// Field names follow the telemetry schema; metrics are optional (Lambda
// Managed Instances report only durationMs).
func parsePlatformJSON(msg string, v *fastjson.Value, typ []byte) Event {
	rec := v.Get("record")
	switch string(typ) {
	case "platform.report":
		return platformReport(msg, rec)
	case "platform.runtimeDone":
		et := str(rec, "errorType")
		if normalStatus(string(str(rec, "status"))) == StatusError {
			switch string(et) {
			case "Runtime.OutOfMemory", "Runtime.ExitError":
				return Event{Kind: KindCrash, RequestID: retain(msg, str(rec, "requestId")), Reason: retain(msg, et)}
			}
		}
	}
	return Event{Kind: KindPlatform, RequestID: retain(msg, str(rec, "requestId"))}
}

func platformReport(msg string, rec *fastjson.Value) Event {
	ev := Event{Kind: KindReport, RequestID: retain(msg, str(rec, "requestId"))}
	m := rec.Get("metrics")
	d := m.Get("durationMs")
	if d == nil || d.Type() != fastjson.TypeNumber {
		return Event{Kind: KindPlatform, RequestID: ev.RequestID}
	}
	ev.DurationMs = nonNeg(d.GetFloat64())
	if x := m.Get("billedDurationMs"); x != nil && x.Type() == fastjson.TypeNumber {
		ev.BilledDurationMs, ev.HasBilled = nonNeg(x.GetFloat64()), true
	}
	ms, mu := m.Get("memorySizeMB"), m.Get("maxMemoryUsedMB")
	if ms != nil && mu != nil && ms.Type() == fastjson.TypeNumber && mu.Type() == fastjson.TypeNumber {
		ev.MemorySizeMB, ev.MaxMemoryUsedMB, ev.HasMemory = max(ms.GetInt(), 0), max(mu.GetInt(), 0), true
	}
	if x := m.Get("initDurationMs"); x != nil && x.Type() == fastjson.TypeNumber {
		ev.InitDurationMs, ev.HasInit = nonNeg(x.GetFloat64()), true
	}
	if x := m.Get("restoreDurationMs"); x != nil && x.Type() == fastjson.TypeNumber {
		ev.RestoreDurationMs, ev.HasRestore = nonNeg(x.GetFloat64()), true
	}
	ev.Status = normalStatus(string(str(rec, "status")))
	ev.ErrorType = retain(msg, str(rec, "errorType"))
	return ev
}

func nonNeg(f float64) float64 {
	if f < 0 || f != f {
		return 0
	}
	return f
}

// crashJSON finds a crash in a JSON application line: Python and Node
// runtimes log uncaught errors as {"errorType": …, "errorMessage": …}.
func crashJSON(msg string, v *fastjson.Value) (Event, bool) {
	et := str(v, "errorType")
	for _, o := range oomStrings {
		if string(et) == o.reason || string(et) == o.text {
			return Event{Kind: KindCrash, Reason: o.reason, RequestID: retain(msg, str(v, "requestId"))}, true
		}
	}
	switch string(et) {
	case "Runtime.OutOfMemory", "Runtime.ExitError":
		return Event{Kind: KindCrash, Reason: retain(msg, et), RequestID: retain(msg, str(v, "requestId"))}, true
	}
	return Event{}, false
}

// unsafeString views b as a string without copying; only for values read
// while the parser is held.
func unsafeString(b []byte) string { return unsafe.String(&b[0], len(b)) }
