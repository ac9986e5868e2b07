package logline

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Samples from formats.md §3 and §4, verbatim where the source is.
func TestParsePlatform(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want Event
	}{
		{"report plain 2019 stray space", "REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n",
			Event{Kind: KindReport, RequestID: "4ce9340a-b765-490f-ad8a-02ab3415e2bf", DurationMs: 26.73, BilledDurationMs: 27, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 75, HasMemory: true, Status: StatusSuccess}},
		{"report cold start xray", "REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52\tDuration: 3003.16 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\tInit Duration: 190.62 ms\t\nXRAY TraceId: 1-5e2f2ab1-6a2c\tSegmentId: 3b1c\tSampled: true\t\n",
			Event{Kind: KindReport, RequestID: "7c9567b5-107b-4a6c-8798-0157ac21db52", DurationMs: 3003.16, BilledDurationMs: 3000, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 48, HasMemory: true, InitDurationMs: 190.62, HasInit: true, Status: StatusSuccess}},
		{"report status timeout new style", "REPORT RequestId: 13222b1e-f16b-4550-89df-869ab0a9806d\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 1024 MB\tMax Memory Used: 64 MB\tStatus: timeout",
			Event{Kind: KindReport, RequestID: "13222b1e-f16b-4550-89df-869ab0a9806d", DurationMs: 3000, BilledDurationMs: 3000, HasBilled: true, MemorySizeMB: 1024, MaxMemoryUsedMB: 64, HasMemory: true, Status: StatusTimeout}},
		{"report init then timeout then xray", "REPORT RequestId: d602a1ed-1111-2222-3333-444455556666\tDuration: 600000.00 ms\tBilled Duration: 600477 ms\tMemory Size: 1536 MB\tMax Memory Used: 1035 MB\tInit Duration: 476.75 ms\tStatus: timeout\nXRAY TraceId: 1-6ac7d556-032906e375c910cf42cb849e\tSegmentId: 90cbc97f4ee64a7f\tSampled: true",
			Event{Kind: KindReport, RequestID: "d602a1ed-1111-2222-3333-444455556666", DurationMs: 600000, BilledDurationMs: 600477, HasBilled: true, MemorySizeMB: 1536, MaxMemoryUsedMB: 1035, HasMemory: true, InitDurationMs: 476.75, HasInit: true, Status: StatusTimeout}},
		{"report oom stays report", "REPORT RequestId: 1d0c7a2e-0000-4000-8000-000000000001\tDuration: 812.00 ms\tBilled Duration: 812 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tStatus: error\tError Type: Runtime.OutOfMemory\nXRAY TraceId: 1-6ac7d556-032906e375c910cf42cb849e\tSegmentId: 90cbc97f4ee64a7f\tSampled: true",
			Event{Kind: KindReport, RequestID: "1d0c7a2e-0000-4000-8000-000000000001", DurationMs: 812, BilledDurationMs: 812, HasBilled: true, MemorySizeMB: 1024, MaxMemoryUsedMB: 1024, HasMemory: true, Status: StatusError, ErrorType: "Runtime.OutOfMemory"}},
		{"report import error", "REPORT RequestId: r1\tDuration: 2.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 39 MB\tStatus: error\tError Type: Runtime.ImportModuleError",
			Event{Kind: KindReport, RequestID: "r1", DurationMs: 2, BilledDurationMs: 3, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 39, HasMemory: true, Status: StatusError, ErrorType: "Runtime.ImportModuleError"}},
		{"report snapstart", "REPORT RequestId: 8c360c87-d4b7-4423-b5f3-af02be3c1763\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 3009 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t",
			Event{Kind: KindReport, RequestID: "8c360c87-d4b7-4423-b5f3-af02be3c1763", DurationMs: 2338.66, BilledDurationMs: 2521, HasBilled: true, MemorySizeMB: 3009, MaxMemoryUsedMB: 173, HasMemory: true, RestoreDurationMs: 398.97, HasRestore: true, Status: StatusSuccess}},
		{"report spaces from docs", "REPORT RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95  Duration: 15.74 ms  Billed Duration: 16 ms Memory Size: 128 MB  Max Memory Used: 56 MB",
			Event{Kind: KindReport, RequestID: "8f507cfc-xmpl-4697-b07a-ac58fc914c95", DurationMs: 15.74, BilledDurationMs: 16, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 56, HasMemory: true, Status: StatusSuccess}},
		{"report old billing 100ms", "REPORT RequestId: a1\tDuration: 0.62 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t",
			Event{Kind: KindReport, RequestID: "a1", DurationMs: 0.62, BilledDurationMs: 100, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 40, HasMemory: true, Status: StatusSuccess}},
		{"report init billed", "REPORT RequestId: a2\tDuration: 20.65 ms\tBilled Duration: 2678 ms\tMemory Size: 128 MB\tMax Memory Used: 90 MB\tInit Duration: 2656.67 ms",
			Event{Kind: KindReport, RequestID: "a2", DurationMs: 20.65, BilledDurationMs: 2678, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 90, HasMemory: true, InitDurationMs: 2656.67, HasInit: true, Status: StatusSuccess}},
		{"report without metrics is platform", "REPORT RequestId: a3\t\n", Event{Kind: KindPlatform, RequestID: "a3"}},
		{"app line starting REPORT", "REPORTING is done", Event{}},
		{"timeout old style", "2020-06-09T15:02:26.150Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n\n",
			Event{Kind: KindTimeout, RequestID: "7c9567b5-107b-4a6c-8798-0157ac21db52", TimeoutS: 3}},
		{"timeout cloudfront sample", "2020-02-14T18:24:39.539Z dbb585bb-3a54-4d1a-a690-54e5085c55f8 Task timed out after 300.10 seconds",
			Event{Kind: KindTimeout, RequestID: "dbb585bb-3a54-4d1a-a690-54e5085c55f8", TimeoutS: 300.10}},
		{"start", "START RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf Version: $LATEST\n", Event{Kind: KindPlatform, RequestID: "4ce9340a-b765-490f-ad8a-02ab3415e2bf"}},
		{"end", "END RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\n", Event{Kind: KindPlatform, RequestID: "4ce9340a-b765-490f-ad8a-02ab3415e2bf"}},
		{"init start", "INIT_START Runtime Version: nodejs:18.v30\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:f89c2641", Event{Kind: KindPlatform}},
		{"init report timeout", "INIT_REPORT Init Duration: 10009.13 ms\tPhase: init\tStatus: timeout", Event{Kind: KindPlatform}},
		{"init report error", "INIT_REPORT Init Duration: 229.04 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError", Event{Kind: KindPlatform}},
		{"restore start", "RESTORE_START Runtime Version: java:21.mainline.v82\tRuntime Version ARN: arn:aws:lambda:x", Event{Kind: KindPlatform}},
		{"extension", "EXTENSION\tName: AWSParametersAndSecretsLambdaExtension\tState: Ready\tEvents: [SHUTDOWN, INVOKE]", Event{Kind: KindPlatform}},
		{"telemetry", "TELEMETRY\tName: datadog-agent\tState: Subscribed\tTypes: [Platform, Function, Extension]", Event{Kind: KindPlatform}},
		{"logs", "LOGS\tName: cloudwatch_lambda_agent\tState: Subscribed\tTypes: [Platform]", Event{Kind: KindPlatform}},
		{"xray alone", "XRAY TraceId: 1-6ac7d556-032906e375c910cf42cb849e\tSegmentId: 90cbc97f4ee64a7f\tSampled: true", Event{Kind: KindPlatform}},
		{"crash signal killed", "RequestId: abc-123 Error: Runtime exited with error: signal: killed\nRuntime.ExitError",
			Event{Kind: KindCrash, RequestID: "abc-123", Reason: "signal: killed"}},
		{"crash oom error type", "RequestId: 5e2c1a8e-0000-4000-8000-000000000002 Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory",
			Event{Kind: KindCrash, RequestID: "5e2c1a8e-0000-4000-8000-000000000002", Reason: "Runtime.OutOfMemory"}},
		{"crash 2018 process exited", "RequestId: 9b1f-aa Process exited before completing request",
			Event{Kind: KindCrash, RequestID: "9b1f-aa", Reason: "Process exited before completing request"}},
		{"crash go oom", "fatal error: runtime: out of memory", Event{Kind: KindCrash, Reason: "runtime: out of memory"}},
		{"crash java oom", "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", Event{Kind: KindCrash, Reason: "java.lang.OutOfMemoryError"}},
		{"crash node oom", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", Event{Kind: KindCrash, Reason: "JavaScript heap out of memory"}},
		{"crash python oom with request id", "[ERROR] MemoryError\tTraceback (most recent call last):", Event{Kind: KindCrash, Reason: "MemoryError"}},
		{"crash python node-style request id", "2019-06-07T19:11:20.564Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tERROR\tMemoryError: cannot allocate",
			Event{Kind: KindCrash, RequestID: "c793869b-ee49-115b-a5b6-4fd21e8dedac", Reason: "MemoryError"}},
		{"crash ruby", "failed to allocate memory (NoMemoryError)", Event{Kind: KindCrash, Reason: "NoMemoryError"}},
		{"crash dotnet", "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.", Event{Kind: KindCrash, Reason: "OutOfMemoryException"}},
		{"app warn line", "2019-06-07T19:11:20.564Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tWARN\tEvent not processed.", Event{}},
		{"app multiline", "2019-06-05T19:30:03.173Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tINFO\tEVENT\r{\r  \"key\": \"value\"\r}\n", Event{}},
		{"python init warning", "[WARNING]\t2026-04-22T21:00:55.118Z\t\tLAMBDA_WARNING: something", Event{}},
		{"empty", "", Event{}},
		{"json platform start", `{"time":"2024-06-17T17:23:55.902Z","type":"platform.start","record":{"requestId":"ca52c236-a38d-40fc-aa6b-7e3be2b7aa55","version":"$LATEST"}}`,
			Event{Kind: KindPlatform, RequestID: "ca52c236-a38d-40fc-aa6b-7e3be2b7aa55"}},
		{"json report", `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"40f6c622-67a3-4159-97f2-ce364a0cb7a8","metrics":{"durationMs":18.593,"billedDurationMs":19,"memorySizeMB":2048,"maxMemoryUsedMB":246},"status":"success"}}`,
			Event{Kind: KindReport, RequestID: "40f6c622-67a3-4159-97f2-ce364a0cb7a8", DurationMs: 18.593, BilledDurationMs: 19, HasBilled: true, MemorySizeMB: 2048, MaxMemoryUsedMB: 246, HasMemory: true, Status: StatusSuccess}},
		{"json init report timeout", `{"time":"2024-06-17T17:48:06.348Z","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init","status":"timeout","metrics":{"durationMs":10000.487}}}`,
			Event{Kind: KindPlatform}},
		{"json report timeout with init", `{"time": "2024-10-18T19:38:39.661Z", "type": "platform.report", "record": {"requestId": "b441820a-ebe5-4d5f-93bc-f945707b0225",
 "metrics": {"durationMs": 30000.0, "billedDurationMs": 30000, "memorySizeMB": 128, "maxMemoryUsedMB": 74, "initDurationMs": 985.413},
 "status": "timeout"}}`,
			Event{Kind: KindReport, RequestID: "b441820a-ebe5-4d5f-93bc-f945707b0225", DurationMs: 30000, BilledDurationMs: 30000, HasBilled: true, MemorySizeMB: 128, MaxMemoryUsedMB: 74, HasMemory: true, InitDurationMs: 985.413, HasInit: true, Status: StatusTimeout}},
		{"json report managed instances", `{"time":"2025-09-19T19:36:50.881Z","type":"platform.report","record":{"requestId":"13d1305b-a2f5-440c-bfbe-686ccff3d3e0","status":"success","metrics":{"durationMs":1.148},"spans":[{"name":"responseLatency","start":"2025-09-19T19:36:50.880Z","durationMs":0.847},{"name":"responseDuration","start":"2025-09-19T19:36:50.880Z","durationMs":0.127}]}}`,
			Event{Kind: KindReport, RequestID: "13d1305b-a2f5-440c-bfbe-686ccff3d3e0", DurationMs: 1.148, Status: StatusSuccess}},
		{"json report restore", `{"timestamp":"2025-01-01T00:00:00Z","type":"platform.report","record":{"requestId":"r9","metrics":{"durationMs":5,"billedDurationMs":6,"memorySizeMB":512,"maxMemoryUsedMB":100,"restoreDurationMs":300.5},"status":"error","errorType":"Runtime.OutOfMemory"}}`,
			Event{Kind: KindReport, RequestID: "r9", DurationMs: 5, BilledDurationMs: 6, HasBilled: true, MemorySizeMB: 512, MaxMemoryUsedMB: 100, HasMemory: true, RestoreDurationMs: 300.5, HasRestore: true, Status: StatusError, ErrorType: "Runtime.OutOfMemory"}},
		{"json init start", `{"time":"2022-10-19T13:52:15.636Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init"}}`, Event{Kind: KindPlatform}},
		{"json runtime done success", `{"time":"2022-10-21T14:05:05.764Z","type":"platform.runtimeDone","record":{"requestId":"459921b5-681c-4a96-beb0-81e0aa87c160","status":"success"}}`,
			Event{Kind: KindPlatform, RequestID: "459921b5-681c-4a96-beb0-81e0aa87c160"}},
		{"json runtime done timeout", `{"time":"2022-10-21T14:05:05.764Z","type":"platform.runtimeDone","record":{"requestId":"x1","status":"timeout","metrics":{"durationMs":5001.182,"producedBytes":0}}}`,
			Event{Kind: KindPlatform, RequestID: "x1"}},
		{"json runtime done oom", `{"time":"2022-10-21T14:05:05.764Z","type":"platform.runtimeDone","record":{"requestId":"x2","status":"error","errorType":"Runtime.OutOfMemory"}}`,
			Event{Kind: KindCrash, RequestID: "x2", Reason: "Runtime.OutOfMemory"}},
		{"json restore report failure", `{"time":"2022-10-19T13:52:16.136Z","type":"platform.restoreReport","record":{"status":"failure","errorType":"RestoreError"}}`, Event{Kind: KindPlatform}},
		{"json logs dropped", `{"time":"2022-10-19T13:52:15.667Z","type":"platform.logsDropped","record":{"reason":"BufferFull","droppedRecords":1,"droppedBytes":1024}}`, Event{Kind: KindPlatform}},
		{"json web functions envelope", `{ "timestamp": "2026-09-25T11:12:30.893Z", "level": "INFO", "type": "platform.initStart", "region": "us-east-1", "record": { "runtimeVersion": "nodejs24.x:nodejs.web24.v51" } }`, Event{Kind: KindPlatform}},
		{"json app info", `{"timestamp":"2024-02-09T08:42:44.078Z","level":"INFO","requestId":"d661f7cf-0000","message":"Just some logs here =)"}` + "\n", Event{}},
		{"json python error", `{"timestamp": "2024-06-17T17:23:55Z", "log_level": "ERROR", "errorMessage": "bad byte", "errorType": "UnicodeDecodeError", "requestId": "q1", "stackTrace": []}`, Event{}},
		{"json python memory error", `{"timestamp": "2024-06-17T17:23:55Z", "log_level": "ERROR", "errorMessage": "", "errorType": "MemoryError", "requestId": "q2", "stackTrace": []}`,
			Event{Kind: KindCrash, RequestID: "q2", Reason: "MemoryError"}},
		{"invalid json falls back to text", `{"status":"401", "error_messageString": " "Endpoint request timed out""`, Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Default().Parse(tt.msg))
		})
	}
}
