// Command hookflow is the one hookflow binary: `hookflow dev` runs the whole
// stack in one process; `server`, `worker` and `temporal` run the parts
// separately; `migrate` and `version` are utilities. Run `hookflow help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookflow/hookflow/engine/platform/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return 0
	}
	cmd, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(stderr, "hookflow: unknown command %q\n\n", args[0])
		printUsage(stderr)
		return 2
	}
	err := cmd.Run(ctx, args[1:], stdout, stderr)
	var coded interface {
		ExitCode() int
		Silent() bool
	}
	switch {
	case errors.As(err, &coded):
		if !coded.Silent() {
			fmt.Fprintf(stderr, "hookflow %s: %v\n", cmd.Name, err)
		}
		return coded.ExitCode()
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, config.ErrUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "hookflow %s: %v\n", cmd.Name, err)
		return 1
	}
}
