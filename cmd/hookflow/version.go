package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "Usage: hookflow version\nPrints the version, the commit, and the Go and Temporal SDK versions.", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "hookflow %s\n", versionString())
	return nil
}

// versionString is the version plus the commit and the Go and Temporal SDK
// versions from the build information.
func versionString() string {
	s := version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return s + " " + runtime.Version()
	}
	for _, kv := range info.Settings {
		if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
			s += " (" + kv.Value[:12] + ")"
		}
	}
	s += " " + runtime.Version()
	for _, dep := range info.Deps {
		if dep.Path == "go.temporal.io/sdk" {
			s += " temporal-sdk/" + dep.Version
		}
	}
	return s
}
