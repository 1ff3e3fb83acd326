package interpreter

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/connectors/all"
)

// e2eSecret is the credential value cmd/hookflow/e2e uses when it records the
// histories in testdata/.
const e2eSecret = "sk_live_e2e_7Yq2Lr9Xw4_DO_NOT_LEAK"

// TestReplayRecordedHistories replays every history recorded from real
// runs (HOOKFLOW_RECORD_HISTORIES=1 go test ./cmd/hookflow/e2e/ writes them). A
// change to the interpreter that is not guarded by workflow.GetVersion
// makes a replay fail with a non-determinism error.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/: record them with HOOKFLOW_RECORD_HISTORIES=1 go test ./cmd/hookflow/e2e/")
	}
	// The replayer holds the connectors every worker holds: workflow code
	// asks them which actions deliver durably.
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			RegisterWorkflows(r, reg)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
	}
}

// TestRecordedHistoriesHoldNoSecret decodes every payload of the recorded
// histories and proves the credential used by their runs is not there,
// while what the runs did is.
func TestRecordedHistoriesHoldNoSecret(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		text := string(raw) + decodedPayloads(doc)
		if strings.Contains(text, e2eSecret) {
			t.Errorf("%s: the credential secret is in the history", f)
		}
		if !strings.Contains(text, "sink-live") && !strings.Contains(text, `"credential"`) {
			t.Errorf("%s: no decoded payload names a credential; the check would miss a leak", f)
		}
	}
}

func decodedPayloads(v any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "data" {
					if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
						b.WriteByte('\n')
						b.Write(dec)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
