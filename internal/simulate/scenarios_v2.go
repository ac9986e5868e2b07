package simulate

import "time"

// Functions of the detection v2 scenarios: the same shapes as the others,
// on several containers (streams that interleave).
var (
	apiMany      = withContainers(apiFn, 4)
	checkoutMany = withContainers(checkoutFn, 3)
	workerMany   = withContainers(workerFn, 3)
	searchFn     = Function{Name: "search", MemoryMB: 512, CentreMs: 45, Sigma: 0.3, PeakPerMin: 2,
		ColdRate: 0.02, InitMs: 350, UsedMB: 120, JSON: true, Version: 5, Containers: 6}
)

func withContainers(f Function, n int) Function {
	f.Containers = n
	return f
}

// ScenariosV2 are the detection v2 cases: each loud case of issue #10 and
// the quiet ones (weekly seasonality, drift, a deploy at unchanged speed,
// scale-out cold starts, forged platform lines, clustered points).
func ScenariosV2() []Scenario {
	day := 24 * time.Hour
	return []Scenario{
		{Name: "quiet_weekly_seasonality", Config: Config{Seed: 21, Start: Epoch, Length: 9 * day,
			Functions: []Function{apiMany},
			Incidents: []Incident{{Kind: Weekend, Function: "api", Start: Epoch, Factor: 0.25},
				{Kind: PeakSlow, Function: "api", Start: Epoch, Factor: 0.3}},
		}},
		{Name: "quiet_drift", Config: Config{Seed: 22, Start: Epoch, Length: 8 * day,
			Functions: []Function{workerMany},
			Incidents: []Incident{{Kind: Drift, Function: "worker", Start: Epoch.Add(day), End: Epoch.Add(8 * day), Factor: 2},
				{Kind: Growth, Function: "worker", Start: Epoch.Add(day), End: Epoch.Add(8 * day), Factor: 2}},
		}},
		{Name: "quiet_scale_out", Config: Config{Seed: 23, Start: Epoch, Length: 2 * day,
			Functions: []Function{apiMany},
			Incidents: []Incident{{Kind: ScaleOut, Function: "api", Start: at(1, "09:00"), End: at(1, "11:00"), Factor: 3}},
		}},
		{Name: "quiet_forged_platform_lines", Config: Config{Seed: 24, Start: Epoch, Length: 2 * day,
			Functions: []Function{checkoutMany},
			Incidents: []Incident{{Kind: Forged, Function: "checkout", Start: at(0, "06:00"), Every: 40},
				{Kind: MemChange, Function: "checkout", Start: at(1, "12:00"), Factor: 2048}},
		}},
		{Name: "quiet_clustered_points", Config: Config{Seed: 25, Start: Epoch, Length: 2 * day,
			Functions: []Function{withContainers(thumbFn, 2)},
			Incidents: []Incident{{Kind: Clustered, Function: "thumbnailer", Start: Epoch, Every: 6}},
		}},
		{Name: "deploy_regression", Config: Config{Seed: 26, Start: Epoch, Length: 3 * day,
			Functions: []Function{apiMany},
			Incidents: []Incident{{Kind: Deploy, Function: "api", Start: at(1, "12:00"), Factor: 2.5}},
		}, Want: []string{"duration_anomaly/firing", "duration_anomaly/resolved"}},
		{Name: "deploy_cold_start", Config: Config{Seed: 27, Start: Epoch, Length: 2 * day,
			Functions: []Function{withContainers(Function{Name: "profile", MemoryMB: 512, CentreMs: 200, Sigma: 0.3,
				PeakPerMin: 1, ColdRate: 0.08, InitMs: 400, UsedMB: 150, Version: 3}, 3)},
			Incidents: []Incident{{Kind: ColdDeploy, Function: "profile", Start: at(1, "10:00"), Factor: 3.5}},
		}, Want: []string{"cold_start_anomaly/firing"}},
		{Name: "sustained_2x_fast", Config: Config{Seed: 28, Start: Epoch, Length: 2 * day,
			Functions: []Function{searchFn},
			Incidents: []Incident{{Kind: Regression, Function: "search", Start: at(1, "10:00"), End: at(1, "14:00"), Factor: 2}},
		}, Want: []string{"duration_anomaly/firing", "duration_anomaly/resolved"}},
		{Name: "sustained_1_5x", Config: Config{Seed: 29, Start: Epoch, Length: 2 * day,
			Functions: []Function{withContainers(Function{Name: "billing", MemoryMB: 1024, CentreMs: 2500, Sigma: 0.2,
				PeakPerMin: 1.5, ColdRate: 0.03, InitMs: 600, UsedMB: 300, Version: 9}, 3)},
			Incidents: []Incident{{Kind: Regression, Function: "billing", Start: at(1, "09:00"), End: at(1, "13:00"), Factor: 1.5}},
		}, Want: []string{"duration_anomaly/firing", "duration_anomaly/resolved"}},
		{Name: "surge_flood", Config: Config{Seed: 30, Start: Epoch, Length: 30 * time.Hour,
			Functions: []Function{withContainers(Function{Name: "webhook", MemoryMB: 256, CentreMs: 90, Sigma: 0.3,
				PeakPerMin: 1, ColdRate: 0.03, InitMs: 300, UsedMB: 80, JSON: true}, 3)},
			Incidents: []Incident{{Kind: Load, Function: "webhook", Start: at(1, "02:00"), End: at(1, "02:30"), Factor: 40}},
		}, Want: []string{"invocation_surge/firing", "invocation_surge/resolved"}},
		{Name: "surge_recursive_loop", Config: Config{Seed: 31, Start: Epoch, Length: 26 * time.Hour,
			Functions: []Function{withContainers(Function{Name: "resize-on-upload", MemoryMB: 512, CentreMs: 300, Sigma: 0.3,
				PeakPerMin: 0.5, ColdRate: 0.05, InitMs: 400, UsedMB: 150, JSON: true}, 3)},
			Incidents: []Incident{{Kind: Loop, Function: "resize-on-upload", Start: at(1, "01:00"), End: at(1, "01:07"), Every: 30, Factor: 20}},
		}, Want: []string{"invocation_surge/firing", "invocation_surge/resolved"}},
	}
}
