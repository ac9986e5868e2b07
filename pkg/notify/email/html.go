package email

import (
	"html"
	"strings"

	"github.com/logwarden/logwarden/pkg/notify/render"
)

// HTML is the HTML body. Every value is escaped for HTML text (the only
// context values appear in), so log text cannot add markup, and only our
// own https links become hrefs.
//
// It is written by hand rather than with html/template: executing a
// template calls reflect's Method, which makes the linker keep every
// exported method of every type in the binary, and so every operation of
// each AWS SDK client the processor links (the SES v2, SSM and DynamoDB
// clients: about 10 MB of its 21 MB bootstrap). The output is the one the
// template produced, byte for byte (testdata/*.html and the render goldens
// pin it).
func HTML(cs []render.Content) (string, error) {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
	escape(&b, Subject(cs))
	b.WriteString("</title></head>\n<body style=\"font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1d1c1d\">\n")
	for _, c := range cs {
		alertHTML(&b, c)
	}
	b.WriteString("\n<p style=\"color:#616061;font-size:12px\">Sent by logwarden. Tune or mute alerts in the thresholds items (<code>logwarden thresholds</code>).</p>\n</body></html>\n")
	return b.String(), nil
}

const labelCell = `<tr><td style="padding:2px 12px 2px 0;color:#616061">`

func alertHTML(b *strings.Builder, c render.Content) {
	color := "#ecb22e"
	switch {
	case c.Resolved:
		color = "#2eb67d"
	case c.Alert.Severity == "critical":
		color = "#e01e5a"
	}
	b.WriteString("\n<div style=\"border-left:4px solid " + color + ";padding:4px 12px;margin:12px 0\">\n<h2 style=\"margin:4px 0\">")
	escape(b, c.Headline)
	b.WriteString("</h2>\n")
	if c.What != "" {
		b.WriteString("<p>")
		escape(b, c.What)
		b.WriteString("</p>")
	}
	b.WriteString("\n<table style=\"border-collapse:collapse\">\n")
	for _, f := range c.Facts {
		b.WriteString(labelCell)
		escape(b, f.Label)
		b.WriteString("</td><td>")
		escape(b, f.Value)
		b.WriteString("</td></tr>\n")
	}
	for _, l := range render.Lists(c) {
		b.WriteString(labelCell)
		escape(b, l.Label)
		b.WriteString("</td><td>")
		escape(b, strings.Join(l.Values, ", "))
		if l.Extra != "" {
			b.WriteString(", ")
			escape(b, l.Extra)
		}
		b.WriteString("</td></tr>\n")
	}
	b.WriteString("</table>\n")
	if len(c.Links) > 0 {
		b.WriteString("<p>")
		for i, l := range c.Links {
			if i > 0 {
				b.WriteString(" · ")
			}
			link(b, l.URL, l.Label)
		}
		b.WriteString("</p>")
	}
	b.WriteString("\n")
	if len(c.NextStep) > 0 {
		b.WriteString("<p><strong>Next step:</strong> ")
		for _, s := range c.NextStep {
			if s.Code {
				b.WriteString("<code>")
				escape(b, s.Text)
				b.WriteString("</code>")
			} else {
				escape(b, s.Text)
			}
		}
		b.WriteString("</p>")
	}
	b.WriteString("\n</div>\n")
}

// link writes one of our own console links: attribute-escaped, and only
// for https URLs. (html/template would have percent-encoded the ( and '
// the console's deep-link syntax relies on.)
func link(b *strings.Builder, u, label string) {
	if !strings.HasPrefix(u, "https://") {
		b.WriteString(html.EscapeString(label))
		return
	}
	b.WriteString(`<a href="` + html.EscapeString(u) + `">` + html.EscapeString(label) + `</a>`)
}

// htmlEscaper replaces what html/template's text escaper replaces: the
// markup characters, both quotes, '+' (UTF-7 sniffing) and NUL.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func escape(b *strings.Builder, s string) { _, _ = htmlEscaper.WriteString(b, s) }
