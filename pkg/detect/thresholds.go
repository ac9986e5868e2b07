package detect

import "time"

// Thresholds are the operator-tunable settings for one function. They are
// resolved from the threshold items (defaults, then log group, then function
// overrides) by package thresholds; the `attr` tag is the item attribute name
// and `unit` documents it. Durations are written in items as Go durations
// ("15m") or seconds.
type Thresholds struct {
	// Duration (warm invocations, log space baseline).
	DurationMinSamples int     `attr:"duration_min_samples" unit:"invocations"`
	DurationWindow     int     `attr:"duration_window" unit:"invocations"`
	DurationZ          float64 `attr:"duration_z" unit:"sigma"`
	DurationRatio      float64 `attr:"duration_ratio" unit:"x"`
	DurationMinDeltaMs float64 `attr:"duration_min_delta_ms" unit:"ms"`

	// Cold starts.
	InitRatio float64 `attr:"init_ratio" unit:"x"`

	// Memory.
	MemoryPercent float64 `attr:"memory_percent" unit:"%"`

	// Cost ("denial of wallet").
	CostRatio       float64 `attr:"cost_ratio" unit:"x"`
	CostMinUSDPerHr float64 `attr:"cost_min_usd_per_hour" unit:"USD/h"`
	Architecture    string  `attr:"architecture" unit:"x86_64|arm64"`

	// Authentication abuse.
	BruteForceFailures  int           `attr:"brute_force_failures" unit:"failures"`
	BruteForceWindow    time.Duration `attr:"brute_force_window" unit:"duration"`
	DistributedMinIPs   int           `attr:"distributed_min_ips" unit:"IPs"`
	DistributedFailures int           `attr:"distributed_failures" unit:"failures"`
	StuffingFailures    int           `attr:"stuffing_failures" unit:"failures"`
	StuffingUsers       int           `attr:"stuffing_users" unit:"users"`
	StuffingWindow      time.Duration `attr:"stuffing_window" unit:"duration"`
	CompromiseWindow    time.Duration `attr:"compromise_window" unit:"duration"`
	BlockBase           time.Duration `attr:"block_base" unit:"duration"`
	BlockMax            time.Duration `attr:"block_max" unit:"duration"`
	AllowCIDRs          []string      `attr:"allow_cidrs" unit:"CIDR list"`

	// Notification routing and lifecycle.
	SlackChannel string                   `attr:"slack_channel" unit:"channel"`
	EmailTo      []string                 `attr:"email_to" unit:"address list"`
	MinSeverity  string                   `attr:"min_severity" unit:"info|warning|critical"`
	Cooldown     map[string]time.Duration `attr:"cooldown" unit:"per alert type"`
	Renotify     time.Duration            `attr:"renotify" unit:"duration"`
	MutedUntil   time.Time                `attr:"muted_until" unit:"RFC 3339"`
	MutedTypes   map[string]time.Time     `attr:"muted_types" unit:"alert type -> RFC 3339"`
}
