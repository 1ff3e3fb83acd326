package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// The test routes take mocks (a failure goes through on_error) and an
// expectation, and answer whether the run met it, with each failure's
// path, expected and actual value. A mock or expectation naming a step
// the workflow lacks is refused with its JSON path.
func TestWorkflowTestExpectations(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("s")), http.StatusCreated)
		def := workflowDef("Refunds", "s")
		def["trigger"].(map[string]any)["respond"] = "on_complete"
		def["steps"] = append(def["steps"].([]any),
			map[string]any{"id": "refund", "type": "action", "connector": "stripe", "action": "create_refund", "credential": "s",
				"input": map[string]any{"payment_intent": "{{ trigger.data.object.id }}"}, "on_error": "goto:sorry"},
			map[string]any{"id": "reply", "type": "respond", "status": 200, "body": map[string]any{"refund": "{{ steps.refund.id }}"}},
			map[string]any{"id": "done", "type": "stop"},
			map[string]any{"id": "sorry", "type": "respond", "status": 409, "body": map[string]any{"error": "no refund"}})
		wf := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": def}), http.StatusCreated)
		url := "/api/v1/workflows/" + wf.str("id") + "/test"
		event := map[string]any{"id": "evt_1", "type": "payment_intent.succeeded", "data": map[string]any{"object": map[string]any{"id": "pi_1", "amount": 25000}}}
		mocks := map[string]any{"refund": map[string]any{"error": map[string]any{"class": "permanent", "status": 400, "message": "charge_already_refunded"}}}

		met := map[string]any{"status": "completed", "route": []string{"big", "fields", "refund", "sorry"}, "not_ran": []string{"reply", "done"},
			"steps": map[string]any{"refund": map[string]any{"status": "continued", "error": "charge_already_refunded"}},
			"reply": map[string]any{"status": 409, "body": map[string]any{"error": "no refund"}}}
		r := e.want(e.call("POST", url, store.ScopeEditor, map[string]any{"event": event, "mocks": mocks, "expect": met}), http.StatusOK)
		ex, _ := r.JSON["expectations"].(map[string]any)
		if ex["passed"] != true || len(ex["failures"].([]any)) != 0 || r.str("status") != "completed" {
			t.Fatalf("expectations met answered %s", r.Raw)
		}

		unmet := map[string]any{"reply": map[string]any{"status": 200}}
		r = e.want(e.call("POST", "/api/v1/workflows/test", store.ScopeEditor, map[string]any{"definition": def, "event": event, "mocks": mocks, "expect": unmet}), http.StatusOK)
		ex, _ = r.JSON["expectations"].(map[string]any)
		fails, _ := ex["failures"].([]any)
		if ex["passed"] != false || len(fails) != 1 {
			t.Fatalf("unmet expectation answered %s", r.Raw)
		}
		f := fails[0].(map[string]any)
		if f["path"] != "expect.reply.status" || f["expected"] != float64(200) || f["got"] != float64(409) || !strings.Contains(f["message"].(string), "409") {
			t.Fatalf("failure %v", f)
		}

		// Without expect, the answer is the dry run alone.
		r = e.want(e.call("POST", url, store.ScopeEditor, map[string]any{"event": event}), http.StatusOK)
		if _, ok := r.JSON["expectations"]; ok {
			t.Fatalf("expectations without expect: %s", r.Raw)
		}

		for _, tt := range []struct {
			name string
			body map[string]any
			path string
		}{
			{"mock of an unknown step", map[string]any{"event": event, "mocks": map[string]any{"refnd": map[string]any{"output": map[string]any{}}}}, "mocks.refnd"},
			{"unknown error class", map[string]any{"event": event, "mocks": map[string]any{"refund": map[string]any{"error": map[string]any{"class": "fatal"}}}}, "mocks.refund.error.class"},
			{"expectation of an unknown step", map[string]any{"event": event, "expect": map[string]any{"not_ran": []string{"nope"}}}, "expect.not_ran[0]"},
			{"misspelt expectation member", map[string]any{"event": event, "expect": map[string]any{"not_run": []string{"done"}}}, "expect.not_run"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := e.want(e.call("POST", url, store.ScopeEditor, tt.body), http.StatusUnprocessableEntity, api.ProblemValidation)
				if !slices.Equal(errorPaths(r), []string{tt.path}) {
					t.Errorf("error paths %v, want [%s]: %s", errorPaths(r), tt.path, r.Raw)
				}
			})
		}
	})
}
