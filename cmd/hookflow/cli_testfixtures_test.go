package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The journey of `hookflow test -f DIR`: every fixture shipped under
// workflows/tests passes, one line per case and a summary; exit 0.
func TestTestCommandRunsShippedFixtures(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"test", "-f", filepath.Join("..", "..", "workflows")}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"PASS  paypal-refund-slack › refund-refused-goes-to-escalate  PayPal refuses the refund: goto escalate hands it to a human\n",
		"PASS  stripe-big-payment-hubspot-slack › slack-down  Slack refuses the message: on_error continue keeps the run going\n",
		"PASS  stripe-big-payment-hubspot-slack › small-payment  a 50 USD payment stops quietly at the filter\n",
		"PASS  order-status-reply › unknown-order  an unknown order gets a friendly 404, and the run does not fail\n",
		", 0 failed\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout misses %q:\n%s", want, out.String())
		}
	}
}

// testDir copies an example workflow into a fresh folder with the given
// fixtures in tests/NAME/.
func testDir(t *testing.T, example string, fixtures map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("..", "..", "workflows", example+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, example+".json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := filepath.Join(dir, "tests", example)
	if err := os.MkdirAll(tests, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range fixtures {
		if err := os.WriteFile(filepath.Join(tests, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A failing case exits 1 and prints what was expected, what happened
// and the route that ran; a broken fixture is reported with its file and
// JSON path; -f FILE runs one workflow's tests folder.
func TestTestCommandReportsFailingFixtures(t *testing.T) {
	dir := testDir(t, "order-status-reply", map[string]string{
		"a-good.json": `{"event": {"order_id": "1"}, "mocks": {"lookup": {"error": {"class": "permanent", "status": 404}}},
		                 "expect": {"reply": {"status": 404}}}`,
		"b-bad.json": `{"name": "expects the wrong reply", "event": {"order_id": "1"},
		                "mocks": {"lookup": {"error": {"class": "permanent", "status": 404}}},
		                "expect": {"reply": {"status": 200, "body": {"error": "nope"}}}}`,
		"c-broken.json": `{"event": {"order_id": "1"}, "mocks": {"lookups": {"output": {}}}}`,
	})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"test", "-f", dir}, &out, &errb); code != exitUser {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUser, out.String(), errb.String())
	}
	for _, want := range []string{
		"PASS  order-status-reply › a-good\n",
		"FAIL  order-status-reply › b-bad  expects the wrong reply\n",
		"      ✗ expect.reply.status: the reply's status is 404, want 200\n          expected: 200\n          got:      404\n",
		"      ✗ expect.reply.body.error: differs\n          expected: \"nope\"\n          got:      \"We could not find order 1. Please check the number in your confirmation email.\"\n",
		"      route that ran:\n        lookup   continued (mocked): permanent (HTTP 404): mocked failure\n        unknown  succeeded\n      run: completed\n",
		"ERROR order-status-reply › c-broken\n",
		`c-broken.json: mocks.lookups: the workflow has no step "lookups"; did you mean "lookup"?`,
		"1 workflow, 3 cases: 1 passed, 2 failed\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout misses %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if code := run(context.Background(), []string{"test", "-f", filepath.Join(dir, "order-status-reply.json"), "-o", "json"}, &out, &errb); code != exitUser {
		t.Fatalf("-f FILE -o json: exit %d\n%s", code, out.String())
	}
	var doc struct {
		Passed    bool `json:"passed"`
		Workflows []struct {
			Cases []struct {
				Name     string            `json:"name"`
				Error    string            `json:"error"`
				Failures []json.RawMessage `json:"failures"`
			} `json:"cases"`
		} `json:"workflows"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("-o json: %v\n%s", err, out.String())
	}
	if doc.Passed || len(doc.Workflows) != 1 || len(doc.Workflows[0].Cases) != 3 || len(doc.Workflows[0].Cases[1].Failures) != 2 || doc.Workflows[0].Cases[2].Error == "" {
		t.Errorf("-o json: %s", out.String())
	}
}

func TestTestCommandNeedsFixtures(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("..", "..", "workflows", "hello-slack.json"))
	if err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(dir, "hello-slack.json")
	if err := os.WriteFile(wf, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"test", "-f", wf}, &out, &errb); code != exitUser ||
		!strings.Contains(errb.String(), "no test fixtures found: put one JSON file per case in "+filepath.Join(dir, "tests", "hello-slack")) {
		t.Errorf("exit %d\nstderr: %s", code, errb.String())
	}
	if err := os.MkdirAll(filepath.Join(dir, "tests", "renamed"), 0o755); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"test", "-f", dir}, &out, &errb); code != exitUser ||
		!strings.Contains(errb.String(), "no workflow renamed.json beside the tests folder") {
		t.Errorf("orphan tests folder: exit %d\nstderr: %s", code, errb.String())
	}
}
