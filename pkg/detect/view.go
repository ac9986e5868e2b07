package detect

import (
	"fmt"
	"math"
	"time"
)

// BaselineView is what the detector believes about one function, for
// `logwarden baselines`.
type BaselineView struct {
	Function string    `json:"function"`
	Version  string    `json:"version,omitempty"`
	Updated  time.Time `json:"last_update"`

	// Warm duration, log-normal: centre = exp(mean ln ms); spread is the
	// multiplicative standard deviation exp(sd ln ms).
	CentreMs float64 `json:"centre_ms"`
	Spread   float64 `json:"spread_factor"`
	P50Ms    float64 `json:"p50_ms"`
	P95Ms    float64 `json:"p95_ms"`
	Samples  int     `json:"samples"`
	Alerting bool    `json:"alerting"`
	// Recent warm durations, oldest first (for a small terminal chart).
	RecentMs []float64 `json:"recent_ms,omitempty"`

	ColdStarts    int     `json:"cold_starts"`
	WarmCount     int     `json:"warm_invocations"`
	ColdRate      float64 `json:"cold_start_rate"`
	InitCentreMs  float64 `json:"init_centre_ms"`
	InitP95Ms     float64 `json:"init_p95_ms"`
	InitSamples   int     `json:"init_samples"`
	MemorySizeMB  int     `json:"memory_size_mb,omitempty"`
	MaxMemoryMB   int     `json:"max_memory_used_mb,omitempty"`
	MemoryPercent float64 `json:"memory_percent,omitempty"`
	MemoryAlert   bool    `json:"memory_alerting"`

	// Cost: the usual spend and invocations per cost window, in USD/hour
	// at the thresholds' architecture when the record was written.
	CostUSDPerWindow float64 `json:"cost_usd_per_window"`
	InvPerWindow     float64 `json:"invocations_per_window"`
	CostWindows      int     `json:"cost_windows"`
	CostAlerting     bool    `json:"cost_alerting"`
}

// z95 is the standard normal 95th percentile.
const z95 = 1.6449

// DescribeBaseline decodes a fn# record's data into a readable view.
func DescribeBaseline(data []byte) (BaselineView, error) {
	var r fnRecord
	if err := unmarshalRecord(data, &r); err != nil {
		return BaselineView{}, fmt.Errorf("decode function baseline: %w", err)
	}
	v := BaselineView{
		Function: r.Fn, Version: r.Version, Samples: r.Warm.N, Alerting: r.Dur.Active,
		ColdStarts: r.ColdN, WarmCount: r.WarmN, InitSamples: r.Cold.N,
		MemorySizeMB: r.MemMB, MaxMemoryMB: r.MemUsed, MemoryAlert: r.Mem.Active,
		CostUSDPerWindow: round4(r.Cost.Spend.M), InvPerWindow: round2(r.Cost.Rate.M),
		CostWindows: r.Cost.Spend.N, CostAlerting: r.Cost.Inc.Active,
	}
	if r.Updated > 0 {
		v.Updated = fromMs(r.Updated)
	}
	if r.Warm.N > 0 {
		sd := math.Sqrt(r.Warm.V)
		v.CentreMs, v.P50Ms = round2(r.Warm.centre()), round2(r.Warm.centre())
		v.Spread = round2(math.Exp(sd))
		v.P95Ms = round2(math.Exp(r.Warm.M + z95*sd))
	}
	if r.Cold.N > 0 {
		v.InitCentreMs = round2(r.Cold.centre())
		v.InitP95Ms = round2(math.Exp(r.Cold.M + z95*math.Sqrt(r.Cold.V)))
	}
	if n := r.ColdN + r.WarmN; n > 0 {
		v.ColdRate = round4(float64(r.ColdN) / float64(n))
	}
	if r.MemMB > 0 {
		v.MemoryPercent = round2(100 * float64(r.MemUsed) / float64(r.MemMB))
	}
	for _, s := range r.Ring {
		v.RecentMs = append(v.RecentMs, s.D)
	}
	return v, nil
}
