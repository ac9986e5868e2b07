package deploy

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCfnLint runs cfn-lint, which applies the SAM transform and checks
// resource types, properties and intrinsics against the CloudFormation spec.
// It skips where cfn-lint is not installed, except under CI=true.
func TestCfnLint(t *testing.T) {
	path, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not installed; CI must lint deploy/template.yaml")
		}
		t.Skip("cfn-lint not installed")
	}
	out, err := exec.Command(path, "template.yaml").CombinedOutput()
	require.NoError(t, err, "cfn-lint template.yaml:\n%s", out)
}
