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

	// Seasonal profile (detection v2): invocations per hour and the usual
	// warm duration for each hour of the day (UTC), and the day-of-week
	// factor (Sunday first) the invocation profile is multiplied by.
	InvPerHourByHour []float64 `json:"invocations_per_hour_by_hour,omitempty"`
	DayOfWeekFactor  []float64 `json:"day_of_week_factor,omitempty"`
	DurationByHourMs []float64 `json:"duration_ms_by_hour,omitempty"`
	ProfileHours     int       `json:"profile_hours"`
	SustainedCUSUM   float64   `json:"sustained_cusum"`
	SurgeAlerting    bool      `json:"surge_alerting"`
	// A deploy under comparison with the previous version's baseline.
	DeployFrom   string    `json:"deploy_from,omitempty"`
	DeployTo     string    `json:"deploy_to,omitempty"`
	DeployedAt   time.Time `json:"deployed_at,omitzero"`
	DeployPrevMs float64   `json:"deploy_previous_centre_ms,omitempty"`
	// Platform lines that contradicted the function and were ignored.
	SuspectLines  int    `json:"suspect_lines"`
	SuspectReason string `json:"suspect_reason,omitempty"`
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
	describeV2(&r, &v)
	return v, nil
}

// describeV2 fills the detection v2 part of the view.
func describeV2(r *fnRecord, v *BaselineView) {
	if len(r.Rates.Hod) == 24 {
		v.InvPerHourByHour = make([]float64, 24)
		for h, x := range r.Rates.Hod {
			v.InvPerHourByHour[h] = round2(x)
		}
		v.DayOfWeekFactor = make([]float64, len(r.Rates.Dow))
		for d, x := range r.Rates.Dow {
			v.DayOfWeekFactor[d] = round2(x)
		}
	}
	if r.Sus.Level.N > 0 {
		v.DurationByHourMs = make([]float64, 24)
		for h := range v.DurationByHourMs {
			off := 0.0
			if len(r.Sus.Hod) == 24 {
				off = r.Sus.Hod[h]
			}
			v.DurationByHourMs[h] = round2(math.Exp(r.Sus.Level.M + off))
		}
	}
	v.ProfileHours, v.SustainedCUSUM, v.SurgeAlerting = r.Rates.Hours, round2(r.Sus.S), r.Rates.Inc.Active
	if d := &r.Dep; d.At > 0 {
		v.DeployFrom, v.DeployTo, v.DeployedAt = orDash(d.From), d.To, fromMs(d.At)
		if d.Warm.N > 0 {
			v.DeployPrevMs = round2(d.Warm.centre())
		}
	}
	v.SuspectLines, v.SuspectReason = r.Plat.Suspect, r.Plat.Why
}
