package simulate

import "time"

// Spraying across functions (issue #9 follow-up): one address fails 4
// times on each of three login functions within 10 minutes, under half of
// brute_force_failures on each and 12 in all; and the busy office NAT of
// quiet_busy_nat, its employees logging in to the same three functions
// with a morning burst of typos on each, which must stay unblocked.
func scenariosSpray() []Scenario {
	day := 24 * time.Hour
	fns := []string{"login", "signup", "reset"}
	var functions []Function
	var normal, busy []Auth
	for _, name := range fns {
		f := loginFn
		f.Name = name
		functions = append(functions, f)
		a, b := normalLogins, busyLogins
		a.Function, b.Function = name, name
		normal, busy = append(normal, a), append(busy, b)
	}
	var spray, typos []Incident
	for i, name := range fns {
		// 4 failures 30 s apart, the functions 3 minutes apart.
		start := at(0, "03:10").Add(time.Duration(i) * 3 * time.Minute)
		spray = append(spray, Incident{Kind: BruteForce, Function: name, Start: start, End: start.Add(2 * time.Minute),
			Every: 30, IP: "203.0.113.66", User: []string{"admin", "root", "support"}[i]})
		typos = append(typos, Incident{Kind: TypoBurst, Function: name, Start: at(0, "08:30"), End: at(0, "09:00"), Factor: 15})
	}
	return []Scenario{
		{Name: "spray_across_functions", Config: Config{Seed: 61, Start: Epoch, Length: day / 4,
			Functions: functions, Auth: normal, Incidents: spray}, Want: []string{"brute_force/firing"}},
		{Name: "quiet_busy_nat_functions", Config: Config{Seed: 62, Start: Epoch, Length: day / 2,
			Functions: functions, Auth: busy, Incidents: typos}},
	}
}
