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
// 3 a.m.: "duration 29.8 s vs usual 3.1 s — 9.6×, 214 invocations since
// 03:12 UTC". It is empty when the alert carries no value.
func Measure(a detect.Alert) string {
	if a.Value == 0 && a.Baseline == 0 && a.Samples == 0 {
		return ""
	}
	var b strings.Builder
	if label := measureLabel(a.Type); label != "" {
		b.WriteString(label + " ")
	}
	// A count alert's value is its sample size: say it once.
	countOnly := a.Baseline == 0 && a.Value == float64(a.Samples)
	if !countOnly {
		b.WriteString(Quantity(a.Value, a.Unit))
	}
	switch {
	case a.Baseline > 0 && learnedBaseline(a.Type):
		fmt.Fprintf(&b, " vs usual %s — %s×", Quantity(a.Baseline, a.Unit), trimFloat(a.Value/a.Baseline, 1))
	case a.Baseline > 0:
		// Memory and authentication alerts compare with a configured
		// threshold, not a learned usual value: say so.
		fmt.Fprintf(&b, " (threshold %s)", Quantity(a.Baseline, a.Unit))
	}
	if a.Samples > 0 {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", a.Samples, sampleNoun(a.Type, a.Samples))
		if !a.WindowStart.IsZero() {
			b.WriteString(" since " + sinceClock(a))
		}
	}
	return b.String()
}

func sinceClock(a detect.Alert) string {
	s := a.WindowStart.UTC()
	if !a.Time.IsZero() && a.Time.Sub(a.WindowStart).Hours() >= 20 {
		return s.Format("Jan 2 15:04 UTC")
	}
	return s.Format("15:04 UTC")
}

// learnedBaseline reports whether an alert type's Baseline is a learned
// usual value (rather than the threshold it crossed).
func learnedBaseline(t string) bool {
	switch t {
	case detect.TypeDuration, detect.TypeColdStart, detect.TypeCost:
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
	switch unit {
	case "ms":
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
// tune, the blocklist entry, or what to look at.
func NextStep(a detect.Alert) string {
	fn := "function#" + safeName(a.Function)
	set := "logwarden thresholds set " + fn + " "
	switch a.Type {
	case detect.TypeDuration:
		return fmt.Sprintf("Look at the slow requests (request ids, log links). If this latency is the new normal, raise the ratio: `%sduration_ratio=%s`.", set, nextRatio(a))
	case detect.TypeColdStart:
		return fmt.Sprintf("Check the deployment or package size behind the slower init. To tolerate it: `%sinit_ratio=%s`.", set, nextRatio(a))
	case detect.TypeMemory:
		return "Raise the function's memory size before it runs out, or accept it: `" + set + "memory_percent=98`."
	case detect.TypeCost:
		return "Find what drives the extra invocations or duration (a loop, a retry storm, abuse). If expected: `" + set + "cost_ratio=" + nextRatio(a) + "`."
	case detect.TypeTimeout:
		return "Look at the timed-out requests (downstream calls, cold starts). Raise the function timeout if the work legitimately takes longer."
	case detect.TypeCrash:
		return "Read the crash in the log events link (error type, stack trace) and fix or roll back the last deployment."
	case detect.TypeBruteForce, detect.TypeCredentialStuffing:
		if a.IP != "" {
			return "The source is on logwarden's blocklist (`logwarden blocklist`). If it is a trusted address (NAT, office, scanner), allow it: `" + set + "allow_cidrs=" + safeCIDR(a.IP) + "`."
		}
		return "Block the sources at the WAF or API; check the blocklist with `logwarden blocklist`."
	case detect.TypeAccountCompromise:
		return "Treat the account as compromised: reset its credentials, revoke its sessions and review what it did since the success."
	}
	return "Open the log events link and check the evidence."
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
