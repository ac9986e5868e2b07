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
//	LOGWARDEN_DESTINATION_ARN     processor function ARN, or the Kinesis stream ARN in Kinesis mode (required)
//	LOGWARDEN_ROLE_ARN            Kinesis mode: the role CloudWatch Logs assumes to write to the stream
//	LOGWARDEN_INCLUDE_PREFIXES    comma-separated log-group name prefixes (empty: all)
//	LOGWARDEN_INCLUDE_PATTERNS    comma-separated regular expressions, one must match
//	LOGWARDEN_EXCLUDE_PATTERNS    comma-separated regular expressions, none may match
//	LOGWARDEN_FILTER_NAME         subscription filter name (default "logwarden")
//	LOGWARDEN_FILTER_PATTERN      CloudWatch Logs filter pattern (default "": everything)
//	LOGWARDEN_PROCESSOR_FUNCTION  processor function name (default: from a Lambda ARN; required with a stream)
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
	kind, destErr := subscribe.ParseDestination(dest)
	switch {
	case dest == "":
		errs = append(errs, errors.New("LOGWARDEN_DESTINATION_ARN is required: the processor function's ARN (or the stream's in Kinesis mode)"))
	case destErr != nil:
		errs = append(errs, fmt.Errorf("LOGWARDEN_DESTINATION_ARN: %w", destErr))
	case kind == subscribe.KindLambda && processor != "" && processor != subscribe.FunctionName(dest):
		errs = append(errs, fmt.Errorf("LOGWARDEN_PROCESSOR_FUNCTION %q does not match the function in LOGWARDEN_DESTINATION_ARN (%q)", processor, subscribe.FunctionName(dest)))
	}
	name := strings.TrimSpace(getenv("LOGWARDEN_FILTER_NAME"))
	if len(name) > 512 || strings.Contains(name, ":") || strings.Contains(name, "*") {
		errs = append(errs, fmt.Errorf("LOGWARDEN_FILTER_NAME %q must be 1-512 characters without ':' or '*'", name))
		name = ""
	}
	opts := subscribe.Options{
		DestinationARN: dest, RoleARN: strings.TrimSpace(getenv("LOGWARDEN_ROLE_ARN")),
		FilterName: name, FilterPattern: getenv("LOGWARDEN_FILTER_PATTERN"),
		Prefixes: splitList(getenv("LOGWARDEN_INCLUDE_PREFIXES")),
		Include:  splitList(getenv("LOGWARDEN_INCLUDE_PATTERNS")), Exclude: splitList(getenv("LOGWARDEN_EXCLUDE_PATTERNS")),
		SkipFunctions: splitList(processor + "," + getenv("AWS_LAMBDA_FUNCTION_NAME")),
	}
	if destErr != nil {
		// Still report bad patterns alongside the destination.
		_, err := subscribe.NewRules(opts.Prefixes, opts.Include, opts.Exclude, nil)
		errs = append(errs, flatten("LOGWARDEN_INCLUDE_PATTERNS/LOGWARDEN_EXCLUDE_PATTERNS", err)...)
	} else if s, err := opts.Build(nil); err != nil {
		errs = append(errs, flatten("subscriber configuration", err)...)
	} else {
		cfg.Target, cfg.Rules = s.Target, s.Rules
		if cfg.Target.FilterName == "" {
			cfg.Target.FilterName = subscribe.DefaultFilterName
		}
	}
	if lvl := strings.TrimSpace(getenv("LOGWARDEN_LOG_LEVEL")); lvl != "" {
		var err error
		if cfg.LogLevel, err = logrus.ParseLevel(lvl); err != nil {
			errs = append(errs, fmt.Errorf("LOGWARDEN_LOG_LEVEL %q: use debug, info, warn or error", lvl))
		}
	}
	return cfg, errs
}

// flatten splits a joined error into its parts, each with the context.
func flatten(context string, err error) []error {
	if err == nil {
		return nil
	}
	parts := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	}
	out := make([]error, 0, len(parts))
	for _, p := range parts {
		out = append(out, fmt.Errorf("%s: %w", context, p))
	}
	return out
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
