package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/logwarden/logwarden/pkg/detect"
)

// The operational alerts of detection v2 and delivery: invocation surges,
// the rules that compare a new version with the previous one, a change
// accepted as the new normal, and the notice that alerts were dropped.

// TypeUndelivered is the notice package alerting sends on the other
// channels when one channel's pending deliveries overflowed
// (alerting.TypeUndelivered; alerting depends on notify, so the name is
// repeated here rather than imported).
const TypeUndelivered = "alerts_undelivered"

// Rules of detect.Alert.Rule that change the wording (detect's own
// constants are unexported).
const (
	ruleDeploy    = "deploy"          // a new version against the previous version's baseline
	ruleAccepted  = "accepted"        // a deliberate change became the baseline
	ruleSustained = "sustained_shift" // a moderate shift that lasted
)

// undeliveredTitle is "CRITICAL · 12 alerts could not be delivered": the
// count is the news, and the function (logwarden itself) is not.
func undeliveredTitle(a detect.Alert) string {
	n := max(a.Samples, int(a.Value))
	noun := "alerts"
	if n == 1 {
		noun = "alert"
	}
	return fmt.Sprintf("%s · %d %s could not be delivered", statusWord(a), n, noun)
}

// undeliveredChannel is the channel whose alerts were dropped, from the
// notice's key (alerts_undelivered#<channel>).
func undeliveredChannel(a detect.Alert) string {
	ch, ok := strings.CutPrefix(a.Key, TypeUndelivered+"#")
	if !ok {
		return ""
	}
	return ch
}

// opsKeyFact is the headline fact of the alerts above; ok is false for
// every other alert.
func opsKeyFact(a detect.Alert) (string, bool) {
	switch {
	case a.Type == TypeUndelivered:
		s := "the oldest were dropped"
		if ch := undeliveredChannel(a); ch != "" {
			s = ch + " kept failing; the oldest were dropped"
		}
		return s, true
	case a.Type == detect.TypeSurge:
		return surgeFact(a), true
	case a.Rule == ruleAccepted && a.Baseline > 0:
		return fmt.Sprintf("new baseline %s (was %s)", Quantity(a.Value, a.Unit), Quantity(a.Baseline, a.Unit)), true
	case a.Rule == ruleDeploy && a.Baseline > 0 && a.Status != detect.StatusResolved:
		// The baseline is the previous version's, not a usual value of
		// this one, nor (memory) a threshold.
		label := measureLabel(a.Type)
		if label != "" {
			label += " "
		}
		return fmt.Sprintf("%s%s vs %s before the deploy (%s×)", label, Quantity(a.Value, a.Unit),
			Quantity(a.Baseline, a.Unit), trimFloat(a.Value/a.Baseline, 1)), true
	}
	return "", false
}

// surgeFact is "1200 invocations/min vs usual 40/min (30×), ≈ $4104/month
// if it persists": the rate against the seasonal norm and what it costs
// when nobody stops it, which is why a cheap-per-hour loop matters.
func surgeFact(a detect.Alert) string {
	s := trimFloat(a.Value, 1) + " invocations/min"
	if a.Baseline > 0 {
		r := a.Value / a.Baseline
		prec := 0
		if r < 10 {
			prec = 1
		}
		s += fmt.Sprintf(" vs usual %s/min (%s×)", trimFloat(a.Baseline, 1), trimFloat(r, prec))
	}
	if m := monthly(a); m != "" && a.Status != detect.StatusResolved {
		s += ", ≈ " + m + " if it persists"
	}
	return s
}

// monthly is the projected monthly spend of a surge ("$4104/month"), from
// its hourly cost at the surge rate.
func monthly(a detect.Alert) string {
	if a.CostPerHour <= 0 || math.IsInf(a.CostPerHour, 0) || math.IsNaN(a.CostPerHour) {
		return ""
	}
	m := a.CostPerHour * 24 * 30
	if m < 10 {
		return fmt.Sprintf("$%.2f/month", m)
	}
	return fmt.Sprintf("$%.0f/month", m)
}

// costFact labels the cost fact: a surge's cost is a projection of the
// surge rate, not a spend so far.
func costFact(a detect.Alert) (label, value string) {
	if a.CostPerHour <= 0 {
		return "", ""
	}
	if a.Type == detect.TypeSurge {
		return "Projected cost", monthly(a) + fmt.Sprintf(" at this rate ($%.2f/h)", a.CostPerHour)
	}
	return "Estimated cost", fmt.Sprintf("$%.2f/h", a.CostPerHour)
}

// opsNextStep is the next step of the alerts above; nil for every other
// alert.
func opsNextStep(a detect.Alert) []Span {
	text := func(s string) Span { return Span{Text: s} }
	code := func(s string) Span { return Span{Text: s, Code: true} }
	name := safeName(a.Function)
	accept := code("logwarden baselines accept " + name)
	set := "logwarden thresholds set function#" + name + " "
	switch {
	case a.Type == TypeUndelivered:
		fix := "Fix the failing channel (Slack: the webhook URL in its secret; email: the SES identity, and the sandbox's verified recipients)"
		switch ch := undeliveredChannel(a); ch {
		case "slack":
			fix = "Fix the Slack channel (the webhook URL in its secret, revoked or rotated?)"
		case "email":
			fix = "Fix the email channel (the SES identity, and in the SES sandbox the verified recipients)"
		case "":
		default:
			fix = "Fix the " + ch + " channel"
		}
		return []Span{text(fix + ", then check every channel with "), code("logwarden notify test"),
			text(". The dropped alerts are still in the processor's log, as \"detection\" lines since the time above.")}
	case a.Type == detect.TypeSurge:
		return []Span{text("Find what calls it: a function triggering itself (writing to the queue, bucket or stream it reads), a retry storm or a flood. To stop the spend at once, throttle it: "),
			code("aws lambda put-function-concurrency --function-name " + name + " --reserved-concurrent-executions 0"),
			text(" (undo with "), code("aws lambda delete-function-concurrency --function-name " + name),
			text("). If the traffic is expected: "), code(set + "surge_ratio=" + nextRatio(a))}
	case a.Rule == ruleDeploy && a.Type == detect.TypeDuration:
		return []Span{text("The new version is slower than the previous one: roll back if it is a regression. If the change is deliberate, make it the baseline: "),
			accept, text(" (it becomes the baseline by itself after deploy_accept_after, 24 h by default).")}
	case a.Rule == ruleDeploy && a.Type == detect.TypeColdStart:
		return []Span{text("The new version starts slower: check what it does at init (package size, SDK clients, configuration loaded). If the change is deliberate: "),
			accept}
	case a.Rule == ruleDeploy && a.Type == detect.TypeMemory:
		return []Span{text("The new version uses more memory than the previous one: look for a leak or a larger working set, and size the function for it. If the change is deliberate: "),
			accept}
	case a.Rule == ruleSustained && a.Type == detect.TypeDuration:
		return []Span{text("Look at the slow requests (request ids, log links) and what changed downstream. If this latency is the new normal: "),
			accept, text("; to tolerate shifts of this size: "), code(set + "duration_shift_ratio=" + nextShift(a))}
	}
	return nil
}

// nextShift is a sustained-shift ratio a little above this one, to a
// tenth ("1.7" for a 1.5× shift).
func nextShift(a detect.Alert) string {
	if a.Baseline > 0 && a.Value > a.Baseline {
		return trimFloat(math.Ceil(a.Value/a.Baseline*1.1*10)/10, 1)
	}
	return "2"
}
