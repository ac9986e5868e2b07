package render

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/logwarden/logwarden/pkg/detect"
)

// queryValue is what may be quoted inside a pre-filled Logs Insights query:
// attacker-chosen text with quotes or pipes would change the query an
// operator runs, so anything else is left out of the filter.
var queryValue = regexp.MustCompile(`^[A-Za-z0-9_.:@+=/-]{1,128}$`)

func links(a detect.Alert, opt Options) []Link {
	if opt.Region == "" || a.LogGroup == "" || !sane(a.Time) {
		return nil
	}
	start, end := evidenceRange(a)
	filter := ""
	if len(a.RequestIDs) == 1 && queryValue.MatchString(a.RequestIDs[0]) {
		filter = `"` + a.RequestIDs[0] + `"`
	}
	out := []Link{{
		Label: "Log events",
		URL:   LogEventsURL(opt.Region, a.LogGroup, a.LogStream, filter, start, end),
	}}
	source := a.LogGroup
	if a.Account != "" && opt.Account != "" && a.Account != opt.Account {
		// Querying another account's group (cross-account observability)
		// needs its ARN.
		source = LogGroupARN(opt.Region, a.Account, a.LogGroup)
	}
	out = append(out, Link{
		Label: "Logs Insights",
		URL:   InsightsURL(opt.Region, []string{source}, Query(a), start, end),
	})
	return out
}

// Query is the Logs Insights query that shows an alert's evidence.
func Query(a detect.Alert) string {
	const fields = "fields @timestamp, @logStream, @requestId, @message\n"
	if a.Type == detect.TypeSurge {
		// The evidence of a surge is the invocation count per bin, not the
		// one request that tipped it.
		return reportStats
	}
	if ids := quotable(a.RequestIDs); len(ids) > 0 {
		return fields + "| filter @requestId in [" + strings.Join(ids, ", ") + "]\n| sort @timestamp asc\n| limit 500"
	}
	switch a.Type {
	case detect.TypeDuration, detect.TypeColdStart, detect.TypeMemory, detect.TypeCost:
		return reportStats
	case detect.TypeTimeout:
		return fields + "| filter @message like /Task timed out|Status: timeout|\"status\":\"timeout\"/\n| sort @timestamp desc\n| limit 200"
	case detect.TypeCrash:
		return fields + "| filter @message like /Runtime\\.|Status: error|ERROR|Error|panic|Traceback|Exception/\n| sort @timestamp desc\n| limit 200"
	}
	var terms []string
	for _, v := range append([]string{a.IP, a.User}, topValues(a)...) {
		if v != "" && queryValue.MatchString(v) && !contains(terms, v) {
			terms = append(terms, v)
		}
	}
	if len(terms) == 0 {
		return fields + "| sort @timestamp desc\n| limit 200"
	}
	for i, t := range terms {
		terms[i] = fmt.Sprintf("@message like %q", t)
	}
	return fields + "| filter " + strings.Join(terms, " or ") + "\n| sort @timestamp desc\n| limit 500"
}

// reportStats is the per-5-minute picture of a function's REPORT lines.
const reportStats = "filter @type = \"REPORT\"\n" +
	"| stats count(*) as invocations, pct(@duration, 50) as p50_ms, pct(@duration, 99) as p99_ms, " +
	"max(@maxMemoryUsed / 1000 / 1000) as max_mem_mb, sum(@billedDuration) as billed_ms, " +
	"count(@initDuration) as cold_starts by bin(5m)"

func topValues(a detect.Alert) []string {
	var out []string
	for i, c := range a.TopIPs {
		if i < 3 {
			out = append(out, c.Value)
		}
	}
	for i, c := range a.TopUsers {
		if i < 3 {
			out = append(out, c.Value)
		}
	}
	return out
}

func quotable(ids []string) []string {
	var out []string
	for _, id := range ids {
		if queryValue.MatchString(id) && len(out) < 20 {
			out = append(out, `"`+id+`"`)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
