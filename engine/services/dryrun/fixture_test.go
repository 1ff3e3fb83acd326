package dryrun_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/services/dryrun"
)

// TestWorkflowFixtures is the CI run of `hookflow test -f workflows`:
// every fixture in workflows/tests/NAME/ runs against workflows/NAME.json
// and must meet its expectations, so a broken fixture, or a workflow
// change that breaks one, fails CI with the same report the CLI prints.
func TestWorkflowFixtures(t *testing.T) {
	suites, err := dryrun.Discover("../../../workflows")
	if err != nil {
		t.Fatal(err)
	}
	r := runner(t)
	total := 0
	for _, s := range suites {
		if len(s.Cases) == 0 {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(s.Workflow), ".json")
		raw, err := os.ReadFile(s.Workflow)
		if err != nil {
			t.Fatal(err)
		}
		if _, errs := definition.Check(raw, nil); len(errs) > 0 {
			t.Fatalf("%s is invalid: %v", s.Workflow, errs)
		}
		results, err := r.RunSuite(context.Background(), s, raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range results {
			total++
			t.Run(name+"/"+strings.TrimSuffix(filepath.Base(c.File), ".json"), func(t *testing.T) {
				if !c.Passed() {
					var b bytes.Buffer
					dryrun.FormatCase(&b, name, c)
					t.Error("\n" + b.String())
				}
			})
		}
	}
	// The shipped fixtures cover an on_error continue path, a goto path,
	// a reply and a filtered route; fewer cases means some went missing.
	if total < 9 {
		t.Errorf("%d fixtures ran, want the 9 or more shipped in workflows/tests", total)
	}
}

// A failing fixture prints each unmet expectation with its path, the
// expected and actual values (a unified diff for values that span lines)
// and the route that actually ran. The text is pinned: it is what a user
// reads in CI.
func TestFailingFixtureReport(t *testing.T) {
	wf := "../../../workflows/order-status-reply.json"
	raw, err := os.ReadFile(wf)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := dryrun.IndexDefinition(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := runner(t).RunCase(context.Background(), "testdata/failing/wrong-reply.json", "order-status-reply", raw, steps)
	if c.Err != nil {
		t.Fatal(c.Err)
	}
	var b bytes.Buffer
	dryrun.FormatCase(&b, "order-status-reply", c)
	const want = `FAIL  order-status-reply › wrong-reply  a fixture whose expectations are wrong on purpose
      testdata/failing/wrong-reply.json
      ✗ expect.route: the steps that ran differ from the route
          --- expected
          +++ got
           [
             "lookup",
          -  "unknown"
          +  "found",
          +  "answered"
           ]
      ✗ expect.not_ran[0]: step answered ran but should not have
          expected: (nothing)
          got:      "succeeded"
      ✗ expect.steps.lookup.attempts: step lookup made 1 attempt, want 2
          expected: 2
          got:      1
      ✗ expect.reply.status: the reply's status is 200, want 404
          expected: 404
          got:      200
      ✗ expect.reply.headers["Cache-Control"]: the reply's Cache-Control header differs
          expected: "max-age=60"
          got:      "no-store"
      ✗ expect.reply.body.items: missing
          expected: [
                      1,
                      2
                    ]
          got:      (nothing)
      ✗ expect.reply.body.status: differs
          expected: "delivered"
          got:      "shipped"
      route that ran:
        lookup    succeeded (mocked)
        found     succeeded
        answered  succeeded
      run: completed
`
	if got := b.String(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestFixtureErrorsNameFileAndPath(t *testing.T) {
	raw, err := os.ReadFile("../../../workflows/order-status-reply.json")
	if err != nil {
		t.Fatal(err)
	}
	steps, err := dryrun.IndexDefinition(raw)
	if err != nil {
		t.Fatal(err)
	}
	const ev = `"event": {"order_id": "1"}`
	tests := []struct{ name, fixture, want string }{
		{name: "unknown member", fixture: `{` + ev + `, "expected": {}}`,
			want: "expected: unknown member; allowed: description, event, event_file, event_id, event_type, expect, headers, mocks, name, received_at"},
		{name: "misspelt expectation member", fixture: `{` + ev + `, "expect": {"not_run": ["found"]}}`,
			want: "expect.not_run: unknown member; allowed: error, fields, not_ran, output, ran, reply, route, status, steps"},
		{name: "unknown member of a step expectation", fixture: `{` + ev + `, "expect": {"steps": {"found": {"outptu": {}}}}}`,
			want: "expect.steps.found.outptu: unknown member"},
		{name: "mock of an unknown step", fixture: `{` + ev + `, "mocks": {"lokup": {"output": {}}}}`,
			want: `mocks.lokup: the workflow has no step "lokup"; did you mean "lookup"?`},
		{name: "expectation of an unknown step", fixture: `{` + ev + `, "expect": {"not_ran": ["found", "nowhere"]}}`,
			want: `expect.not_ran[1]: the workflow has no step "nowhere"; its steps are answered, found, lookup, unknown`},
		{name: "mock of a step that calls nothing", fixture: `{` + ev + `, "mocks": {"found": {"output": {}}}}`,
			want: "mocks.found: step found is a respond step, which calls nothing to mock; mocks are for action, http, code, data, call_workflow steps"},
		{name: "unknown error class", fixture: `{` + ev + `, "mocks": {"lookup": {"error": {"class": "fatal"}}}}`,
			want: `mocks.lookup.error.class: "fatal": want permanent, retryable or rate_limited`},
		{name: "unknown member of a mock", fixture: `{` + ev + `, "mocks": {"lookup": {"error": {"class": "permanent", "code": 400}}}}`,
			want: "mocks.lookup.error.code: unknown member; allowed: class, message, retry_after, status"},
		{name: "empty mock", fixture: `{` + ev + `, "mocks": {"lookup": {}}}`,
			want: `mocks.lookup: give "output" (what the step returns) or "error" (how it fails)`},
		{name: "wrong type", fixture: `{` + ev + `, "expect": {"steps": {"lookup": {"attempts": "two"}}}}`,
			want: "expect.steps.lookup.attempts: want a whole number, got a JSON string"},
		{name: "no event", fixture: `{"expect": {}}`, want: "event: required"},
		{name: "event and event_file", fixture: `{` + ev + `, "event_file": "x.json"}`, want: "event_file: give the event or an event_file, not both"},
		{name: "unknown run status", fixture: `{` + ev + `, "expect": {"status": "done"}}`, want: `expect.status: expectation status "done"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "case.json")
			if err := os.WriteFile(file, []byte(tt.fixture), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := dryrun.ReadFixture(file, steps)
			if err == nil || !strings.HasPrefix(err.Error(), file+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant %s: …%s", err, file, tt.want)
			}
		})
	}
}

// Discover pairs each workflow with its tests folder and refuses a tests
// folder whose workflow is gone.
func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.json", "b.json", "tests/a/one.json", "tests/a/two.json", "tests/a/notes.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(`{}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	suites, err := dryrun.Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 2 || len(suites[0].Cases) != 2 || filepath.Base(suites[0].Cases[1]) != "two.json" || len(suites[1].Cases) != 0 {
		t.Errorf("suites = %+v", suites)
	}
	one, err := dryrun.Discover(filepath.Join(dir, "a.json"))
	if err != nil || len(one) != 1 || len(one[0].Cases) != 2 {
		t.Errorf("Discover(a.json) = %+v, %v", one, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tests", "gone"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := dryrun.Discover(dir); err == nil || !strings.Contains(err.Error(), "no workflow gone.json beside the tests folder") {
		t.Errorf("orphan tests folder: err = %v", err)
	}
}
