package render

import (
	"strings"
)

// PlainText lays out one alert as plain text, for the console, logs and
// the text part of email.
func PlainText(c Content) string {
	var b strings.Builder
	b.WriteString(c.Title + "\n")
	if c.What != "" {
		b.WriteString(c.What + "\n")
	}
	if c.Measure != "" {
		b.WriteString(c.Measure + "\n")
	}
	b.WriteString("\n")
	for _, f := range c.Facts {
		b.WriteString(pad(f.Label) + f.Value + "\n")
	}
	for _, l := range []struct {
		label string
		vals  []string
	}{{"Top IPs", c.TopIPs}, {"Top users", c.TopUsers}, {"Request ids", c.RequestIDs}} {
		if len(l.vals) > 0 {
			b.WriteString(pad(l.label) + strings.Join(l.vals, ", ") + "\n")
		}
	}
	for _, l := range c.Links {
		b.WriteString(pad(l.Label) + l.URL + "\n")
	}
	if c.NextStep != "" {
		b.WriteString("\nNext step: " + c.NextStep + "\n")
	}
	return b.String()
}

func pad(label string) string {
	const width = 18
	if n := len([]rune(label)); n < width {
		return label + ":" + strings.Repeat(" ", width-n)
	}
	return label + ": "
}
