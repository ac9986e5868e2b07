package email

import (
	"fmt"
	"html"
	"html/template"
	"sort"
	"strings"

	"github.com/logwarden/logwarden/pkg/notify/render"
)

// maxSubject keeps subjects readable in a mail client's list; SES itself
// allows more, but nobody reads past this.
const maxSubject = 200

// Subject is the alert's headline ("CRITICAL · Brute force · login —
// 203.0.113.7: 41 failed logins ≥ threshold 10"), the same line Slack
// notifications show; a digest says how many alerts and where. CR and LF
// never reach the header (header injection): render.Clean turns them into
// spaces.
func Subject(cs []render.Content) string {
	if len(cs) == 0 {
		return "[logwarden] no alerts"
	}
	var s string
	if len(cs) == 1 {
		s = cs[0].Headline
	} else {
		fns := map[string]bool{}
		for _, c := range cs {
			fns[c.Alert.Function] = true
		}
		names := make([]string, 0, len(fns))
		for f := range fns {
			names = append(names, orDash(f))
		}
		sort.Strings(names)
		s = fmt.Sprintf("[%s] %d alerts in %s", worstWord(cs), len(cs), strings.Join(names, ", "))
	}
	return render.Clean(s, maxSubject)
}

func statusWord(c render.Content) string {
	if c.Resolved {
		return "RESOLVED"
	}
	return strings.ToUpper(orDash(c.Alert.Severity))
}

func worstWord(cs []render.Content) string {
	rank := map[string]int{"RESOLVED": 0, "INFO": 1, "WARNING": 2, "CRITICAL": 3}
	best := "RESOLVED"
	for _, c := range cs {
		if w := statusWord(c); rank[w] > rank[best] {
			best = w
		}
	}
	return best
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Text is the plain-text body.
func Text(cs []render.Content) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("\n----------------------------------------\n\n")
		}
		b.WriteString(render.PlainText(c))
	}
	b.WriteString("\n-- \nSent by logwarden. Tune or mute alerts in the thresholds items (logwarden thresholds).\n")
	return b.String()
}

// HTML is the HTML body; html/template escapes every value, so log text
// cannot add markup, and only our own https links become hrefs.
func HTML(cs []render.Content) (string, error) {
	var b strings.Builder
	if err := page.Execute(&b, struct {
		Subject string
		Alerts  []render.Content
	}{Subject(cs), cs}); err != nil {
		return "", fmt.Errorf("render email: %w", err)
	}
	return b.String(), nil
}

var page = template.Must(template.New("alert").Funcs(template.FuncMap{
	"join":  strings.Join,
	"link":  link,
	"lists": render.Lists,
}).Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1d1c1d">
{{range .Alerts}}
<div style="border-left:4px solid {{if .Resolved}}#2eb67d{{else if eq .Alert.Severity "critical"}}#e01e5a{{else}}#ecb22e{{end}};padding:4px 12px;margin:12px 0">
<h2 style="margin:4px 0">{{.Headline}}</h2>
{{if .What}}<p>{{.What}}</p>{{end}}
<table style="border-collapse:collapse">
{{range .Facts}}<tr><td style="padding:2px 12px 2px 0;color:#616061">{{.Label}}</td><td>{{.Value}}</td></tr>
{{end}}{{range lists .}}<tr><td style="padding:2px 12px 2px 0;color:#616061">{{.Label}}</td><td>{{join .Values ", "}}{{if .Extra}}, {{.Extra}}{{end}}</td></tr>
{{end}}</table>
{{if .Links}}<p>{{range $i, $l := .Links}}{{if $i}} · {{end}}{{link $l.URL $l.Label}}{{end}}</p>{{end}}
{{if .NextStep}}<p><strong>Next step:</strong> {{range .NextStep}}{{if .Code}}<code>{{.Text}}</code>{{else}}{{.Text}}{{end}}{{end}}</p>{{end}}
</div>
{{end}}
<p style="color:#616061;font-size:12px">Sent by logwarden. Tune or mute alerts in the thresholds items (<code>logwarden thresholds</code>).</p>
</body></html>
`))

// link writes one of our own console links. html/template would
// percent-encode the ( and ' the console's deep-link syntax relies on, so
// the anchor is built here: attribute-escaped, and only for https URLs.
func link(u, label string) template.HTML {
	if !strings.HasPrefix(u, "https://") {
		return template.HTML(html.EscapeString(label))
	}
	return template.HTML(`<a href="` + html.EscapeString(u) + `">` + html.EscapeString(label) + `</a>`)
}
