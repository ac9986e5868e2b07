package render

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/logwarden/logwarden/pkg/detect"
)

// Measure says the value against its baseline the way a person reads it at
// 3 a.m.: "duration 29.8 s vs usual 3.1 s (9.6×), 214 invocations since
// 03:12 UTC", or against a threshold with the comparison spelled out
// ("memory used 90.4 % ≥ threshold 90 %"). It is empty when the alert
// carries no value.
func Measure(a detect.Alert) string {
	if a.Value == 0 && a.Baseline == 0 && a.Samples == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(compare(a))
	countOnly := a.Baseline == 0 && a.Value == float64(a.Samples)
	// "41 failed logins ≥ threshold 10" already gave the sample size.
	said := !countOnly && a.Unit == "failures" && a.Value == float64(a.Samples)
	if a.Samples > 0 && !said {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", a.Samples, sampleNoun(a.Type, a.Samples))
	}
	if a.Samples > 0 && sane(a.WindowStart) {
		b.WriteString(" since " + sinceClock(a))
	}
	return b.String()
}

// compare is the value against its baseline, without the sample size.
func compare(a detect.Alert) string {
	var b strings.Builder
	if label := measureLabel(a.Type); label != "" {
		b.WriteString(label + " ")
	}
	// A count alert's value is its sample size: say it once.
	countOnly := a.Baseline == 0 && a.Value == float64(a.Samples)
	if !countOnly {
		if a.Unit == "failures" {
			n := int(a.Value)
			fmt.Fprintf(&b, "%d %s", n, sampleNoun(a.Type, n))
		} else {
			b.WriteString(Quantity(a.Value, a.Unit))
		}
	}
	switch {
	case a.Baseline > 0 && learnedBaseline(a.Type):
		fmt.Fprintf(&b, " vs usual %s", Quantity(a.Baseline, a.Unit))
		if r := a.Value / a.Baseline; r >= 0 && !math.IsInf(r, 0) {
			fmt.Fprintf(&b, " (%s×)", trimFloat(r, 1))
		}
	case a.Baseline > 0:
		// Memory and authentication alerts compare with a configured
		// threshold, not a learned usual value. The sign is computed, not
		// assumed: "90 %, threshold 90 %" read as not crossing, and a
		// resolved alert is below its threshold.
		op := "≥"
		if a.Value < a.Baseline {
			op = "<"
		}
		limit := Quantity(a.Baseline, a.Unit)
		if countUnit(a.Unit) {
			limit = trimFloat(a.Baseline, 2) // "41 failed logins ≥ threshold 10"
		}
		fmt.Fprintf(&b, " %s threshold %s", op, limit)
	}
	return strings.TrimSpace(b.String())
}

// keyFact is what the headline says after the title: who (the source IP,
// the user) and how much, or the detector's own sentence when the alert
// carries no comparison (timeouts, crashes).
func keyFact(a detect.Alert) string {
	if f, ok := opsKeyFact(a); ok {
		return f
	}
	who := func(s string) string { return Truncate(s, maxFactValue) }
	switch a.Type {
	case detect.TypeBruteForce, detect.TypeCredentialStuffing:
		src := a.IP
		if src == "" && a.User != "" {
			src = "user " + a.User // distributed: many addresses, one user
		}
		if src == "" {
			return compare(a)
		}
		m := compare(a)
		if a.Samples > 0 && (m == "" || float64(a.Samples) != a.Value) {
			m = strings.TrimPrefix(m+fmt.Sprintf(", %d %s", a.Samples, sampleNoun(a.Type, a.Samples)), ", ")
		}
		return who(src) + ": " + m
	case detect.TypeAccountCompromise:
		s := "login succeeded"
		if a.User != "" {
			s += " for " + who(a.User)
		}
		if a.IP != "" {
			s += " from " + who(a.IP)
		}
		// The failure count means different things for the per-address and
		// the per-user detector; the detector's sentence says which.
		return s
	case detect.TypeTimeout, detect.TypeCrash:
		if a.Summary != "" {
			return a.Summary
		}
	}
	return compare(a)
}

func sinceClock(a detect.Alert) string {
	s := a.WindowStart.UTC()
	if sane(a.Time) && a.Time.Sub(a.WindowStart).Hours() >= 20 {
		return s.Format("Jan 2 15:04 UTC")
	}
	return s.Format("15:04 UTC")
}

// countUnit reports units that count events rather than measure them.
func countUnit(u string) bool {
	switch u {
	case "failures", "users", "invocations", "":
		return true
	}
	return false
}

// learnedBaseline reports whether an alert type's Baseline is a learned
// usual value (rather than the threshold it crossed).
func learnedBaseline(t string) bool {
	switch t {
	case detect.TypeDuration, detect.TypeColdStart, detect.TypeCost, detect.TypeSurge:
		return true
	}
	return false
}

func measureLabel(t string) string {
	switch t {
	case detect.TypeDuration:
		return "duration"
	case detect.TypeColdStart:
		return "init"
	case detect.TypeMemory:
		return "memory used"
	case detect.TypeCost:
		return "cost"
	}
	return ""
}

func sampleNoun(t string, n int) string {
	one, many := "invocation", "invocations"
	switch t {
	case detect.TypeBruteForce, detect.TypeCredentialStuffing, detect.TypeAccountCompromise:
		one, many = "failed login", "failed logins"
	case detect.TypeColdStart:
		one, many = "cold start", "cold starts"
	}
	if n == 1 {
		return one
	}
	return many
}

// Quantity humanises a number in its unit: milliseconds become "850 ms",
// "29.8 s" or "2.5 min", money "$12.40/h", counts "37 failures".
func Quantity(v float64, unit string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "?"
	}
	switch unit {
	case "ms":
		if v < 0 {
			// A duration is never negative; one that is comes from a broken
			// clock or input, and "-2562047h" would only mislead.
			return "?"
		}
		switch {
		case math.Abs(v) >= 60_000:
			return trimFloat(v/60_000, 1) + " min"
		case math.Abs(v) >= 1000:
			return trimFloat(v/1000, 1) + " s"
		}
		return trimFloat(v, 0) + " ms"
	case "s":
		return Quantity(v*1000, "ms")
	case "USD/h":
		return fmt.Sprintf("$%.2f/h", v)
	case "USD":
		return fmt.Sprintf("$%.2f", v)
	case "%":
		return trimFloat(v, 1) + " %"
	case "":
		return trimFloat(v, 2)
	}
	return trimFloat(v, 1) + " " + unit
}

func trimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// NextStep names the action that settles the alert: the threshold item to
// tune, the blocklist entry, or what to look at. Commands are Code spans.
func NextStep(a detect.Alert) []Span {
	if sp := opsNextStep(a); sp != nil {
		return sp
	}
	fn := "function#" + safeName(a.Function)
	set := "logwarden thresholds set " + fn + " "
	text := func(s string) Span { return Span{Text: s} }
	code := func(s string) Span { return Span{Text: s, Code: true} }
	if sp, ok := authV2Step(a, fn, text, code); ok {
		return sp
	}
	switch a.Type {
	case detect.TypeDuration:
		return []Span{text("Look at the slow requests (request ids, log links). If this latency is the new normal, raise the ratio: "),
			code(set + "duration_ratio=" + nextRatio(a))}
	case detect.TypeColdStart:
		return []Span{text("Check the deployment or package size behind the slower init. To tolerate it: "),
			code(set + "init_ratio=" + nextRatio(a))}
	case detect.TypeMemory:
		return []Span{text("Raise the function's memory size before it runs out, or accept it: "),
			code(set + "memory_percent=98")}
	case detect.TypeCost:
		return []Span{text("Find what drives the extra invocations or duration (a loop, a retry storm, abuse). If expected: "),
			code(set + "cost_ratio=" + nextRatio(a))}
	case detect.TypeTimeout:
		return []Span{text("Look at the timed-out requests (downstream calls, cold starts). Raise the function timeout if the work legitimately takes longer.")}
	case detect.TypeCrash:
		return []Span{text("Read the crash in the log events link (error type, stack trace) and fix or roll back the last deployment.")}
	case detect.TypeBruteForce, detect.TypeCredentialStuffing:
		if a.IP != "" {
			// "add", not "set": set would replace the function's allow
			// list, and with it the addresses it inherits from the
			// defaults and log group items.
			return []Span{text("The source is on logwarden's blocklist ("), code("logwarden blocklist"),
				text("). If it is a trusted address (NAT, office, scanner), add it to the function's allow list: "),
				code("logwarden thresholds add " + fn + " allow_cidrs=" + safeCIDR(a.IP))}
		}
		return []Span{text("Block the sources at the WAF or API; check the blocklist with "), code("logwarden blocklist"), text(".")}
	case detect.TypeAccountCompromise:
		return []Span{text("Treat the account as compromised: reset its credentials, revoke its sessions and review what it did since the success.")}
	}
	return []Span{text("Open the log events link and check the evidence.")}
}

// SpansText is spans as plain text: commands as they are, no markup.
func SpansText(sp []Span) string {
	var b strings.Builder
	for _, s := range sp {
		b.WriteString(s.Text)
	}
	return b.String()
}

func nextRatio(a detect.Alert) string {
	if a.Baseline > 0 && a.Value > 0 {
		return trimFloat(math.Ceil(a.Value/a.Baseline*1.1), 0)
	}
	return "4"
}

var (
	plainName = regexp.MustCompile(`^[A-Za-z0-9_./:@+=-]{1,256}$`)
	plainIP   = regexp.MustCompile(`^[0-9A-Fa-f:.]{2,45}$`)
)

// safeName keeps a function name in a pasteable command only when it is
// made of the characters AWS names use.
func safeName(fn string) string {
	if !plainName.MatchString(fn) {
		return "<function>"
	}
	return fn
}

// safeCIDR makes a /32 or /128 from an IP, but only if the text looks like
// an address: a command an operator might paste must not carry log text.
func safeCIDR(ip string) string {
	if !plainIP.MatchString(ip) {
		return "<ip>/32"
	}
	if strings.Contains(ip, ":") {
		return ip + "/128"
	}
	return ip + "/32"
}
