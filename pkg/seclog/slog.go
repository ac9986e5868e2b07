package seclog

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"
)

// marker is the value of the logger attribute in seclog's own records. It
// resolves to "seclog" when written, and lets Handler (and the logrus hook)
// tell seclog's records from an application record that merely carries
// "logger":"seclog" — which it renames, so no other record can pose as one.
type marker struct{}

func (marker) LogValue() slog.Value         { return slog.StringValue(Marker) }
func (marker) String() string               { return Marker }
func (marker) MarshalJSON() ([]byte, error) { return []byte(`"` + Marker + `"`), nil }

// IsMarker reports whether v is the logger value of a record written by a
// seclog Logger (for front ends in other packages).
func IsMarker(v any) bool { _, ok := v.(marker); return ok }

type slogSink struct{ h slog.Handler }

func (s slogSink) Write(ctx context.Context, t time.Time, level slog.Level, msg string, attrs []slog.Attr) {
	if !s.h.Enabled(ctx, level) {
		return
	}
	// No source position (pc 0): the call depth differs between Log and its
	// helpers, and a security record's where is the function and request id.
	r := slog.NewRecord(t, level, msg, 0)
	r.AddAttrs(attrs...)
	_ = s.h.Handle(ctx, r)
}

// Handler wraps an application's slog handler so that every record is
// redacted by default: values of attributes whose names say they hold a
// secret (IsSecretKey) become "[REDACTED]", secret-looking values are
// replaced (RedactValue), control, format and bidi characters are escaped,
// and a top-level "logger":"seclog" that seclog did not write is renamed
// "fields.logger". seclog's own records pass unchanged (they are built
// clean).
type Handler struct {
	next slog.Handler
	top  bool // no group opened yet: attributes are top-level
}

// NewHandler returns a redacting Handler around next.
func NewHandler(next slog.Handler) *Handler { return &Handler{next: next, top: true} }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	own := false
	r.Attrs(func(a slog.Attr) bool {
		own = a.Key == KeyLogger && a.Value.Kind() == slog.KindLogValuer && IsMarker(a.Value.Any())
		return false // seclog writes its marker first
	})
	if own {
		return h.next.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, clean(r.Message, 8*MaxValueLen), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		a = redactAttr(a)
		if h.top && a.Key == KeyLogger && a.Value.Kind() == slog.KindString && a.Value.String() == Marker {
			a.Key = "fields.logger"
		}
		out.AddAttrs(a)
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := redactAttrs(attrs)
	if h.top {
		for i := range clean {
			if clean[i].Key == KeyLogger && clean[i].Value.Kind() == slog.KindString && clean[i].Value.String() == Marker {
				clean[i].Key = "fields.logger"
			}
		}
	}
	return &Handler{next: h.next.WithAttrs(clean), top: h.top}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(Escape(name, 64)), top: false}
}

func redactAttrs(attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = redactAttr(a)
	}
	return out
}

// redactAttr redacts one attribute by its name and value, recursively.
func redactAttr(a slog.Attr) slog.Attr {
	a.Key = Escape(a.Key, 64)
	if IsSecretKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value
	if v.Kind() == slog.KindLogValuer {
		v = v.Resolve()
	}
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(clean(v.String(), MaxValueLen))
	case slog.KindGroup:
		a.Value = slog.GroupValue(redactAttrs(v.Group())...)
	case slog.KindAny:
		a.Value = slog.AnyValue(RedactAny(v.Any()))
	default:
		a.Value = v
	}
	return a
}

// RedactAny returns a redacted copy of an arbitrary value: an error or a
// string is redacted as text; a struct, map or slice is taken through its
// JSON form and redacted field by field (RedactJSON). Numbers and booleans
// are returned as they are.
func RedactAny(v any) any {
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v
	case string:
		return clean(x, MaxValueLen)
	case error:
		return clean(x.Error(), MaxValueLen)
	case json.RawMessage:
		return redactJSONValue(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "[unloggable value]"
	}
	return redactJSONValue(b)
}

func redactJSONValue(b []byte) any {
	var doc any
	if json.Unmarshal(b, &doc) != nil {
		return clean(string(b), MaxValueLen)
	}
	return RedactJSON(doc)
}

// RedactJSON returns a redacted copy of a decoded JSON document (arrays are
// redacted in place):
// members with secret names become "[REDACTED]", strings are redacted and
// escaped, recursively.
func RedactJSON(doc any) any {
	switch x := doc.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			if IsSecretKey(k) {
				v = Redacted
			} else {
				v = RedactJSON(v)
			}
			out[Escape(k, 64)] = v
		}
		return out
	case []any:
		for i := range x {
			x[i] = RedactJSON(x[i])
		}
		return x
	case string:
		return clean(x, MaxValueLen)
	}
	return doc
}
