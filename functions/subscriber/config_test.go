package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const (
	testDest   = "arn:aws:lambda:us-east-1:123456789012:function:logwarden-processor"
	testStream = "arn:aws:kinesis:us-east-1:123456789012:stream/logwarden-LogStream-1"
	testRole   = "arn:aws:iam::123456789012:role/logwarden-LogsToStreamRole-1"
)

func TestLoadConfig(t *testing.T) {
	cfg, errs := loadConfig(envOf(map[string]string{
		"LOGWARDEN_DESTINATION_ARN":  testDest,
		"LOGWARDEN_INCLUDE_PREFIXES": "/aws/lambda/, /ecs/ ,",
		"LOGWARDEN_EXCLUDE_PATTERNS": "-test$",
		"AWS_LAMBDA_FUNCTION_NAME":   "logwarden-subscriber",
	}))
	require.Empty(t, errs)
	require.Equal(t, subscribe.Target{DestinationARN: testDest, FilterName: "logwarden"}, cfg.Target)
	require.Equal(t, []string{"/aws/lambda/", "/ecs/"}, cfg.Rules.Prefixes)
	require.Equal(t, subscribe.OwnGroup, cfg.Rules.Match("/aws/lambda/logwarden-processor"))
	require.Equal(t, subscribe.OwnGroup, cfg.Rules.Match("/aws/lambda/logwarden-subscriber"))
	require.Equal(t, subscribe.NotSelected, cfg.Rules.Match("/aws/lambda/app-test"))
	require.Equal(t, subscribe.Selected, cfg.Rules.Match("/ecs/app"))
}

// In Kinesis per-group mode the subscriber puts filters to the stream with
// the role, and still never subscribes the processor's group.
func TestLoadConfigKinesis(t *testing.T) {
	cfg, errs := loadConfig(envOf(map[string]string{
		"LOGWARDEN_DESTINATION_ARN":    testStream,
		"LOGWARDEN_ROLE_ARN":           testRole,
		"LOGWARDEN_PROCESSOR_FUNCTION": "logwarden-processor",
		"AWS_LAMBDA_FUNCTION_NAME":     "logwarden-subscriber",
	}))
	require.Empty(t, errs)
	require.Equal(t, subscribe.Target{DestinationARN: testStream, RoleARN: testRole, FilterName: "logwarden",
		Distribution: types.DistributionRandom}, cfg.Target)
	require.Equal(t, subscribe.OwnGroup, cfg.Rules.Match("/aws/lambda/logwarden-processor"))
	require.Equal(t, subscribe.OwnGroup, cfg.Rules.Match("/aws/lambda/logwarden-subscriber"))
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"missing destination", map[string]string{}, []string{"LOGWARDEN_DESTINATION_ARN is required"}},
		{"not a function or stream", map[string]string{"LOGWARDEN_DESTINATION_ARN": "arn:aws:firehose:us-east-1:123456789012:deliverystream/x"}, []string{"nor a Kinesis stream ARN"}},
		{"stream without role or processor", map[string]string{"LOGWARDEN_DESTINATION_ARN": testStream}, []string{"needs the role", "name the processor function"}},
		{"several at once", map[string]string{
			"LOGWARDEN_DESTINATION_ARN":    testDest,
			"LOGWARDEN_PROCESSOR_FUNCTION": "other",
			"LOGWARDEN_INCLUDE_PATTERNS":   "(",
			"LOGWARDEN_FILTER_NAME":        "a:b",
			"LOGWARDEN_LOG_LEVEL":          "loud",
		}, []string{"does not match the function", `include pattern "("`, "LOGWARDEN_FILTER_NAME", "LOGWARDEN_LOG_LEVEL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := loadConfig(envOf(tc.env))
			require.Len(t, errs, len(tc.want))
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			for _, w := range tc.want {
				require.Contains(t, strings.Join(all, "\n"), w)
			}
		})
	}
}
