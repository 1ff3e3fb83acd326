package api_test

import (
	"context"
	"encoding/json"
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

func TestWorkflows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusCreated)

		// Create: version 1, inactive, one endpoint with its full URL.
		r := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("Big payments", "stripe-live")}), http.StatusCreated)
		id := r.str("id")
		eps, _ := r.JSON["endpoints"].([]any)
		if id == "" || r.JSON["current_version"] != float64(1) || r.JSON["active"] != false || len(eps) != 1 {
			t.Fatalf("create answered %s", r.Raw)
		}
		url := eps[0].(map[string]any)["url"].(string)
		if !strings.HasPrefix(url, webhookBase) || len(url) <= len(webhookBase) {
			t.Fatalf("endpoint url %q does not start with the public base", url)
		}
		if r.Header.Get("Location") != "/api/v1/workflows/"+id {
			t.Fatalf("Location = %q", r.Header.Get("Location"))
		}

		// Validation errors carry path, message and position.
		bad := workflowDef("Broken", "stripe-nope")
		bad["steps"] = []any{map[string]any{"id": "big", "type": "filter", "if": "trigger.amount >>= 1"}}
		r = e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": bad}), http.StatusUnprocessableEntity, api.ProblemValidation)
		paths := errorPaths(r)
		if !slices.Contains(paths, "trigger.credential") || !slices.Contains(paths, "steps[0].if") {
			t.Fatalf("errors %v, want trigger.credential and steps[0].if; %s", paths, r.Raw)
		}
		for _, it := range r.JSON["errors"].([]any) {
			m := it.(map[string]any)
			if m["path"] == "steps[0].if" && m["position"] == nil {
				t.Fatalf("expression error without position: %v", m)
			}
		}
		r = e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, `{"definition": {"name": "x", "trigger": {"type": "manual"}, "stepz": []}}`), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Contains(errorPaths(r), "stepz") {
			t.Fatalf("errors %v, want the unknown field stepz", errorPaths(r))
		}
		e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, `{"definition": `), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, `{}`), http.StatusUnprocessableEntity, api.ProblemValidation)

		// Validate does not save.
		r = e.want(e.call("POST", "/api/v1/workflows/validate", store.ScopeViewer, map[string]any{"definition": bad}), http.StatusOK)
		if r.JSON["valid"] != false || len(errorPaths(r)) == 0 {
			t.Fatalf("validate answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/workflows/validate", store.ScopeViewer, map[string]any{"definition": workflowDef("ok", "stripe-live")}), http.StatusOK)
		if r.JSON["valid"] != true || !strings.HasPrefix(r.str("hash"), "sha256:") {
			t.Fatalf("validate answered %s", r.Raw)
		}
		if r.JSON["warnings"] != nil {
			t.Fatalf("validate warned about paths the Stripe sample holds: %s", r.Raw)
		}
		// A path the trigger's sample lacks is a warning, not an error.
		misspelt := workflowDef("ok", "stripe-live")
		misspelt["steps"] = []any{map[string]any{"id": "fields", "type": "map", "map": map[string]any{"cents": "trigger.data.object.amout"}}}
		r = e.want(e.call("POST", "/api/v1/workflows/validate", store.ScopeViewer, map[string]any{"definition": misspelt}), http.StatusOK)
		if ws, _ := r.JSON["warnings"].([]any); r.JSON["valid"] != true || len(ws) != 1 ||
			ws[0].(map[string]any)["path"] != "steps[0].map.cents" ||
			!strings.Contains(ws[0].(map[string]any)["message"].(string), "did you mean trigger.data.object.amount?") {
			t.Fatalf("validate answered %s, want one warning for steps[0].map.cents", r.Raw)
		}

		// Duplicate name → 409.
		e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("Big payments", "stripe-live")}), http.StatusConflict, api.ProblemConflict)

		// Update makes version 2; both versions stay readable.
		def2 := workflowDef("Big payments", "stripe-live")
		def2["steps"] = append(def2["steps"].([]any), map[string]any{"id": "stop", "type": "stop", "message": "done"})
		r = e.want(e.call("PUT", "/api/v1/workflows/"+id, store.ScopeEditor, map[string]any{"definition": def2}), http.StatusOK)
		if r.JSON["current_version"] != float64(2) {
			t.Fatalf("update answered %s", r.Raw)
		}
		if got := r.JSON["endpoints"].([]any)[0].(map[string]any)["url"]; got != url {
			t.Fatalf("the endpoint URL changed across versions: %v → %v", url, got)
		}
		r = e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 2 {
			t.Fatalf("versions %s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions/1", store.ScopeViewer, nil), http.StatusOK)
		if def, _ := json.Marshal(r.JSON["definition"]); strings.Contains(string(def), `"stop"`) {
			t.Fatalf("version 1 changed: %s", def)
		}
		e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions/9", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions/x", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("PUT", "/api/v1/workflows/"+id, store.ScopeEditor, map[string]any{"definition": bad}), http.StatusUnprocessableEntity, api.ProblemValidation)

		// Apply creates or updates by name.
		r = e.want(e.call("POST", "/api/v1/workflows/apply", store.ScopeEditor, map[string]any{"definition": workflowDef("Applied", "stripe-live")}), http.StatusCreated)
		if r.JSON["created"] != true {
			t.Fatalf("apply answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/workflows/apply", store.ScopeEditor, map[string]any{"definition": def2}), http.StatusOK)
		if r.JSON["created"] != false || r.JSON["workflow"].(map[string]any)["id"] != id {
			t.Fatalf("apply answered %s", r.Raw)
		}

		// Activate / deactivate, list filters.
		r = e.want(e.call("POST", "/api/v1/workflows/"+id+"/activate", store.ScopeEditor, nil), http.StatusOK)
		if r.JSON["active"] != true {
			t.Fatalf("activate answered %s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/workflows?active=true", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("active list %s", r.Raw)
		}
		e.want(e.call("GET", "/api/v1/workflows?active=maybe", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/workflows/wf_nope/activate", store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/deactivate", store.ScopeEditor, nil), http.StatusOK)

		// Pagination over workflows.
		for i := range 4 {
			e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef(fmt.Sprint("page ", i), "stripe-live")}), http.StatusCreated)
		}
		if ids := walkPages(e, "/api/v1/workflows", store.ScopeViewer, 2); len(ids) != 6 {
			t.Fatalf("paged %d workflows, want 6", len(ids))
		}

		// Delete is soft: 404 afterwards, versions kept.
		e.want(e.call("DELETE", "/api/v1/workflows/"+id, store.ScopeEditor, nil), http.StatusNoContent)
		e.want(e.call("GET", "/api/v1/workflows/"+id, store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("DELETE", "/api/v1/workflows/"+id, store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions/2", store.ScopeViewer, nil), http.StatusOK)

		// Schema and OpenAPI documents.
		r = e.want(e.call("GET", "/api/v1/schema/workflow.json", store.ScopeViewer, nil), http.StatusOK)
		if !strings.Contains(string(r.Raw), "2020-12") {
			t.Fatalf("schema %.200s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/openapi.json", store.ScopeViewer, nil), http.StatusOK)
		if !strings.Contains(string(r.Raw), `"openapi": "3.1`) {
			t.Fatalf("openapi %.200s", r.Raw)
		}
	})
}

func TestWorkflowTestRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("s")), http.StatusCreated)
		def := workflowDef("Tested", "s")
		def["trigger"].(map[string]any)["respond"] = "on_complete"
		def["steps"] = append(def["steps"].([]any),
			map[string]any{"id": "refund", "type": "action", "connector": "stripe", "action": "create_refund", "credential": "s",
				"input": map[string]any{"payment_intent": "{{ trigger.data.object.id }}"}},
			map[string]any{"id": "reply", "type": "respond", "status": 200, "body": map[string]any{"refund": "{{ steps.refund.id }}"}})
		wf := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": def}), http.StatusCreated)
		event := map[string]any{"id": "evt_1", "type": "payment_intent.succeeded", "data": map[string]any{"object": map[string]any{"id": "pi_1", "amount": 25000}}}

		r := e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/test", store.ScopeEditor, map[string]any{"event": event}), http.StatusOK)
		steps, _ := r.JSON["steps"].([]any)
		if r.str("status") != "completed" || len(steps) != 4 || r.JSON["live"] != false {
			t.Fatalf("test run answered %s", r.Raw)
		}
		refund := steps[2].(map[string]any)
		if refund["mocked"] != true || !strings.Contains(fmt.Sprint(refund["input"]), "pi_1") || refund["output"] == nil {
			t.Fatalf("refund step %v, want a mocked step with input and sample output", refund)
		}
		// A recorded output replaces the sample, by step id.
		r = e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/test", store.ScopeEditor, map[string]any{"event": event,
			"outputs": map[string]any{"refund": map[string]any{"id": "re_recorded"}}}), http.StatusOK)
		if !strings.Contains(string(r.Raw), "re_recorded") {
			t.Fatalf("recorded output not used: %s", r.Raw)
		}
		// Filtered by the first step.
		small := map[string]any{"data": map[string]any{"object": map[string]any{"amount": 5}}}
		r = e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/test", store.ScopeEditor, map[string]any{"event": small}), http.StatusOK)
		if r.str("status") != "filtered" {
			t.Fatalf("small payment answered %s", r.Raw)
		}
		// Unsaved definitions, validation and errors.
		e.want(e.call("POST", "/api/v1/workflows/test", store.ScopeEditor, map[string]any{"definition": def, "event": event}), http.StatusOK)
		e.want(e.call("POST", "/api/v1/workflows/test", store.ScopeEditor, map[string]any{"definition": map[string]any{"name": "x"}, "event": event}), http.StatusUnprocessableEntity, api.ProblemValidation)
		r = e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/test", store.ScopeEditor, map[string]any{}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Equal(errorPaths(r), []string{"event"}) {
			t.Fatalf("errors %v", errorPaths(r))
		}
		e.want(e.call("POST", "/api/v1/workflows/wf_x/test", store.ScopeEditor, map[string]any{"event": event}), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/test", store.ScopeViewer, map[string]any{"event": event}), http.StatusForbidden, api.ProblemForbidden)
	})
}

func TestManualRunReplayAndListen(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("s")), http.StatusCreated)
		wf := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("Run me", "s")}), http.StatusCreated)
		id := wf.str("id")
		epID := wf.JSON["endpoints"].([]any)[0].(map[string]any)["id"].(string)
		token := wf.JSON["endpoints"].([]any)[0].(map[string]any)["token"].(string)

		// Manual run goes through the inbox.
		r := e.want(e.call("POST", "/api/v1/workflows/"+id+"/run", store.ScopeEditor, map[string]any{"input": map[string]any{"amount": 1}}), http.StatusAccepted)
		if r.str("workflow_id") != id || r.str("id") == "" {
			t.Fatalf("manual run answered %s", r.Raw)
		}
		e.want(e.call("POST", "/api/v1/workflows/wf_nope/run", store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/run", store.ScopeEditor, `{"input": 1`), http.StatusUnprocessableEntity, api.ProblemValidation)

		// Listen: a signed delivery to the endpoint is returned to the listener.
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/activate", store.ScopeEditor, nil), http.StatusOK)
		done := make(chan response, 1)
		go func() {
			done <- e.call("POST", "/api/v1/endpoints/"+epID+"/listen?timeout=10s", store.ScopeEditor, nil)
		}()
		var body string
		for i := range 50 { // the listener registers asynchronously; send fresh events until it hears
			body = fmt.Sprintf(`{"id": "evt_listen_%d", "type": "payment_intent.succeeded", "data": {"object": {"amount": 20000}}}`, i)
			hook := e.post("/hooks/"+token, body, stripeSignature("whsec_test_secret_123456", body))
			if hook.Status != http.StatusAccepted {
				t.Fatalf("webhook answered %d %s", hook.Status, hook.Raw)
			}
			select {
			case r = <-done:
			case <-time.After(100 * time.Millisecond):
				continue
			}
			break
		}
		if r.Status != http.StatusOK || !strings.HasPrefix(r.str("provider_event_id"), "evt_listen_") {
			t.Fatalf("listen answered %d %s", r.Status, r.Raw)
		}
		if r.JSON["headers"].(map[string]any)["Stripe-Signature"] != "[redacted]" {
			t.Fatalf("listen leaked the signature header: %v", r.JSON["headers"])
		}
		e.want(e.call("POST", "/api/v1/endpoints/"+epID+"/listen?timeout=50ms", store.ScopeEditor, nil), http.StatusNoContent)
		e.want(e.call("POST", "/api/v1/endpoints/ep_nope/listen?timeout=50ms", store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)

		// Replay one event, then bulk replay by filter.
		orig := r.str("id")
		r = e.want(e.call("POST", "/api/v1/events/"+orig+"/replay", store.ScopeEditor, nil), http.StatusAccepted)
		if r.str("replay_of") != orig || r.str("id") == orig {
			t.Fatalf("replay answered %s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/events?replay_of="+orig, store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("replays of %s: %s", orig, r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/events/replay", store.ScopeEditor, map[string]any{"workflow_id": id, "type": "payment_intent.succeeded", "max": 10}), http.StatusAccepted)
		if r.JSON["replayed"].(float64) < 1 || r.JSON["failed"] != float64(0) {
			t.Fatalf("bulk replay answered %s", r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/events/replay", store.ScopeEditor, map[string]any{}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Equal(errorPaths(r), []string{"filter"}) {
			t.Fatalf("errors %v", errorPaths(r))
		}
		e.want(e.call("POST", "/api/v1/events/replay", store.ScopeEditor, map[string]any{"workflow_id": id, "since": "soon"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/events/replay", store.ScopeViewer, map[string]any{"workflow_id": id}), http.StatusForbidden, api.ProblemForbidden)

		// A rejected delivery cannot be replayed: 409.
		bad := e.post("/hooks/"+token, body, "t=1,v1=00")
		if bad.Status != http.StatusUnauthorized {
			t.Fatalf("forged webhook answered %d", bad.Status)
		}
		r = e.want(e.call("GET", "/api/v1/events?status=rejected&workflow_id="+id, store.ScopeViewer, nil), http.StatusOK)
		rejected := r.items()[0].(map[string]any)["id"].(string)
		e.want(e.call("POST", "/api/v1/events/"+rejected+"/replay", store.ScopeEditor, nil), http.StatusConflict, api.ProblemConflict)
	})
}

func TestCredentials(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusCreated)
		id := r.str("id")
		if strings.Contains(string(r.Raw), "whsec_test_secret_123456") || strings.Contains(string(r.Raw), "sk_test_abcdefghijklmnop") {
			t.Fatalf("create leaks a secret: %s", r.Raw)
		}
		hint := r.JSON["hint"].(map[string]any)
		if hint["secret_key"] != "sk_test_…mnop" {
			t.Fatalf("hint %v", hint)
		}
		// The stored ciphertext decrypts to the values.
		c, err := st.GetCredential(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := e.svc.Keyring.Decrypt(c.Ciphertext)
		if err != nil || !strings.Contains(string(plain), "whsec_test_secret_123456") {
			t.Fatalf("decrypting the stored credential: %v %s", err, plain)
		}

		// Validation against the connector's spec.
		r = e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, map[string]any{"name": "bad", "connector": "stripe",
			"values": map[string]any{"secret_key": "pk_live_123", "webhok_secret": "x"}}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if p := errorPaths(r); !slices.Contains(p, "values.secret_key") || !slices.Contains(p, "values.webhok_secret") {
			t.Fatalf("errors %v; %s", p, r.Raw)
		}
		r = e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, map[string]any{"name": "bad", "connector": "stripey"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if !slices.Equal(errorPaths(r), []string{"connector"}) {
			t.Fatalf("errors %v", errorPaths(r))
		}
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, map[string]any{"connector": "stripe"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusConflict, api.ProblemConflict)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeViewer, stripeCredential("other")), http.StatusForbidden, api.ProblemForbidden)

		// Get by id or by name; update merges one value.
		e.want(e.call("GET", "/api/v1/credentials/stripe-live", store.ScopeViewer, nil), http.StatusOK)
		e.want(e.call("GET", "/api/v1/credentials/cred_nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		r = e.want(e.call("PATCH", "/api/v1/credentials/"+id, store.ScopeEditor, map[string]any{"values": map[string]any{"secret_key": "sk_live_zzzzzzzzzzzz9999"}}), http.StatusOK)
		if r.JSON["hint"].(map[string]any)["secret_key"] != "sk_live_…9999" || r.JSON["hint"].(map[string]any)["webhook_secret"] == nil {
			t.Fatalf("update answered %s", r.Raw)
		}
		e.want(e.call("PATCH", "/api/v1/credentials/"+id, store.ScopeEditor, map[string]any{"connector": "slack"}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("PATCH", "/api/v1/credentials/"+id, store.ScopeEditor, map[string]any{"values": map[string]any{"secret_key": "nope"}}), http.StatusUnprocessableEntity, api.ProblemValidation)

		// Deleting a credential an active workflow uses → 409 naming it.
		wf := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("Uses it", "stripe-live")}), http.StatusCreated)
		e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/activate", store.ScopeEditor, nil), http.StatusOK)
		r = e.want(e.call("DELETE", "/api/v1/credentials/"+id, store.ScopeEditor, nil), http.StatusConflict, api.ProblemInUse)
		wfs, _ := r.JSON["workflows"].([]any)
		if len(wfs) != 1 || wfs[0].(map[string]any)["name"] != "Uses it" || !strings.Contains(r.str("detail"), "Uses it") {
			t.Fatalf("409 does not name the workflow: %s", r.Raw)
		}
		e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/deactivate", store.ScopeEditor, nil), http.StatusOK)
		e.want(e.call("DELETE", "/api/v1/credentials/"+id, store.ScopeEditor, nil), http.StatusNoContent)
		e.want(e.call("DELETE", "/api/v1/credentials/"+id, store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
		// Activating a workflow whose credential is gone fails validation.
		e.want(e.call("POST", "/api/v1/workflows/"+wf.str("id")+"/activate", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)

		for i := range 5 {
			e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential(fmt.Sprint("c", i))), http.StatusCreated)
		}
		if ids := walkPages(e, "/api/v1/credentials", store.ScopeViewer, 2); len(ids) != 5 {
			t.Fatalf("paged %d credentials, want 5", len(ids))
		}
	})
}

func TestEndpoints(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("s")), http.StatusCreated)
		wf := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("W", "s")}), http.StatusCreated)
		r := e.want(e.call("GET", "/api/v1/workflows/"+wf.str("id")+"/endpoints", store.ScopeViewer, nil), http.StatusOK)
		ep := r.items()[0].(map[string]any)
		id, url := ep["id"].(string), ep["url"].(string)

		r = e.want(e.call("POST", "/api/v1/endpoints/"+id+"/rotate", store.ScopeEditor, nil), http.StatusOK)
		if r.str("url") == url || !strings.HasPrefix(r.str("url"), webhookBase) {
			t.Fatalf("rotate kept the URL: %s", r.Raw)
		}
		r = e.want(e.call("PATCH", "/api/v1/endpoints/"+id, store.ScopeEditor, map[string]any{"rate_limit": 5, "rate_burst": 10,
			"ip_allowlist": []string{"203.0.113.0/24", "198.51.100.7"}}), http.StatusOK)
		if r.JSON["rate_limit"] != float64(5) || fmt.Sprint(r.JSON["ip_allowlist"]) != "[203.0.113.0/24 198.51.100.7/32]" {
			t.Fatalf("patch answered %s", r.Raw)
		}
		r = e.want(e.call("PATCH", "/api/v1/endpoints/"+id, store.ScopeEditor, map[string]any{"rate_limit": -1, "ip_allowlist": []string{"nope"}}), http.StatusUnprocessableEntity, api.ProblemValidation)
		if p := errorPaths(r); !slices.Equal(p, []string{"rate_limit", "ip_allowlist[0]"}) {
			t.Fatalf("errors %v", p)
		}
		r = e.want(e.call("POST", "/api/v1/endpoints/"+id+"/disable", store.ScopeEditor, nil), http.StatusOK)
		if r.JSON["enabled"] != false {
			t.Fatalf("disable answered %s", r.Raw)
		}
		e.want(e.call("POST", "/api/v1/endpoints/"+id+"/enable", store.ScopeEditor, nil), http.StatusOK)
		e.want(e.call("POST", "/api/v1/endpoints/"+id+"/enable", store.ScopeViewer, nil), http.StatusForbidden, api.ProblemForbidden)
		e.want(e.call("GET", "/api/v1/endpoints/ep_nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/endpoints/"+id+"/listen?timeout=forever", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
	})
}

// seedEvents inserts n events of a workflow straight into the inbox, as
// the triggers pipeline would.
func seedEvents(t *testing.T, st *store.Store, workflowID string, n int) []string {
	t.Helper()
	var evs []*store.Event
	base := time.Now().Add(-time.Hour)
	for i := range n {
		evs = append(evs, &store.Event{WorkflowID: workflowID, Connector: "stripe", ProviderEventID: fmt.Sprint("evt_p", i),
			EventType: "payment_intent.succeeded", ReceivedAt: base.Add(time.Duration(i) * time.Second),
			Headers: map[string]string{"Stripe-Signature": "t=1,v1=abc", "Content-Type": "application/json", "Authorization": "Bearer x"},
			Body:    []byte(fmt.Sprintf(`{"id": "evt_p%d", "data": {"object": {"amount": %d}}}`, i, 1000*i)), Verification: store.VerificationOK})
	}
	res, err := st.InsertEvents(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return ids
}

func TestEventsAndRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		ids := seedEvents(t, st, "wf_a", 5)
		seedEvents(t, st, "wf_b", 2)

		r := e.want(e.call("GET", "/api/v1/events?workflow_id=wf_a", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 5 {
			t.Fatalf("filter by workflow: %d events", len(r.items()))
		}
		r = e.want(e.call("GET", "/api/v1/events?provider_event_id=evt_p3&workflow_id=wf_a", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("filter by provider id: %s", r.Raw)
		}
		since := time.Now().Add(-time.Hour).Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
		r = e.want(e.call("GET", "/api/v1/events?workflow_id=wf_a&since="+since, store.ScopeViewer, nil), http.StatusOK)
		if n := len(r.items()); n < 1 || n > 2 {
			t.Fatalf("filter by time: %d events", n)
		}
		e.want(e.call("GET", "/api/v1/events?status=bogus", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("GET", "/api/v1/events?since=yesterday", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		if got := walkPages(e, "/api/v1/events", store.ScopeViewer, 3); len(got) != 7 {
			t.Fatalf("paged %d events, want 7", len(got))
		}

		r = e.want(e.call("GET", "/api/v1/events/"+ids[2], store.ScopeViewer, nil), http.StatusOK)
		h := r.JSON["headers"].(map[string]any)
		if h["Stripe-Signature"] != "[redacted]" || h["Authorization"] != "[redacted]" || h["Content-Type"] != "application/json" {
			t.Fatalf("headers not redacted: %v", h)
		}
		if body, _ := r.JSON["body"].(map[string]any); body["id"] != "evt_p2" {
			t.Fatalf("body %v", r.JSON["body"])
		}
		e.want(e.call("GET", "/api/v1/events/evt_nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/events/evt_nope/replay", store.ScopeEditor, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/events/"+ids[0]+"/replay", store.ScopeViewer, nil), http.StatusForbidden, api.ProblemForbidden)

		// Runs: filters, detail from the store, cancel/retry conflicts.
		started := time.Now().Add(-time.Minute).UTC()
		ended := started.Add(time.Second)
		steps := `[{"path":"big","id":"big","type":"filter","status":"succeeded","output":{"passed":true},"started_at":"2024-05-01T10:00:00Z"}]`
		for i := range 4 {
			run := store.Run{ID: fmt.Sprint("hookflow-run/ep_1/run-", i), WorkflowID: "wf_a", WorkflowVersion: 1, EventID: ids[i], Status: store.RunCompleted,
				StartedAt: started.Add(time.Duration(i) * time.Second), EndedAt: &ended, Steps: json.RawMessage(steps)}
			if i == 3 {
				run.Status, run.EndedAt = store.RunRunning, nil
			}
			if err := st.UpsertRun(ctx, run); err != nil {
				t.Fatal(err)
			}
		}
		r = e.want(e.call("GET", "/api/v1/runs?status=completed&workflow_id=wf_a", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 3 {
			t.Fatalf("runs filter: %s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/runs?event_id="+ids[1], store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("runs by event: %s", r.Raw)
		}
		if got := walkPages(e, "/api/v1/runs", store.ScopeViewer, 3); len(got) != 4 {
			t.Fatalf("paged %d runs", len(got))
		}
		e.want(e.call("GET", "/api/v1/runs?status=nope", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		r = e.want(e.call("GET", "/api/v1/runs/hookflow-run%2Fep_1%2Frun-0", store.ScopeViewer, nil), http.StatusOK)
		if st := r.JSON["steps"].([]any); len(st) != 1 || r.JSON["live"] != false {
			t.Fatalf("run detail %s", r.Raw)
		}
		e.want(e.call("GET", "/api/v1/runs/hookflow-run%2Fep_1%2Frun-nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Frun-0/cancel", store.ScopeEditor, nil), http.StatusConflict, api.ProblemConflict)
		e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Frun-3/retry", store.ScopeEditor, nil), http.StatusConflict, api.ProblemConflict)
		e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Frun-0/retry", store.ScopeEditor, map[string]any{"version": -1}), http.StatusUnprocessableEntity, api.ProblemValidation)
		e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Frun-0/retry", store.ScopeViewer, nil), http.StatusForbidden, api.ProblemForbidden)
	})
}

func TestDeliveriesAndConnectors(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		for i := range 3 {
			d, err := st.CreateDelivery(ctx, store.Delivery{Destination: "https://example.com/hook", WorkflowID: "wf_a", RunID: "run-1",
				StepID: fmt.Sprint("s", i), Payload: []byte(`{"input": {"url": "https://example.com/hook"}}`)})
			if err != nil {
				t.Fatal(err)
			}
			status := store.DeliverySucceeded
			if i == 2 {
				status = store.DeliveryDead
			}
			if _, err := st.RecordDeliveryAttempt(ctx, d.ID, store.DeliveryAttempt{Status: status, HTTPStatus: 500, Error: "boom", Latency: time.Millisecond}); err != nil {
				t.Fatal(err)
			}
		}
		r := e.want(e.call("GET", "/api/v1/deliveries?status=dead", store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("dead letters: %s", r.Raw)
		}
		dead := r.items()[0].(map[string]any)["id"].(string)
		r = e.want(e.call("GET", "/api/v1/deliveries/"+dead, store.ScopeViewer, nil), http.StatusOK)
		if p, _ := r.JSON["payload"].(map[string]any); p["input"] == nil {
			t.Fatalf("delivery payload %s", r.Raw)
		}
		e.want(e.call("GET", "/api/v1/deliveries/dlv_nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
		e.want(e.call("GET", "/api/v1/deliveries?status=lost", store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		if got := walkPages(e, "/api/v1/deliveries", store.ScopeViewer, 2); len(got) != 3 {
			t.Fatalf("paged %d deliveries", len(got))
		}
		ok := r.JSON
		_ = ok
		r = e.want(e.call("GET", "/api/v1/deliveries/health", store.ScopeViewer, nil), http.StatusOK)
		h := r.items()[0].(map[string]any)
		if h["destination"] != "https://example.com/hook" || h["deliveries"] != float64(3) || h["dead"] != float64(1) {
			t.Fatalf("health %s", r.Raw)
		}
		succeeded := walkPages(e, "/api/v1/deliveries?status=succeeded", store.ScopeViewer, 5)[0]
		e.want(e.call("POST", "/api/v1/deliveries/"+succeeded+"/retry", store.ScopeEditor, nil), http.StatusConflict, api.ProblemConflict)
		e.want(e.call("POST", "/api/v1/deliveries/"+dead+"/retry", store.ScopeViewer, nil), http.StatusForbidden, api.ProblemForbidden)

		r = e.want(e.call("GET", "/api/v1/connectors", store.ScopeViewer, nil), http.StatusOK)
		if !strings.Contains(string(r.Raw), `"setup"`) || !strings.Contains(string(r.Raw), `"stripe"`) {
			t.Fatalf("catalog %.300s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/connectors/stripe", store.ScopeViewer, nil), http.StatusOK)
		if r.str("name") != "stripe" || r.JSON["triggers"].([]any)[0].(map[string]any)["setup"] == "" {
			t.Fatalf("connector %s", r.Raw)
		}
		e.want(e.call("GET", "/api/v1/connectors/nope", store.ScopeViewer, nil), http.StatusNotFound, api.ProblemNotFound)
	})
}

// Issue 11: POST /workflows/test with a definition whose expression used
// to crash or hang the server answers with the step's budget error.
func TestDryRunOfHostileDefinitions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		tests := []struct {
			name, expr, want string
		}{
			{name: "reference cycle", expr: "{{ steps }}", want: "completed"},
			{name: "allocation bomb", expr: `{{ len(repeat(repeat("x", 999999), 999999)) }}`, want: "result larger than 1 MiB"},
			// It allocates as it spins: whichever bound it meets first stops it.
			{name: "CPU bomb", expr: `{{ len(reduce(1..400000, upper(steps.s1.v), "")) }}`, want: "expression builds more than 4 MiB of text|expression exceeded 50ms"},
			{name: "CPU bomb that allocates nothing", expr: `{{ len(filter(1..400000, indexOf(steps.s1.v, "z") >= 0)) }}`, want: "expression exceeded 50ms"},
		}
		for _, tt := range tests {
			def := map[string]any{"name": "hostile", "trigger": map[string]any{"type": "manual"}, "steps": []any{
				map[string]any{"id": "s1", "type": "map", "map": map[string]any{"v": `{{ repeat("v", 10000) }}`}},
				map[string]any{"id": "bomb", "type": "map", "map": map[string]any{"all": tt.expr}},
			}}
			r := e.want(e.call("POST", "/api/v1/workflows/test", store.ScopeEditor, map[string]any{"definition": def, "event": map[string]any{}}), http.StatusOK)
			if tt.want == "completed" {
				if r.str("status") != "completed" {
					t.Errorf("%s: answered %.300s", tt.name, r.Raw)
				}
				continue
			}
			if r.str("status") != "failed" || !slices.ContainsFunc(strings.Split(tt.want, "|"), func(w string) bool { return strings.Contains(string(r.Raw), w) }) {
				t.Errorf("%s: answered %.300s, want a failed run with %q", tt.name, r.Raw, tt.want)
			}
		}
	})
}

// Checking, previewing and testing a definition change nothing, so they
// leave the ingest's route and version caches alone; saving a workflow
// empties them.
func TestOnlyChangesEmptyTheCaches(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		var changed int
		e := newEnv(t, st, func(c *api.Config) {
			inner := c.Changed
			c.Changed = func() { changed++; inner() }
		})
		def := map[string]any{"name": "quiet", "trigger": map[string]any{"type": "manual"}, "steps": []any{
			map[string]any{"id": "s1", "type": "map", "map": map[string]any{"v": "{{ 1 + 1 }}"}},
		}}
		e.want(e.call("POST", "/api/v1/workflows/validate", store.ScopeEditor, map[string]any{"definition": def}), http.StatusOK)
		e.want(e.call("POST", "/api/v1/workflows/test", store.ScopeEditor, map[string]any{"definition": def, "event": map[string]any{}}), http.StatusOK)
		e.want(e.call("POST", "/api/v1/preview", store.ScopeEditor, map[string]any{"kind": "template", "source": "{{ 1 + 1 }}"}), http.StatusOK)
		if changed != 0 {
			t.Fatalf("validate, test and preview emptied the caches %d times; want none", changed)
		}
		e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": def}), http.StatusCreated)
		if changed != 1 {
			t.Fatalf("saving a workflow emptied the caches %d times; want once", changed)
		}
	})
}
