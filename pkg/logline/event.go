// Package logline classifies one CloudWatch log message into a typed event:
// Lambda REPORT lines, timeouts, crashes, other platform lines, and
// authentication failures and successes with their OWASP "4 W's".
//
// It is pure: a message in, an Event out, no I/O and no clock.
package logline

import "net/netip"

// Kind is what a log message is.
type Kind uint8

const (
	KindOther Kind = iota
	KindPlatform
	KindReport
	KindTimeout
	KindCrash
	KindAuthFailure
	KindAuthSuccess
)

var kindNames = [...]string{"other", "platform", "report", "timeout", "crash", "auth_failure", "auth_success"}

// String returns the kind's name as used in `logwarden parse --json`.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// Report statuses.
const (
	StatusSuccess = "success"
	StatusTimeout = "timeout"
	StatusError   = "error"
)

// Event is the typed content of one log message. It is a flat value (no
// pointers to allocate per line); which fields are meaningful depends on Kind.
// Optional numbers use the Has* flags rather than zero, because 0 ms is a
// value Lambda really prints.
type Event struct {
	Kind      Kind
	RequestID string

	// KindReport.
	DurationMs        float64
	BilledDurationMs  float64
	MemorySizeMB      int
	MaxMemoryUsedMB   int
	InitDurationMs    float64
	RestoreDurationMs float64
	HasBilled         bool
	HasMemory         bool // MemorySizeMB and MaxMemoryUsedMB present
	HasInit           bool // a cold start
	HasRestore        bool // a SnapStart restore (also a cold start)
	Status            string
	ErrorType         string

	// KindTimeout.
	TimeoutS float64

	// KindCrash and auth kinds: why (e.g. "Runtime.OutOfMemory", "invalid_password").
	Reason string
	// Resource is what an authorization failure was denied (a seclog
	// authz_fail record's "resource", e.g. "GET /orders/17"); see AuthzDenied.
	Resource string

	// Auth kinds. IP is the zero Addr when the line carries no trustworthy IP.
	IP   netip.Addr
	User string
	Rule string // name of the rule that matched

	// Host is the peer's name when the service's address slot holds a
	// hostname rather than an address; it is kept as written (no DNS
	// lookup) and IP stays zero.
	Host string
	// IPFrom names the structural slot IP (or Host) was read from, e.g.
	// "sshd.from", "nginx.client", "apigw.sourceIp", "json.ip",
	// "xff.rightmost_untrusted", so operators can audit attribution.
	IPFrom string
	// Forwarded is the forwarding header (X-Forwarded-For, Forwarded or
	// X-Real-IP; its right end, at most MaxForwarded bytes) of the record,
	// kept so that TrustProxies can walk it again with a function's trusted
	// proxies. Set when IP came from it, or when the record had it beside a
	// peer slot (that peer may be a trusted proxy).
	Forwarded string
}

// ColdStart reports whether a REPORT describes a cold start (init or restore).
func (e *Event) ColdStart() bool { return e.HasInit || e.HasRestore }
