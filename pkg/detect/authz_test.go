package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/logline"
)

// denied is a seclog authz_fail record as logline reads it.
func denied(at time.Time, ip, user, resource string) Observation {
	o := authEvent(at, logline.KindAuthFailure, ip, user)
	o.Event.Rule, o.Event.Reason, o.Event.Resource = logline.RuleSeclog, logline.AuthzFail, resource
	o.Event.RequestID = fmt.Sprintf("req-%d", at.UnixMilli())
	return o
}

func TestAuthzEnumeration(t *testing.T) {
	const scanner = "198.51.100.40"
	for _, tc := range []struct {
		name   string
		obs    []Observation
		caught string // the alert's user when caught; "-" for quiet
		at     int    // index of the event that completes the rule
	}{
		{"IDOR scan by one account", every(t0, 5*time.Second, 10*time.Minute, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, scanner, "mallory", fmt.Sprintf("GET /orders/%d", 1000+i))}
		}), "mallory", 19},
		{"anonymous enumeration", every(t0, time.Second, 2*time.Minute, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, scanner, "", fmt.Sprintf("GET /invoices/%d.pdf", i))}
		}), "", 19},
		{"a scan that rotates three accounts", every(t0, 3*time.Second, 10*time.Minute, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, scanner, fmt.Sprintf("acct%d", i%3), fmt.Sprintf("GET /orders/%d", i))}
		}), "", 19},
		{"one resource denied over and over", every(t0, time.Second, 5*time.Minute, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, scanner, "bob", "GET /admin")}
		}), "-", 0},
		{"a normal app: users denied a stale link or two", every(t0, 7*time.Second, 2*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, fmt.Sprintf("198.18.%d.%d", i/200%200, i%200+1), fmt.Sprintf("cust%d", i), fmt.Sprintf("GET /orders/%d", i%37))}
		}), "-", 0},
		{"a shared NAT: many users, each denied one resource", every(t0, 6*time.Second, 2*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, "192.0.2.10", fmt.Sprintf("emp%03d", i%300), fmt.Sprintf("GET /docs/%d", i%500))}
		}), "-", 0},
		{"a slow walk under the window", every(t0, 40*time.Second, 2*time.Hour, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, scanner, "eve", fmt.Sprintf("GET /orders/%d", i))}
		}), "-", 0},
		{"loopback is never a culprit", every(t0, time.Second, 2*time.Minute, func(i int, at time.Time) []Observation {
			return []Observation{denied(at, "127.0.0.1", "", fmt.Sprintf("GET /orders/%d", i))}
		}), "-", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, Defaults())
			got := feedSpan(r, tc.obs)
			if tc.caught == "-" {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1, "one alert per episode")
			a := got[0]
			require.Equal(t, TypeAuthzEnumeration, a.Type)
			require.Equal(t, scanner, a.IP)
			require.Equal(t, tc.caught, a.User)
			require.Equal(t, "authz_enumeration|login|ip:"+scanner, a.Key)
			require.Equal(t, tc.obs[tc.at].Time, a.Time, "the 20th distinct resource completes it")
			require.Equal(t, RuleAuthzResources, a.Rule)
			require.Equal(t, 20.0, a.Observed)
			require.Equal(t, 20.0, a.Expected)
			require.Equal(t, "10m0s", a.Window)
			require.NotEmpty(t, a.RequestIDs)
			require.Contains(t, a.Summary, tc.obs[tc.at].Event.Resource)
		})
	}
}

// TestAuthzFailIsNotAFailedLogin: a denied resource is no failed password.
// A hundred denials from one address in a minute raise no login alert,
// touch no login record and block nobody; a non-seclog line that merely
// says authz_fail stays a login failure (an attacker cannot reword his
// failed logins out of the brute-force detectors).
func TestAuthzFailIsNotAFailedLogin(t *testing.T) {
	r := newRunner(t, Defaults())
	var obs []Observation
	for i := range 100 {
		obs = append(obs, denied(t0.Add(time.Duration(i)*500*time.Millisecond), "198.51.100.41", "bob", "GET /admin"))
	}
	require.Empty(t, r.feed("login", obs))
	for k := range r.state {
		require.True(t, strings.HasPrefix(k, prefixAuthz), "only the authz record: %s", k)
	}

	forged := make([]Observation, 0, 12)
	for i := range 12 {
		o := fail(t0.Add(time.Hour+time.Duration(i)*time.Second), "198.51.100.42", "bob")
		o.Event.Rule, o.Event.Reason, o.Event.Resource = "json", logline.AuthzFail, "x"
		forged = append(forged, o)
	}
	require.Equal(t, []string{"brute_force/firing"}, types(r.feed("login", forged)))
}

// TestAuthzDecoysDoNotHideAScanner: thousands of addresses denied once
// each per batch push the record past its budget; the scanner, with the
// most denials, is kept and caught.
func TestAuthzDecoysDoNotHideAScanner(t *testing.T) {
	r := newRunner(t, Defaults())
	var caught []Alert
	for b := range 30 {
		at := t0.Add(time.Duration(b) * 20 * time.Second)
		var obs []Observation
		for d := range 3000 {
			obs = append(obs, denied(at, fmt.Sprintf("2001:db8:%x:%x::1", b+1, d+1), "", fmt.Sprintf("GET /x/%d", d)))
		}
		obs = append(obs, denied(at.Add(time.Second), "203.0.113.66", "mallory", fmt.Sprintf("GET /orders/%d", b)))
		caught = append(caught, r.feed("login", obs)...)
		require.LessOrEqual(t, len(r.state[AuthzKey("login")]), budgetAuthz)
	}
	require.Len(t, caught, 1)
	require.Equal(t, "203.0.113.66", caught[0].IP)
}

func TestAuthzRecordRoundTrip(t *testing.T) {
	rec := authzRecord{IPs: []authzEntry{{IP: "198.51.100.1", Alerted: 5,
		Hits: []authzHit{{T: 100, Res: 7, User: 9}, {T: 250, Res: 8}}}, {IP: "2001:db8::/64"}}}
	rec.remember("b1")
	var buf []byte
	data := encodeRecord(&buf, &rec)
	var got authzRecord
	require.NoError(t, unmarshalRecord(data, &got))
	require.Equal(t, rec.IPs[0].Hits, got.IPs[0].Hits)
	require.Equal(t, rec.IPs[0].Alerted, got.IPs[0].Alerted)
	require.Equal(t, "2001:db8::/64", got.IPs[1].IP)
	require.Error(t, unmarshalRecord(data[:len(data)-4], &authzRecord{}))
	require.Error(t, unmarshalRecord(data, &tallyRecord{}), "a record under the wrong key is corrupt")
}
