package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

// buildVersion is what `logwarden version` reports, from the build info
// the Go toolchain embeds: the module version (a tag when installed with
// go install ...@vX, "(devel)" in a checkout) and the VCS revision a
// checkout build records.
type buildVersion struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func versionOf(bi *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Module: "github.com/logwarden/logwarden", Version: "unknown", Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (v buildVersion) String() string {
	s := "logwarden " + v.Version
	if v.Revision != "" {
		s += " (revision " + v.Revision
		if v.Modified {
			s += ", modified"
		}
		if v.Time != "" {
			s += ", " + v.Time
		}
		s += ")"
	} else {
		// Say so rather than print nothing: GOFLAGS=-buildvcs=false, a
		// build outside a checkout or `go run` leave no revision, and an
		// operator comparing deployments must not read absence as "same".
		s += ", revision unknown (built without VCS info)"
	}
	return s + ", " + v.Go + " " + v.Platform
}

func newVersionCmd(o cliIO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version [flags]",
		Short: "print the version and VCS revision of this build",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			v := versionOf(debug.ReadBuildInfo())
			if asJSON {
				return json.NewEncoder(o.stdout).Encode(v)
			}
			_, err := fmt.Fprintln(o.stdout, v)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}
