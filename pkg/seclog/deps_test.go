package seclog

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportsStaySmall pins the promise to monitored functions: importing
// seclog pulls in the standard library and aws-lambda-go's events and
// lambdacontext, nothing of logwarden and no AWS SDK; seclogrus adds only
// logrus (and what logrus needs).
func TestImportsStaySmall(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	for pkg, allowed := range map[string][]string{
		".":           {"github.com/aws/aws-lambda-go/events", "github.com/aws/aws-lambda-go/lambdacontext"},
		"./seclogrus": {"github.com/aws/aws-lambda-go/", "github.com/sirupsen/logrus", "golang.org/x/sys/", "github.com/logwarden/logwarden/pkg/seclog"},
	} {
		out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		require.NoError(t, err, string(out))
		for _, dep := range strings.Fields(string(out)) {
			if dep == "github.com/logwarden/logwarden/pkg/seclog"+strings.TrimPrefix(pkg, ".") {
				continue // the package itself
			}
			ok := false
			for _, a := range allowed {
				ok = ok || dep == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a))
			}
			require.True(t, ok, "%s imports %s", pkg, dep)
			require.NotContains(t, dep, "aws-sdk-go")
		}
	}
}
