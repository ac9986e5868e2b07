package open_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"

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
		{name: "state table only", opts: open.Options{StorePath: "dynamodb"}, env: map[string]string{open.EnvStateTable: "s"},
			dynamo: true, noCfg: true, desc: "DynamoDB state table s (eu-west-1)"},
		{name: "config only", opts: open.Options{ConfigOnly: true}, env: map[string]string{open.EnvConfigTable: "c"},
			dynamo: true, noState: true, desc: "DynamoDB threshold table c (eu-west-1)"},
		{name: "forced without table", opts: open.Options{ForceDynamo: true},
			err: "--store dynamodb needs LOGWARDEN_STATE_TABLE (and LOGWARDEN_CONFIG_TABLE for thresholds)"},
		{name: "thresholds without table", opts: open.Options{StorePath: "dynamodb", ConfigOnly: true}, env: map[string]string{open.EnvStateTable: "s"},
			err: "thresholds in DynamoDB need LOGWARDEN_CONFIG_TABLE (the threshold table's name)"},
		{name: "no region", opts: open.Options{ForceDynamo: true, AWSConfig: &aws.Config{}}, env: map[string]string{open.EnvStateTable: "s"},
			err: "DynamoDB store: no AWS region configured (set AWS_REGION or a profile's region)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Getenv = func(k string) string { return tc.env[k] }
			if o.AWSConfig == nil {
				o.AWSConfig = region
			}
			s, err := open.FromEnv(context.Background(), o)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
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
