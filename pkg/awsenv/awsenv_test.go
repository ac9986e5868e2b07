package awsenv

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	lambda := map[string]string{
		EnvRegion: "eu-west-1", EnvAccessKeyID: "AKIDEXAMPLE", EnvSecretAccessKey: "secret", EnvSessionToken: "token",
	}
	tests := []struct {
		name     string
		env      map[string]string
		region   string
		key      string
		endpoint string // the DynamoDB endpoint the config names, if any
		wantErr  string
	}{
		{name: "lambda runtime", env: lambda, region: "eu-west-1", key: "AKIDEXAMPLE"},
		{name: "default region", env: map[string]string{EnvDefaultRegion: "us-east-2", EnvAccessKeyID: "A", EnvSecretAccessKey: "S"}, region: "us-east-2", key: "A"},
		{name: "service endpoint", env: merge(lambda, map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:4567"}),
			region: "eu-west-1", key: "AKIDEXAMPLE", endpoint: "http://127.0.0.1:4567"},
		{name: "endpoints ignored", env: merge(lambda, map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:4567", EnvIgnoreEndpoints: "true"}),
			region: "eu-west-1", key: "AKIDEXAMPLE"},
		{name: "no region", env: map[string]string{EnvAccessKeyID: "A", EnvSecretAccessKey: "S"}, wantErr: "no AWS region"},
		{name: "no credentials", env: map[string]string{EnvRegion: "eu-west-1"}, wantErr: "no AWS credentials"},
		{name: "half a key", env: map[string]string{EnvRegion: "eu-west-1", EnvAccessKeyID: "A"}, wantErr: "set together"},
		// A variable pointing role credentials at a host across the
		// network in clear text would leak the authorization token.
		{name: "plain http to a remote host", env: map[string]string{EnvRegion: "eu-west-1", EnvContainerFull: "http://203.0.113.9/creds"}, wantErr: "refused"},
		{name: "not http", env: map[string]string{EnvRegion: "eu-west-1", EnvContainerFull: "file:///etc/passwd"}, wantErr: "scheme"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(env(tc.env))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.region, cfg.Region)
			creds, err := cfg.Credentials.Retrieve(context.Background())
			require.NoError(t, err)
			require.Equal(t, tc.key, creds.AccessKeyID)
			got := ""
			for _, src := range cfg.ConfigSources {
				if p, ok := src.(interface {
					GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
				}); ok {
					got, _, _ = p.GetServiceBaseEndpoint(context.Background(), "DynamoDB")
				}
			}
			require.Equal(t, tc.endpoint, got)
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestContainerCredentials reads role credentials from a container
// credentials endpoint (as SnapStart and ECS serve them) with the token
// from a file, and caches them.
func TestContainerCredentials(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Authorization") != "tok-123" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{
			"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "s", "Token": "t",
			"Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		})
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("tok-123\n"), 0o600))
	cfg, err := Load(env(map[string]string{EnvRegion: "eu-west-1", EnvContainerFull: srv.URL + "/creds", EnvContainerTokenFile: tokenFile}))
	require.NoError(t, err)
	for range 3 {
		creds, err := cfg.Credentials.Retrieve(context.Background())
		require.NoError(t, err)
		require.Equal(t, "ASIACONTAINER", creds.AccessKeyID)
	}
	require.Equal(t, 1, calls, "credentials are cached until they near expiry")
	_, isCache := cfg.Credentials.(*aws.CredentialsCache)
	require.True(t, isCache)
}

// TestFunctionsLinkGraph keeps what awsenv replaces out of the processor:
// the SDK's default configuration chain (SSO, STS, sign-in, IMDS, shared
// files) and the embedded bbolt store, and html/template, whose use makes
// the linker keep every method of every SDK client (see email.HTML).
func TestFunctionsLinkGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for fn, banned := range map[string][]string{
		"processor": {
			"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sso",
			"github.com/aws/aws-sdk-go-v2/service/ssooidc", "github.com/aws/aws-sdk-go-v2/service/sts",
			"github.com/aws/aws-sdk-go-v2/service/signin", "github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
			"go.etcd.io/bbolt", "github.com/logwarden/logwarden/pkg/store/local", "html/template", "text/template",
		},
		"subscriber": {
			"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sso",
			"github.com/aws/aws-sdk-go-v2/service/sts", "github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
		},
	} {
		out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "../../functions/"+fn).CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := strings.Fields(string(out))
		for _, b := range banned {
			require.NotContains(t, deps, b, "functions/%s links %s", fn, b)
		}
	}
}
