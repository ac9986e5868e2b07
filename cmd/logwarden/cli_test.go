package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// allCommands walks the command tree: every command, groups included.
func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, s := range c.Commands() {
		out = append(out, allCommands(s)...)
	}
	return out
}

// TestEveryHelpExitsZeroAndListsEveryFlag runs -h and --help on every
// command of the tree: exit 0, help on stdout in one style, every flag.
func TestEveryHelpExitsZeroAndListsEveryFlag(t *testing.T) {
	cmds := allCommands(newRoot(cliIO{}))
	require.Greater(t, len(cmds), 15)
	for _, c := range cmds {
		path := strings.Fields(c.CommandPath())[1:]
		for _, h := range []string{"-h", "--help"} {
			t.Run(strings.Join(append(path, h), " "), func(t *testing.T) {
				var out, errOut bytes.Buffer
				require.Equal(t, 0, run(append(append([]string{}, path...), h), &out, &errOut), errOut.String())
				require.Empty(t, errOut.String())
				require.Contains(t, out.String(), "Usage:\n  "+c.CommandPath())
				c.Flags().VisitAll(func(f *pflag.Flag) {
					require.Contains(t, out.String(), "--"+f.Name, "%s help lists --%s", c.CommandPath(), f.Name)
				})
			})
		}
	}
}

// TestErrorPrefixAndExitCodes: one prefix, "logwarden <command>: ", and the
// exit codes 0 ok, 1 failure, 2 usage, for a mistake in every command.
func TestErrorPrefixAndExitCodes(t *testing.T) {
	t.Setenv("LOGWARDEN_STATE_TABLE", "")
	t.Setenv("LOGWARDEN_CONFIG_TABLE", "")
	t.Setenv("LOGWARDEN_STACK", "")
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	missing := filepath.Join(t.TempDir(), "missing.db")
	tests := []struct {
		args   []string
		code   int
		prefix string
		want   string
	}{
		{[]string{}, 2, "", "Available Commands:"},
		{[]string{"replai"}, 2, "logwarden: ", "Did you mean this?\n\treplay"},
		{[]string{"parse"}, 2, "logwarden parse: ", "want at least one input"},
		{[]string{"parse", "--nope", "x"}, 2, "logwarden parse: ", "unknown flag: --nope"},
		{[]string{"parse", "/does/not/exist"}, 1, "logwarden parse: ", "/does/not/exist"},
		{[]string{"replay", "/does/not/exist"}, 1, "logwarden replay: ", "/does/not/exist"},
		{[]string{"fetch"}, 2, "logwarden fetch: ", "--log-group or --log-group-prefix"},
		{[]string{"fetch", "--log-group", "g", "--since", "yesterday"}, 2, "logwarden fetch: ", "--since: want a duration"},
		{[]string{"fetch", "--log-group", "g", "--since", "1h", "--until", "2h"}, 2, "logwarden fetch: ", "must be before --until"},
		{[]string{"baselines", "--store", missing}, 1, "logwarden baselines: ", "does not exist"},
		{[]string{"baselines", "--at", "yesterday"}, 2, "logwarden baselines: ", "--at"},
		{[]string{"blocklist", "--store", missing}, 1, "logwarden blocklist: ", "does not exist"},
		{[]string{"blocklist", "extra"}, 2, "logwarden blocklist: ", "unexpected arguments: extra"},
		{[]string{"thresholds", "frob"}, 2, "logwarden thresholds: ", `unknown command "frob" for "logwarden thresholds"`},
		{[]string{"thresholds", "gte"}, 2, "logwarden thresholds: ", "did you mean get?"},
		{[]string{"thresholds", "get"}, 2, "logwarden thresholds get: ", "want ID"},
		{[]string{"thresholds", "delete", "function#nope"}, 1, "logwarden thresholds delete: ", `no item "function#nope"`},
		{[]string{"tables"}, 2, "logwarden tables: ", "missing command: one of create"},
		{[]string{"tables", "drop"}, 2, "logwarden tables: ", `unknown command "drop"`},
		{[]string{"notify"}, 2, "logwarden notify: ", "missing command: one of test"},
		{[]string{"subscribe"}, 2, "logwarden subscribe: ", "--destination-arn is required"},
		{[]string{"version", "extra"}, 2, "logwarden version: ", "unexpected arguments"},
		{[]string{"completion", "tcsh"}, 2, "logwarden completion: ", "tcsh"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, tc.code, run(tc.args, &out, &errOut), errOut.String())
			require.True(t, strings.HasPrefix(errOut.String(), tc.prefix), "stderr %q starts with %q", errOut.String(), tc.prefix)
			require.Contains(t, errOut.String(), tc.want)
			require.NotContains(t, errOut.String(), "error:", "one prefix, not two styles")
		})
	}
	require.NoFileExists(t, missing, "read-only commands never create a store")
}

// Scripts written against the package-flag CLI used -json; it still works.
func TestSingleDashLongFlags(t *testing.T) {
	root := newRoot(cliIO{})
	require.Equal(t, []string{"parse", "--json", "-", "--", "-json"},
		longFlagsWithOneDash(root, []string{"parse", "-json", "-", "--", "-json"}))
	require.Equal(t, []string{"notify", "test", "--timeout=5s", "-h", "-x"},
		longFlagsWithOneDash(root, []string{"notify", "test", "-timeout=5s", "-h", "-x"}))
	require.Equal(t, []string{"subscribe", "--exclude", "-json", "--json", "--prefix=-json"},
		longFlagsWithOneDash(root, []string{"subscribe", "-exclude", "-json", "-json", "-prefix=-json"}), "a flag's value is left alone")
}

func TestVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/logwarden/logwarden", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "38d1259abc"}, {Key: "vcs.time", Value: "2026-11-28T05:00:00Z"},
			{Key: "vcs.modified", Value: "true"}}}
	v := versionOf(bi, true)
	require.Equal(t, "v1.4.0", v.Version)
	require.Equal(t, "38d1259abc", v.Revision)
	require.Regexp(t, `^logwarden v1\.4\.0 \(revision 38d1259abc, modified, 2026-11-28T05:00:00Z\), go1\.26\.0 [a-z0-9]+/[a-z0-9]+$`, v.String())
	require.Equal(t, "unknown", versionOf(nil, false).Version)

	out, stderr, code := runCLI(t, "version")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `^logwarden \S+`, out)
	out, _, code = runCLI(t, "version", "--json")
	require.Equal(t, 0, code)
	var j map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	require.Equal(t, "github.com/logwarden/logwarden", j["module"])
	require.NotEmpty(t, j["version"])
	require.Equal(t, 1, strings.Count(out, "\n"), "one JSON line")
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, stderr, code := runCLI(t, "completion", shell)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, out, "logwarden", shell)
		require.Greater(t, len(out), 1000, shell)
	}
	// The scripts ask the binary; this is what they get for "logwarden <TAB>".
	out, _, code := runCLI(t, "__complete", "")
	require.Equal(t, 0, code)
	for _, c := range newRoot(cliIO{}).Commands() {
		require.Contains(t, out, c.Name()+"\t", "completion offers %s", c.Name())
	}
	out, _, _ = runCLI(t, "__complete", "thresholds", "")
	for _, sub := range []string{"add", "remove", "set", "get", "delete", "list", "attrs"} {
		require.Contains(t, out, sub+"\t")
	}
}

// Empty inputs are not errors but never pass silently.
func TestEmptyInputsWarn(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	emptyDir := filepath.Join(dir, "nothing")
	require.NoError(t, os.Mkdir(emptyDir, 0o755))
	for _, cmd := range []string{"parse", "replay"} {
		_, stderr, code := runCLI(t, cmd, empty, emptyDir)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, "logwarden "+cmd+": warning: "+empty+": empty file")
		require.Contains(t, stderr, "logwarden "+cmd+": warning: "+emptyDir+": no input files in directory")
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"90m": now.Add(-90 * time.Minute), "24h": now.Add(-24 * time.Hour), "7d": now.Add(-7 * 24 * time.Hour),
		"1.5d": now.Add(-36 * time.Hour), "2026-03-03T00:00:00Z": time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		"2026-03-03T01:00:00+01:00": time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
	} {
		got, err := parseWhen(in, now)
		require.NoError(t, err, in)
		require.True(t, want.Equal(got), "%s: %s", in, got)
	}
	for _, bad := range []string{"", "-1h", "0s", "d", "xd", "yesterday", "2026-03-03"} {
		_, err := parseWhen(bad, now)
		require.Error(t, err, bad)
	}
}

// TestMain keeps the tests off the developer's own default store and
// deployed tables: every command run here sees an empty state directory
// and no table names unless a test sets them.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "logwarden-cli-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", dir)
	for _, v := range []string{"LOGWARDEN_STATE_TABLE", "LOGWARDEN_CONFIG_TABLE", "LOGWARDEN_STACK"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A file can add a subcommand to another file's command.
func TestRegisterSub(t *testing.T) {
	defer func(saved map[string][]func(cliIO) *cobra.Command) { subcommandFactories = saved }(subcommandFactories)
	subcommandFactories = map[string][]func(cliIO) *cobra.Command{}
	registerSub("baselines", func(o cliIO) *cobra.Command {
		return &cobra.Command{Use: "probe FUNCTION", Args: exactArgs(1, "FUNCTION"), RunE: func(_ *cobra.Command, a []string) error {
			_, err := o.stdout.Write([]byte("probed " + a[0] + "\n"))
			return err
		}}
	})
	out, stderr, code := runCLI(t, "baselines", "probe", "checkout")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "probed checkout\n", out)
}
