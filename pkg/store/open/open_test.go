package open_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/dynamo"
	"github.com/logwarden/logwarden/pkg/store/local"
	"github.com/logwarden/logwarden/pkg/store/open"
)

func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	region := &aws.Config{Region: "eu-west-1"}
	tests := []struct {
		name    string
		opts    open.Options
		env     map[string]string
		desc    string
		dynamo  bool
		noState bool
		noCfg   bool
		err     string
	}{
		{name: "default embedded path", env: map[string]string{"XDG_STATE_HOME": dir},
			desc: "embedded store " + filepath.Join(dir, "logwarden", "state.db")},
		{name: "home fallback", env: map[string]string{"HOME": filepath.Join(dir, "home")},
			desc: "embedded store " + filepath.Join(dir, "home", ".local", "state", "logwarden", "state.db")},
		{name: "explicit path wins over env", opts: open.Options{StorePath: filepath.Join(dir, "x.db")},
			env: map[string]string{open.EnvStateTable: "s"}, desc: "embedded store " + filepath.Join(dir, "x.db")},
		{name: "env selects dynamodb", env: map[string]string{open.EnvStateTable: "s", open.EnvConfigTable: "c"},
			dynamo: true, desc: "DynamoDB state table s, threshold table c (eu-west-1)"},
		// Each table name is its variable, else the default tables create uses.
		{name: "state table only", opts: open.Options{StorePath: "dynamodb"}, env: map[string]string{open.EnvStateTable: "s"},
			dynamo: true, desc: "DynamoDB state table s, threshold table logwarden-config (eu-west-1)"},
		{name: "config only", opts: open.Options{ConfigOnly: true}, env: map[string]string{open.EnvConfigTable: "c"},
			dynamo: true, noState: true, desc: "DynamoDB threshold table c (eu-west-1)"},
		// --store dynamodb and `tables create` agree: the same default names.
		{name: "forced without table uses the default names", opts: open.Options{ForceDynamo: true}, dynamo: true,
			desc: "DynamoDB state table logwarden-state, threshold table logwarden-config (eu-west-1) from default names"},
		{name: "thresholds default name", opts: open.Options{StorePath: "dynamodb", ConfigOnly: true}, dynamo: true, noState: true,
			desc: "DynamoDB threshold table logwarden-config (eu-west-1) from default names"},
		{name: "stack flag selects dynamodb", opts: open.Options{Stack: "prod"}, dynamo: true,
			desc: "DynamoDB state table prod-StateTable-1, threshold table prod-ConfigTable-1 (eu-west-1) from stack prod"},
		{name: "stack flag beats env tables", opts: open.Options{Stack: "prod"}, env: map[string]string{open.EnvStateTable: "s"}, dynamo: true,
			desc: "DynamoDB state table prod-StateTable-1, threshold table prod-ConfigTable-1 (eu-west-1) from stack prod"},
		{name: "env stack", env: map[string]string{open.EnvStack: "prod"}, dynamo: true,
			desc: "DynamoDB state table prod-StateTable-1, threshold table prod-ConfigTable-1 (eu-west-1) from stack prod"},
		{name: "env tables beat env stack", env: map[string]string{open.EnvStack: "prod", open.EnvStateTable: "s", open.EnvConfigTable: "c"},
			dynamo: true, desc: "DynamoDB state table s, threshold table c (eu-west-1)"},
		{name: "unknown stack", opts: open.Options{Stack: "nope"}, err: "stack nope: not found"},
		{name: "stack without outputs", opts: open.Options{Stack: "other"},
			err: "stack other: outputs StateTableName and ConfigTableName not found (is it a logwarden stack from deploy/template.yaml?)"},
		{name: "path and stack conflict", opts: open.Options{StorePath: filepath.Join(dir, "y.db"), Stack: "prod"},
			err: "--store PATH and --stack exclude each other"},
		{name: "read-only never creates a file", opts: open.Options{StorePath: filepath.Join(dir, "missing.db"), ReadOnly: true},
			err: "no such store: embedded store " + filepath.Join(dir, "missing.db") + " does not exist"},
		{name: "thresholds with only the state table named", opts: open.Options{StorePath: "dynamodb", ConfigOnly: true},
			env: map[string]string{open.EnvStateTable: "s"}, dynamo: true, noState: true, desc: "DynamoDB threshold table logwarden-config (eu-west-1)"},
		{name: "no region", opts: open.Options{ForceDynamo: true, AWSConfig: &aws.Config{}}, env: map[string]string{open.EnvStateTable: "s"},
			err: "DynamoDB store: no AWS region configured (set AWS_REGION or a profile's region)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Getenv = func(k string) string { return tc.env[k] }
			o.Stacks = fakeStacks{}
			if o.AWSConfig == nil {
				o.AWSConfig = region
			}
			s, err := open.FromEnv(context.Background(), o)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				if tc.opts.ReadOnly {
					require.NoFileExists(t, tc.opts.StorePath)
				}
				return
			}
			require.NoError(t, err)
			defer func() { require.NoError(t, s.Close()) }()
			require.Equal(t, tc.desc, s.Desc)
			require.Equal(t, tc.noState, s.State == nil)
			require.Equal(t, tc.noCfg, s.Config == nil)
			if tc.dynamo {
				require.NotNil(t, s.Counter)
				if !tc.noState {
					require.IsType(t, &dynamo.State{}, s.State)
				}
				return
			}
			require.IsType(t, &local.Store{}, s.State)
			require.FileExists(t, s.Path)
		})
	}
}

func TestEmbeddedStoreIsExclusive(t *testing.T) {
	o := open.Options{StorePath: filepath.Join(t.TempDir(), "state.db"), Getenv: func(string) string { return "" }}
	s, err := open.FromEnv(context.Background(), o)
	require.NoError(t, err)
	defer s.Close()
	_, err = open.FromEnv(context.Background(), o)
	require.ErrorContains(t, err, "is in use by another logwarden process")
}

// fakeStacks stands in for CloudFormation in the selection table; the real
// DescribeStacks call is tested against moto in stack_test.go.
type fakeStacks struct{}

func (fakeStacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	out := func(k, v string) cftypes.Output {
		return cftypes.Output{OutputKey: aws.String(k), OutputValue: aws.String(v)}
	}
	switch aws.ToString(in.StackName) {
	case "prod":
		return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{{Outputs: []cftypes.Output{
			out("ProcessorFunctionArn", "arn:aws:lambda:eu-west-1:1:function:p"),
			out(open.OutputStateTable, "prod-StateTable-1"), out(open.OutputConfigTable, "prod-ConfigTable-1")}}}}, nil
	case "other":
		return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{{}}}, nil
	}
	return &cloudformation.DescribeStacksOutput{}, nil
}

func TestForReplay(t *testing.T) {
	region := &aws.Config{Region: "eu-west-1"}
	tests := []struct {
		name     string
		opts     open.Options
		env      map[string]string
		desc     string
		stateDDB bool
		cfgRO    bool
	}{
		{name: "nothing configured: all temporary", env: map[string]string{"XDG_STATE_HOME": t.TempDir()},
			desc: "state in a temporary embedded store (deleted after the replay; keep it with --store PATH), no threshold items (built-in defaults)"},
		// `thresholds set` without AWS writes the default embedded file;
		// a plain replay then reads it, as it reads the table on AWS.
		{name: "default embedded thresholds, read only", env: map[string]string{"XDG_STATE_HOME": withDefaultStore(t)}, cfgRO: true,
			desc: "state in a temporary embedded store (deleted after the replay; keep it with --store PATH), thresholds from embedded store "},
		{name: "config table: thresholds from it, state temporary", env: map[string]string{open.EnvStateTable: "live", open.EnvConfigTable: "c"}, cfgRO: true,
			desc: "state in a temporary embedded store (deleted after the replay; keep it with --store PATH), thresholds from threshold table c (eu-west-1) (read only)"},
		{name: "stack: thresholds from it", opts: open.Options{Stack: "prod"}, cfgRO: true,
			desc: "state in a temporary embedded store (deleted after the replay; keep it with --store PATH), thresholds from threshold table prod-ConfigTable-1 (eu-west-1) from stack prod (read only)"},
		{name: "--store dynamodb writes the live tables", opts: open.Options{StorePath: "dynamodb"}, env: map[string]string{open.EnvStateTable: "live", open.EnvConfigTable: "c"},
			stateDDB: true, cfgRO: true, desc: "DynamoDB state table live, threshold table c (eu-west-1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Getenv = func(k string) string { return tc.env[k] }
			o.Stacks, o.AWSConfig = fakeStacks{}, region
			o.TempState = filepath.Join(t.TempDir(), "state.db")
			s, err := open.ForReplay(context.Background(), o)
			require.NoError(t, err)
			defer s.Close()
			require.True(t, strings.HasPrefix(s.Desc, tc.desc), "%q has prefix %q", s.Desc, tc.desc)
			if tc.stateDDB {
				require.IsType(t, &dynamo.State{}, s.State)
			} else {
				require.IsType(t, &local.Store{}, s.State, "never the live state table")
			}
			require.Equal(t, !tc.cfgRO, any(s.Config) == any(s.State), "thresholds from elsewhere than the temporary state")
			if tc.cfgRO && !tc.stateDDB {
				require.ErrorContains(t, s.Config.PutItem(context.Background(), store.Item{ID: "defaults"}), "read only")
				require.ErrorContains(t, s.Config.DeleteItem(context.Background(), "defaults"), "read only")
			}
		})
	}
}

// withDefaultStore makes an XDG_STATE_HOME whose default embedded store
// exists (closed again: a replay opens it).
func withDefaultStore(t *testing.T) string {
	dir := t.TempDir()
	s, err := local.Open(filepath.Join(dir, "logwarden", "state.db"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	return dir
}
