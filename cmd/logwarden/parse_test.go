package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/batchgen"
)

const parseEnvelopes = "../../testdata/envelopes"

func parseRunCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func parseJsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "line %q", line)
		objs = append(objs, m)
	}
	return objs
}

func TestParseJSONContract(t *testing.T) {
	out, stderr, code := parseRunCLI(t, "parse", "--json",
		filepath.Join(parseEnvelopes, "kinesis-event", "input.json"),
		filepath.Join(parseEnvelopes, "firehose-event", "input.json"),
		filepath.Join(parseEnvelopes, "plain-text", "input.log"))
	require.Equal(t, 0, code, stderr)
	objs := parseJsonLines(t, out)
	// 3 + 4 events from Kinesis, control(0) + 4 + 2 from Firehose, 4 sshd lines.
	require.Len(t, objs, 3+4+4+2+4)

	report := objs[2]
	require.Equal(t, map[string]any{
		"kind": "report", "log_group": "/aws/lambda/pt-1488-DummyLogDataFunction-gnWXPvL6jJyG",
		"log_stream": "2022/11/10/[$LATEST]26b6a45d574f442ea28438923cbf7bf7", "timestamp": float64(1668093027024),
		"id": "37199717563107880995141901415313936169291476248187437058", "request_id": "06e46194-f277-454e-88d3-1dd7e3860eaa",
		"duration_ms": 9.14, "billed_duration_ms": float64(10), "memory_size_mb": float64(128), "max_memory_used_mb": float64(36),
		"init_duration_ms": 190.62, "status": "success",
	}, report)
	require.Equal(t, "platform", objs[0]["kind"])

	timeout := objs[4]
	require.Equal(t, "timeout", timeout["kind"])
	require.Equal(t, float64(3), timeout["timeout_s"])
	require.Equal(t, "timeout", objs[5]["status"])

	console := objs[11]
	require.Equal(t, "auth_failure", console["kind"])
	require.Equal(t, "192.0.2.0", console["ip"])
	require.Equal(t, "anaya", console["user"])
	require.NotEmpty(t, console["rule"])

	// The sshd injection line: the IP is the last "from", never the one in the user name.
	inj := objs[len(objs)-1]
	require.Equal(t, "127.0.0.1", inj["ip"])
	require.Equal(t, "input.log", filepath.Base(inj["log_group"].(string)))
	require.NotContains(t, inj, "timestamp", "plain text has no known timestamp")
	for _, o := range objs {
		require.Contains(t, []string{"report", "timeout", "crash", "auth_failure", "auth_success", "platform", "other"}, o["kind"])
	}
}

func TestParseErrorsKeepGoing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "a-bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"awslogs":{"data":"H4sI!!!"}}`), 0o644))
	good, err := os.ReadFile(filepath.Join(parseEnvelopes, "lambda-event", "input.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b-good.json"), good, 0o644))

	out, stderr, code := parseRunCLI(t, "parse", "--json", dir, filepath.Join(dir, "missing.json"), filepath.Join(parseEnvelopes, "kinesis-bad-records", "input.json"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "a-bad.json: awslogs.data: invalid base64")
	require.Contains(t, stderr, "missing.json")
	require.Contains(t, stderr, "Records[1] (sequenceNumber 1002)")
	objs := parseJsonLines(t, out)
	require.Len(t, objs, 2+2, "the good file and the good Kinesis record are still decoded")
	require.Equal(t, "testLogGroup", objs[0]["log_group"])
}

func TestParseSummary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "max.json")
	require.NoError(t, os.WriteFile(path, batchgen.Max().Event, 0o644))
	out, stderr, code := parseRunCLI(t, "parse", "--summary", "--json", path, filepath.Join(parseEnvelopes, "control-message", "input.json"))
	require.Equal(t, 0, code, stderr)
	var s struct {
		Batches, ControlBatches, Events int
		Kinds                           map[string]int
		Bytes                           int64
		MBPerS                          float64 `json:"mb_per_s"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	require.Equal(t, 2, s.Batches)
	require.Equal(t, 5000, s.Events)
	require.Equal(t, int64(len(batchgen.Max().Document))+298, s.Bytes)
	total := 0
	for _, n := range s.Kinds {
		total += n
	}
	require.Equal(t, 5000, total)
	require.Positive(t, s.Kinds["report"])
	require.Positive(t, s.Kinds["auth_failure"])
	require.Positive(t, s.MBPerS)

	text, _, code := parseRunCLI(t, "parse", "--summary", path)
	require.Equal(t, 0, code)
	require.Contains(t, text, "throughput")
	require.Contains(t, text, "auth_failure")
	require.Equal(t, 1, strings.Count(text, "events "), "nothing per event")
}

// A log line must not be able to inject terminal escapes or extra rows.
func TestParseTableSanitises(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evil.json")
	doc := `{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/x\u001b[2J","logStream":"s","logEvents":[` +
		`{"id":"1","timestamp":1700000000000,"message":"login failed for bob\u001b]0;pwned\u0007\r\nFAKE ROW from 203.0.113.9"}]}`
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	out, stderr, code := parseRunCLI(t, "parse", path)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "\x1b")
	require.NotContains(t, out, "\x07")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, "header and one row: %q", out)
	require.True(t, strings.HasPrefix(lines[0], "TIME (UTC)"))
	require.Contains(t, lines[1], "2023-11-14T22:13:20.000Z")
	require.Contains(t, lines[1], `x\u001b[2J`, "the escape is shown, not obeyed")
}

// TestParseTableShowsHiddenCharacters: zero-width and bidi characters in a
// user name or a message are shown escaped in the table, as in alerts.
func TestParseTableShowsHiddenCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hidden.json")
	doc := `{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/login","logStream":"s","logEvents":[` +
		`{"id":"1","timestamp":1700000000000,"message":"{\"msg\":\"login failed\",\"user\":\"adm\u200bin\",\"ip\":\"203.0.113.9\"}"},` +
		`{"id":"2","timestamp":1700000000001,"message":"hello \u202egnp.exe \u2066x\u2069 \ufeff"}]}`
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	out, stderr, code := parseRunCLI(t, "parse", path)
	require.Equal(t, 0, code, stderr)
	for _, raw := range []string{"\u200b", "\u202e", "\u2066", "\u2069", "\ufeff"} {
		require.NotContains(t, out, raw)
	}
	require.Contains(t, out, `adm\u200bin`)
	require.Contains(t, out, `hello \u202egnp.exe \u2066x\u2069 \ufeff`)
}

func TestParseUsageAndRules(t *testing.T) {
	help, _, code := parseRunCLI(t, "parse", "-h")
	require.Equal(t, 0, code)
	for _, flag := range []string{"--json", "--summary", "--rules", "--max-inflated", "--log-group"} {
		require.Contains(t, help, flag)
	}
	_, _, code = parseRunCLI(t, "parse")
	require.Equal(t, 2, code)
	_, stderr, code := parseRunCLI(t, "parse", "--rules", "/nonexistent/rules.yaml", "-")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "rules")

	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	require.NoError(t, os.WriteFile(rules, []byte(`[{"name":"legacy","kind":"auth_failure","regex":"LEGACY-REJECT user=(?P<user>\\S+) peer=(?P<ip>\\S+)"}]`), 0o644))
	logf := filepath.Join(dir, "legacy.log")
	require.NoError(t, os.WriteFile(logf, []byte("LEGACY-REJECT user=mallory peer=198.51.100.23\n"), 0o644))
	out, stderr, code := parseRunCLI(t, "parse", "--json", "--rules", rules, logf)
	require.Equal(t, 0, code, stderr)
	objs := parseJsonLines(t, out)
	require.Len(t, objs, 1)
	require.Equal(t, "auth_failure", objs[0]["kind"])
	require.Equal(t, "legacy", objs[0]["rule"])
	require.Equal(t, "198.51.100.23", objs[0]["ip"])
	require.Equal(t, "mallory", objs[0]["user"])
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", "tab\tnl\n\"q\"\\", "\x00\x1f\x7f", "bad \xff utf8", "line\u2028sep", "emoji 🔒"} {
		var got string
		require.NoError(t, json.Unmarshal(parseAppendJSONString(nil, s), &got))
		require.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), got)
	}
}
