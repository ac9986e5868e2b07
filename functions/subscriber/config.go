package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/subscribe"
)

// config is the subscriber's configuration, read once at cold start.
type config struct {
	Rules    subscribe.Rules
	Target   subscribe.Target
	LogLevel logrus.Level
}

// loadConfig reads the environment through getenv and returns one error per
// problem, so an operator fixing the stack sees them all at once.
//
//	LOGWARDEN_DESTINATION_ARN     processor function ARN (required)
//	LOGWARDEN_INCLUDE_PREFIXES    comma-separated log-group name prefixes (empty: all)
//	LOGWARDEN_INCLUDE_PATTERNS    comma-separated regular expressions, one must match
//	LOGWARDEN_EXCLUDE_PATTERNS    comma-separated regular expressions, none may match
//	LOGWARDEN_FILTER_NAME         subscription filter name (default "logwarden")
//	LOGWARDEN_FILTER_PATTERN      CloudWatch Logs filter pattern (default "": everything)
//	LOGWARDEN_PROCESSOR_FUNCTION  processor function name (default: from the ARN)
//	LOGWARDEN_LOG_LEVEL           logrus level (default info)
//	AWS_LAMBDA_FUNCTION_NAME      set by Lambda: the subscriber's own group is excluded too
//
// Patterns are split on commas, so a pattern cannot contain one: write
// {1,3} as an alternation or use two patterns.
func loadConfig(getenv func(string) string) (config, []error) {
	var errs []error
	cfg := config{LogLevel: logrus.InfoLevel}
	dest := strings.TrimSpace(getenv("LOGWARDEN_DESTINATION_ARN"))
	processor := strings.TrimSpace(getenv("LOGWARDEN_PROCESSOR_FUNCTION"))
	switch {
	case dest == "":
		errs = append(errs, errors.New("LOGWARDEN_DESTINATION_ARN is required: the processor function's ARN"))
	case subscribe.FunctionName(dest) == "":
		errs = append(errs, fmt.Errorf("LOGWARDEN_DESTINATION_ARN %q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)", dest))
	case processor != "" && processor != subscribe.FunctionName(dest):
		errs = append(errs, fmt.Errorf("LOGWARDEN_PROCESSOR_FUNCTION %q does not match the function in LOGWARDEN_DESTINATION_ARN (%q)", processor, subscribe.FunctionName(dest)))
	}
	if processor == "" {
		processor = subscribe.FunctionName(dest)
	}
	name := strings.TrimSpace(getenv("LOGWARDEN_FILTER_NAME"))
	if name == "" {
		name = subscribe.DefaultFilterName
	}
	if len(name) > 512 || strings.Contains(name, ":") || strings.Contains(name, "*") {
		errs = append(errs, fmt.Errorf("LOGWARDEN_FILTER_NAME %q must be 1-512 characters without ':' or '*'", name))
	}
	cfg.Target = subscribe.Target{DestinationARN: dest, FilterName: name, FilterPattern: getenv("LOGWARDEN_FILTER_PATTERN")}

	rules, err := subscribe.NewRules(splitList(getenv("LOGWARDEN_INCLUDE_PREFIXES")),
		splitList(getenv("LOGWARDEN_INCLUDE_PATTERNS")), splitList(getenv("LOGWARDEN_EXCLUDE_PATTERNS")),
		[]string{processor, getenv("AWS_LAMBDA_FUNCTION_NAME")})
	if err != nil {
		errs = append(errs, fmt.Errorf("LOGWARDEN_INCLUDE_PATTERNS/LOGWARDEN_EXCLUDE_PATTERNS: %w", err))
	}
	cfg.Rules = rules
	if lvl := strings.TrimSpace(getenv("LOGWARDEN_LOG_LEVEL")); lvl != "" {
		if cfg.LogLevel, err = logrus.ParseLevel(lvl); err != nil {
			errs = append(errs, fmt.Errorf("LOGWARDEN_LOG_LEVEL %q: use debug, info, warn or error", lvl))
		}
	}
	return cfg, errs
}

// splitList splits a comma-separated variable, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
