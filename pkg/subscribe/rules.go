// Package subscribe finds CloudWatch Logs log groups and points a
// subscription filter at the logwarden processor: selection rules, a plan
// (already subscribed, will subscribe, cannot, excluded), and applying or
// removing it. The operator CLI (`logwarden subscribe`) and the subscriber
// Lambda (new log groups from CloudTrail CreateLogGroup) share this code, so
// both select exactly the same groups.
package subscribe

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Rules select log groups by name.
//
// A group is selected when it starts with one of Prefixes (any group when
// there are none), matches at least one Include pattern (any group when there
// are none) and matches no Exclude pattern. Patterns are Go regular
// expressions (RE2 syntax) matched anywhere in the name, so anchor them with
// ^ and $ to match whole names: `^/aws/lambda/prod-` selects the production
// functions, `-test$` excludes names ending in -test. Regular expressions
// rather than globs because log-group names use '/' and '*' is not special to
// CloudWatch, so a glob would mislead about which parts are wildcards.
//
// Groups in OwnGroups are never selected, whatever the patterns say: a
// processor subscribed to its own log group invokes itself for every line it
// logs (the recursion hazard AWS warns about for account-level filters).
type Rules struct {
	Prefixes  []string
	Include   []*regexp.Regexp
	Exclude   []*regexp.Regexp
	OwnGroups []string
}

// Verdict says whether Rules select a log group.
type Verdict int

const (
	// Selected groups get the subscription filter.
	Selected Verdict = iota
	// NotSelected groups fall outside the prefixes or patterns.
	NotSelected
	// OwnGroup is a logwarden function's own log group, never subscribed.
	OwnGroup
)

// NewRules compiles the include and exclude patterns and derives the own
// log groups from the logwarden function names (`/aws/lambda/<name>`).
// Every invalid pattern is reported, not just the first.
func NewRules(prefixes, include, exclude, ownFunctions []string) (Rules, error) {
	var errs []error
	compile := func(kind string, patterns []string) []*regexp.Regexp {
		var out []*regexp.Regexp
		for _, p := range patterns {
			if p == "" {
				continue
			}
			re, err := regexp.Compile(p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s pattern %q: %w", kind, p, err))
				continue
			}
			out = append(out, re)
		}
		return out
	}
	r := Rules{Include: compile("include", include), Exclude: compile("exclude", exclude)}
	for _, p := range prefixes {
		if p != "" {
			r.Prefixes = append(r.Prefixes, p)
		}
	}
	for _, fn := range ownFunctions {
		if fn != "" {
			r.OwnGroups = append(r.OwnGroups, LambdaLogGroup(fn))
		}
	}
	return r, errors.Join(errs...)
}

// Match says whether the rules select the named log group.
func (r Rules) Match(name string) Verdict {
	if !r.hasPrefix(name) {
		return NotSelected
	}
	if len(r.Include) > 0 && !anyMatch(r.Include, name) {
		return NotSelected
	}
	if anyMatch(r.Exclude, name) {
		return NotSelected
	}
	for _, own := range r.OwnGroups {
		if name == own {
			return OwnGroup
		}
	}
	return Selected
}

func (r Rules) hasPrefix(name string) bool {
	if len(r.Prefixes) == 0 {
		return true
	}
	for _, p := range r.Prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// listPrefixes returns the prefixes to list with DescribeLogGroups, dropping
// duplicates and any prefix covered by a shorter one so no group is listed
// twice. A single empty prefix means "all groups".
func (r Rules) listPrefixes() []string {
	if len(r.Prefixes) == 0 {
		return []string{""}
	}
	sorted := slices.Clone(r.Prefixes)
	slices.Sort(sorted) // a covering prefix sorts before what it covers
	var out []string
	for _, p := range sorted {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// LambdaLogGroup is the default log group of a Lambda function.
func LambdaLogGroup(function string) string { return "/aws/lambda/" + function }

// FunctionName extracts the function name from a Lambda function ARN
// (arn:partition:lambda:region:account:function:name[:qualifier]). It returns
// "" for anything else, such as a Kinesis or Firehose destination.
func FunctionName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return ""
	}
	return parts[6]
}
