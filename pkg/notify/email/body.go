package email

import (
	"fmt"
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
