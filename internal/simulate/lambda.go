package simulate

import (
	"fmt"
	"math"
	"time"
)

// invocation is one simulated invocation's REPORT values.
type invocation struct {
	rid        string
	durMs      float64
	initMs     float64
	usedMB     int
	status     string // "", "timeout", "error"
	errorType  string
	timeoutS   float64
	version    int
	functionMB int
}

// invocations simulates a function minute by minute.
func (g *gen) invocations(f Function) []line {
	var lines []line
	end := g.cfg.Start.Add(g.cfg.Length)
	n := 0
	for t := g.cfg.Start; t.Before(end); t = t.Add(time.Minute) {
		rate := f.PeakPerMin * daily(t)
		if inc := g.active(f.Name, Load, t); inc != nil {
			rate *= inc.Factor
		}
		rate = rate*g.rateShape(f, t) + g.loopRate(f, t)
		for range g.poisson(rate) {
			at := t.Add(time.Duration(g.rng.Int64N(int64(time.Minute))))
			n++
			inv := g.invocation(f, at, n)
			from := len(lines)
			lines = g.emit(lines, f, at, inv)
			lines = g.forged(lines, f, at, inv)
			g.assignStream(lines[from:], f, inv)
		}
	}
	return lines
}

func (g *gen) invocation(f Function, at time.Time, n int) invocation {
	inv := invocation{rid: g.requestID(), version: f.Version, functionMB: f.MemoryMB}
	factor := 1 + 0.15*(daily(at)-0.5) // busier hours run a little slower
	if inc := g.active(f.Name, Deploy, at); inc != nil {
		inv.version = f.Version + 1
		factor *= inc.Factor
	}
	if inc := g.active(f.Name, Regression, at); inc != nil {
		factor *= inc.Factor
	}
	if inc := g.active(f.Name, Outliers, at); inc != nil && n%inc.Every == 0 {
		factor *= inc.Factor
	}
	coldRate, initMs := f.ColdRate, f.InitMs
	factor *= g.shape(f, at, &inv, &coldRate, &initMs)
	inv.durMs = f.CentreMs * factor * math.Exp(f.Sigma*g.rng.NormFloat64())
	inv.durMs = g.clustered(f, at, inv.durMs)
	if g.rng.Float64() < coldRate {
		inv.initMs = initMs * math.Exp(0.2*g.rng.NormFloat64())
	}
	inv.usedMB = min(f.MemoryMB, int(float64(f.UsedMB)*(1+0.03*g.rng.NormFloat64())))
	if inc := g.active(f.Name, MemoryCreep, at); inc != nil {
		frac := float64(at.Sub(inc.Start)) / float64(inc.End.Sub(inc.Start))
		inv.usedMB = min(f.MemoryMB, f.UsedMB+int(frac*float64(f.MemoryMB-f.UsedMB)*1.02))
	}
	if inc := g.active(f.Name, Timeouts, at); inc != nil && n%inc.Every == 0 {
		inv.timeoutS = math.Round(f.CentreMs*inc.Factor/1000*100) / 100
		inv.durMs, inv.status = inv.timeoutS*1000+float64(g.rng.IntN(5)), "timeout"
	}
	if inc := g.active(f.Name, OOM, at); inc != nil && n%inc.Every == 0 {
		inv.usedMB, inv.status, inv.errorType = f.MemoryMB, "error", "Runtime.OutOfMemory"
	}
	return inv
}

// emit writes the log lines of one invocation: START, an application
// line, END and REPORT in text mode, or platform records in JSON mode.
// Timeouts use the old shape (REPORT, then "Task timed out") on text
// functions and "status":"timeout" on JSON ones.
func (g *gen) emit(lines []line, f Function, at time.Time, inv invocation) []line {
	end := at.Add(time.Duration(inv.durMs * float64(time.Millisecond)))
	ver := "$LATEST"
	if inv.version > 0 {
		ver = fmt.Sprint(inv.version)
	}
	if f.JSON {
		lines = g.add(lines, at, fmt.Sprintf(`{"time":"%s","type":"platform.start","record":{"requestId":"%s","version":"%s"}}`,
			at.Format(time.RFC3339Nano), inv.rid, ver))
		return g.add(lines, end, jsonReport(end, inv))
	}
	lines = g.add(lines, at, fmt.Sprintf("START RequestId: %s Version: %s\n", inv.rid, ver))
	lines = g.add(lines, at.Add(time.Millisecond), fmt.Sprintf("%s\t%s\tINFO\tprocessed order %d\n",
		at.Format("2006-01-02T15:04:05.000Z"), inv.rid, g.rng.IntN(1_000_000)))
	lines = g.add(lines, end, fmt.Sprintf("END RequestId: %s\n", inv.rid))
	lines = g.add(lines, end, textReport(inv))
	if inv.status == "timeout" {
		lines = g.add(lines, end, fmt.Sprintf("%s %s Task timed out after %.2f seconds\n\n",
			end.Format("2006-01-02T15:04:05.000Z"), inv.rid, inv.timeoutS))
	}
	if inv.errorType != "" {
		lines = g.add(lines, end, fmt.Sprintf("RequestId: %s Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n", inv.rid))
	}
	return lines
}

func billed(inv invocation) int { return int(math.Ceil(inv.durMs)) }

func textReport(inv invocation) string {
	s := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		inv.rid, inv.durMs, billed(inv), inv.functionMB, inv.usedMB)
	if inv.initMs > 0 {
		s += fmt.Sprintf("Init Duration: %.2f ms\t", inv.initMs)
	}
	if inv.status == "error" {
		s += "Status: error\tError Type: " + inv.errorType + "\t"
	}
	return s + "\n"
}

func jsonReport(end time.Time, inv invocation) string {
	init := ""
	if inv.initMs > 0 {
		init = fmt.Sprintf(`,"initDurationMs":%.3f`, inv.initMs)
	}
	status := `"status":"success"`
	switch inv.status {
	case "timeout":
		status = `"status":"timeout"`
	case "error":
		status = fmt.Sprintf(`"status":"error","errorType":"%s"`, inv.errorType)
	}
	return fmt.Sprintf(`{"time":"%s","type":"platform.report","record":{"requestId":"%s","metrics":{"durationMs":%.3f,"billedDurationMs":%d,"memorySizeMB":%d,"maxMemoryUsedMB":%d%s},%s}}`,
		end.Format(time.RFC3339Nano), inv.rid, inv.durMs, billed(inv), inv.functionMB, inv.usedMB, init, status)
}
