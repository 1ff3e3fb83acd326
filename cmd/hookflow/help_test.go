package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp runs `hookflow <command> --help` for every
// command (and the temporal setup-schema subcommand): each prints its
// usage and exits 0 without doing anything else, so scripts and users can
// ask any command what it takes.
func TestEveryCommandHasHelp(t *testing.T) {
	cases := [][]string{{"temporal", "setup-schema", "--help"}}
	for _, c := range commands() {
		cases = append(cases, []string{c.Name, "--help"})
	}
	for _, args := range cases {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a command that ignored --help and started would stop at once
			if code := run(ctx, args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d; stdout %q stderr %q", code, stdout.String(), stderr.String())
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(strings.ToLower(out), "usage") {
				t.Fatalf("no usage printed: %q", out)
			}
		})
	}
}
