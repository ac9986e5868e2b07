package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
)

// dynaliteEnv points the AWS SDK's own settings at dynalite, as an operator
// would: the CLI has no endpoint flag.
func dynaliteEnv(t *testing.T) (stateTable, configTable string) {
	endpoint := testenv.Require(t, testenv.DynamoDB)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	suffix := hex.EncodeToString(b)
	return "lw-cli-state-" + suffix, "lw-cli-config-" + suffix
}

func TestTablesCreateIsIdempotent(t *testing.T) {
	st, cf := dynaliteEnv(t)
	t.Setenv("LOGWARDEN_STATE_TABLE", st)
	t.Setenv("LOGWARDEN_CONFIG_TABLE", "")
	for i, want := range []string{"created", "already existed"} {
		var out, errOut bytes.Buffer
		code := run([]string{"tables", "create", "--config-table", cf}, &out, &errOut)
		require.Equal(t, 0, code, errOut.String())
		require.Regexp(t, `(?m)^state table\s+`+st+`\s+`+want+`$`, out.String(), "run %d", i)
		require.Regexp(t, `(?m)^threshold table\s+`+cf+`\s+`+want+`$`, out.String(), "run %d", i)
	}

	// The thresholds command then works on DynamoDB through the same settings.
	t.Setenv("LOGWARDEN_CONFIG_TABLE", cf)
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"thresholds", "set", "defaults", "memory_percent=95", "allow_cidrs=10.0.0.0/8"}, &out, &errOut), errOut.String())
	out.Reset()
	require.Equal(t, 0, run([]string{"thresholds", "get", "defaults", "--json"}, &out, &errOut), errOut.String())
	require.JSONEq(t, `{"id":"defaults","memory_percent":95,"allow_cidrs":["10.0.0.0/8"]}`, out.String())
}

func TestTablesUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run([]string{"tables"}, &out, &errOut))
	require.Equal(t, 2, run([]string{"tables", "drop"}, &out, &errOut))
	require.Equal(t, 2, run([]string{"tables", "create", "extra"}, &out, &errOut))
}
