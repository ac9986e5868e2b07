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

// escape makes text inert in Slack: with &, < and > escaped, "<!channel>",
// "<@U123>" and "<http://evil|click>" show as typed instead of pinging or
// linking (docs.slack.dev/messaging/formatting-message-text). It is enough
// for plain_text objects, which Slack never formats.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// code shows a log-derived value inside mrkdwn as inline code. Slack does
// not apply *bold*, _italic_, ~strike~ or a leading ">" quote inside a code
// span, so the value renders literally and copies exactly (an operator
// pastes user names and request ids into searches). A backtick would end
// the span, so it alone is swapped for the look-alike U+02CB; zero-width
// tricks to break formatting were rejected because they are the very
// format characters render.Clean shows escaped, and they would travel
// with every copy.
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + escape(strings.ReplaceAll(s, "`", "\u02cb")) + "`"
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
	if strings.Count(body, "`")%2 == 1 {
		// Cut inside a code span: the rest of the value would be read as
		// mrkdwn. Drop the open span.
		body = body[:strings.LastIndexByte(body, '`')]
	}
	return body + render.Ellipsis
}

func mrkdwn(s string, max int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, fit(s, max), false, true)
}

// plain is a plain_text object: Slack applies no formatting at all, which
// is how log-derived sentences (the detector's summary) are shown.
func plain(s string, max int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, fit(escape(s), max), false, false)
}

func header(s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plain(s, maxHeader))
}

// blocks lays out one alert or a digest of several.
func blocks(cs []render.Content) []slack.Block {
	if len(cs) == 1 {
		return capBlocks(alertBlocks(cs[0]))
	}
	out := []slack.Block{header(digestTitle(cs))}
	for i, c := range cs {
		if i == digestDetails {
			out = append(out, slack.NewSectionBlock(plain(restList(cs[i:]), maxSection), nil, nil))
			break
		}
		out = append(out, slack.NewDividerBlock())
		out = append(out, compactBlocks(c)...)
	}
	return capBlocks(out)
}

func alertBlocks(c render.Content) []slack.Block {
	out := []slack.Block{header(icon(c) + " " + c.Headline)}
	if c.What != "" {
		out = append(out, slack.NewSectionBlock(plain(c.What, maxSection), nil, nil))
	}
	var fields []*slack.TextBlockObject
	for _, f := range c.Facts {
		v := escape(f.Value)
		if f.Log {
			v = code(f.Value)
		}
		fields = append(fields, mrkdwn("*"+f.Label+"*\n"+v, maxField))
	}
	for _, l := range render.Lists(c) {
		lines := []string{"*" + l.Label + "*"}
		for _, v := range l.Values {
			lines = append(lines, listValue(v))
		}
		if l.Extra != "" {
			lines = append(lines, escape(l.Extra))
		}
		fields = append(fields, mrkdwn(strings.Join(lines, "\n"), maxField))
	}
	for len(fields) > 0 {
		n := min(len(fields), maxFields)
		out = append(out, slack.NewSectionBlock(nil, fields[:n], nil))
		fields = fields[n:]
	}
	if l := linkLine(c); l != "" {
		out = append(out, slack.NewSectionBlock(mrkdwn(l, maxSection), nil, nil))
	}
	if len(c.NextStep) > 0 {
		out = append(out, slack.NewContextBlock("", mrkdwn("*Next step:* "+spans(c.NextStep), maxContext)))
	}
	return out
}

// listValue is "`203.0.113.7` (41)": the value in code, our count outside.
func listValue(v string) string {
	if i := strings.LastIndex(v, " ("); i > 0 && strings.HasSuffix(v, ")") {
		return code(v[:i]) + " " + escape(v[i+1:])
	}
	return code(v)
}

// spans writes our own next-step text with its commands as code.
func spans(sp []render.Span) string {
	var b strings.Builder
	for _, s := range sp {
		if s.Code {
			b.WriteString(code(s.Text))
		} else {
			b.WriteString(escape(s.Text))
		}
	}
	return b.String()
}

// compactBlocks is one alert inside a digest: headline, the detector's
// sentence and when (all plain text), then the links.
func compactBlocks(c render.Content) []slack.Block {
	lines := []string{icon(c) + " " + c.Headline}
	if c.What != "" {
		lines = append(lines, render.Truncate(c.What, 300))
	}
	if w := render.When(c.Alert); w != "" {
		lines = append(lines, w)
	}
	out := []slack.Block{slack.NewSectionBlock(plain(strings.Join(lines, "\n"), maxSection), nil, nil)}
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
	lines := []string{fmt.Sprintf("…and %d more:", len(cs))}
	for _, c := range cs {
		lines = append(lines, "• "+c.Headline)
	}
	return strings.Join(lines, "\n")
}

// fallback is the message's top-level text: what a phone notification and
// a screen reader say, so it is the headline with the key fact. Slack
// formats this text as mrkdwn and a notification cannot show code, so
// here the formatting characters are swapped for look-alikes
// (∗ ˍ ∼ ˋ): nobody copies from a notification, and it must not render
// attacker text bold or struck through.
func fallback(cs []render.Content) string {
	s := digestTitle(cs)
	if len(cs) == 1 {
		s = cs[0].Headline
	}
	return fit(escape(lookalikes.Replace(s)), maxSection)
}

var lookalikes = strings.NewReplacer("*", "\u2217", "_", "\u02cd", "~", "\u223c", "`", "\u02cb")

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
