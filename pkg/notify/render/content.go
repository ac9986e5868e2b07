// Package render turns alerts into channel-neutral content: the 4 W's (what,
// where, when, who), the value against its baseline in words, the evidence
// (top IPs and users, request ids), links to the logs and the next step.
// Every log-derived string is cleaned (valid UTF-8, no control characters,
// bounded length); each channel still escapes for its own medium.
package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
)

// Limits on log-derived text, in runes. A 10 KB user name is evidence of an
// attack, not something to page anyone with in full.
const (
	MaxEntity  = 128 // one IP, user or request id
	MaxSummary = 600
	MaxName    = 256 // function, log group, stream
	MaxListed  = 5   // entries of top IPs/users/request ids shown
	// MaxHeadline is Slack's header limit; subjects and phone
	// notifications are cut well before it anyway.
	MaxHeadline = 150
	// maxFactValue bounds an IP or user name inside the headline.
	maxFactValue = 48
)

// Options carries what an alert does not: the region the links point at and
// the account logwarden runs in (to tell cross-account evidence apart).
type Options struct {
	Region  string
	Account string
}

// Field is one labelled fact.
type Field struct {
	Label string
	Value string
	// Log marks a value taken from the logs (function, IP, user), which a
	// channel shows as literal data (Slack: inline code).
	Log bool
}

// Link is one of our own generated links.
type Link struct {
	Label string
	URL   string
}

// Entry is one value of a top list with its count.
type Entry struct {
	Value string
	Count int
}

// Span is a piece of text of our own making: prose, or (Code) a command
// to paste, which each channel marks up its own way (backticks in Slack,
// <code> in HTML, nothing in plain text) so no markup leaks across media.
type Span struct {
	Text string
	Code bool
}

// Content is one alert ready to be laid out by a channel. All strings are
// plain text (not escaped for any medium); every log-derived one went
// through Clean.
type Content struct {
	Alert    detect.Alert
	Resolved bool
	// Title: "CRITICAL · Duration anomaly · orders" (or "RESOLVED · ...").
	Title string
	// Headline is the one line an alert is known by: the title and the key
	// fact (the source IP, the value against its threshold or usual
	// value). It is the Slack header and notification text and the email
	// subject, so a phone's lock screen says what happened.
	Headline string
	// What is the detector's own sentence, shown once under the headline;
	// empty when the headline already says it (timeouts, crashes).
	What string
	// Where / When / Who, in display order; empty facts are left out.
	Facts      []Field
	TopIPs     []Entry
	TopUsers   []Entry
	More       Overflow // how many entries the top lists left out
	RequestIDs []string
	Links      []Link
	NextStep   []Span
}

// Overflow counts the entries left out of the top lists.
type Overflow struct{ IPs, Users int }

// New renders one alert.
func New(a detect.Alert, opt Options) Content {
	a = cleanAlert(a)
	c := Content{Alert: a, Resolved: a.Status == detect.StatusResolved}
	c.Title = fmt.Sprintf("%s · %s · %s", statusWord(a), TypeTitle(a.Type), orDash(a.Function))
	if a.Type == TypeUndelivered {
		c.Title = undeliveredTitle(a)
	}
	fact := keyFact(a)
	c.Headline = Truncate(c.Title+" — "+fact, MaxHeadline)
	if fact == "" {
		c.Headline = c.Title
	}
	if a.Summary != fact {
		c.What = a.Summary
	}
	c.Facts = facts(a, opt)
	c.TopIPs, c.More.IPs = entries(a.TopIPs)
	c.TopUsers, c.More.Users = entries(a.TopUsers)
	c.RequestIDs = a.RequestIDs
	if len(c.RequestIDs) > MaxListed {
		c.RequestIDs = c.RequestIDs[:MaxListed]
	}
	c.Links = links(a, opt)
	if !c.Resolved {
		c.NextStep = NextStep(a)
	}
	return c
}

// All renders a batch of alerts.
func All(alerts []detect.Alert, opt Options) []Content {
	out := make([]Content, len(alerts))
	for i, a := range alerts {
		out[i] = New(a, opt)
	}
	return out
}

func statusWord(a detect.Alert) string {
	if a.Status == detect.StatusResolved {
		return "RESOLVED"
	}
	return strings.ToUpper(orDash(a.Severity))
}

// TypeTitle is the human name of an alert type.
func TypeTitle(t string) string {
	if s, ok := authV2Title(t); ok {
		return s
	}
	switch t {
	case detect.TypeDuration:
		return "Duration anomaly"
	case detect.TypeColdStart:
		return "Cold start anomaly"
	case detect.TypeMemory:
		return "Memory near limit"
	case detect.TypeTimeout:
		return "Timeout"
	case detect.TypeCrash:
		return "Crash"
	case detect.TypeCost:
		return "Cost anomaly"
	case detect.TypeSurge:
		return "Invocation surge"
	case TypeUndelivered:
		return "Alerts not delivered"
	case detect.TypeBruteForce:
		return "Brute force"
	case detect.TypeCredentialStuffing:
		return "Credential stuffing"
	case detect.TypeAccountCompromise:
		return "Account compromise"
	}
	return orDash(t)
}

func facts(a detect.Alert, opt Options) []Field {
	var f []Field
	add := func(label, v string) {
		if v != "" {
			f = append(f, Field{Label: label, Value: v})
		}
	}
	logged := func(label, v string) {
		if v != "" {
			f = append(f, Field{Label: label, Value: v, Log: true})
		}
	}
	logged("Function", a.Function)
	logged("Log group", a.LogGroup)
	logged("Log stream", a.LogStream)
	acct := a.Account
	if acct == "" {
		acct = opt.Account
	}
	where := acct
	if opt.Region != "" {
		where = strings.TrimSpace(acct + " " + opt.Region)
	}
	add("Account / region", where)
	add("When", When(a))
	logged("Source IP", a.IP)
	logged("User", a.User)
	add(costFact(a))
	return f
}

// When is the time span of the evidence in UTC.
func When(a detect.Alert) string {
	if !sane(a.Time) {
		return ""
	}
	end := a.Time.UTC().Format("2006-01-02 15:04:05 UTC")
	if !sane(a.WindowStart) || !a.WindowStart.Before(a.Time) {
		return end
	}
	start := a.WindowStart.UTC()
	layout := "2006-01-02 15:04:05"
	if start.YearDay() == a.Time.UTC().YearDay() && start.Year() == a.Time.UTC().Year() {
		layout = "15:04:05"
	}
	return start.Format(layout) + " – " + end
}

// entries keeps the first MaxListed values and says how many it left out.
func entries(cs []detect.Count) ([]Entry, int) {
	var out []Entry
	for i, c := range cs {
		if i == MaxListed {
			return out, len(cs) - MaxListed
		}
		out = append(out, Entry(c))
	}
	return out, 0
}

// EntryText is "203.0.113.7 (41)".
func EntryText(e Entry) string { return fmt.Sprintf("%s (%d)", e.Value, e.Count) }

func cleanAlert(a detect.Alert) detect.Alert {
	a.Type = Clean(a.Type, 64)
	a.Severity = Clean(a.Severity, 16)
	a.Status = Clean(a.Status, 16)
	a.Function = Clean(a.Function, MaxName)
	a.LogGroup = Clean(a.LogGroup, 512)
	a.LogStream = Clean(a.LogStream, 512)
	a.Account = Clean(a.Account, 32)
	a.Summary = Clean(Defang(a.Summary), MaxSummary)
	a.Unit = Clean(a.Unit, 16)
	a.IP = Clean(Defang(a.IP), MaxEntity)
	a.User = Clean(Defang(a.User), MaxEntity)
	a.TopIPs = cleanCounts(a.TopIPs)
	a.TopUsers = cleanCounts(a.TopUsers)
	ids := make([]string, 0, len(a.RequestIDs))
	for _, id := range a.RequestIDs {
		if id = Clean(Defang(id), MaxEntity); id != "" {
			ids = append(ids, id)
		}
	}
	a.RequestIDs = ids
	a.Key = Clean(a.Key, 512)
	return a
}

func cleanCounts(cs []detect.Count) []detect.Count {
	out := make([]detect.Count, 0, len(cs))
	for _, c := range cs {
		out = append(out, detect.Count{Value: Clean(Defang(c.Value), MaxEntity), Count: c.Count})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// evidenceRange is the time range the links open: the alert's window with a
// minute of margin on each side, at least five minutes before the event.
// Callers check that the alert has a time.
func evidenceRange(a detect.Alert) (time.Time, time.Time) {
	end := a.Time
	start := a.WindowStart
	if start.IsZero() || start.After(end) || end.Sub(start) < 5*time.Minute {
		start = end.Add(-5 * time.Minute)
	}
	return start.Add(-time.Minute), end.Add(time.Minute)
}

// sane reports whether t is a time an alert can be about. Decoding rejects
// events outside 2000–2200 (cwlogs); this keeps an alert built some other
// way from showing year 292277026596 or a negative span.
func sane(t time.Time) bool {
	return t.Year() >= 2000 && t.Year() < 2200
}
