package simulate

import "time"

// Scenario is a named simulation with the alerts it is meant to raise.
type Scenario struct {
	Name   string
	Config Config
	// Thresholds are written to thresholds.json (a list of items) when set.
	Thresholds []map[string]any
	// Want lists "type/status" pairs that must appear; a quiet scenario
	// (Want empty) must raise no alert at all.
	Want []string
}

// Epoch is the first simulated instant of every scenario.
var Epoch = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func at(day int, hhmm string) time.Time {
	d, _ := time.Parse("15:04", hhmm)
	return Epoch.AddDate(0, 0, day).Add(time.Duration(d.Hour())*time.Hour + time.Duration(d.Minute())*time.Minute)
}

// Typical functions.
var (
	apiFn = Function{Name: "api", MemoryMB: 256, CentreMs: 120, Sigma: 0.35, PeakPerMin: 0.6,
		ColdRate: 0.03, InitMs: 450, UsedMB: 90, Version: 41}
	workerFn = Function{Name: "worker", MemoryMB: 1024, CentreMs: 2500, Sigma: 0.25, PeakPerMin: 0.3,
		ColdRate: 0.05, InitMs: 900, UsedMB: 400, JSON: true}
	checkoutFn = Function{Name: "checkout", MemoryMB: 1024, CentreMs: 3000, Sigma: 0.2, PeakPerMin: 0.5,
		ColdRate: 0.04, InitMs: 700, UsedMB: 350, Version: 12}
	thumbFn = Function{Name: "thumbnailer", MemoryMB: 512, CentreMs: 800, Sigma: 0.3, PeakPerMin: 0.4,
		ColdRate: 0.04, InitMs: 600, UsedMB: 200}
	loginFn = Function{Name: "login", MemoryMB: 256, CentreMs: 60, Sigma: 0.3, PeakPerMin: 0.3,
		ColdRate: 0.03, InitMs: 300, UsedMB: 80, Version: 7}
	normalLogins = Auth{Function: "login", NATIP: "192.0.2.10", NATUsers: 300, PerMin: 1.5, FailRate: 0.04, Population: 4000}
)

// Scenarios returns every scenario, quiet ones first, then the detection
// v2 ones.
func Scenarios() []Scenario {
	return append(append(append(scenariosV1(), ScenariosV2()...), ScenariosAuthV2()...), scenariosSpray()...)
}

func scenariosV1() []Scenario {
	day := 24 * time.Hour
	return []Scenario{
		{Name: "quiet_daily_cycle", Config: Config{Seed: 1, Start: Epoch, Length: 3 * day,
			Functions: []Function{apiFn, workerFn},
			Incidents: []Incident{{Kind: Outliers, Function: "api", Start: Epoch, Factor: 25, Every: 97}},
		}},
		{Name: "quiet_deploy", Config: Config{Seed: 2, Start: Epoch, Length: 2 * day,
			Functions: []Function{apiFn},
			// A deploy at unchanged speed (a slower one is deploy_regression).
			Incidents: []Incident{{Kind: Deploy, Function: "api", Start: at(1, "12:00"), Factor: 1}},
		}},
		{Name: "quiet_nat", Config: Config{Seed: 3, Start: Epoch, Length: 2 * day,
			Functions: []Function{loginFn}, Auth: []Auth{normalLogins}}},
		{Name: "regression", Config: Config{Seed: 4, Start: Epoch, Length: 2 * day,
			Functions: []Function{checkoutFn},
			Incidents: []Incident{{Kind: Regression, Function: "checkout", Start: at(1, "10:00"), End: at(1, "12:00"), Factor: 10}},
		}, Want: []string{"duration_anomaly/firing", "duration_anomaly/resolved"}},
		{Name: "memory_creep", Config: Config{Seed: 5, Start: Epoch, Length: 2 * day,
			Functions: []Function{thumbFn},
			Incidents: []Incident{{Kind: MemoryCreep, Function: "thumbnailer", Start: at(0, "18:00"), End: at(1, "08:00")}},
		}, Want: []string{"memory_near_limit/firing", "memory_near_limit/resolved"}},
		{Name: "timeouts", Config: Config{Seed: 6, Start: Epoch, Length: day,
			Functions: []Function{workerFn, {Name: "report-gen", MemoryMB: 512, CentreMs: 2000, Sigma: 0.2,
				PeakPerMin: 0.5, ColdRate: 0.03, InitMs: 500, UsedMB: 150}},
			Incidents: []Incident{{Kind: Timeouts, Function: "report-gen", Start: at(0, "14:00"), End: at(0, "14:30"), Factor: 3, Every: 3}},
		}, Want: []string{"timeout/firing"}},
		{Name: "oom_crash", Config: Config{Seed: 7, Start: Epoch, Length: day,
			Functions: []Function{{Name: "resizer", MemoryMB: 256, CentreMs: 400, Sigma: 0.3, PeakPerMin: 0.6,
				ColdRate: 0.04, InitMs: 400, UsedMB: 120, JSON: true}},
			Incidents: []Incident{{Kind: OOM, Function: "resizer", Start: at(0, "16:00"), End: at(0, "16:20"), Every: 2}},
		}, Want: []string{"crash/firing"}},
		{Name: "cost_spike", Config: Config{Seed: 8, Start: Epoch, Length: 20 * time.Hour,
			Functions: []Function{{Name: "ingest", MemoryMB: 2048, CentreMs: 800, Sigma: 0.25, PeakPerMin: 2,
				ColdRate: 0.01, InitMs: 500, UsedMB: 600, JSON: true}},
			Incidents: []Incident{{Kind: Load, Function: "ingest", Start: at(0, "16:00"), End: at(0, "18:00"), Factor: 8}},
		}, Thresholds: []map[string]any{{"id": "function#ingest", "cost_min_usd_per_hour": 0.005,
			"cost_min_windows": 12, "architecture": "arm64"}},
			Want: []string{"cost_anomaly/firing", "cost_anomaly/resolved"}},
		{Name: "brute_force", Config: Config{Seed: 9, Start: Epoch, Length: day,
			Functions: []Function{loginFn}, Auth: []Auth{normalLogins},
			Incidents: []Incident{{Kind: BruteForce, Function: "login", Start: at(0, "03:10"), End: at(0, "03:25"),
				Every: 15, IP: "198.51.100.23", User: "alice", Succeed: true}},
		}, Want: []string{"brute_force/firing", "account_compromise/firing"}},
		{Name: "credential_stuffing", Config: Config{Seed: 10, Start: Epoch, Length: day,
			Functions: []Function{loginFn}, Auth: []Auth{normalLogins},
			Incidents: []Incident{{Kind: Stuffing, Function: "login", Start: at(0, "21:00"), End: at(0, "21:15"),
				Every: 20, IP: "203.0.113.200", Succeed: true}},
		}, Want: []string{"credential_stuffing/firing", "account_compromise/firing"}},
		{Name: "distributed_brute_force", Config: Config{Seed: 11, Start: Epoch, Length: day,
			Functions: []Function{loginFn}, Auth: []Auth{normalLogins},
			Incidents: []Incident{{Kind: Distributed, Function: "login", Start: at(0, "11:00"), End: at(0, "11:20"),
				Every: 60, User: "admin", Succeed: true}},
		}, Want: []string{"brute_force/firing", "account_compromise/firing"}},
	}
}

// Demo is the simulation behind testdata/demo: three days of five
// functions with a 3 s -> 30 s regression, a memory creep and a brute force,
// and a sixth, accounts, that logs through pkg/seclog and stays quiet.
func Demo() Config {
	return Config{Seed: 42, Start: Epoch, Length: 3 * 24 * time.Hour,
		Functions: []Function{apiFn, workerFn, checkoutFn, thumbFn, loginFn},
		Auth:      []Auth{{Function: "login", NATIP: "192.0.2.10", NATUsers: 300, PerMin: 0.8, FailRate: 0.04, Population: 4000}},
		SecLog:    []SecLogApp{accountsApp},
		Incidents: []Incident{
			{Kind: Outliers, Function: "api", Start: Epoch, Factor: 25, Every: 97},
			{Kind: Regression, Function: "checkout", Start: at(2, "14:00"), End: at(2, "16:00"), Factor: 10},
			{Kind: MemoryCreep, Function: "thumbnailer", Start: at(1, "06:00"), End: at(1, "20:00")},
			{Kind: BruteForce, Function: "login", Start: at(1, "03:10"), End: at(1, "03:25"), Every: 15,
				IP: "198.51.100.23", User: "alice", Succeed: true},
		},
	}
}
