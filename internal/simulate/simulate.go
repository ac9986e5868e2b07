// Package simulate generates deterministic (seeded) CloudWatch Logs
// subscription batches for Lambda functions over days: daily load cycles,
// log-normal durations, cold starts, deploys, REPORT lines in text and JSON,
// authentication traffic with a busy NAT address, and injected incidents.
// It feeds the scenario tests in testdata/scenarios and the demo data in
// testdata/demo.
package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// Function is one simulated Lambda function.
type Function struct {
	Name       string
	MemoryMB   int
	CentreMs   float64 // median warm duration
	Sigma      float64 // log-normal spread of durations
	PeakPerMin float64 // invocations per minute at the daily peak
	ColdRate   float64 // share of invocations that are cold starts
	InitMs     float64 // median init duration
	UsedMB     int     // usual max memory used
	JSON       bool    // LogFormat=JSON: platform.report records
	Version    int     // published version in the stream name (0: $LATEST)
	// Containers is how many execution environments share the traffic,
	// each with its own log stream (0 or 1: one stream per version and
	// day). Invocations are assigned at random, so streams interleave.
	Containers int
}

// Incident kinds.
const (
	Regression  = "regression"   // durations x Factor in [Start, End)
	MemoryCreep = "memory_creep" // memory used grows to the limit over [Start, End)
	Timeouts    = "timeouts"     // every Every-th invocation times out in [Start, End)
	OOM         = "oom"          // every Every-th invocation dies out of memory
	Load        = "load"         // invocation rate x Factor (cost spike)
	Deploy      = "deploy"       // new version from Start on, durations x Factor
	BruteForce  = "brute_force"  // IP fails for User every Every seconds, then may succeed
	Stuffing    = "stuffing"     // IP fails for many users once each
	Distributed = "distributed"  // User fails from many IPs
	Outliers    = "outliers"     // single slow invocations x Factor, every Every-th
)

// Incident changes a function's traffic for a while.
type Incident struct {
	Kind       string
	Function   string
	Start, End time.Time
	Factor     float64
	Every      int
	IP         string
	User       string
	Succeed    bool // end with a successful login (account compromise)
}

// Auth is the login traffic of one function.
type Auth struct {
	Function   string
	NATIP      string  // busy shared address
	NATUsers   int     // users behind it
	PerMin     float64 // logins per minute at peak
	FailRate   float64 // share of failed logins (typos)
	Population int     // users outside the NAT
}

// Config is one simulation.
type Config struct {
	Seed       uint64
	Start      time.Time
	Length     time.Duration
	BatchEvery time.Duration // one delivery per function and interval
	Functions  []Function
	Incidents  []Incident
	Auth       []Auth
	SecLog     []SecLogApp // functions that log through pkg/seclog (seclog.go)
	Account    string
}

// line is one log event before batching.
type line struct {
	t      time.Time
	msg    string
	seq    int
	stream string // set for functions with Containers > 1
}

// Generate returns the subscription batches of the simulation in delivery
// order (by interval, then function).
func Generate(cfg Config) []cwlogs.Batch {
	if cfg.BatchEvery <= 0 {
		cfg.BatchEvery = 5 * time.Minute
	}
	if cfg.Account == "" {
		cfg.Account = "123456789012"
	}
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	perFn := map[string][]line{}
	for _, f := range cfg.Functions {
		perFn[f.Name] = g.invocations(f)
	}
	for _, a := range cfg.Auth {
		perFn[a.Function] = append(perFn[a.Function], g.logins(a)...)
	}
	for _, inc := range cfg.Incidents {
		perFn[inc.Function] = append(perFn[inc.Function], g.attack(inc)...)
	}
	out := g.secLogApps() // seclog.go: each app on a random stream of its own
	for _, f := range cfg.Functions {
		lines := perFn[f.Name]
		sort.SliceStable(lines, func(i, j int) bool {
			if !lines[i].t.Equal(lines[j].t) {
				return lines[i].t.Before(lines[j].t)
			}
			return lines[i].seq < lines[j].seq
		})
		if f.Containers > 1 {
			out = append(out, g.batchesByStream(f, lines)...)
		} else {
			out = append(out, g.batches(f, lines)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LogEvents[0].Timestamp < out[j].LogEvents[0].Timestamp })
	return out
}

type gen struct {
	cfg Config
	rng *rand.Rand
	seq int
	ids int
	// Clustered and Forged incidents' counters (shapes.go).
	repeat   int
	repeatMs float64
	repeatFn string
	forgedN  int
}

func (g *gen) add(lines []line, t time.Time, msg string) []line {
	g.seq++
	return append(lines, line{t: t, msg: msg, seq: g.seq})
}

// daily is the load factor at t: a trough at 03:00 UTC, a peak at 15:00.
func daily(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	return 0.55 - 0.45*math.Cos((h-3)/24*2*math.Pi)
}

// poisson draws a Poisson count (Knuth; the means here are small).
func (g *gen) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (g *gen) requestID() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// active returns the incidents of kind for fn covering t.
func (g *gen) active(fn, kind string, t time.Time) *Incident {
	for i := range g.cfg.Incidents {
		inc := &g.cfg.Incidents[i]
		if inc.Function == fn && inc.Kind == kind && !t.Before(inc.Start) && (inc.End.IsZero() || t.Before(inc.End)) {
			return inc
		}
	}
	return nil
}
