package detect

import (
	"fmt"
	"math"
	"time"
)

// costState is the cost_anomaly detector's state: the spend of the current
// time window and baselines of the spend and invocation count per window.
type costState struct {
	Start int64    `json:"s,omitempty"` // current window start, epoch ms
	GBs   float64  `json:"gbs,omitempty"`
	Inv   int      `json:"inv,omitempty"`
	Spend ewma     `json:"spend"` // USD per window (linear)
	Rate  ewma     `json:"rate"`  // invocations per window (linear)
	Inc   incident `json:"inc"`
}

const (
	// costAlpha: the spend baseline remembers about a week of hourly windows.
	costAlpha = 1.0 / 168
	// maxIdleWindows: at most a day of idle windows is folded in as zero
	// spend after a gap, so a function idle for a month does not forget
	// what it normally costs.
	maxIdleWindows = 24
	noClip         = math.MaxInt
)

// spend is the USD of the current window: billed GB-seconds at the
// architecture's price plus the per-request charge.
func (c *costState) spend(th *Thresholds) float64 {
	return c.GBs*th.pricePerGBs() + float64(c.Inv)*PricePerRequest
}

// cost feeds one REPORT to the cost detector. The spend of the window in
// progress is compared with the usual spend of a whole window: the alert
// fires as soon as this partial window has already cost CostRatio times a
// normal full one (no projection noise), and only if the projected rate is
// at least CostMinUSDPerHr.
func (e *fnEval) cost(o *Observation) {
	c, th := &e.rec.Cost, &e.th
	win := th.CostWindow.Milliseconds()
	t := ms(o.Time)
	ws := t - ((t%win)+win)%win
	if c.Start == 0 {
		c.Start = ws
	}
	if ws > c.Start {
		e.closeCostWindow(o, (ws-c.Start)/win-1)
		c.Start, c.GBs, c.Inv = ws, 0, 0
	}
	ev := &o.Event
	billed := ev.BilledDurationMs
	if !ev.HasBilled {
		billed = math.Ceil(ev.DurationMs)
	}
	memMB := e.rec.MemMB
	if ev.HasMemory && ev.MemorySizeMB > 0 {
		memMB = ev.MemorySizeMB
	}
	c.GBs += billed / 1000 * float64(memMB) / 1024
	c.Inv++
	if c.Inc.Active || c.Spend.N < th.CostMinWindows {
		return
	}
	now := c.spend(th)
	elapsed := max(t-c.Start, win/6)
	perHour := now / float64(elapsed) * float64(time.Hour.Milliseconds())
	if perHour < th.CostMinUSDPerHr {
		return
	}
	if now >= th.CostRatio*c.Spend.M || float64(c.Inv) >= th.CostRatio*max(c.Rate.M, 1) {
		e.costFiring(o, now, perHour)
	}
}

func (e *fnEval) costFiring(o *Observation, now, perHour float64) {
	c, th := &e.rec.Cost, &e.th
	hours := th.CostWindow.Hours()
	basePerHour := c.Spend.M / hours
	ratio := now / max(c.Spend.M, 1e-9)
	c.Inc = incident{Active: true, Since: c.Start, Peak: perHour, N: c.Inv}
	sev := SeverityWarning
	if ratio >= 10 {
		sev = SeverityCritical
	}
	a := e.alert(TypeCost, sev, o, "")
	a.Summary = fmt.Sprintf("≈ $%.2f/h vs usual $%.2f/h (%s) — %d invocations, %.0f GB-s since %s vs %.0f invocations usually per %s",
		perHour, basePerHour, th.Architecture, c.Inv, c.GBs, clock(fromMs(c.Start)), c.Rate.M, th.CostWindow)
	a.Value, a.Baseline, a.Unit, a.Samples = round4(perHour), round4(basePerHour), "USD/h", c.Inv
	a.CostPerHour = round4(perHour)
	a.Rule, a.Window = "cost_window", fmtDuration(th.CostWindow)
	a.Expected, a.Observed = round4(c.Spend.M), round4(now)
	a.WindowStart = fromMs(c.Start)
	a.RequestIDs = nonEmpty(o.Event.RequestID)
	e.alerts = append(e.alerts, a)
}

// closeCostWindow folds a finished window into the baselines, or, during an
// incident, resolves it once a whole window was back under the ratio. The
// baselines never learn an anomalous window.
func (e *fnEval) closeCostWindow(o *Observation, idle int64) {
	c, th := &e.rec.Cost, &e.th
	spent := c.spend(th)
	if c.Inc.Active {
		if spent >= th.CostRatio*c.Spend.M && c.Spend.M > 0 {
			c.Inc.Peak = max(c.Inc.Peak, spent/th.CostWindow.Hours())
			return
		}
		a := e.alert(TypeCost, SeverityInfo, o, "")
		a.Status = StatusResolved
		hours := th.CostWindow.Hours()
		a.Summary = fmt.Sprintf("spend back to $%.2f/h (usual $%.2f/h); peak was $%.2f/h since %s",
			spent/hours, c.Spend.M/hours, c.Inc.Peak, clock(fromMs(c.Inc.Since)))
		a.Value, a.Baseline, a.Unit, a.Samples = round4(spent/hours), round4(c.Spend.M/hours), "USD/h", c.Inv
		a.Rule, a.Window = "cost_window", fmtDuration(th.CostWindow)
		a.Expected, a.Observed = round4(c.Spend.M), round4(spent)
		a.WindowStart = fromMs(c.Inc.Since)
		e.alerts = append(e.alerts, a)
		c.Inc = incident{}
		return
	}
	c.Spend.add(spent, costAlpha, noClip)
	c.Rate.add(float64(c.Inv), costAlpha, noClip)
	for range min(idle, maxIdleWindows) {
		c.Spend.add(0, costAlpha, noClip)
		c.Rate.add(0, costAlpha, noClip)
	}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
