package simulate

import "time"

// busyLogins is a login function with a busy office NAT: about 6 logins a
// minute at peak from 600 employees behind one address, 3 % typos.
var busyLogins = Auth{Function: "login", NATIP: "192.0.2.10", NATUsers: 600, PerMin: 12, FailRate: 0.03, Population: 8000}

// shopApp is a seclog function (behind an ALB) with ordinary 403s: members
// following a stale link to an order that is not theirs, some of them from
// one office address.
var shopApp = SecLogApp{
	Function: Function{Name: "shop", MemoryMB: 256, CentreMs: 40, Sigma: 0.3, PeakPerMin: 3,
		ColdRate: 0.02, InitMs: 250, UsedMB: 70, Version: 9},
	Population: 5000, FailRate: 0.04, AuthzFailRate: 0.15, ForgedXFF: 0.1, NATShare: 0.2,
}

// ScenariosAuthV2 are the cases of the auth detectors v2: the slow brute
// force (one user and many), the busy NAT with a morning burst of typos
// that must stay quiet, an IDOR scan and a shop's ordinary 403s.
func ScenariosAuthV2() []Scenario {
	day := 24 * time.Hour
	return []Scenario{
		{Name: "quiet_busy_nat", Config: Config{Seed: 41, Start: Epoch, Length: 2 * day,
			Functions: []Function{loginFn}, Auth: []Auth{busyLogins},
			// Monday 08:30-09:30: 40 employees mistype the new password,
			// Tuesday 25 more in half an hour: 10 failures in 10 minutes
			// and 30 in 2 hours from one address, among hundreds of
			// successes of hundreds of users (shared, slowbrute.go).
			Incidents: []Incident{{Kind: TypoBurst, Function: "login", Start: at(0, "08:30"), End: at(0, "09:30"), Factor: 40},
				{Kind: TypoBurst, Function: "login", Start: at(1, "08:30"), End: at(1, "09:00"), Factor: 25}},
		}},
		{Name: "slow_brute_force", Config: Config{Seed: 42, Start: Epoch, Length: day,
			Functions: []Function{loginFn}, Auth: []Auth{busyLogins},
			// A try every ~90 s for 6 hours, a different account each time.
			Incidents: []Incident{{Kind: SlowBrute, Function: "login", Start: at(0, "01:00"), End: at(0, "07:00"),
				Factor: 2.7, IP: "198.51.100.61"}},
		}, Want: []string{"brute_force/firing"}},
		{Name: "slow_brute_force_one_user", Config: Config{Seed: 43, Start: Epoch, Length: day,
			Functions: []Function{loginFn}, Auth: []Auth{busyLogins},
			// A try every ~2 min for 5 hours against one account.
			Incidents: []Incident{{Kind: SlowBrute, Function: "login", Start: at(0, "13:00"), End: at(0, "18:00"),
				Factor: 2, IP: "203.0.113.140", User: "admin"}},
		}, Want: []string{"brute_force/firing"}},
		{Name: "quiet_authz_403s", Config: Config{Seed: 44, Start: Epoch, Length: 2 * day,
			SecLog: []SecLogApp{shopApp}}},
		{Name: "idor_scan", Config: Config{Seed: 45, Start: Epoch, Length: day,
			SecLog: []SecLogApp{shopApp},
			// One member walks order ids, ~8 a minute, for 20 minutes.
			Incidents: []Incident{{Kind: IDORScan, Function: "shop", Start: at(0, "14:00"), End: at(0, "14:20"),
				Factor: 8, IP: "203.0.113.150"}},
		}, Want: []string{"authz_enumeration/firing"}},
	}
}
