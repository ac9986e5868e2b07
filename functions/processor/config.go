package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/notify/channels"
)

// config is everything the processor reads from its environment, loaded and
// validated once at cold start.
type config struct {
	StateTable  string
	ConfigTable string
	AllowCIDRs  []string
	LogLevel    logrus.Level
	MaxInflated int64
	// Reserve is kept back from the invocation deadline for state writes
	// and alert delivery.
	Reserve  time.Duration
	Function string // AWS_LAMBDA_FUNCTION_NAME: its own log group is skipped
	Channels channels.Config
}

// loadConfig returns the configuration and one error per problem, each
// naming the variable and what is expected.
func loadConfig(getenv func(string) string) (config, []error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var errs []error
	c := config{
		StateTable:  get("LOGWARDEN_STATE_TABLE"),
		ConfigTable: get("LOGWARDEN_CONFIG_TABLE"),
		LogLevel:    logrus.InfoLevel,
		MaxInflated: cwlogs.DefaultMaxInflated,
		Reserve:     3 * time.Second,
		Function:    get("AWS_LAMBDA_FUNCTION_NAME"),
	}
	if c.StateTable == "" {
		errs = append(errs, fmt.Errorf("LOGWARDEN_STATE_TABLE is not set: name the DynamoDB state table (the template's StateTable)"))
	}
	if c.ConfigTable == "" {
		errs = append(errs, fmt.Errorf("LOGWARDEN_CONFIG_TABLE is not set: name the DynamoDB thresholds table (the template's ThresholdsTable)"))
	}
	for _, s := range strings.Split(get("LOGWARDEN_ALLOW_CIDRS"), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, err := netip.ParsePrefix(s); err != nil {
			if a, aerr := netip.ParseAddr(s); aerr == nil {
				s = netip.PrefixFrom(a, a.BitLen()).String()
			} else {
				errs = append(errs, fmt.Errorf("LOGWARDEN_ALLOW_CIDRS: %q is not a CIDR or an IP address", s))
				continue
			}
		}
		c.AllowCIDRs = append(c.AllowCIDRs, s)
	}
	if v := get("LOGWARDEN_LOG_LEVEL"); v != "" {
		lvl, err := logrus.ParseLevel(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LOGWARDEN_LOG_LEVEL: %q is not one of debug, info, warn, error", v))
		}
		c.LogLevel = lvl
	}
	if v := get("LOGWARDEN_MAX_PAYLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1<<20 {
			errs = append(errs, fmt.Errorf("LOGWARDEN_MAX_PAYLOAD_BYTES: want a byte count of at least 1048576, got %q", v))
		} else {
			c.MaxInflated = n
		}
	}
	if v := get("LOGWARDEN_DEADLINE_RESERVE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("LOGWARDEN_DEADLINE_RESERVE: want a duration such as 3s, got %q", v))
		} else {
			c.Reserve = d
		}
	}
	ch, chErrs := channels.FromEnv(getenv)
	c.Channels = ch
	errs = append(errs, chErrs...)
	return c, errs
}
