package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// policyStandIn serves the three CloudWatch Logs account-policy calls over
// the service's real wire protocol (AWS JSON 1.1, X-Amz-Target), because
// moto does not implement them (see TestSubscribeAccountPolicyAgainstMoto).
// It keeps policies by name, as CloudWatch Logs does for one policy type,
// and records each PutAccountPolicy request; denyPut injects the failure
// an operator without logs:PutAccountPolicy gets.
type policyStandIn struct {
	mu       sync.Mutex
	policies map[string]map[string]any
	puts     []map[string]any
	denyPut  bool
}

func (s *policyStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fail := func(code int, typ, msg string) {
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	name, _ := in["policyName"].(string)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328."); op {
	case "DescribeAccountPolicies":
		list := []map[string]any{}
		for _, p := range s.policies {
			list = append(list, p)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"accountPolicies": list})
	case "PutAccountPolicy":
		if s.denyPut {
			fail(http.StatusBadRequest, "AccessDeniedException", "not authorized to perform logs:PutAccountPolicy")
			return
		}
		s.puts = append(s.puts, in)
		p := map[string]any{"accountId": "123456789012", "lastUpdatedTime": 1}
		for _, k := range []string{"policyName", "policyDocument", "policyType", "scope", "selectionCriteria"} {
			p[k] = in[k]
		}
		s.policies[name] = p
		_ = json.NewEncoder(w).Encode(map[string]any{"accountPolicy": p})
	case "DeleteAccountPolicy":
		if s.policies[name] == nil {
			fail(http.StatusBadRequest, "ResourceNotFoundException", "policy not found")
			return
		}
		delete(s.policies, name)
		_, _ = w.Write([]byte("{}"))
	default:
		fail(http.StatusBadRequest, "UnknownOperationException", op)
	}
}

// TestSubscribeAccountPolicyCycle walks `subscribe --account-policy`
// through its outcomes as an operator would meet them: plan, put, nothing
// to do, update, refusing another tool's policy, removal, and an API
// failure. Exit 3 means the plan cannot be carried out as asked.
func TestSubscribeAccountPolicyCycle(t *testing.T) {
	api := &policyStandIn{policies: map[string]map[string]any{}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
	} {
		t.Setenv(k, v)
	}
	const dest = "arn:aws:lambda:us-east-1:123456789012:function:lw-processor"
	base := []string{"subscribe", "--account-policy", "--destination-arn", dest, "--skip-function", "lw-subscriber"}
	criteria := `LogGroupName NOT IN ["/aws/lambda/lw-processor", "/aws/lambda/lw-subscriber"]`

	out, stderr, code := runCLI(t, append(base, "--json")...)
	require.Equal(t, 0, code, stderr)
	require.JSONEq(t, `{"mode":"dry-run","policy":"logwarden","action":"subscribe","applied":false,
		"selection_criteria":`+jsonString(criteria)+`,"document":`+jsonString(`{"DestinationArn":"`+dest+`","FilterPattern":""}`)+`}`, out)
	require.Empty(t, api.puts, "a dry run changes nothing")

	out, stderr, code = runCLI(t, append(base, "--apply")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "applied: account policy logwarden put")
	require.Len(t, api.puts, 1)
	require.Equal(t, "SUBSCRIPTION_FILTER_POLICY", api.puts[0]["policyType"])
	require.Equal(t, "ALL", api.puts[0]["scope"])
	require.Equal(t, criteria, api.puts[0]["selectionCriteria"])

	out, _, code = runCLI(t, append(base, "--apply")...)
	require.Equal(t, 0, code)
	require.Contains(t, out, "account policy logwarden: already-subscribed")
	require.Len(t, api.puts, 1, "re-running changes nothing")

	out, _, code = runCLI(t, append(base, "--exclude-group", "/noisy/batch")...)
	require.Equal(t, 0, code)
	require.Contains(t, out, "account policy logwarden: update")
	require.Contains(t, out, `"/aws/lambda/lw-subscriber", "/noisy/batch"]`, "the new selection")
	require.Contains(t, out, "dry run: nothing was changed")

	out, _, code = runCLI(t, "subscribe", "--account-policy", "--remove", "--destination-arn", "arn:aws:lambda:us-east-1:123456789012:function:other")
	require.Equal(t, subscribeExitCannot, code)
	require.Contains(t, out, "not removing another tool's policy")
	out, _, code = runCLI(t, "subscribe", "--account-policy", "--remove")
	require.Equal(t, 0, code)
	require.Contains(t, out, "account policy logwarden: remove")
	require.Contains(t, out, criteria, "the dry run shows what would go")
	require.NotNil(t, api.policies["logwarden"])
	out, _, code = runCLI(t, "subscribe", "--account-policy", "--remove", "--apply", "--destination-arn", dest)
	require.Equal(t, 0, code)
	require.Contains(t, out, "applied: account policy logwarden removed")
	require.Empty(t, api.policies)
	out, _, code = runCLI(t, "subscribe", "--account-policy", "--remove", "--apply")
	require.Equal(t, 0, code, "removing what is gone is done, not a failure")
	require.Contains(t, out, "account policy logwarden: absent")

	// One subscription filter policy per account: another tool's blocks ours.
	api.policies["central-logging"] = map[string]any{"policyName": "central-logging", "policyType": "SUBSCRIPTION_FILTER_POLICY",
		"policyDocument": `{"DestinationArn":"arn:aws:kinesis:us-east-1:123456789012:stream/central"}`, "scope": "ALL"}
	out, _, code = runCLI(t, append(base, "--apply")...)
	require.Equal(t, subscribeExitCannot, code)
	require.Contains(t, out, `the account already has subscription filter policy "central-logging"`)
	require.Len(t, api.puts, 1, "a plan that cannot be carried out is not attempted")
	delete(api.policies, "central-logging")

	api.denyPut = true
	out, stderr, code = runCLI(t, append(base, "--apply")...)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "logwarden subscribe: put account policy logwarden")
	require.Contains(t, stderr, "AccessDeniedException")
	require.NotContains(t, out, "applied")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
