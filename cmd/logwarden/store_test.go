package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"
)

// The first complaint: thresholds set, then replay, and the
// replay ignored the setting. Without AWS both use the default embedded
// store; the replay only reads it.
func TestReplayReadsThresholdsWhereThresholdsWrites(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	checkout := demoInputs[:3]
	out, stderr, code := runCLI(t, append([]string{"replay", "--json"}, checkout...)...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "duration_anomaly", "the regression fires with the defaults")

	_, stderr, code = runCLI(t, "thresholds", "set", "function#checkout", "duration_ratio=20")
	require.Equal(t, 0, code, stderr)
	out, stderr, code = runCLI(t, append([]string{"replay", "--json"}, checkout...)...)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "duration_anomaly", "a 9× regression is below the 20× ratio just set")
	require.Contains(t, stderr, "thresholds from embedded store")
	require.Contains(t, stderr, "state in memory")

	// The replay kept no state: baselines says why instead of "empty".
	_, stderr, code = runCLI(t, "baselines")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "A plain 'logwarden replay' keeps its state in a temporary store")
	_, stderr, code = runCLI(t, "baselines", "checkout")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "logwarden baselines: unknown function checkout")
}

func TestBaselinesNamesUnknownFunction(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	_, stderr, code := runCLI(t, "replay", "--store", db, demoInputs[0])
	require.Equal(t, 0, code, stderr)
	out, stderr, code := runCLI(t, "baselines", "--store", db, "nosuchfn")
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Equal(t, "logwarden baselines: unknown function nosuchfn: no baseline in embedded store "+db+" (known: checkout)\n", stderr)
	out, stderr, code = runCLI(t, "baselines", "--store", db, "checkout", "nosuchfn")
	require.Equal(t, 1, code)
	require.Contains(t, out, "checkout", "the known one is still shown")
	require.Contains(t, stderr, "unknown function nosuchfn")
}

// With the deployed tables configured, a replay reads the threshold table
// and never writes the live state table; --store dynamodb does.
func TestReplayNeverWritesLiveStateUnlessAsked(t *testing.T) {
	st, cf := dynaliteEnv(t)
	t.Setenv("LOGWARDEN_STATE_TABLE", st)
	t.Setenv("LOGWARDEN_CONFIG_TABLE", cf)
	_, stderr, code := runCLI(t, "tables", "create")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runCLI(t, "thresholds", "set", "function#checkout", "duration_ratio=20")
	require.Equal(t, 0, code, stderr)

	out, stderr, code := runCLI(t, append([]string{"replay", "--json"}, demoInputs[:3]...)...)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "duration_anomaly", "the threshold table's 20× ratio applies")
	require.Contains(t, stderr, "thresholds from threshold table "+cf)
	require.Zero(t, countItems(t, st), "the live state table is untouched")

	_, stderr, code = runCLI(t, "replay", "--store", "dynamodb", demoInputs[0])
	require.Equal(t, 0, code, stderr)
	require.Positive(t, countItems(t, st), "--store dynamodb writes the live tables")
	out, stderr, code = runCLI(t, "baselines", "--json", "checkout")
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasPrefix(out, `{"function":"checkout"`), out)
}

// `tables create` without names and `--store dynamodb` without names
// agree: both use logwarden-state / logwarden-config.
func TestTablesCreateAndStoreDynamoDBAgree(t *testing.T) {
	dynaliteEnv(t)
	t.Setenv("LOGWARDEN_STATE_TABLE", "")
	t.Setenv("LOGWARDEN_CONFIG_TABLE", "")
	out, stderr, code := runCLI(t, "tables", "create")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `(?m)^state table\s+logwarden-state\s`, out)
	require.Regexp(t, `(?m)^threshold table\s+logwarden-config\s`, out)
	_, stderr, code = runCLI(t, "thresholds", "add", "--store", "dynamodb", "defaults", "allow_cidrs=192.0.2.0/24")
	require.Equal(t, 0, code, stderr)
	out, stderr, code = runCLI(t, "thresholds", "get", "--store", "dynamodb", "defaults", "--json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "192.0.2.0/24")
	_, _, code = runCLI(t, "thresholds", "delete", "--store", "dynamodb", "defaults")
	require.Equal(t, 0, code)
}

func countItems(t *testing.T, table string) int {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	out, err := dynamodb.NewFromConfig(cfg).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	require.NoError(t, err)
	return int(out.Count)
}

// --thresholds FILE is what is being tried: it wins over the stored item of
// the same id, which a plain replay now reads.
func TestReplayThresholdsFileWinsOverStore(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	_, stderr, code := runCLI(t, "thresholds", "set", "function#checkout", "duration_ratio=20")
	require.Equal(t, 0, code, stderr)
	th := filepath.Join(t.TempDir(), "th.json")
	require.NoError(t, os.WriteFile(th, []byte(`[{"id":"function#checkout","duration_ratio":2}]`), 0o600))
	out, stderr, code := runCLI(t, append([]string{"replay", "--json", "--thresholds", th}, demoInputs[:3]...)...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "duration_anomaly", "the file's 2× ratio, not the store's 20×")
}
