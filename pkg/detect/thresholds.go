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
	InitRatio      float64 `attr:"init_ratio" unit:"x"`
	ColdMinSamples int     `attr:"cold_min_samples" unit:"cold starts"`

	// Memory.
	MemoryPercent      float64       `attr:"memory_percent" unit:"%"`
	MemoryResolveAfter time.Duration `attr:"memory_resolve_after" unit:"duration"`

	// Cost ("denial of wallet").
	CostRatio       float64       `attr:"cost_ratio" unit:"x"`
	CostMinUSDPerHr float64       `attr:"cost_min_usd_per_hour" unit:"USD/h"`
	CostWindow      time.Duration `attr:"cost_window" unit:"duration"`
	CostMinWindows  int           `attr:"cost_min_windows" unit:"windows"`
	Architecture    string        `attr:"architecture" unit:"x86_64|arm64"`

	// Sustained duration shifts (CUSUM on bucket means of ln ms), deploys,
	// invocation surges and platform-line checks (detection v2).
	DurationBucket     time.Duration `attr:"duration_bucket" unit:"duration"`
	DurationCusumK     float64       `attr:"duration_cusum_k" unit:"sigma"`
	DurationCusumH     float64       `attr:"duration_cusum_h" unit:"sigma"`
	DurationShiftRatio float64       `attr:"duration_shift_ratio" unit:"x"`
	DeployRatio        float64       `attr:"deploy_ratio" unit:"x"`
	DeployMinSamples   int           `attr:"deploy_min_samples" unit:"invocations"`
	DeployAcceptAfter  time.Duration `attr:"deploy_accept_after" unit:"duration"`
	SurgeRatio         float64       `attr:"surge_ratio" unit:"x"`
	SurgeMinExtra      int           `attr:"surge_min_extra" unit:"invocations"`
	SurgeWindow        time.Duration `attr:"surge_window" unit:"duration"`
	SurgeMinHours      int           `attr:"surge_min_hours" unit:"hours"`
	PlatformConfirm    int           `attr:"platform_confirm" unit:"REPORTs"`

	// Authentication abuse.
	BruteForceFailures  int           `attr:"brute_force_failures" unit:"failures"`
	BruteForceWindow    time.Duration `attr:"brute_force_window" unit:"duration"`
	DistributedMinIPs   int           `attr:"distributed_min_ips" unit:"IPs"`
	DistributedFailures int           `attr:"distributed_failures" unit:"failures"`
	DistributedWindow   time.Duration `attr:"distributed_window" unit:"duration"`
	StuffingFailures    int           `attr:"stuffing_failures" unit:"failures"`
	StuffingUsers       int           `attr:"stuffing_users" unit:"users"`
	StuffingMaxPerUser  int           `attr:"stuffing_max_per_user" unit:"failures"`
	StuffingWindow      time.Duration `attr:"stuffing_window" unit:"duration"`
	CompromiseWindow    time.Duration `attr:"compromise_window" unit:"duration"`
	// Slow brute force (a rule of brute_force) and authz_fail enumeration.
	SlowBruteFailures int           `attr:"slow_brute_failures" unit:"failures"`
	SlowBruteWindow   time.Duration `attr:"slow_brute_window" unit:"duration"`
	SlowBruteRatio    float64       `attr:"slow_brute_fail_ratio" unit:"0-1"`
	AuthzResources    int           `attr:"authz_resources" unit:"resources"`
	AuthzWindow       time.Duration `attr:"authz_window" unit:"duration"`
	BlockBase         time.Duration `attr:"block_base" unit:"duration"`
	BlockMax          time.Duration `attr:"block_max" unit:"duration"`
	AllowCIDRs        []string      `attr:"allow_cidrs" unit:"CIDR list"`
	TrustedProxies    []string      `attr:"trusted_proxies" unit:"CIDR list"`

	// Notification routing and lifecycle.
	SlackChannel string                   `attr:"slack_channel" unit:"channel"`
	EmailTo      []string                 `attr:"email_to" unit:"address list"`
	MinSeverity  string                   `attr:"min_severity" unit:"info|warning|critical"`
	Cooldown     map[string]time.Duration `attr:"cooldown" unit:"per alert type"`
	Renotify     time.Duration            `attr:"renotify" unit:"duration"`
	MutedUntil   time.Time                `attr:"muted_until" unit:"RFC 3339"`
	MutedTypes   map[string]time.Time     `attr:"muted_types" unit:"alert type -> RFC 3339"`
}

// Architectures and their Lambda prices (us-east-1, on-demand, per GB-second
// of billed duration and per request). arm64 is about 20 % cheaper; the
// Datadog Forwarder hard-codes x86 prices and overstates arm64 cost.
const (
	ArchX86   = "x86_64"
	ArchARM64 = "arm64"

	PriceX86PerGBs   = 0.0000166667
	PriceARM64PerGBs = 0.0000133334
	PricePerRequest  = 0.20 / 1e6
)

// AlertTypes lists every alert type, in a stable order.
var AlertTypes = []string{
	TypeDuration, TypeColdStart, TypeMemory, TypeTimeout, TypeCrash,
	TypeCost, TypeBruteForce, TypeCredentialStuffing, TypeAccountCompromise,
	TypeSurge, TypeAuthzEnumeration,
}

// Defaults returns the built-in thresholds. Each number is chosen from what
// established tools use (see the comments) and leans towards silence: the
// first complaint about every tool in this field is noise.
func Defaults() Thresholds {
	return Thresholds{
		// No anchor publishes a minimum; 50 warm invocations give a log-space
		// mean within ~5 % and a spread estimate good enough for a z-score.
		DurationMinSamples: 50,
		// The median of the last 10 warm invocations: one slow outlier (or
		// four) never moves it, a real regression moves it after six.
		DurationWindow: 10,
		// The median of 10 has ~0.4 sigma of noise, so 3 sigma on it is a
		// far stricter bar than 3 sigma on a single invocation (Datadog and
		// CloudWatch bands are 2-3 sigma on raw points).
		DurationZ:     3,
		DurationRatio: 2,
		// Below a quarter of a second of extra latency nobody pays or waits
		// enough to be paged.
		DurationMinDeltaMs: 250,

		InitRatio:      2,
		ColdMinSamples: 10,

		// Memory: max used = size is the AWS Operator Guide query; 90 % warns
		// before the out-of-memory crash. Resolved after an hour below.
		MemoryPercent:      90,
		MemoryResolveAfter: time.Hour,

		// Cost: hourly windows, one day of history before judging, 3x the
		// usual hourly spend (a daily cycle peaks at ~1.6x its mean) and at
		// least $0.50/h (~$365/month): below that it is not a wallet attack.
		CostRatio:       3,
		CostMinUSDPerHr: 0.5,
		CostWindow:      time.Hour,
		CostMinWindows:  24,
		Architecture:    ArchX86,

		// Sustained shifts: 5-minute buckets; a CUSUM that forgets 0.75
		// sigma per bucket and alerts at 8 sigma of accumulated evidence
		// (Siegmund: ~8*10^5 buckets between false alarms on independent
		// noise; a 2-sigma shift per bucket found in ~7 buckets).
		DurationBucket:     5 * time.Minute,
		DurationCusumK:     0.75,
		DurationCusumH:     8,
		DurationShiftRatio: 1.3,
		// A new version is compared with the previous one's baseline after
		// 10 warm invocations; a deliberate change is the new normal after a
		// day (or `logwarden baselines accept`).
		DeployRatio:       1.5,
		DeployMinSamples:  10,
		DeployAcceptAfter: 24 * time.Hour,
		// Surges: 10x the seasonal rate over 5 (or 10) minutes and at
		// least 20 extra invocations (a recursive loop or flood, whatever
		// it costs; fewer is a user's script, not an incident).
		SurgeRatio:    10,
		SurgeMinExtra: 20,
		SurgeWindow:   5 * time.Minute,
		SurgeMinHours: 6,
		// A memory size the function never had is believed after 3 REPORTs
		// in a row (and a minute) show it.
		PlatformConfirm: 3,

		// fail2ban bans at 5 failures in 10 min and is the classic source of
		// NAT false positives (fail2ban#779, #4199); twice that in the same
		// window keeps a busy office quiet and still catches any tool.
		BruteForceFailures: 10,
		BruteForceWindow:   10 * time.Minute,
		// Elastic's multi-source brute force: >= 5 IPs and >= 10 attempts.
		DistributedMinIPs:   5,
		DistributedFailures: 10,
		DistributedWindow:   time.Hour,
		// Elastic's single-source credential stuffing rule, verbatim.
		StuffingFailures:   25,
		StuffingUsers:      15,
		StuffingMaxPerUser: 2,
		StuffingWindow:     15 * time.Minute,
		// Elastic: success within 180 min after a credential attack.
		CompromiseWindow: 3 * time.Hour,
		// Slow brute force: CrowdSec's ssh-slow-bf leaks one try a minute
		// and is blind below that; 30 failures in 2 h is one every 4
		// minutes sustained, so a try every 1-2 minutes is caught within
		// an hour or so. A busy NAT reaches 30 failures too, but fails at
		// a few %: the rule needs three failures for every success.
		SlowBruteFailures: 30,
		SlowBruteWindow:   2 * time.Hour,
		SlowBruteRatio:    0.75,
		// authz_fail enumeration: a user who follows a stale link or a
		// shared bookmark is denied a handful of resources; an IDOR scan
		// walks ids by the hundred. 20 distinct resources in 10 minutes
		// from one address is far from the first and caught within
		// minutes of the second.
		AuthzResources: 20,
		AuthzWindow:    10 * time.Minute,
		// CrowdSec bans 4 h by default; repeat offenders double (fail2ban
		// bantime.increment), capped at fail2ban's one-week recidive ban.
		BlockBase: 4 * time.Hour,
		BlockMax:  7 * 24 * time.Hour,

		MinSeverity: SeverityWarning,
		// The one table of cooldowns (package alerting reads it too).
		// Performance signals come back in minutes once a deploy fixes them;
		// an OOM or a timeout is the same bug until someone ships a change,
		// so the Serverless Dashboard's once per 48 h for OOM and a day for
		// timeouts. Stateful detectors fire once per episode anyway. A
		// compromised account is per user: once a day per user.
		Cooldown: map[string]time.Duration{
			TypeDuration: 30 * time.Minute, TypeColdStart: time.Hour, TypeMemory: 24 * time.Hour,
			TypeTimeout: 24 * time.Hour, TypeCrash: 48 * time.Hour, TypeCost: time.Hour,
			TypeSurge: time.Hour, TypeAuthzEnumeration: time.Hour,
			TypeBruteForce: time.Hour, TypeCredentialStuffing: time.Hour, TypeAccountCompromise: 24 * time.Hour,
		},
		Renotify: 24 * time.Hour,
	}
}

// sane returns t with every setting the detectors divide by or count to
// replaced by its default when it is out of range, so that a half-filled
// Thresholds (a test, an old item) can never make a detector misbehave.
func (t Thresholds) sane() Thresholds {
	d := Defaults()
	fixI := func(v *int, def, lo, hi int) {
		if *v < lo || *v > hi {
			*v = def
		}
	}
	fixF := func(v *float64, def, lo float64) {
		if !(*v >= lo) {
			*v = def
		}
	}
	fixD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	fixI(&t.DurationMinSamples, d.DurationMinSamples, 1, 1<<20)
	fixI(&t.DurationWindow, d.DurationWindow, 1, ringSize)
	fixF(&t.DurationZ, d.DurationZ, 0)
	fixF(&t.DurationRatio, d.DurationRatio, 1)
	fixF(&t.DurationMinDeltaMs, d.DurationMinDeltaMs, 0)
	fixF(&t.InitRatio, d.InitRatio, 1)
	fixI(&t.ColdMinSamples, d.ColdMinSamples, 1, 1<<20)
	if !(t.MemoryPercent > 0 && t.MemoryPercent <= 100) {
		t.MemoryPercent = d.MemoryPercent
	}
	fixD(&t.MemoryResolveAfter, d.MemoryResolveAfter)
	fixF(&t.CostRatio, d.CostRatio, 1)
	fixF(&t.CostMinUSDPerHr, d.CostMinUSDPerHr, 0)
	fixD(&t.CostWindow, d.CostWindow)
	fixI(&t.CostMinWindows, d.CostMinWindows, 1, 1<<20)
	fixI(&t.BruteForceFailures, d.BruteForceFailures, 1, maxFailRing)
	fixD(&t.BruteForceWindow, d.BruteForceWindow)
	fixI(&t.DistributedMinIPs, d.DistributedMinIPs, 1, maxFailRing)
	fixI(&t.DistributedFailures, d.DistributedFailures, 1, maxFailRing)
	fixD(&t.DistributedWindow, d.DistributedWindow)
	fixI(&t.StuffingFailures, d.StuffingFailures, 1, maxFailRing)
	fixI(&t.StuffingUsers, d.StuffingUsers, 1, maxUsers)
	fixI(&t.StuffingMaxPerUser, d.StuffingMaxPerUser, 1, 1<<20)
	fixD(&t.StuffingWindow, d.StuffingWindow)
	fixD(&t.CompromiseWindow, d.CompromiseWindow)
	t.saneAuthV2(d)
	fixD(&t.BlockBase, d.BlockBase)
	fixD(&t.BlockMax, d.BlockMax)
	t.saneV2(d)
	if t.Architecture != ArchARM64 {
		t.Architecture = ArchX86
	}
	return t
}

// pricePerGBs is the compute price for the architecture.
func (t Thresholds) pricePerGBs() float64 {
	if t.Architecture == ArchARM64 {
		return PriceARM64PerGBs
	}
	return PriceX86PerGBs
}

// saneV2 is sane for the detection v2 settings.
func (t *Thresholds) saneV2(d Thresholds) {
	if t.DurationBucket < time.Minute || t.DurationBucket > time.Hour {
		t.DurationBucket = d.DurationBucket
	}
	if !(t.DurationCusumK >= 0) {
		t.DurationCusumK = d.DurationCusumK
	}
	if !(t.DurationCusumH > 0) {
		t.DurationCusumH = d.DurationCusumH
	}
	if !(t.DurationShiftRatio >= 1) {
		t.DurationShiftRatio = d.DurationShiftRatio
	}
	if !(t.DeployRatio > 1) {
		t.DeployRatio = d.DeployRatio
	}
	if t.DeployMinSamples < 1 || t.DeployMinSamples > 1<<20 {
		t.DeployMinSamples = d.DeployMinSamples
	}
	if t.DeployAcceptAfter <= 0 {
		t.DeployAcceptAfter = d.DeployAcceptAfter
	}
	if !(t.SurgeRatio > 1) {
		t.SurgeRatio = d.SurgeRatio
	}
	if t.SurgeMinExtra < 1 || t.SurgeMinExtra > 1<<30 {
		t.SurgeMinExtra = d.SurgeMinExtra
	}
	if t.SurgeWindow < time.Minute || t.SurgeWindow > surgeMinutes*time.Minute {
		t.SurgeWindow = d.SurgeWindow
	}
	if t.SurgeMinHours < 1 || t.SurgeMinHours > 1<<20 {
		t.SurgeMinHours = d.SurgeMinHours
	}
	if t.PlatformConfirm < 1 || t.PlatformConfirm > 100 {
		t.PlatformConfirm = d.PlatformConfirm
	}
}

// shiftRatio and deployRatio are the ratios the sustained and deploy rules
// need: their own setting, scaled up with duration_ratio when an operator
// raised it above its default (a function tuned to alert only at 20x is
// not paged for a 9x shift by the longer rules either).
func (t Thresholds) shiftRatio() float64 {
	return max(t.DurationShiftRatio, t.DurationShiftRatio*t.DurationRatio/Defaults().DurationRatio)
}

func (t Thresholds) deployRatio() float64 {
	return max(t.DeployRatio, t.DeployRatio*t.DurationRatio/Defaults().DurationRatio)
}

// saneAuthV2 is sane for the slow brute force and authz enumeration.
func (t *Thresholds) saneAuthV2(d Thresholds) {
	if t.SlowBruteFailures < 1 || t.SlowBruteFailures > 1<<20 {
		t.SlowBruteFailures = d.SlowBruteFailures
	}
	if t.SlowBruteWindow < 4*time.Minute || t.SlowBruteWindow > 24*time.Hour {
		t.SlowBruteWindow = d.SlowBruteWindow
	}
	if !(t.SlowBruteRatio > 0 && t.SlowBruteRatio <= 1) {
		t.SlowBruteRatio = d.SlowBruteRatio
	}
	if t.AuthzResources < 2 || t.AuthzResources > maxAuthzHits {
		t.AuthzResources = d.AuthzResources
	}
	if t.AuthzWindow <= 0 || t.AuthzWindow > 24*time.Hour {
		t.AuthzWindow = d.AuthzWindow
	}
}
