package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCfnLint runs cfn-lint, which applies the SAM transform and checks
// resource types, properties and intrinsics against the CloudFormation spec.
// cfn-lint checks every resource whatever its condition; the template is
// also linted with each delivery mode as the default, because its
// --parameters option does not reach SAM templates and a mode's defaults
// are what `sam deploy` without overrides deploys.
// It skips where cfn-lint is not installed, except under CI=true.
func TestCfnLint(t *testing.T) {
	path, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not installed; CI must lint deploy/template.yaml")
		}
		t.Skip("cfn-lint not installed")
	}
	raw, err := os.ReadFile("template.yaml")
	require.NoError(t, err)
	src := string(raw)
	for _, tc := range []struct{ name, mode, subs string }{
		{"direct", "direct", "account-policy"},
		{"kinesis-account-policy", "kinesis", "account-policy"},
		{"kinesis-per-group", "kinesis", "per-group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := setDefault(t, src, "DeliveryMode", "direct", tc.mode)
			v = setDefault(t, v, "KinesisSubscriptions", "account-policy", tc.subs)
			// Next to template.yaml so the relative CodeUri resolve alike.
			file := filepath.Join(".", ".lint-"+tc.name+".yaml")
			require.NoError(t, os.WriteFile(file, []byte(v), 0o644))
			t.Cleanup(func() { _ = os.Remove(file) })
			out, err := exec.Command(path, file).CombinedOutput()
			require.NoError(t, err, "cfn-lint (%s):\n%s", tc.name, out)
		})
	}
}

// setDefault rewrites the Default line of one parameter.
func setDefault(t *testing.T, src, param, from, to string) string {
	t.Helper()
	i := strings.Index(src, "\n  "+param+":\n")
	require.Positive(t, i, "parameter %s", param)
	old := "    Default: " + from + "\n"
	j := strings.Index(src[i:], old)
	require.Positive(t, j, "default of %s", param)
	return src[:i+j] + "    Default: " + to + "\n" + src[i+j+len(old):]
}
