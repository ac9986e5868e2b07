package simulate

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/seclog"
)

// SecLogApp is a Go function behind an Application Load Balancer that logs
// its security events through pkg/seclog: every invocation is one request,
// and the lines are what seclog really writes (the generator calls it with
// the simulated clock and ALB events). Some clients send an X-Forwarded-For
// of their own; the load balancer appends the real address, and seclog
// logs only that one.
type SecLogApp struct {
	Function      Function // PeakPerMin is the login rate at the daily peak
	Population    int      // users, each on an address of their own
	FailRate      float64  // share of logins that fail first (typos), then succeed
	AuthzFailRate float64  // share of logins followed by a request for a resource that is denied
	ForgedXFF     float64  // share of clients that send their own X-Forwarded-For
	// NATShare of the requests come from one office address (many members
	// behind it, each denied now and then like everyone else).
	NATShare float64
}

// secLogApps generates the batches of every SecLogApp. Each app draws from
// a random stream of its own, so adding one leaves every other function's
// lines (and the files generated from them) unchanged.
func (g *gen) secLogApps() []cwlogs.Batch {
	var out []cwlogs.Batch
	for i, app := range g.cfg.SecLog {
		sub := &gen{cfg: g.cfg, rng: rand.New(rand.NewPCG(g.cfg.Seed^0x5ec109, uint64(i)+1))}
		lines := sub.secLogLines(app)
		sort.SliceStable(lines, func(i, j int) bool {
			if !lines[i].t.Equal(lines[j].t) {
				return lines[i].t.Before(lines[j].t)
			}
			return lines[i].seq < lines[j].seq
		})
		out = append(out, sub.batches(app.Function, lines)...)
	}
	return out
}

// secLogLines simulates the app's requests minute by minute.
func (g *gen) secLogLines(app SecLogApp) []line {
	f := app.Function
	var buf bytes.Buffer
	var now time.Time
	sec := seclog.New(slog.New(seclog.NewHandler(slog.NewJSONHandler(&buf, nil))),
		&seclog.Options{Now: func() time.Time { return now }})
	var lines []line
	n := 0
	// request runs one invocation at `at`: START, what log wrote, END, REPORT.
	request := func(at time.Time, method, path string, xff string, log func(context.Context, seclog.Actor)) {
		n++
		inv := g.invocation(f, at, n)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: inv.rid})
		a := seclog.FromALB(ctx, events.ALBTargetGroupRequest{HTTPMethod: method, Path: path,
			Headers: map[string]string{"x-forwarded-for": xff, "user-agent": "Mozilla/5.0"}})
		a.Function, a.Version = f.Name, fmt.Sprint(inv.version)
		ver := "$LATEST"
		if inv.version > 0 {
			ver = a.Version
		}
		end := at.Add(time.Duration(inv.durMs * float64(time.Millisecond)))
		lines = g.add(lines, at, fmt.Sprintf("START RequestId: %s Version: %s\n", inv.rid, ver))
		now = at.Add(2 * time.Millisecond)
		log(ctx, a)
		for _, rec := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
			if len(rec) > 0 {
				lines = g.add(lines, now, string(rec))
			}
		}
		buf.Reset()
		lines = g.add(lines, end, fmt.Sprintf("END RequestId: %s\n", inv.rid))
		lines = g.add(lines, end, textReport(inv))
	}
	end := g.cfg.Start.Add(g.cfg.Length)
	for t := g.cfg.Start; t.Before(end); t = t.Add(time.Minute) {
		for range g.poisson(f.PeakPerMin * daily(t)) {
			at := t.Add(time.Duration(g.rng.Int64N(int64(time.Minute))))
			u := g.rng.IntN(max(app.Population, 1))
			user, ip := fmt.Sprintf("member%05d@shop.example", u), fmt.Sprintf("198.19.%d.%d", u/250%250, u%250+1)
			if app.NATShare > 0 && g.rng.Float64() < app.NATShare {
				ip = "192.0.2.20"
			}
			xff := ip // the load balancer's hop
			if g.rng.Float64() < app.ForgedXFF {
				xff = fmt.Sprintf("10.%d.%d.%d, %s", g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256), ip)
			}
			if g.rng.Float64() < app.FailRate {
				request(at, "POST", "/login", xff, func(ctx context.Context, a seclog.Actor) {
					sec.LoginFail(ctx, a, user, "invalid_password")
				})
				at = at.Add(time.Duration(5+g.rng.IntN(20)) * time.Second)
			}
			request(at, "POST", "/login", xff, func(ctx context.Context, a seclog.Actor) { sec.LoginSuccess(ctx, a, user) })
			if g.rng.Float64() < app.AuthzFailRate {
				path := fmt.Sprintf("/orders/%d", 100000+g.rng.IntN(900000))
				request(at.Add(time.Duration(30+g.rng.IntN(90))*time.Second), "GET", path, xff,
					func(ctx context.Context, a seclog.Actor) { sec.AuthzFail(ctx, a, user, path) })
			}
		}
	}
	g.secLogScans(app, sec, request) // authv2.go
	return lines
}

// accountsApp is the demo's seclog function: logins behind an ALB, some
// typos, the odd denied order, and clients whose own X-Forwarded-For
// (10.x addresses) must never be what logwarden attributes.
var accountsApp = SecLogApp{
	Function: Function{Name: "accounts", MemoryMB: 256, CentreMs: 45, Sigma: 0.3, PeakPerMin: 0.6,
		ColdRate: 0.03, InitMs: 250, UsedMB: 70, Version: 3},
	Population: 3000, FailRate: 0.05, AuthzFailRate: 0.02, ForgedXFF: 0.15,
}
