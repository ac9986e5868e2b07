package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVersionWithoutVCSInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/logwarden/logwarden", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "-buildvcs", Value: "false"}}}
	require.Regexp(t, `^logwarden \(devel\), revision unknown \(built without VCS info\), go1\.26\.0 \S+$`, versionOf(bi, true).String())
	require.Contains(t, versionOf(nil, false).String(), "revision unknown (built without VCS info)")
}

// TestMakeBuildStampsTheRevision runs the repository's Makefile `build`
// target on a tiny module standing in for the CLI, with
// GOFLAGS=-buildvcs=false as some CI images set it: inside a git checkout
// the binary still carries the commit; outside one the build still works.
func TestMakeBuildStampsTheRevision(t *testing.T) {
	for _, tool := range []string{"make", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	makefile, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	module := func(dir string) {
		for name, body := range map[string]string{
			"Makefile": string(makefile),
			"go.mod":   "module example.com/stamp\n\ngo 1.22\n",
			"cmd/logwarden/main.go": `package main

import ("fmt"; "runtime/debug")

func main() {
	bi, _ := debug.ReadBuildInfo()
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			fmt.Print(s.Value)
		}
	}
}
`,
		} {
			p := filepath.Join(dir, name)
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		}
	}
	cmd := func(dir, name string, args ...string) string {
		c := exec.Command(name, args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := c.CombinedOutput()
		require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
		return strings.TrimSpace(string(out))
	}

	repo := t.TempDir()
	module(repo)
	cmd(repo, "git", "init", "-q")
	cmd(repo, "git", "add", ".")
	cmd(repo, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x")
	head := cmd(repo, "git", "rev-parse", "HEAD")
	cmd(repo, "make", "--no-print-directory", "build")
	require.Equal(t, head, cmd(repo, filepath.Join(repo, "bin", "logwarden")))

	tarball := t.TempDir() // a source tree without .git
	module(tarball)
	cmd(tarball, "make", "--no-print-directory", "build")
	require.Empty(t, cmd(tarball, filepath.Join(tarball, "bin", "logwarden")))
}
