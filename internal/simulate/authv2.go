package simulate

import (
	"context"
	"fmt"
	"time"

	"github.com/logwarden/logwarden/pkg/seclog"
)

// Auth incidents of auth detectors v2 (#10 item 6, #12 item 5).
const (
	// SlowBrute: IP tries a password Factor times per 4 minutes on average
	// (jittered, never in bursts) from Start to End, against User or, when
	// User is empty, a different account each time.
	SlowBrute = "slow_brute"
	// TypoBurst: Factor users behind the Auth's NAT mistype their
	// password once each between Start and End (a Monday morning after a
	// password rotation), then get it right.
	TypoBurst = "typo_burst"
	// IDORScan: a seclog app's member account, on IP, requests orders it
	// does not own, Factor per minute on average, from Start to End; each
	// one is denied (authz_fail).
	IDORScan = "idor_scan"
)

// attackV2 generates the login lines of the v2 incidents of a plain login
// function (IDORScan is a seclog app's: secLogScans).
func (g *gen) attackV2(inc Incident) []line {
	var lines []line
	switch inc.Kind {
	case SlowBrute:
		mean := time.Duration(float64(4*time.Minute) / max(inc.Factor, 0.1))
		for i, at := 0, inc.Start; at.Before(inc.End); i++ {
			user := inc.User
			if user == "" {
				user = fmt.Sprintf("%s%02d", []string{"admin", "info", "sales", "support", "test", "root"}[i%6], i/6)
			}
			lines = g.add(lines, at, g.loginLine(at, false, user, inc.IP))
			// Uniform in [0.6, 1.4] x mean: steady, under every short window.
			at = at.Add(time.Duration(float64(mean) * (0.6 + 0.8*g.rng.Float64())))
		}
	case TypoBurst:
		a := g.authOf(inc.Function)
		if a == nil || a.NATIP == "" {
			return nil
		}
		n := max(int(inc.Factor), 1)
		span := inc.End.Sub(inc.Start)
		for i := range n {
			at := inc.Start.Add(time.Duration(g.rng.Int64N(int64(span))))
			user := fmt.Sprintf("emp%04d@corp.example", g.rng.IntN(max(a.NATUsers, 1)))
			lines = g.add(lines, at, g.loginLine(at, false, user, a.NATIP))
			if i%5 == 0 { // some need a second try
				at = at.Add(time.Duration(10+g.rng.IntN(30)) * time.Second)
				lines = g.add(lines, at, g.loginLine(at, false, user, a.NATIP))
			}
			at = at.Add(time.Duration(10+g.rng.IntN(50)) * time.Second)
			lines = g.add(lines, at, g.loginLine(at, true, user, a.NATIP))
		}
	}
	return lines
}

func (g *gen) authOf(fn string) *Auth {
	for i := range g.cfg.Auth {
		if g.cfg.Auth[i].Function == fn {
			return &g.cfg.Auth[i]
		}
	}
	return nil
}

// requestFunc is a seclog app's request: one invocation at `at` that logs
// through log (secLogLines).
type requestFunc func(at time.Time, method, path, xff string, log func(context.Context, seclog.Actor))

// secLogScans runs the IDORScan incidents of a seclog app: a logged-in
// member walking order ids, each request denied.
func (g *gen) secLogScans(app SecLogApp, sec *seclog.Logger, request requestFunc) {
	for _, inc := range g.cfg.Incidents {
		if inc.Kind != IDORScan || inc.Function != app.Function.Name {
			continue
		}
		mean := time.Duration(float64(time.Minute) / max(inc.Factor, 0.1))
		user := inc.User
		if user == "" {
			user = "member00042@shop.example"
		}
		id := 100000 + g.rng.IntN(800000)
		for at := inc.Start; at.Before(inc.End); {
			path := fmt.Sprintf("/orders/%d", id)
			request(at, "GET", path, inc.IP, func(ctx context.Context, a seclog.Actor) { sec.AuthzFail(ctx, a, user, path) })
			id += 1 + g.rng.IntN(3)
			at = at.Add(time.Duration(float64(mean) * (0.5 + g.rng.Float64())))
		}
	}
}
