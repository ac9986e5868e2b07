// Package seclogrus is seclog's front end for sirupsen/logrus: a Logger
// that writes security events as logrus entries, and a Hook that redacts
// every other entry of the application's logger.
//
// Use logrus' JSONFormatter: logwarden reads seclog records as JSON. The
// formatter writes "time", "level" and "msg"; seclog's fields (see package
// seclog) are entry fields.
package seclogrus

import (
	"context"
	"log/slog"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/seclog"
)

// New returns a seclog Logger that writes through l. Add the Hook to l
// as well (l.AddHook(seclogrus.NewHook())) so that the application's own
// entries are redacted too; New does not, because adding it twice to a
// shared logger would run it twice.
func New(l *logrus.Logger, opts *seclog.Options) *seclog.Logger {
	return seclog.NewWithSink(sink{l}, opts)
}

type sink struct{ l *logrus.Logger }

func (s sink) Write(ctx context.Context, t time.Time, level slog.Level, msg string, attrs []slog.Attr) {
	lv := logrusLevel(level)
	if !s.l.IsLevelEnabled(lv) {
		return
	}
	data := make(logrus.Fields, len(attrs))
	for _, a := range attrs {
		data[a.Key] = value(a.Value)
	}
	e := logrus.NewEntry(s.l) // not WithFields: the values are known, no copy or check needed
	e.Data, e.Time, e.Context = data, t, ctx
	e.Log(lv, msg)
}

func logrusLevel(l slog.Level) logrus.Level {
	switch {
	case l >= slog.LevelError:
		return logrus.ErrorLevel
	case l >= slog.LevelWarn:
		return logrus.WarnLevel
	case l >= slog.LevelInfo:
		return logrus.InfoLevel
	}
	return logrus.DebugLevel
}

// value converts a (clean) slog value to what logrus' formatters write.
func value(v slog.Value) any {
	switch v.Kind() {
	case slog.KindGroup:
		m := make(map[string]any, len(v.Group()))
		for _, a := range v.Group() {
			m[a.Key] = value(a.Value)
		}
		return m
	case slog.KindLogValuer:
		if seclog.IsMarker(v.Any()) {
			return v.Any() // the marker itself: the Hook knows it by type
		}
		return value(v.Resolve())
	}
	return v.Any()
}

// Hook redacts every entry of the logger it is added to: fields whose
// names say they hold a secret become "[REDACTED]", strings and errors have
// secret-looking values replaced and control, format and bidi characters
// escaped, structs and maps are redacted through their JSON form, and a
// "logger":"seclog" field that seclog did not write is renamed
// "fields.logger", so no application entry can pose as a seclog record.
// seclog's own entries pass unchanged.
type Hook struct{}

// NewHook returns the redacting hook.
func NewHook() *Hook { return &Hook{} }

// Levels implements logrus.Hook: every level.
func (*Hook) Levels() []logrus.Level { return logrus.AllLevels }

// Fire implements logrus.Hook. logrus hands hooks a copy of the entry, so
// rewriting its Data does not touch the fields of the parent entry.
func (*Hook) Fire(e *logrus.Entry) error {
	if seclog.IsMarker(e.Data[seclog.KeyLogger]) {
		return nil
	}
	e.Message = seclog.Clean(e.Message, 8*seclog.MaxValueLen)
	out := make(logrus.Fields, len(e.Data))
	for k, v := range e.Data {
		key := seclog.Escape(k, 64)
		switch {
		case seclog.IsSecretKey(key):
			out[key] = seclog.Redacted
		case key == seclog.KeyLogger && v == seclog.Marker:
			out["fields.logger"] = v
		default:
			out[key] = seclog.RedactAny(v)
		}
	}
	e.Data = out
	return nil
}
