package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/subscribe"
	"github.com/logwarden/logwarden/pkg/subscribe/subscribetest"
)

// event loads the captured CreateLogGroup event and points it at group.
func event(t *testing.T, group string, edit func(detail map[string]any)) events.CloudWatchEvent {
	t.Helper()
	raw, err := os.ReadFile("testdata/create-log-group.json")
	require.NoError(t, err)
	var ev events.CloudWatchEvent
	require.NoError(t, json.Unmarshal(raw, &ev))
	var detail map[string]any
	require.NoError(t, json.Unmarshal(ev.Detail, &detail))
	detail["requestParameters"] = map[string]any{"logGroupName": group}
	if edit != nil {
		edit(detail)
	}
	ev.Detail, err = json.Marshal(detail)
	require.NoError(t, err)
	return ev
}

func testLogger() (*logrus.Entry, *bytes.Buffer) {
	var buf bytes.Buffer
	l := logrus.New()
	l.SetOutput(&buf)
	l.SetFormatter(&logrus.JSONFormatter{})
	return logrus.NewEntry(l), &buf
}

func TestHandleAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	ctx := context.Background()
	processor := "lw-sub-proc-" + env.Suffix
	dest := env.CreateFunction(t, processor)
	other := env.CreateFunction(t, "lw-sub-other-"+env.Suffix)
	prefix := "/aws/lambda/lw-sub-" + env.Suffix + "-"
	cfg, errs := loadConfig(envOf(map[string]string{
		"LOGWARDEN_DESTINATION_ARN":  dest,
		"LOGWARDEN_INCLUDE_PREFIXES": prefix + "," + subscribe.LambdaLogGroup(processor),
		"LOGWARDEN_EXCLUDE_PATTERNS": "-dev$",
	}))
	require.Empty(t, errs)
	s := &subscribe.Subscriber{Logs: subscribe.NewClient(env.Config), Rules: cfg.Rules, Target: cfg.Target}
	own := subscribe.LambdaLogGroup(processor)
	env.CreateLogGroups(t, prefix+"orders", prefix+"orders-dev", prefix+"full", own, "/elsewhere/"+env.Suffix)
	env.PutFilter(t, prefix+"full", "a", other)
	env.PutFilter(t, prefix+"full", "b", other)

	tests := []struct {
		name    string
		ev      events.CloudWatchEvent
		group   string
		want    map[string]string
		wantLog string
	}{
		{"new group is subscribed", event(t, prefix+"orders", nil), prefix + "orders", map[string]string{"logwarden": dest}, "subscribed log group"},
		{"redelivered event changes nothing", event(t, prefix+"orders", nil), prefix + "orders", map[string]string{"logwarden": dest}, "left as is"},
		{"excluded by pattern", event(t, prefix+"orders-dev", nil), prefix + "orders-dev", map[string]string{}, "not selected"},
		{"outside the prefixes", event(t, "/elsewhere/"+env.Suffix, nil), "/elsewhere/" + env.Suffix, map[string]string{}, "not selected"},
		{"processor's own group", event(t, own, nil), own, map[string]string{}, "logwarden's own log group"},
		{"both slots taken", event(t, prefix+"full", nil), prefix + "full", map[string]string{"a": other, "b": other}, "cannot subscribe"},
		{"group already deleted", event(t, prefix+"gone", nil), "", nil, "not selected"},
		{"failed CreateLogGroup call", event(t, prefix+"orders-dev", func(d map[string]any) { d["errorCode"] = "AccessDenied" }), prefix + "orders-dev", map[string]string{}, "ignoring failed"},
		{"other API call", event(t, prefix+"orders-dev", func(d map[string]any) { d["eventName"] = "DeleteLogGroup" }), prefix + "orders-dev", map[string]string{}, "not CreateLogGroup"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, buf := testLogger()
			require.NoError(t, handle(ctx, s, tc.ev, log))
			require.Contains(t, buf.String(), tc.wantLog)
			if tc.group != "" {
				require.Equal(t, tc.want, env.Filters(t, tc.group))
			}
		})
	}

	t.Run("not a CloudTrail event", func(t *testing.T) {
		log, buf := testLogger()
		ev := event(t, prefix+"orders-dev", nil)
		ev.DetailType = "Scheduled Event"
		require.NoError(t, handle(ctx, s, ev, log))
		require.Contains(t, buf.String(), "not a CloudTrail API call")
	})

	t.Run("a failing AWS call is returned for a retry", func(t *testing.T) {
		env.CreateLogGroups(t, prefix+"late")
		broken := *s
		broken.Target.DestinationARN = "arn:aws:lambda:us-east-1:123456789012:function:missing-" + env.Suffix
		log, _ := testLogger()
		err := handle(ctx, &broken, event(t, prefix+"late", nil), log)
		require.ErrorContains(t, err, "put subscription filter on "+prefix+"late")
	})
}

// TestHandleKinesisAgainstMoto: in Kinesis per-group mode (the template's
// environment) a new group gets a filter to the stream with the role, and
// the processor's group never does.
func TestHandleKinesisAgainstMoto(t *testing.T) {
	env := subscribetest.New(t)
	ctx := context.Background()
	stream := env.CreateStream(t, "lw-sub-stream-"+env.Suffix)
	role := env.CreateRole(t, "lw-sub-logs-"+env.Suffix)
	processor := "lw-sub-kproc-" + env.Suffix
	prefix := "/lw-sub-kinesis/" + env.Suffix + "/"
	cfg, errs := loadConfig(envOf(map[string]string{
		"LOGWARDEN_DESTINATION_ARN":    stream,
		"LOGWARDEN_ROLE_ARN":           role,
		"LOGWARDEN_PROCESSOR_FUNCTION": processor,
		"LOGWARDEN_INCLUDE_PREFIXES":   prefix + "," + subscribe.LambdaLogGroup(processor),
	}))
	require.Empty(t, errs)
	s := &subscribe.Subscriber{Logs: subscribe.NewClient(env.Config), Rules: cfg.Rules, Target: cfg.Target}
	own := subscribe.LambdaLogGroup(processor)
	env.CreateLogGroups(t, prefix+"orders", own)

	log, buf := testLogger()
	require.NoError(t, handle(ctx, s, event(t, prefix+"orders", nil), log))
	require.Contains(t, buf.String(), "subscribed log group")
	require.Equal(t, map[string]string{"logwarden": stream}, env.Filters(t, prefix+"orders"))
	require.NoError(t, handle(ctx, s, event(t, own, nil), log))
	require.Empty(t, env.Filters(t, own), "the processor's group never feeds the stream it reads")
}
