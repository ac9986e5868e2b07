package simulate

import (
	"crypto/sha256"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// Incident kinds of detection v2: seasonality and drift, surges, deploys of
// cold starts, configuration changes and forged platform lines.
const (
	Weekend    = "weekend"     // rate x Factor on Saturdays and Sundays (quiet weekends)
	PeakSlow   = "peak_slow"   // durations up to x(1+Factor) at the daily peak (latency follows load)
	Drift      = "drift"       // durations x Factor^((t-Start)/(End-Start)): gradual drift
	Growth     = "growth"      // rate x Factor^((t-Start)/(End-Start)): gradual traffic growth
	Loop       = "loop"        // recursive loop: extra invocations doubling every Every seconds up to Factor/s
	ColdDeploy = "cold_deploy" // new version from Start on whose init durations are x Factor
	ScaleOut   = "scale_out"   // rate x Factor and half of the invocations cold (a scale-out)
	MemChange  = "mem_change"  // memory size becomes Factor MB from Start on (a real configuration change)
	Forged     = "forged"      // the app prints forged platform lines (one set every Every-th invocation)
	Clustered  = "clustered"   // each duration repeats for Every invocations (a metric point per several invocations)
)

// rateShape multiplies the invocation rate at t.
func (g *gen) rateShape(f Function, t time.Time) float64 {
	k := 1.0
	if inc := g.active(f.Name, Weekend, t); inc != nil && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday) {
		k *= inc.Factor
	}
	if inc := g.active(f.Name, Growth, t); inc != nil {
		k *= math.Pow(inc.Factor, progress(inc, t))
	}
	if inc := g.active(f.Name, ScaleOut, t); inc != nil {
		k *= inc.Factor
	}
	return k
}

// loopRate is the recursive loop's extra invocations per minute at t: one
// invocation triggers two, every Every seconds, up to Factor per second.
func (g *gen) loopRate(f Function, t time.Time) float64 {
	inc := g.active(f.Name, Loop, t)
	if inc == nil {
		return 0
	}
	every := float64(max(inc.Every, 1))
	mid := t.Add(30 * time.Second).Sub(inc.Start).Seconds()
	perS := math.Min(math.Pow(2, mid/every)/every, inc.Factor)
	return perS * 60
}

// progress is how far t is through the incident, 0..1.
func progress(inc *Incident, t time.Time) float64 {
	if inc.End.IsZero() || !inc.End.After(inc.Start) {
		return 1
	}
	return math.Min(1, float64(t.Sub(inc.Start))/float64(inc.End.Sub(inc.Start)))
}

// shape applies the duration, cold start, version and memory shapes to one
// invocation and returns its duration factor.
func (g *gen) shape(f Function, at time.Time, inv *invocation, coldRate, initMs *float64) float64 {
	k := 1.0
	if inc := g.active(f.Name, PeakSlow, at); inc != nil {
		k *= 1 + inc.Factor*(daily(at)-0.1)/0.9
	}
	if inc := g.active(f.Name, Drift, at); inc != nil {
		k *= math.Pow(inc.Factor, progress(inc, at))
	}
	if inc := g.active(f.Name, ColdDeploy, at); inc != nil {
		inv.version = f.Version + 1
		*initMs *= inc.Factor
	}
	if inc := g.active(f.Name, ScaleOut, at); inc != nil {
		*coldRate = 0.5
	}
	if inc := g.active(f.Name, MemChange, at); inc != nil {
		inv.functionMB = int(inc.Factor)
	}
	return k
}

// clustered repeats a duration for Every invocations (the replay of a
// metric series whose points stand for several invocations each).
func (g *gen) clustered(f Function, at time.Time, d float64) float64 {
	inc := g.active(f.Name, Clustered, at)
	if inc == nil {
		return d
	}
	if g.repeat > 0 && g.repeatFn == f.Name {
		g.repeat--
		return g.repeatMs
	}
	g.repeat, g.repeatMs, g.repeatFn = max(inc.Every, 1)-1, d, f.Name
	return d
}

// forged prints the forged platform lines of #8.5 from the application,
// as raw stdout writes (no runtime prefix), in the invocation's stream.
func (g *gen) forged(lines []line, f Function, at time.Time, inv invocation) []line {
	inc := g.active(f.Name, Forged, at)
	if inc == nil || inv.status != "" {
		return lines
	}
	g.forgedN++
	if g.forgedN%max(inc.Every, 1) != 0 {
		return lines
	}
	t := at.Add(2 * time.Millisecond)
	fake := g.requestID()
	lines = g.add(lines, t, fmt.Sprintf("REPORT RequestId: %s\tDuration: 899999.00 ms\tBilled Duration: 900000 ms\tMemory Size: 10240 MB\tMax Memory Used: 10240 MB\t\n", fake))
	lines = g.add(lines, t, fmt.Sprintf("%s %s Task timed out after 900.00 seconds\n", t.Format("2006-01-02T15:04:05.000Z"), fake))
	lines = g.add(lines, t, "Runtime exited with error: signal: killed\n")
	lines = g.add(lines, t, fmt.Sprintf(`{"time":"%s","type":"platform.report","record":{"requestId":"%s","metrics":{"durationMs":900000,"billedDurationMs":900000,"memorySizeMB":10240,"maxMemoryUsedMB":10240},"status":"timeout"}}`+"\n",
		t.Format(time.RFC3339Nano), g.requestID()))
	return lines
}

// assignStream puts an invocation's lines in one container's stream.
func (g *gen) assignStream(ls []line, f Function, inv invocation) {
	if f.Containers <= 1 || len(ls) == 0 {
		return
	}
	ver := "$LATEST"
	if inv.version > 0 {
		ver = fmt.Sprint(inv.version)
	}
	c := g.rng.IntN(f.Containers)
	sum := sha256.Sum256([]byte(fmt.Sprint(f.Name, ver, c, ls[0].t.Format("2006-01-02"))))
	s := fmt.Sprintf("%s/[%s]%x", ls[0].t.Format("2006/01/02"), ver, sum[:16])
	for i := range ls {
		ls[i].stream = s
	}
}

// batchesByStream cuts the lines of a many-container function into one
// delivery per BatchEvery interval and stream, delivered in the order of
// their first event (streams interleave, as CloudWatch delivers them).
func (g *gen) batchesByStream(f Function, lines []line) []cwlogs.Batch {
	type key struct {
		slot   int64
		stream string
	}
	idx := map[key]int{}
	var out []cwlogs.Batch
	for _, l := range lines {
		k := key{l.t.UnixMilli() / g.cfg.BatchEvery.Milliseconds(), l.stream}
		if k.stream == "" {
			k.stream = g.stream(f, l.t)
		}
		i, ok := idx[k]
		if !ok || len(out[i].LogEvents) >= 5000 {
			out = append(out, cwlogs.Batch{MessageType: cwlogs.DataMessage, Owner: g.cfg.Account,
				LogGroup: "/aws/lambda/" + f.Name, LogStream: k.stream, SubscriptionFilters: []string{"logwarden"}})
			i = len(out) - 1
			idx[k] = i
		}
		out[i].LogEvents = append(out[i].LogEvents, cwlogs.LogEvent{ID: g.eventID(l.t), Timestamp: l.t.UnixMilli(), Message: l.msg})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LogEvents[0].Timestamp < out[j].LogEvents[0].Timestamp })
	return out
}
