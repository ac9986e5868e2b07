// Package detect turns observations (classified log events grouped per
// function) into alerts, against per-function baselines and operator
// thresholds. It is pure: state and thresholds come in as values, updated
// state and alerts go out, and the clock is the log events' own time.
package detect

import (
	"time"

	"github.com/logwarden/logwarden/pkg/logline"
)

// Alert types.
const (
	TypeDuration           = "duration_anomaly"
	TypeColdStart          = "cold_start_anomaly"
	TypeMemory             = "memory_near_limit"
	TypeTimeout            = "timeout"
	TypeCrash              = "crash"
	TypeCost               = "cost_anomaly"
	TypeBruteForce         = "brute_force"
	TypeCredentialStuffing = "credential_stuffing"
	TypeAccountCompromise  = "account_compromise"
	TypeSurge              = "invocation_surge"
	// TypeAuthzEnumeration: one address denied on many distinct resources
	// (seclog authz_fail): IDOR or enumeration scanning (authz.go).
	TypeAuthzEnumeration = "authz_enumeration"
)

// Severities, in increasing order.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Alert statuses: a stateful detector (duration, memory, cost) emits
// StatusResolved once the metric is back to normal.
const (
	StatusFiring   = "firing"
	StatusResolved = "resolved"
)

// Count is an entity (IP, user) with how often it was seen.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Alert is what a detector concluded, with its evidence. The JSON field names
// are a contract (`logwarden replay --json`).
type Alert struct {
	Type     string    `json:"type"`
	Status   string    `json:"status"`
	Severity string    `json:"severity"`
	Time     time.Time `json:"time"` // time of the log event that triggered it
	Function string    `json:"function"`
	LogGroup string    `json:"log_group"`
	// LogStream and Account locate the evidence (console links).
	LogStream string `json:"log_stream,omitempty"`
	Account   string `json:"account,omitempty"`
	Summary   string `json:"summary"`
	// Value against Baseline, in Unit ("ms", "MB", "%", "failures", "USD/h", ...).
	Value    float64 `json:"value"`
	Baseline float64 `json:"baseline"`
	Unit     string  `json:"unit,omitempty"`
	// Samples is the sample size behind Value (invocations, failures).
	Samples    int      `json:"samples"`
	IP         string   `json:"ip,omitempty"`
	User       string   `json:"user,omitempty"`
	TopIPs     []Count  `json:"top_ips,omitempty"`
	TopUsers   []Count  `json:"top_users,omitempty"`
	RequestIDs []string `json:"request_ids,omitempty"`
	// WindowStart..Time is the span of the evidence (for log links).
	WindowStart time.Time `json:"window_start,omitempty"`
	CostPerHour float64   `json:"cost_per_hour_usd,omitempty"`
	// Key is the stable dedupe key: type + function + entity.
	Key string `json:"key"`

	// The evidence, so that every alert explains itself: the rule that
	// fired (e.g. "window_median", "sustained_shift", "deploy", "surge"),
	// the span it judged (e.g. "10 invocations", "35m"), what the baseline
	// expected against what was observed (in Unit), and the z-score of the
	// deviation when the rule has one.
	Rule     string  `json:"rule,omitempty"`
	Window   string  `json:"window,omitempty"`
	Expected float64 `json:"expected,omitempty"`
	Observed float64 `json:"observed,omitempty"`
	Z        float64 `json:"z,omitempty"`
}

// Observation is one classified log event with where and when it happened.
type Observation struct {
	EventID   string
	Time      time.Time
	LogGroup  string
	LogStream string
	Account   string
	Event     logline.Event
}
