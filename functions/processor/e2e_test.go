package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
)

// stack is one processor under the RIE wired to dynalite, aws-ses-v2-local
// and a Slack webhook sink through environment variables only.
type stack struct {
	rie       *emulator
	slack     *slackSink
	ses       testenv.Mailbox
	recipient string
	state     func() map[string]int64
	ddb       *ddbCounter
	// configTable and ddbURL let a test write config items before the
	// first invoke (the cold start reads them).
	configTable, ddbURL string
}

func startStack(t *testing.T) *stack {
	t.Helper()
	rie := testenv.Require(t, testenv.RIE)
	ddbURL := testenv.Require(t, testenv.DynamoDB)
	sesURL := testenv.Require(t, testenv.SES)
	bootstrap := buildBootstrap(t)

	stateTable, configTable, st := tables(t, ddbURL)
	counter, counted := newDDBCounter(t, ddbURL)
	sink := &slackSink{}
	slackSrv := newServer(t, sink)
	ses := testenv.Mailbox{Endpoint: sesURL}
	recipient := "oncall+" + stateTable + "@example.com"
	env := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_DYNAMODB=" + counted, "AWS_ENDPOINT_URL_SESV2=" + ses.Endpoint,
		"AWS_LAMBDA_FUNCTION_NAME=logwarden-processor", "AWS_LAMBDA_FUNCTION_TIMEOUT=6",
		"LOGWARDEN_STATE_TABLE=" + stateTable, "LOGWARDEN_CONFIG_TABLE=" + configTable,
		"LOGWARDEN_SLACK_WEBHOOK_URL=" + slackSrv + "/services/T000/B000/XXXX",
		"LOGWARDEN_EMAIL_FROM=logwarden@example.com", "LOGWARDEN_EMAIL_TO=" + recipient,
		// With a 6 s timeout: 5 s of work, and a Slack outage costs one
		// retry (1 s) before the alerts are parked as pending.
		"LOGWARDEN_DEADLINE_RESERVE=1s",
	}
	return &stack{rie: startRIE(t, rie, bootstrap, env), slack: sink, ses: ses, recipient: recipient,
		state: func() map[string]int64 { return records(t, st) }, ddb: counter, configTable: configTable, ddbURL: ddbURL}
}

// fixtures loads the captured events, shifted so the newest happened a
// minute ago (records of authentication failures expire hours after the
// events, as they do for a live subscription).
func fixtures(t *testing.T) map[string][][]byte {
	t.Helper()
	raw := map[string][]json.RawMessage{}
	var newest int64
	for name := range e2eFixtures() {
		raw[name] = loadEvents(t, name)
		for _, ev := range raw[name] {
			for _, b := range decodeEvent(t, ev) {
				for _, le := range b.LogEvents {
					newest = max(newest, le.Timestamp)
				}
			}
		}
	}
	shift := time.Since(time.UnixMilli(newest)) - time.Minute
	out := map[string][][]byte{}
	for name, evs := range raw {
		for _, ev := range evs {
			out[name] = append(out[name], rebase(t, ev, shift))
		}
	}
	return out
}

// strs collects every string in a decoded JSON value: Go's encoder
// escapes < and > as \u003c, so the raw body proves nothing.
func strs(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			strs(e, out)
		}
	case map[string]any:
		for _, e := range x {
			strs(e, out)
		}
	}
}

func slackText(t *testing.T, body string) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(body), &v), body)
	var all []string
	strs(v, &all)
	return strings.Join(all, "\n")
}

// requireInert checks that the hostile user names reached Slack as text
// (escaped), never as a mention or a link Slack would render; the
// processor's own console links are the only <...|...> allowed.
func requireInert(t *testing.T, text string) {
	t.Helper()
	require.Contains(t, text, "&lt;!channel&gt; &lt;http[:]//evil|click&gt;", "escaped, and the URL defanged")
	for _, bad := range []string{"<!", "<http://evil", "|click>", "<@"} {
		require.NotContains(t, text, bad)
	}
}

func TestEndToEndUnderRIE(t *testing.T) {
	s := startStack(t)
	fx := fixtures(t)

	t.Run("brute force: one Slack message and one email naming the IP, hostile text inert", func(t *testing.T) {
		body, took := s.rie.invoke(t, fx["brute-force.json"][0])
		t.Logf("cold start: %v from starting the emulator to the first response (the first invoke took %v)",
			time.Since(s.rie.started), took)
		require.NotContains(t, string(body), "errorMessage")

		posts := s.slack.accepted()
		require.Len(t, posts, 1)
		text := slackText(t, posts[0])
		require.Contains(t, text, attackerIP)
		requireInert(t, text)

		mails := s.ses.To(t, s.recipient)
		require.Len(t, mails, 1)
		m := mails[0]
		require.Contains(t, m.Subject+m.Body.Text+m.Body.HTML, attackerIP)
		require.Contains(t, m.Body.HTML, "&lt;!channel&gt;", "the user names are shown, escaped")
		for _, bad := range []string{"<!channel", "<http://evil", "|click>", "<script"} {
			require.NotContains(t, m.Body.HTML, bad)
		}
		require.NotContains(t, m.Subject, "\n")

		recs := s.state()
		require.Contains(t, recs, "ip#login#"+attackerIP)
		for k := range recs {
			if !strings.HasPrefix(k, "user#") { // a user's record is named after the (hostile) user
				require.NotContains(t, k, injectedIP, "an address inside a user name is not the client's")
			}
		}
	})

	t.Run("the same event twice changes nothing", func(t *testing.T) {
		before := s.state()
		mails := len(s.ses.To(t, s.recipient))
		out := s.rie.ok(t, fx["brute-force.json"][0])
		require.EqualValues(t, 0, out["alerts"])
		require.Len(t, s.slack.accepted(), 1)
		require.Len(t, s.ses.To(t, s.recipient), mails)
		require.Equal(t, before, s.state())
	})

	t.Run("a malformed event is an error body, the runtime lives on", func(t *testing.T) {
		for bad, why := range map[string]string{
			`{"awslogs":{"data":"H4sIAAAAAAAA"}}`: "malformed event: awslogs.data",
			`{"hello":"world"}`:                   "malformed event: not a CloudWatch Logs",
			`not json`:                            "invalid character", // refused by aws-lambda-go itself
		} {
			body, _ := s.rie.invoke(t, []byte(bad))
			var out map[string]any
			require.NoError(t, json.Unmarshal(body, &out), "%s", body)
			require.Contains(t, out["errorMessage"], why, "%s", body)
		}
		out := s.rie.ok(t, fx["regression-baseline.json"][0])
		require.Greater(t, out["events"], float64(0))
	})

	t.Run("a 3 s to 30 s regression alerts once the baseline is learned", func(t *testing.T) {
		for _, ev := range fx["regression-baseline.json"][1:] {
			out := s.rie.ok(t, ev)
			require.EqualValues(t, 0, out["alerts"], "no alert while learning a steady function")
		}
		require.Contains(t, s.state(), "fn#checkout")
		posts := len(s.slack.accepted())
		alerts := 0.0
		for _, ev := range fx["regression-slow.json"] {
			alerts += s.rie.ok(t, ev)["alerts"].(float64)
		}
		require.GreaterOrEqual(t, alerts, 1.0)
		got := s.slack.accepted()[posts:]
		require.Len(t, got, 1)
		text := slackText(t, got[0])
		require.Contains(t, text, "checkout")
		require.Contains(t, strings.ToLower(text), "duration")
	})

	t.Run("with Slack down the email goes out and Slack gets the alert later", func(t *testing.T) {
		posts, mails := len(s.slack.accepted()), len(s.ses.To(t, s.recipient))
		tries := s.slack.tries()
		s.slack.setDown(true)
		out := s.rie.ok(t, fx["brute-force-2.json"][0])
		require.Equal(t, map[string]any{"slack": 1.0}, out["pending"])
		require.Greater(t, s.slack.tries(), tries, "Slack was tried")
		require.Len(t, s.slack.accepted(), posts)
		got := s.ses.To(t, s.recipient)
		require.Len(t, got, mails+1)
		require.Contains(t, got[mails].Body.Text+got[mails].Body.HTML, attacker2IP)

		s.slack.setDown(false)
		out = s.rie.ok(t, fx["quiet.json"][0])
		require.EqualValues(t, 0, out["alerts"])
		now := s.slack.accepted()
		require.Len(t, now, posts+1, "the pending alert is delivered on the next invocation")
		require.Contains(t, slackText(t, now[posts]), attacker2IP)
		require.Len(t, s.ses.To(t, s.recipient), mails+1, "no second email")
		for k := range s.state() {
			require.False(t, strings.HasPrefix(k, "pending#slack"), "delivered pending record %s left behind", k)
		}
	})
}
