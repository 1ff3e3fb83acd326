package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// A draft without steps is saved with "draft": true, has its webhook URL
// and listen mode at once, never runs an event, keeps its sample, and the
// activate route lists what is missing until the draft is complete.
func TestDraftWorkflows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusCreated)
		def := map[string]any{"name": "Draft payments",
			"trigger": map[string]any{"type": "webhook", "connector": "stripe", "credential": "stripe-live"}}

		// Without the flag the old contract holds: an empty flow is refused.
		r := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": def}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Contains(errorPaths(r), "steps") {
			t.Fatalf("errors %v, want steps", errorPaths(r))
		}
		sample := `{"id": "evt_catalog", "type": "payment_intent.succeeded", "data": {"object": {"amount": 500}}}`
		r = e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor,
			fmt.Sprintf(`{"definition": {"name": "Draft payments", "trigger": {"type": "webhook", "connector": "stripe", "credential": "stripe-live"}}, "draft": true, "sample": %s}`, sample)),
			http.StatusCreated)
		id := r.str("id")
		if r.JSON["draft"] != true || r.JSON["active"] != false {
			t.Fatalf("draft create answered %s", r.Raw)
		}
		missing, _ := r.JSON["missing"].([]any)
		if len(missing) == 0 || missing[0].(map[string]any)["path"] != "steps" {
			t.Fatalf("missing = %v, want steps first", missing)
		}
		if s, _ := r.JSON["sample"].(map[string]any); s["id"] != "evt_catalog" {
			t.Fatalf("sample = %v, want the catalog sample kept", r.JSON["sample"])
		}
		ep := r.JSON["endpoints"].([]any)[0].(map[string]any)
		token, epID := strings.TrimPrefix(ep["url"].(string), webhookBase), ep["id"].(string)

		// Listen mode works on the draft; the event is logged and ignored.
		done := make(chan response, 1)
		go func() {
			done <- e.call("POST", "/api/v1/endpoints/"+epID+"/listen?timeout=10s", store.ScopeEditor, nil)
		}()
		var heard response
		for i := range 50 {
			body := fmt.Sprintf(`{"id": "evt_draft_%d", "type": "payment_intent.succeeded", "data": {"object": {"amount": 20000}}}`, i)
			hook := e.post("/hooks/"+token, body, stripeSignature("whsec_test_secret_123456", body))
			if hook.Status != http.StatusAccepted || !strings.Contains(string(hook.Raw), `"ignored"`) {
				t.Fatalf("webhook to a draft answered %d %s, want 202 ignored", hook.Status, hook.Raw)
			}
			select {
			case heard = <-done:
			case <-time.After(100 * time.Millisecond):
				continue
			}
			break
		}
		if heard.Status != http.StatusOK || !strings.HasPrefix(heard.str("provider_event_id"), "evt_draft_") {
			t.Fatalf("listen on a draft answered %d %s", heard.Status, heard.Raw)
		}
		if heard.str("status") != "ignored" {
			t.Fatalf("a draft's event has status %q, want ignored (a draft never runs)", heard.str("status"))
		}

		// Activation lists what is missing, each at its field.
		r = e.want(e.call("POST", "/api/v1/workflows/"+id+"/activate", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !strings.Contains(string(r.Raw), "the workflow cannot be activated") || !slices.Contains(errorPaths(r), "steps") {
			t.Fatalf("activate answered %s", r.Raw)
		}

		// An unfinished step is kept as a draft; the URL stays.
		def["steps"] = []any{map[string]any{"id": "big", "type": "filter"}}
		r = e.want(e.call("PUT", "/api/v1/workflows/"+id, store.ScopeEditor, map[string]any{"definition": def, "draft": true}), http.StatusOK)
		if r.JSON["draft"] != true || r.JSON["current_version"] != float64(2) || !strings.HasSuffix(r.JSON["endpoints"].([]any)[0].(map[string]any)["url"].(string), token) {
			t.Fatalf("draft update answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/workflows/"+id+"/activate", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Contains(errorPaths(r), "steps[0].if") {
			t.Fatalf("activate errors %v, want steps[0].if", errorPaths(r))
		}

		// Complete: it saves without the flag, is no longer a draft, activates.
		def["steps"] = []any{map[string]any{"id": "big", "type": "filter", "if": "trigger.data.object.amount >= 10000"}}
		r = e.want(e.call("PUT", "/api/v1/workflows/"+id, store.ScopeEditor, map[string]any{"definition": def}), http.StatusOK)
		if r.JSON["draft"] != false || r.JSON["missing"] != nil {
			t.Fatalf("complete update answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/workflows/"+id+"/activate", store.ScopeEditor, nil), http.StatusOK)
		if r.JSON["active"] != true {
			t.Fatalf("activate answered %s", r.Raw)
		}
		// The list shows drafts too, flagged.
		r = e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, `{"definition": {"name": "Empty", "trigger": {"type": "manual"}}, "draft": true}`), http.StatusCreated)
		// A draft never runs, not even by hand.
		r = e.want(e.call("POST", "/api/v1/workflows/"+r.str("id")+"/run", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !strings.Contains(string(r.Raw), "is a draft") || !slices.Contains(errorPaths(r), "steps") {
			t.Fatalf("running a draft answered %s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/workflows?active=false", store.ScopeViewer, nil), http.StatusOK)
		items := r.items()
		if len(items) != 1 || items[0].(map[string]any)["draft"] != true {
			t.Fatalf("inactive list = %s", r.Raw)
		}
	})
}
