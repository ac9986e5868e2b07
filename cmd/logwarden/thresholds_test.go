package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/thresholds"
)

// thresholdsCLI runs `logwarden thresholds ARGS...` with the environment
// cleared of table names, so the embedded store under --store is used.
func thresholdsCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("LOGWARDEN_STATE_TABLE", "")
	t.Setenv("LOGWARDEN_CONFIG_TABLE", "")
	var out, errOut bytes.Buffer
	code := run(append([]string{"thresholds"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestThresholdsSetGetListDelete(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	code, out, stderr := thresholdsCLI(t, "set", "function#checkout", "memory_percent=85", "allow_cidrs=10.0.0.0/8",
		"brute_force_window=15m", "email_to=a@example.com, b@example.com", "--store", db)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "memory_percent")

	code, out, stderr = thresholdsCLI(t, "--store", db, "set", "function#checkout", "memory_percent=", "cooldown_timeout=48h")
	require.Equal(t, 0, code, stderr)

	code, out, stderr = thresholdsCLI(t, "get", "function#checkout", "--json", "--store", db)
	require.Equal(t, 0, code, stderr)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Equal(t, map[string]any{
		"id":                 "function#checkout",
		"allow_cidrs":        []any{"10.0.0.0/8"},
		"brute_force_window": "15m",
		"email_to":           []any{"a@example.com", "b@example.com"},
		"cooldown_timeout":   "48h",
	}, got)

	code, _, stderr = thresholdsCLI(t, "set", "defaults", "stuffing_users=20", "--store", db)
	require.Equal(t, 0, code, stderr)
	code, out, stderr = thresholdsCLI(t, "list", "--store", db)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6, out)
	require.Regexp(t, `^ITEM\s+ATTRIBUTE\s+VALUE\s+UNIT$`, lines[0])
	require.Regexp(t, `^defaults\s+stuffing_users\s+20\s+users$`, lines[1])
	require.Regexp(t, `^function#checkout\s+allow_cidrs\s+10\.0\.0\.0/8\s+CIDR list$`, lines[2])

	code, out, stderr = thresholdsCLI(t, "list", "--json", "--store", db)
	require.Equal(t, 0, code, stderr)
	var items []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") { // JSON lines
		var it map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &it))
		items = append(items, it)
	}
	require.Len(t, items, 2)
	require.Equal(t, "defaults", items[0]["id"])
	require.Equal(t, 20.0, items[0]["stuffing_users"])

	code, out, _ = thresholdsCLI(t, "delete", "defaults", "--store", db)
	require.Equal(t, 0, code)
	require.Equal(t, "deleted defaults\n", out)
	code, _, stderr = thresholdsCLI(t, "get", "defaults", "--store", db)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `logwarden thresholds get: no item "defaults"`)
	// Deleting what is not there is an error, not "deleted".
	code, out, stderr = thresholdsCLI(t, "delete", "defaults", "--store", db)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Contains(t, stderr, `logwarden thresholds delete: no item "defaults" in embedded store `)
}

func TestThresholdsRejectsInvalidSets(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not a number", []string{"function#a", "memory_percent=lots"}, "memory_percent"},
		{"unknown attribute", []string{"function#a", "memory_pct=80"}, "memory_pct"},
		{"bad id", []string{"checkout", "memory_percent=80"}, `id "checkout"`},
		{"not an assignment", []string{"function#a", "memory_percent"}, `"memory_percent" is not attr=value`},
		{"bad duration", []string{"defaults", "brute_force_window=soon"}, "brute_force_window"},
	}
	for _, tc := range tests {
		code, _, stderr := thresholdsCLI(t, append([]string{"set", "--store", db}, tc.args...)...)
		require.Equal(t, 1, code, tc.name)
		require.Contains(t, stderr, tc.want, tc.name)
	}
	code, out, _ := thresholdsCLI(t, "list", "--store", db)
	require.Equal(t, 0, code)
	require.Contains(t, out, "no threshold items", "nothing invalid was written")
}

func TestThresholdsUsage(t *testing.T) {
	for _, args := range [][]string{{"get"}, {"set", "defaults"}, {"delete", "a", "b"}, {"frobnicate"}, {"--nope"}} {
		code, _, _ := thresholdsCLI(t, args...)
		require.Equal(t, 2, code, "%v", args)
	}
	code, out, _ := thresholdsCLI(t, "attrs")
	require.Equal(t, 0, code)
	require.Regexp(t, `(?m)^memory_percent\s+%\s+`, out)
	code, out, _ = thresholdsCLI(t, "attrs", "--json")
	require.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(thresholds.Docs()), "one JSON line per attribute")
	require.JSONEq(t, `{"name":"memory_percent","unit":"%","default":"90","description":"max memory used, in % of memory size, that alerts"}`,
		lines[slices.IndexFunc(thresholds.Docs(), func(d thresholds.Doc) bool { return d.Name == "memory_percent" })])
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		name, raw string
		want      any
	}{
		{"memory_percent", "85", 85.0},
		{"duration_z", "2.5", 2.5},
		{"brute_force_window", "15m", "15m"},
		{"brute_force_window", "900", 900.0},
		{"slack_channel", `"123"`, "123"},
		{"slack_channel", "#alerts", "#alerts"},
		{"allow_cidrs", "10.0.0.0/8", []string{"10.0.0.0/8"}},
		{"email_to", "a@x.io,,b@x.io ", []string{"a@x.io", "b@x.io"}},
		{"custom_list", "a,b", []string{"a", "b"}},
		{"muted_until", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"flag", "true", true},
		{"cooldown", `{"timeout":"48h"}`, map[string]any{"timeout": "48h"}},
		{"note", "NaN", "NaN"},
	}
	for _, tc := range tests {
		got, err := parseValue(tc.name, tc.raw)
		require.NoError(t, err, tc.raw)
		require.Equal(t, tc.want, got, tc.raw)
	}
}

// add/remove start from the effective list, so a function's allow list
// keeps the shared entries of defaults (the brute-force hint's use).
func TestThresholdsAddRemoveLists(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	get := func(id string) map[string]any {
		t.Helper()
		code, out, stderr := thresholdsCLI(t, "get", id, "--json", "--store", db)
		require.Equal(t, 0, code, stderr)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &m))
		return m
	}
	code, _, stderr := thresholdsCLI(t, "add", "--store", db, "defaults", "allow_cidrs=10.0.0.0/8")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = thresholdsCLI(t, "add", "--store", db, "function#login", "allow_cidrs=198.51.100.7/32,203.0.113.0/28")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []any{"10.0.0.0/8", "198.51.100.7/32", "203.0.113.0/28"}, get("function#login")["allow_cidrs"],
		"starts from the defaults' list")
	code, _, stderr = thresholdsCLI(t, "add", "--store", db, "function#login", "allow_cidrs=198.51.100.7/32")
	require.Equal(t, 0, code, stderr)
	require.Len(t, get("function#login")["allow_cidrs"], 3, "adding twice keeps one")

	code, _, stderr = thresholdsCLI(t, "remove", "--store", db, "function#login", "allow_cidrs=10.0.0.0/8")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []any{"198.51.100.7/32", "203.0.113.0/28"}, get("function#login")["allow_cidrs"])
	require.Equal(t, []any{"10.0.0.0/8"}, get("defaults")["allow_cidrs"], "defaults untouched")

	// email_to is a list too; an item without it and no defaults starts empty.
	code, _, stderr = thresholdsCLI(t, "add", "--store", db, "function#checkout", "email_to=oncall@example.com")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []any{"oncall@example.com"}, get("function#checkout")["email_to"])

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "function#login", "allow_cidrs=not-a-cidr"}, "allow_cidrs"},
		{[]string{"add", "function#login", "memory_percent=80"}, `attribute "memory_percent" is not a list (lists: allow_cidrs, trusted_proxies, email_to); use 'thresholds set'`},
		{[]string{"remove", "function#login", "allow_cidrs=192.0.2.1/32"}, "allow_cidrs: 192.0.2.1/32 is not in function#login's allow_cidrs (198.51.100.7/32,203.0.113.0/28)"},
		{[]string{"add", "function#login", "allow_cidrs="}, `"allow_cidrs=" is not attr=value`},
		{[]string{"add", "login", "allow_cidrs=10.0.0.1"}, `id "login"`},
	} {
		code, _, stderr := thresholdsCLI(t, append(tc.args, "--store", db)...)
		require.Equal(t, 1, code, "%v", tc.args)
		require.Contains(t, stderr, "logwarden thresholds "+tc.args[0]+": ")
		require.Contains(t, stderr, tc.want, "%v", tc.args)
	}
	require.Len(t, get("function#login")["allow_cidrs"], 2, "nothing invalid was written")
}

// Looking never creates a store: list/get/delete on a missing embedded
// file create nothing (a named one is an error, the default one is empty).
func TestThresholdsReadOnlyNeverCreates(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_STATE_HOME", home)
	def := filepath.Join(home, "logwarden", "state.db")
	code, out, stderr := thresholdsCLI(t)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "no threshold items in the default embedded store "+def+" (not created yet)")
	code, _, stderr = thresholdsCLI(t, "get", "defaults")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `no item "defaults"`)
	code, _, _ = thresholdsCLI(t, "delete", "defaults")
	require.Equal(t, 1, code)
	require.NoFileExists(t, def)

	missing := filepath.Join(t.TempDir(), "missing.db")
	code, _, stderr = thresholdsCLI(t, "list", "--store", missing)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "logwarden thresholds list: no such store: embedded store "+missing+" does not exist")
	require.NoFileExists(t, missing)

	code, _, stderr = thresholdsCLI(t, "set", "defaults", "memory_percent=95")
	require.Equal(t, 0, code, stderr)
	require.FileExists(t, def, "writing creates it")
}
