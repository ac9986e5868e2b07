package thresholds

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
)

// Doc documents one attribute for the README and `logwarden thresholds`.
type Doc struct {
	Name        string
	Unit        string
	Default     string
	Description string
}

var descriptions = map[string]string{
	"duration_min_samples":  "warm invocations learned before any duration alert",
	"duration_window":       "recent warm invocations whose median is compared with the baseline (1-32)",
	"duration_z":            "z-score (log space) the window median must exceed",
	"duration_ratio":        "times the usual duration the window median must exceed",
	"duration_min_delta_ms": "milliseconds above the usual duration the window median must exceed",
	"init_ratio":            "times the usual init/restore duration (median of the last 3 cold starts) that alerts",
	"cold_min_samples":      "cold starts learned before any cold start alert",
	"memory_percent":        "max memory used, in % of memory size, that alerts",
	"memory_resolve_after":  "time without a report near the limit before the memory alert resolves",
	"cost_ratio":            "times the usual spend (or invocations) per cost window that alerts",
	"cost_min_usd_per_hour": "projected spend below which no cost alert is raised",
	"cost_window":           "length of a cost window (1m-24h)",
	"cost_min_windows":      "cost windows learned before any cost alert",
	"architecture":          "price table for cost: x86_64 ($0.0000166667/GB-s) or arm64 ($0.0000133334/GB-s)",
	"duration_bucket":       "bucket of the sustained-shift rule: warm invocations are averaged (ln ms) per bucket (1m-1h)",
	"duration_cusum_k":      "sigma a bucket must exceed its seasonal level by to add evidence (CUSUM reference)",
	"duration_cusum_h":      "accumulated evidence, in sigma, that raises a sustained duration_anomaly",
	"duration_shift_ratio":  "times the seasonal level the evidence must average for a sustained alert (scaled up with a raised duration_ratio)",
	"deploy_ratio":          "times the previous version's usual duration that makes a new version a regression (scaled up with a raised duration_ratio)",
	"deploy_min_samples":    "warm invocations of a new version before it is compared with the previous one",
	"deploy_accept_after":   "after this long a new version's behaviour is the normal (open incidents resolve with a note)",
	"surge_ratio":           "times the seasonal invocation rate (over surge_window, or twice it) that is an invocation_surge",
	"surge_min_extra":       "invocations above the seasonal norm within the window a surge needs at least",
	"surge_window":          "window of the surge check (1m-10m; twice it is checked too, up to 10m)",
	"surge_min_hours":       "hours of invocation history before any surge alert",
	"platform_confirm":      "REPORTs in a row (over a minute or more) that make a memory size the function never had believable",
	"brute_force_failures":  "failed logins from one IP (IPv6: /64) within brute_force_window that alert and block",
	"brute_force_window":    "sliding window of brute_force_failures",
	"distributed_min_ips":   "distinct IPs failing for one user that make a distributed brute force",
	"distributed_failures":  "failed logins for one user within distributed_window (with distributed_min_ips IPs)",
	"distributed_window":    "sliding window of the distributed brute force",
	"stuffing_failures":     "failed logins from one IP within stuffing_window for credential stuffing",
	"stuffing_users":        "distinct users those failures must cover",
	"stuffing_max_per_user": "attempts per user at most, for >= 80 % of the users",
	"stuffing_window":       "sliding window of credential stuffing",
	"compromise_window":     "how long after a crossed failure threshold a success is an account compromise",
	"slow_brute_failures":   "failed logins from one IP within slow_brute_window (spread over 3/4 of it) for a slow brute force (brute_force, rule slow_window; blocks)",
	"slow_brute_window":     "long window of the slow brute force (4m-24h), counted in four buckets per address in the tally",
	"slow_brute_fail_ratio": "below this share of failed logins (0-1] an address whose successes are of 10+ users is a shared one (a NAT), not a slow brute force",
	"authz_resources":       "distinct resources denied (seclog authz_fail) to one IP within authz_window for authz_enumeration (2-256; at least 4 per distinct user)",
	"authz_window":          "sliding window of authz_resources (at most 24h)",
	"block_base":            "first block of an offending IP; doubles per repeat offence",
	"block_max":             "longest block (and how long offences are remembered)",
	"allow_cidrs":           "CIDRs and addresses never counted, blocked or alerted on (own NAT, health checks)",
	"trusted_proxies":       "your own proxies (ALB, CloudFront, nginx): X-Forwarded-For hops from them are looked through to the client",
	"slack_channel":         "Slack channel for this function's alerts",
	"email_to":              "e-mail recipients for this function's alerts",
	"min_severity":          "lowest severity that is sent (info, warning, critical)",
	"cooldown":              "per type: cooldown_<type> (e.g. cooldown_timeout = 48h); `cooldown` sets all types",
	"renotify":              "repeat a still-firing alert after this long (0: never)",
	"muted_until":           "mute every alert of the function until this time (baselines keep learning)",
	"muted_types":           "per type: muted_until_<type> = RFC 3339 time",
}

// Docs lists every attribute with its unit, default and meaning, in the
// order of detect.Thresholds.
func Docs() []Doc {
	def := reflect.ValueOf(detect.Defaults())
	t := def.Type()
	var out []Doc
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("attr")
		if name == "" {
			continue
		}
		out = append(out, Doc{Name: name, Unit: f.Tag.Get("unit"), Default: format(def.Field(i).Interface()),
			Description: descriptions[name]})
	}
	return out
}

func format(v any) string {
	switch x := v.(type) {
	case time.Duration:
		return shortDuration(x)
	case time.Time:
		if x.IsZero() {
			return "-"
		}
		return x.Format(time.RFC3339)
	case []string:
		if len(x) == 0 {
			return "-"
		}
		return strings.Join(x, ",")
	case string:
		if x == "" {
			return "-"
		}
		return x
	case map[string]time.Duration:
		var parts []string
		for _, typ := range detect.AlertTypes {
			if d, ok := x[typ]; ok {
				parts = append(parts, typ+"="+shortDuration(d))
			}
		}
		return strings.Join(parts, " ")
	case map[string]time.Time:
		if len(x) == 0 {
			return "-"
		}
	}
	return fmt.Sprint(v)
}

// shortDuration prints "10m" rather than "10m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "0s" {
		return "0"
	}
	return s
}
