package simulate

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"time"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// loginLine is an application's structured login log line (Node/Powertools
// style JSON with the OWASP "who, where, what").
func (g *gen) loginLine(at time.Time, ok bool, user, ip string) string {
	event, level, msg := "authn_login_success:"+user, "INFO", "login succeeded"
	if !ok {
		event, level, msg = "authn_login_fail:"+user, "WARN", "login failed: invalid password"
	}
	return fmt.Sprintf(`{"timestamp":"%s","level":"%s","requestId":"%s","event":"%s","user":"%s","ip":"%s","message":"%s"}`+"\n",
		at.Format("2006-01-02T15:04:05.000Z"), level, g.requestID(), event, user, ip, msg)
}

// logins simulates normal login traffic: a busy NAT address for an office
// (many users, the occasional typo) and users on their own addresses.
func (g *gen) logins(a Auth) []line {
	var lines []line
	end := g.cfg.Start.Add(g.cfg.Length)
	for t := g.cfg.Start; t.Before(end); t = t.Add(time.Minute) {
		for range g.poisson(a.PerMin * daily(t)) {
			at := t.Add(time.Duration(g.rng.Int64N(int64(time.Minute))))
			var user, ip string
			if a.NATIP != "" && g.rng.IntN(2) == 0 {
				user, ip = fmt.Sprintf("emp%04d@corp.example", g.rng.IntN(max(a.NATUsers, 1))), a.NATIP
			} else {
				u := g.rng.IntN(max(a.Population, 1))
				user, ip = fmt.Sprintf("customer%05d", u), fmt.Sprintf("198.18.%d.%d", u/250%250, u%250+1)
			}
			if g.rng.Float64() < a.FailRate {
				lines = g.add(lines, at, g.loginLine(at, false, user, ip))
				at = at.Add(time.Duration(5+g.rng.IntN(20)) * time.Second)
			}
			lines = g.add(lines, at, g.loginLine(at, true, user, ip))
		}
	}
	return lines
}

// attack injects an authentication incident.
func (g *gen) attack(inc Incident) []line {
	var lines []line
	every := time.Duration(max(inc.Every, 1)) * time.Second
	at := inc.Start
	switch inc.Kind {
	case BruteForce:
		for ; at.Before(inc.End); at = at.Add(every) {
			lines = g.add(lines, at, g.loginLine(at, false, inc.User, inc.IP))
		}
	case Stuffing:
		for i := 0; at.Before(inc.End); i, at = i+1, at.Add(every) {
			lines = g.add(lines, at, g.loginLine(at, false, fmt.Sprintf("leaked%04d@mail.example", i), inc.IP))
		}
	case Distributed:
		for i := 0; at.Before(inc.End); i, at = i+1, at.Add(every) {
			lines = g.add(lines, at, g.loginLine(at, false, inc.User, fmt.Sprintf("203.0.113.%d", 10+i%12)))
		}
	default:
		return g.attackV2(inc) // authv2.go
	}
	if inc.Succeed {
		ip := inc.IP
		if ip == "" {
			ip = "203.0.113.77"
		}
		at = inc.End.Add(20 * time.Minute)
		user := inc.User
		if user == "" {
			user = "leaked0003@mail.example"
		}
		lines = g.add(lines, at, g.loginLine(at, true, user, ip))
	}
	return lines
}

// batches cuts a function's lines into subscription deliveries, one per
// BatchEvery interval and log stream (a stream per version and day, as
// Lambda names them).
func (g *gen) batches(f Function, lines []line) []cwlogs.Batch {
	var out []cwlogs.Batch
	var cur *cwlogs.Batch
	var curSlot int64
	for _, l := range lines {
		slot := l.t.UnixMilli() / g.cfg.BatchEvery.Milliseconds()
		stream := g.stream(f, l.t)
		if cur == nil || slot != curSlot || stream != cur.LogStream || len(cur.LogEvents) >= 5000 {
			out = append(out, cwlogs.Batch{
				MessageType: cwlogs.DataMessage, Owner: g.cfg.Account, LogGroup: "/aws/lambda/" + f.Name,
				LogStream: stream, SubscriptionFilters: []string{"logwarden"},
			})
			cur, curSlot = &out[len(out)-1], slot
		}
		cur.LogEvents = append(cur.LogEvents, cwlogs.LogEvent{ID: g.eventID(l.t), Timestamp: l.t.UnixMilli(), Message: l.msg})
	}
	return out
}

// stream names the log stream: date, [version] and a per-day instance id.
func (g *gen) stream(f Function, t time.Time) string {
	ver := "$LATEST"
	if f.Version > 0 {
		ver = fmt.Sprint(f.Version)
		if g.active(f.Name, Deploy, t) != nil || g.active(f.Name, ColdDeploy, t) != nil {
			ver = fmt.Sprint(f.Version + 1)
		}
	}
	sum := sha256.Sum256([]byte(f.Name + ver + t.Format("2006-01-02")))
	return fmt.Sprintf("%s/[%s]%x", t.Format("2006/01/02"), ver, sum[:16])
}

// eventID makes a 56-digit decimal id, as CloudWatch does (too large for
// any integer type: kept as a string).
func (g *gen) eventID(t time.Time) string {
	g.ids++
	n := new(big.Int).SetInt64(t.UnixMilli())
	n.Mul(n, big.NewInt(1_000_000_000_000))
	n.Add(n, big.NewInt(int64(g.ids)))
	n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(25), nil))
	n.Add(n, new(big.Int).SetUint64(g.rng.Uint64()))
	s := n.String()
	for len(s) < 56 {
		s = "3" + s
	}
	return s[:56]
}
