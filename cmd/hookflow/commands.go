package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
)

// command is one `hookflow <name>` subcommand.
type command struct {
	Name  string
	Short string // one line for `hookflow help`
	Run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// extraCommands holds subcommands defined in other files of this package
// (validate, and other CLI tools). Each such file appends its command in an
// init function; the names must not clash with the built-ins.
var extraCommands []command

// commands lists every subcommand in the order `hookflow help` shows them.
func commands() []command {
	builtin := []command{
		{Name: "dev", Short: "run everything in one process: embedded Temporal, store, API, worker", Run: runDev},
		{Name: "server", Short: "run the API and webhook ingestion against an external Temporal and database", Run: runServer},
		{Name: "worker", Short: "run the Temporal worker against an external Temporal and database", Run: runWorker},
		{Name: "temporal", Short: "run only the embedded Temporal server (for local multi-process setups)", Run: runTemporal},
		{Name: "migrate", Short: "apply pending database migrations and exit", Run: runMigrate},
		{Name: "version", Short: "print the version", Run: runVersion},
	}
	return append(builtin, extraCommands...)
}

func findCommand(name string) (command, bool) {
	i := slices.IndexFunc(commands(), func(c command) bool { return c.Name == name })
	if i < 0 {
		return command{}, false
	}
	return commands()[i], true
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "hookflow: webhook-driven workflow automation on Temporal.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: hookflow <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Short)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every flag can also be set with a HOOKFLOW_* environment variable; a flag wins.")
	fmt.Fprintln(w, "Run `hookflow <command> --help` for its flags.")
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints a usage header naming the command.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hookflow "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: hookflow %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}
