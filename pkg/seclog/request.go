package seclog

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Invocation logs the request metadata of the actor's invocation as one
// "invocation" record — the "invocation inputs" a security review retraces:
// resource is "METHOD /path"; details hold the query string and headers
// (secret names such as Authorization, Cookie and X-Api-Key redacted,
// values redacted and escaped) and, only with Options.Bodies, the body:
// a JSON or form body redacted field by field, any other body as redacted text, cut
// to Options.MaxBody. extra attributes join the details.
func (l *Logger) Invocation(ctx context.Context, a Actor, extra ...slog.Attr) {
	e := Event{Name: Invocation}
	if a.Method != "" || a.Path != "" {
		e.Resource = strings.TrimSpace(a.Method + " " + a.Path)
	}
	if q := stringMapAttrs(a.req.query, nil); len(q) > 0 {
		e.Details = append(e.Details, slog.Attr{Key: "query", Value: slog.GroupValue(q...)})
	}
	if h := stringMapAttrs(a.req.headers, a.req.multi); len(h) > 0 {
		e.Details = append(e.Details, slog.Attr{Key: "headers", Value: slog.GroupValue(h...)})
	}
	e.Details = append(e.Details, extra...)
	var body []slog.Attr
	if l.opts.Bodies && a.req.body != "" {
		body = []slog.Attr{slog.Any("body", l.body(a.req.body, a.req.base64))}
	}
	l.log(ctx, a, e, body)
}

// stringMapAttrs turns a header or query map into attributes sorted by
// name (a stable line); multi-value entries are joined with ", " and win
// over the single-value map. Redaction happens in Log.
func stringMapAttrs(single map[string]string, multi map[string][]string) []slog.Attr {
	keys := make([]string, 0, len(single)+len(multi))
	for k := range multi {
		keys = append(keys, k)
	}
	for k := range single {
		if _, dup := multi[k]; !dup {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	attrs := make([]slog.Attr, 0, len(keys))
	for _, k := range keys {
		v, ok := single[k]
		if vs, isMulti := multi[k]; isMulti || !ok {
			v = strings.Join(vs, ", ")
		}
		attrs = append(attrs, slog.String(strings.ToLower(k), v))
	}
	return attrs
}

// body returns the loggable form of a request body.
func (l *Logger) body(b string, isBase64 bool) any {
	if isBase64 {
		dec, err := base64.StdEncoding.DecodeString(b)
		if err != nil || !utf8.Valid(dec) {
			return "[binary body]"
		}
		b = string(dec)
	}
	if len(b) <= l.opts.MaxBody {
		var doc any
		if t := strings.TrimSpace(b); t != "" && (t[0] == '{' || t[0] == '[') && json.Unmarshal([]byte(t), &doc) == nil {
			return RedactJSON(doc)
		}
		if form, ok := parseForm(b); ok {
			return RedactJSON(form)
		}
	}
	return clean(b, l.opts.MaxBody)
}

// parseForm reads an application/x-www-form-urlencoded body (a login form's
// "user=alice&password=..."), so that its fields are redacted by name.
func parseForm(b string) (map[string]any, bool) {
	if !strings.Contains(b, "=") || strings.ContainsAny(b, " \t\r\n{}\"") {
		return nil, false
	}
	q, err := url.ParseQuery(b)
	if err != nil || len(q) == 0 {
		return nil, false
	}
	form := make(map[string]any, len(q))
	for k, vs := range q {
		form[k] = strings.Join(vs, ", ")
	}
	return form, true
}
