package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
)

func init() {
	extraCommands = append(extraCommands,
		command{Name: "validate", Short: "check workflow files offline against the built-in connectors", Run: runValidate},
		command{Name: "test", Short: "dry-run a workflow file against a sample event, locally (no server)", Run: runTest},
	)
}

// offlineEnv validates against the built-in catalog. Credentials are not
// known offline, so every credential name is accepted; the server checks
// them on apply.
func offlineEnv() (definition.Env, error) {
	reg, err := all.New(all.Options{})
	if err != nil {
		return nil, err
	}
	env := &definition.StaticEnv{}
	for _, n := range reg.Names() {
		if s, ok := reg.Connector(n); ok {
			env.Specs = append(env.Specs, s)
		}
	}
	return env, nil
}

// checkFile parses and validates one file and prints its problems; ok is
// false when it has any. A valid definition is then checked against
// samples of its trigger's events (sample, when given, else the
// connector's recorded samples) and each trigger path none of them holds
// is printed as a warning, which does not make the file invalid.
func checkFile(w io.Writer, path string, env definition.Env, sample []byte) (*definition.Definition, []byte, bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, false, userf("%v", err)
	}
	def, errs := definition.Check(raw, env)
	for _, e := range errs {
		printProblem(w, path, raw, e.Path, e.Message, e.Position, e.Snippet)
	}
	if len(errs) == 0 && def != nil {
		samples := definition.TriggerSamples(def, env)
		if sample != nil {
			samples = []json.RawMessage{sample}
		}
		_, warns := (&definition.Validator{Env: env, Samples: samples}).Check(def)
		for _, e := range warns {
			printProblem(w, path, raw, e.Path, "warning: "+e.Message, e.Position, e.Snippet)
		}
	}
	return def, raw, len(errs) == 0, nil
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "Usage: hookflow validate [--event sample.json] FILE...\nChecks workflow definitions offline: JSON, every reference, expression,\nconnector, action and input field (credentials are checked on apply).\nPrints `file: path: message (line:col)` with a caret; exits 1 on errors.\nTrigger paths that the sample event (--event, else the connector's recorded\nsamples) does not hold are printed as warnings; they do not fail the check.", stderr)
	eventFile := fs.String("event", "", "sample event body to check trigger paths against")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var sample []byte
	if *eventFile != "" {
		b, err := os.ReadFile(*eventFile)
		if err != nil {
			return userf("%v", err)
		}
		if !json.Valid(b) {
			return userf("%s is not valid JSON", *eventFile)
		}
		sample = b
	}
	paths, err := definitionFiles(fs.Args())
	if err != nil {
		return err
	}
	env, err := offlineEnv()
	if err != nil {
		return err
	}
	bad := 0
	for _, p := range paths {
		_, _, ok, err := checkFile(stdout, p, env, sample)
		if err != nil {
			return err
		}
		if !ok {
			bad++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", p)
	}
	if bad > 0 {
		return &exitError{code: exitUser, err: fmt.Errorf("%d of %d files are invalid", bad, len(paths)), silent: true}
	}
	return nil
}

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("test", `Usage:
  hookflow test -f DIR|workflow.json
  hookflow test -f workflow.json --event sample.json [--expect sample.expect.json]

Runs workflows locally with the real interpreter: actions return their
sample output (or a mock), http steps a 200, delays and waits pass at once.
Nothing is sent anywhere; no server is needed.

Without --event, runs the test fixtures of each workflow: for DIR/NAME.json
every file DIR/tests/NAME/*.json is one case (an event, mocks by step id,
and what the run must do). Prints PASS or FAIL per case and, for a failure,
each unmet expectation with what was expected and what happened, and the
route that ran. Exits 1 when any case fails.

With --event, runs one sample event and prints the steps; with --expect,
exits 1 unless the run meets the expectation file.`, stderr)
	file := fs.String("f", "", "workflow definition file, or a folder of workflows with a tests folder")
	eventFile := fs.String("event", "", "sample event body (JSON) the workflow sees as `trigger`")
	eventType := fs.String("type", "", "event type (default: the body's \"type\" field)")
	outputsFile := fs.String("outputs", "", "JSON object of recorded outputs by step id, used instead of sample outputs")
	expectFile := fs.String("expect", "", "expectation file (status, route, ran, not_ran, steps, reply, output, fields) the run must meet")
	output := fs.String("o", "table", "output format: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *file == "" && fs.NArg() == 1 {
		*file = fs.Arg(0)
	}
	if *file == "" {
		return usagef("test needs -f DIR, -f workflow.json, or -f workflow.json --event sample.json")
	}
	if *output != "table" && *output != "json" {
		return usagef("-o must be table or json")
	}
	if *eventFile == "" {
		if *expectFile != "" || *outputsFile != "" || *eventType != "" {
			return usagef("--expect, --outputs and --type go with --event; fixtures carry their own")
		}
		return runFixtures(ctx, *file, *output, stdout)
	}
	env, err := offlineEnv()
	if err != nil {
		return err
	}
	body, err := os.ReadFile(*eventFile)
	if err != nil {
		return userf("%v", err)
	}
	if !json.Valid(body) {
		return userf("%s is not valid JSON", *eventFile)
	}
	def, raw, ok, err := checkFile(stdout, *file, env, body)
	if err != nil {
		return err
	}
	if !ok {
		return &exitError{code: exitUser, err: fmt.Errorf("%s is invalid", *file), silent: true}
	}
	ev := dryrun.SampleEvent(body, *eventType)
	var expect *dryrun.Expectation
	if *expectFile != "" {
		e, err := dryrun.ReadExpectation(*expectFile)
		if err != nil {
			return userf("%s: %v", *expectFile, err)
		}
		if err := e.CheckSteps(dryrun.IndexSteps(def), ""); err != nil {
			return userf("%s: %v", *expectFile, err)
		}
		expect = &e
	}
	var outputs map[string]json.RawMessage
	if *outputsFile != "" {
		b, err := os.ReadFile(*outputsFile)
		if err != nil {
			return userf("%v", err)
		}
		if err := json.Unmarshal(b, &outputs); err != nil {
			return userf("%s: want a JSON object of step id → output: %v", *outputsFile, err)
		}
	}
	reg, err := all.New(all.Options{})
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := (&dryrun.Runner{Registry: reg}).Run(ctx, dryrun.Request{WorkflowID: def.Name, Definition: raw, Event: ev, Outputs: outputs})
	if err != nil {
		return userf("%v", err)
	}
	if *output == "json" {
		if err := printJSON(stdout, res); err != nil {
			return err
		}
	} else {
		var r runOut
		b, _ := json.Marshal(res)
		_ = json.Unmarshal(b, &r)
		r.ID, r.WorkflowID = "dry run", def.Name
		describeRun(stdout, r)
		if res.Response != nil {
			fmt.Fprintf(stdout, "\nReply: HTTP %d %s\n", res.Response.Status, strings.TrimSpace(string(res.Response.Body)))
		}
		fmt.Fprintf(stdout, "\n(dry run in %s; mocked steps returned sample outputs)\n", time.Since(start).Round(time.Millisecond))
	}
	if expect != nil {
		problems := expect.Check(res)
		if len(problems) > 0 {
			fmt.Fprintf(stderr, "%s: the run does not meet %s:\n", *file, *expectFile)
			for _, p := range problems {
				fmt.Fprintf(stderr, "  - %s\n", p)
			}
			return &exitError{code: exitUser, err: fmt.Errorf("%d expectations not met", len(problems)), silent: true}
		}
		if *output == "table" {
			fmt.Fprintf(stdout, "expectations met (%s)\n", *expectFile)
		}
		return nil
	}
	if res.Status == interpreter.StatusFailed || res.Status == interpreter.StatusTimedOut {
		return &exitError{code: exitUser, err: fmt.Errorf("the run %s: %s", res.Status, res.Error), silent: *output == "table"}
	}
	return nil
}

// runFixtures runs the test fixtures of the workflows at path (see
// dryrun.Discover for the layout) and prints a line per case, with a
// readable diff for each failure.
func runFixtures(ctx context.Context, path, output string, stdout io.Writer) error {
	suites, err := dryrun.Discover(path)
	if err != nil {
		return userf("%v", err)
	}
	env, err := offlineEnv()
	if err != nil {
		return err
	}
	reg, err := all.New(all.Options{})
	if err != nil {
		return err
	}
	runner := &dryrun.Runner{Registry: reg}
	var cases []dryrun.CaseResult
	tested, invalid, untested := 0, 0, 0
	type suiteOut struct {
		Workflow string              `json:"workflow"`
		Cases    []dryrun.CaseResult `json:"cases"`
	}
	var outs []suiteOut
	for _, s := range suites {
		if len(s.Cases) == 0 {
			untested++
			continue
		}
		tested++
		raw, err := os.ReadFile(s.Workflow)
		if err != nil {
			return userf("%v", err)
		}
		if _, errs := definition.Check(raw, env); len(errs) > 0 {
			invalid++
			for _, e := range errs {
				printProblem(stdout, s.Workflow, raw, e.Path, e.Message, e.Position, e.Snippet)
			}
			continue
		}
		results, err := runner.RunSuite(ctx, s, raw)
		if err != nil {
			return userf("%v", err)
		}
		name := strings.TrimSuffix(filepath.Base(s.Workflow), filepath.Ext(s.Workflow))
		if output == "table" {
			for _, c := range results {
				dryrun.FormatCase(stdout, name, c)
			}
		}
		cases = append(cases, results...)
		outs = append(outs, suiteOut{Workflow: s.Workflow, Cases: results})
	}
	if tested == 0 {
		where := path
		if len(suites) == 1 {
			where = dryrun.TestsDir(suites[0].Workflow)
		} else {
			where = filepath.Join(path, "tests", "NAME")
		}
		return userf("no test fixtures found: put one JSON file per case in %s (see hookflow test --help)", where)
	}
	failed := invalid
	for _, c := range cases {
		if !c.Passed() {
			failed++
		}
	}
	if output == "json" {
		if err := printJSON(stdout, map[string]any{"passed": failed == 0, "workflows": outs}); err != nil {
			return err
		}
	} else {
		dryrun.FormatSummary(stdout, tested, cases)
		if invalid > 0 {
			fmt.Fprintf(stdout, "%d %s invalid\n", invalid, map[bool]string{true: "workflow is", false: "workflows are"}[invalid == 1])
		}
		if untested > 0 {
			fmt.Fprintf(stdout, "(%d %s no tests folder)\n", untested, map[bool]string{true: "workflow has", false: "workflows have"}[untested == 1])
		}
	}
	if failed > 0 {
		return &exitError{code: exitUser, err: fmt.Errorf("%d test cases failed", failed), silent: true}
	}
	return nil
}
