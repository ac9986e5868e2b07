package render

import (
	"fmt"
	"strings"
)

// List is one labelled list of log-derived values (top IPs, top users,
// request ids). Values are cleaned; Extra is our own "… and 3 more".
type List struct {
	Label  string
	Values []string
	Extra  string
}

// Lists returns the alert's non-empty lists in display order, the same for
// every channel.
func Lists(c Content) []List {
	var out []List
	add := func(label string, es []Entry, more int) {
		if len(es) == 0 {
			return
		}
		l := List{Label: label}
		for _, e := range es {
			l.Values = append(l.Values, EntryText(e))
		}
		if more > 0 {
			l.Extra = fmt.Sprintf("… and %d more", more)
		}
		out = append(out, l)
	}
	add("Top IPs", c.TopIPs, c.More.IPs)
	add("Top users", c.TopUsers, c.More.Users)
	if len(c.RequestIDs) > 0 {
		out = append(out, List{Label: "Request ids", Values: c.RequestIDs})
	}
	return out
}

// PlainText lays out one alert as plain text, for the console, logs and
// the text part of email: the headline, the detector's sentence, the facts
// and lists, our links and the next step, with no markup of any medium.
func PlainText(c Content) string {
	var b strings.Builder
	b.WriteString(c.Headline + "\n")
	if c.What != "" {
		b.WriteString(c.What + "\n")
	}
	b.WriteString("\n")
	for _, f := range c.Facts {
		b.WriteString(pad(f.Label) + f.Value + "\n")
	}
	for _, l := range Lists(c) {
		vals := l.Values
		if l.Extra != "" {
			vals = append(vals[:len(vals):len(vals)], l.Extra)
		}
		b.WriteString(pad(l.Label) + strings.Join(vals, ", ") + "\n")
	}
	for _, l := range c.Links {
		b.WriteString(pad(l.Label) + l.URL + "\n")
	}
	if len(c.NextStep) > 0 {
		b.WriteString("\nNext step: " + SpansText(c.NextStep) + "\n")
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
