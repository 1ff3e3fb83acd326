package dryrun_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/services/dryrun"
)

// TestExamplesRun is the "examples are tests" rule: every workflow in
// workflows/ is dry-run with the real interpreter against its sample event
// testdata/events/NAME.json, exactly as `hookflow test -f workflows/NAME.json
// --event testdata/events/NAME.json` would, and must end as
// testdata/events/NAME.expect.json says (see dryrun.Expectation). Without
// an expect file the run must complete with no failed step. New examples
// are picked up by the glob; an example without a sample event fails.
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("../../../workflows/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no workflows found in ../../../workflows: the test runs from engine/services/dryrun")
	}
	r := runner(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if _, errs := definition.Check(raw, nil); len(errs) > 0 {
				t.Fatalf("%s is invalid: %v", file, errs)
			}
			eventFile := filepath.Join("../../../testdata/events", name+".json")
			body, err := os.ReadFile(eventFile)
			if err != nil {
				t.Fatalf("every example needs a sample event %s: %v", eventFile, err)
			}
			if !json.Valid(body) {
				t.Fatalf("%s is not valid JSON", eventFile)
			}
			var want dryrun.Expectation
			if e, err := dryrun.ReadExpectation(dryrun.ExpectationFor(eventFile)); err == nil {
				want = e
			} else if !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("%s: %v", dryrun.ExpectationFor(eventFile), err)
			}
			res, err := r.Run(context.Background(), dryrun.Request{WorkflowID: name, Definition: raw, Event: dryrun.SampleEvent(body, "")})
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			for _, p := range want.Check(res) {
				t.Error(p)
			}
			if t.Failed() {
				for _, s := range res.Steps {
					t.Logf("  %-28s %-10s in=%s out=%s %s", s.Path, s.Status, s.Input, s.Output, s.Error)
				}
			}
		})
	}
}
