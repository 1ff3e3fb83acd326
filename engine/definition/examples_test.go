package definition

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors/all"
)

// exampleFiles returns every workflow in the repository's workflows/.
func exampleFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../../workflows/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("want at least 6 example workflows, found %d", len(files))
	}
	return files
}

// TestExampleWorkflows validates every file in workflows/: structure and
// expressions offline, then again against the built-in connector catalog
// (connectors/all), so a wrong action or input name fails here.
func TestExampleWorkflows(t *testing.T) {
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatalf("building registry: %v", err)
	}
	env := RegistryEnv{Registry: reg}
	for _, file := range exampleFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			def, errs := Check(data, nil)
			for _, e := range errs {
				t.Errorf("offline: %v", e)
			}
			if def == nil {
				return
			}
			for _, e := range Validate(def, env) {
				t.Errorf("with catalog: %v", e)
			}
			event := filepath.Join("../../testdata/events", strings.TrimSuffix(filepath.Base(file), ".json")+".json")
			raw, err := os.ReadFile(event)
			if err != nil {
				t.Fatalf("every example needs a sample event: %v", err)
			}
			if !json.Valid(raw) {
				t.Fatalf("%s is not valid JSON", event)
			}
		})
	}
}
