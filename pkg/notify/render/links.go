package render

import (
	"fmt"
	"strings"
	"time"
)

// The CloudWatch console's deep-link format is undocumented; these builders
// follow the encoding every public implementation agrees on (see
// sinofseven/cloudwatch_logs_url and mhlabs/cwlogs-cli): names are
// URL-encoded twice with '%' written as '$', and the Logs Insights query
// detail is a rison-like string whose values are URL-encoded with '%'
// written as '*'.

// ConsoleBase returns the console origin for region, including the China
// and GovCloud partitions, whose consoles live on other domains.
func ConsoleBase(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "https://" + region + ".console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "https://console.amazonaws-us-gov.com"
	default:
		return "https://" + region + ".console.aws.amazon.com"
	}
}

// LogEventsURL links to the events of group (and stream, if known) between
// start and end. With filter set (e.g. a request id in quotes) the console
// opens with that filter pattern applied.
func LogEventsURL(region, group, stream, filter string, start, end time.Time) string {
	var b strings.Builder
	b.WriteString(ConsoleBase(region))
	b.WriteString("/cloudwatch/home?region=")
	b.WriteString(region)
	b.WriteString("#logsV2:log-groups/log-group/")
	b.WriteString(dollarEscape(group))
	b.WriteString("/log-events")
	if stream != "" {
		b.WriteString("/")
		b.WriteString(dollarEscape(stream))
	}
	// '?', '=' and '&' are encoded once: $3F, $3D, $26.
	b.WriteString("$3F")
	if filter != "" {
		b.WriteString("filterPattern$3D")
		b.WriteString(dollarEscape(filter))
		b.WriteString("$26")
	}
	fmt.Fprintf(&b, "start$3D%d$26end$3D%d", start.UnixMilli(), end.UnixMilli())
	return b.String()
}

// InsightsURL opens Logs Insights with query pre-filled over sources (log
// group names or ARNs) for the absolute UTC range start..end.
func InsightsURL(region string, sources []string, query string, start, end time.Time) string {
	var b strings.Builder
	b.WriteString(ConsoleBase(region))
	b.WriteString("/cloudwatch/home?region=")
	b.WriteString(region)
	b.WriteString("#logsV2:logs-insights$3FqueryDetail$3D~(end~'")
	b.WriteString(starEscape(isoMillis(end)))
	b.WriteString("~start~'")
	b.WriteString(starEscape(isoMillis(start)))
	b.WriteString("~timeType~'ABSOLUTE~tz~'UTC~editorString~'")
	b.WriteString(starEscape(query))
	b.WriteString("~source~(")
	for _, s := range sources {
		b.WriteString("~'")
		b.WriteString(starEscape(s))
	}
	b.WriteString("))")
	return b.String()
}

// LogGroupARN is the ARN form of a log group, which the console needs to
// query a group in another account (cross-account observability).
func LogGroupARN(region, account, group string) string {
	partition := "aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition = "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, group)
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// uriEscape is JavaScript's encodeURIComponent: everything but
// A-Z a-z 0-9 - _ . ! ~ * ' ( ) is percent-encoded, in upper-case hex.
func uriEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// dollarEscape encodes a name for the logsV2 fragment: encoded twice, then
// '%' replaced by '$' ("/aws/lambda/x" -> "$252Faws$252Flambda$252Fx").
func dollarEscape(s string) string {
	return strings.ReplaceAll(uriEscape(uriEscape(s)), "%", "$")
}

// starEscape encodes a value inside queryDetail: every byte but
// A-Z a-z 0-9 - _ . becomes '*' and two lower-case hex digits, so the
// rison separators (~ ' ( )) inside values cannot end the value early.
func starEscape(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('*')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
