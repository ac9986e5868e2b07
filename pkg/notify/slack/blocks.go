package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/logwarden/logwarden/pkg/notify/render"
)

// Slack's limits, in characters (docs.slack.dev/reference/block-kit/blocks).
const (
	maxHeader     = 150
	maxSection    = 3000
	maxField      = 2000
	maxFields     = 10
	maxContext    = 2000
	maxBlocks     = 50
	maxText       = 40000
	digestDetails = 10 // alerts shown in full in a digest; the rest are listed
)

// escape makes log-derived text inert in Slack: with &, < and > escaped,
// "<!channel>", "<@U123>" and "<http://evil|click>" show as typed instead
// of pinging or linking (docs.slack.dev/messaging/formatting-message-text).
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// fit cuts already-escaped text to max runes without leaving half an entity
// ("&am") or half a rune at the end.
func fit(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := render.Truncate(s, max)
	body := strings.TrimSuffix(cut, render.Ellipsis)
	if i := strings.LastIndexByte(body, '&'); i >= 0 && !strings.Contains(body[i:], ";") {
		body = body[:i]
	}
	return body + render.Ellipsis
}

func mrkdwn(s string, max int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, fit(s, max), false, true)
}

func header(s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, fit(escape(s), maxHeader), false, false))
}

// blocks lays out one alert or a digest of several.
func blocks(cs []render.Content) []slack.Block {
	if len(cs) == 1 {
		return capBlocks(alertBlocks(cs[0]))
	}
	out := []slack.Block{header(digestTitle(cs))}
	for i, c := range cs {
		if i == digestDetails {
			out = append(out, slack.NewSectionBlock(mrkdwn(restList(cs[i:]), maxSection), nil, nil))
			break
		}
		out = append(out, slack.NewDividerBlock())
		out = append(out, compactBlocks(c)...)
	}
	return capBlocks(out)
}

func alertBlocks(c render.Content) []slack.Block {
	out := []slack.Block{header(icon(c) + " " + c.Title)}
	var lead []string
	if c.What != "" {
		lead = append(lead, escape(c.What))
	}
	if c.Measure != "" {
		lead = append(lead, "*"+escape(c.Measure)+"*")
	}
	if len(lead) > 0 {
		out = append(out, slack.NewSectionBlock(mrkdwn(strings.Join(lead, "\n"), maxSection), nil, nil))
	}
	var fields []*slack.TextBlockObject
	for _, f := range c.Facts {
		fields = append(fields, mrkdwn("*"+f.Label+"*\n"+escape(f.Value), maxField))
	}
	for _, l := range []struct {
		label string
		vals  []string
	}{{"Top IPs", c.TopIPs}, {"Top users", c.TopUsers}, {"Request ids", c.RequestIDs}} {
		if len(l.vals) > 0 {
			fields = append(fields, mrkdwn("*"+l.label+"*\n"+escape(strings.Join(l.vals, "\n")), maxField))
		}
	}
	for len(fields) > 0 {
		n := min(len(fields), maxFields)
		out = append(out, slack.NewSectionBlock(nil, fields[:n], nil))
		fields = fields[n:]
	}
	if l := linkLine(c); l != "" {
		out = append(out, slack.NewSectionBlock(mrkdwn(l, maxSection), nil, nil))
	}
	if c.NextStep != "" {
		out = append(out, slack.NewContextBlock("", mrkdwn("*Next step:* "+escape(c.NextStep), maxContext)))
	}
	return out
}

// compactBlocks is one alert inside a digest: title, what, measure, when
// and the links.
func compactBlocks(c render.Content) []slack.Block {
	lines := []string{"*" + escape(icon(c)+" "+c.Title) + "*"}
	if c.What != "" {
		lines = append(lines, escape(render.Truncate(c.What, 300)))
	}
	if c.Measure != "" {
		lines = append(lines, escape(c.Measure))
	}
	if w := render.When(c.Alert); w != "" {
		lines = append(lines, escape(w))
	}
	out := []slack.Block{slack.NewSectionBlock(mrkdwn(strings.Join(lines, "\n"), maxSection), nil, nil)}
	if l := linkLine(c); l != "" {
		out = append(out, slack.NewContextBlock("", mrkdwn(l, maxContext)))
	}
	return out
}

// linkLine holds our own links, the only real links in a message. Their
// URLs are percent/dollar-encoded, so they cannot contain '|' or '>'.
func linkLine(c render.Content) string {
	var parts []string
	for _, l := range c.Links {
		if strings.ContainsAny(l.URL, "|<> ") {
			continue
		}
		parts = append(parts, "<"+l.URL+"|"+l.Label+">")
	}
	line := strings.Join(parts, " · ")
	if utf8.RuneCountInString(line) > maxContext {
		return "" // a cut link is worse than none
	}
	return line
}

func digestTitle(cs []render.Content) string {
	fns := map[string]bool{}
	resolved := 0
	for _, c := range cs {
		fns[c.Alert.Function] = true
		if c.Resolved {
			resolved++
		}
	}
	t := fmt.Sprintf("%s %d alerts · %d functions", worstIcon(cs), len(cs), len(fns))
	if resolved > 0 {
		t += fmt.Sprintf(" · %d resolved", resolved)
	}
	return t
}

func restList(cs []render.Content) string {
	lines := []string{fmt.Sprintf("*…and %d more:*", len(cs))}
	for _, c := range cs {
		lines = append(lines, "• "+escape(c.Title))
	}
	return strings.Join(lines, "\n")
}

// fallback is the notification text (push notifications, screen readers).
func fallback(cs []render.Content) string {
	if len(cs) == 1 {
		s := cs[0].Title
		if cs[0].Measure != "" {
			s += ": " + cs[0].Measure
		}
		return fit(escape(s), maxSection)
	}
	return fit(escape(digestTitle(cs)), maxSection)
}

func icon(c render.Content) string {
	switch {
	case c.Resolved:
		return "✅"
	case c.Alert.Severity == "critical":
		return "🔴"
	case c.Alert.Severity == "warning":
		return "🟠"
	}
	return "🔵"
}

func worstIcon(cs []render.Content) string {
	best := "✅"
	rank := map[string]int{"✅": 0, "🔵": 1, "🟠": 2, "🔴": 3}
	for _, c := range cs {
		if i := icon(c); rank[i] > rank[best] {
			best = i
		}
	}
	return best
}

func capBlocks(bs []slack.Block) []slack.Block {
	if len(bs) <= maxBlocks {
		return bs
	}
	bs = bs[:maxBlocks-1]
	return append(bs, slack.NewContextBlock("", mrkdwn("_Message cut to Slack's 50-block limit._", maxContext)))
}
