package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
	"github.com/hookflow/hookflow/triggers"
)

// Restoring version 1 saves it as a new version: the history keeps every
// version, the current definition equals version 1 again, and restoring
// what is already current adds nothing.
func TestRestoreVersion(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusCreated)
		v1 := workflowDef("Restore me", "stripe-live")
		id := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": v1}), http.StatusCreated).str("id")
		v2 := workflowDef("Restore me", "stripe-live")
		v2["steps"].([]any)[0].(map[string]any)["if"] = "trigger.data.object.amount >= 500"
		e.want(e.call("PUT", "/api/v1/workflows/"+id, store.ScopeEditor, map[string]any{"definition": v2}), http.StatusOK)
		hash1 := e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions/1", store.ScopeViewer, nil), http.StatusOK).str("hash")

		// A viewer may not restore.
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/versions/1/restore", store.ScopeViewer, nil), http.StatusForbidden)
		r := e.want(e.call("POST", "/api/v1/workflows/"+id+"/versions/1/restore", store.ScopeEditor, nil), http.StatusOK)
		if r.JSON["current_version"] != float64(3) || r.str("hash") != hash1 {
			t.Fatalf("restore answered version %v hash %v, want version 3 with version 1's hash %s", r.JSON["current_version"], r.JSON["hash"], hash1)
		}
		if cond := r.JSON["definition"].(map[string]any)["steps"].([]any)[0].(map[string]any)["if"]; cond != "trigger.data.object.amount >= 10000" {
			t.Fatalf("restored filter = %v", cond)
		}
		list := e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions", store.ScopeViewer, nil), http.StatusOK).items()
		if len(list) != 3 {
			t.Fatalf("versions after restore = %d, want 3 (history kept)", len(list))
		}
		// Each version records the API key that saved it.
		for _, v := range list {
			if a := v.(map[string]any)["author"]; a != "editor key" {
				t.Fatalf("version %v author = %v, want \"editor key\"", v.(map[string]any)["version"], a)
			}
		}
		// Version 2 is still there, unchanged.
		v2got := e.want(e.call("GET", "/api/v1/workflows/"+id+"/versions/2", store.ScopeViewer, nil), http.StatusOK)
		if cond := v2got.JSON["definition"].(map[string]any)["steps"].([]any)[0].(map[string]any)["if"]; cond != "trigger.data.object.amount >= 500" {
			t.Fatalf("version 2 changed: %s", v2got.Raw)
		}
		again := e.want(e.call("POST", "/api/v1/workflows/"+id+"/versions/3/restore", store.ScopeEditor, nil), http.StatusOK)
		if again.JSON["current_version"] != float64(3) {
			t.Fatalf("restoring the current version made version %v", again.JSON["current_version"])
		}
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/versions/9/restore", store.ScopeEditor, nil), http.StatusNotFound)
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/versions/x/restore", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
	})
}

// An active workflow does not take a version that no longer validates
// (its credential was deleted since); the error names the field.
func TestRestoreInvalidVersionOnActiveWorkflow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("old-cred")), http.StatusCreated)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("new-cred")), http.StatusCreated)
		id := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("Cred swap", "old-cred")}), http.StatusCreated).str("id")
		e.want(e.call("PUT", "/api/v1/workflows/"+id, store.ScopeEditor, map[string]any{"definition": workflowDef("Cred swap", "new-cred")}), http.StatusOK)
		e.want(e.call("POST", "/api/v1/workflows/"+id+"/activate", store.ScopeEditor, nil), http.StatusOK)
		creds := e.want(e.call("GET", "/api/v1/credentials", store.ScopeViewer, nil), http.StatusOK).items()
		for _, c := range creds {
			if m := c.(map[string]any); m["name"] == "old-cred" {
				e.want(e.call("DELETE", "/api/v1/credentials/"+m["id"].(string), store.ScopeEditor, nil), http.StatusNoContent)
			}
		}
		r := e.want(e.call("POST", "/api/v1/workflows/"+id+"/versions/1/restore", store.ScopeEditor, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
		if paths := errorPaths(r); len(paths) == 0 || paths[0] != "trigger.credential" {
			t.Fatalf("errors at %v, want trigger.credential; body %s", paths, r.Raw)
		}
	})
}

// Rotating with a grace period keeps the old URL working (events through
// it are marked in the log), a bad grace names the field, and rotating
// without one ends the old URL at once.
func TestRotateEndpointWithGrace(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusCreated)
		wf := e.want(e.call("POST", "/api/v1/workflows", store.ScopeEditor, map[string]any{"definition": workflowDef("Rotating", "stripe-live")}), http.StatusCreated)
		ep := wf.JSON["endpoints"].([]any)[0].(map[string]any)
		epID, oldURL := ep["id"].(string), ep["url"].(string)

		for _, tc := range []struct {
			name, grace, want string
		}{
			{"not a duration", "soon", `"soon" is not a duration such as 30m, 24h or 7d`},
			{"bad days", "xd", `"xd" is not a number of days such as 7d`},
			{"over the limit", "31d", "is 31d, over the limit of 720h0m0s (30 days)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.want(e.call("POST", "/api/v1/endpoints/"+epID+"/rotate", store.ScopeEditor, map[string]any{"grace": tc.grace}),
					http.StatusUnprocessableEntity, api.ProblemValidation)
				msg, _ := r.JSON["errors"].([]any)[0].(map[string]any)["message"].(string)
				if paths := errorPaths(r); len(paths) != 1 || paths[0] != "grace" || msg != tc.want {
					t.Fatalf("answered %s, want grace: %s", r.Raw, tc.want)
				}
			})
		}

		r := e.want(e.call("POST", "/api/v1/endpoints/"+epID+"/rotate", store.ScopeEditor, map[string]any{"grace": "24h"}), http.StatusOK)
		newURL := r.str("url")
		if newURL == oldURL || r.str("previous_url") != oldURL {
			t.Fatalf("rotate answered url %q previous_url %q, want a new url and previous_url %q", newURL, r.str("previous_url"), oldURL)
		}
		until, err := time.Parse(time.RFC3339, r.str("previous_token_until"))
		if err != nil || time.Until(until) < 23*time.Hour || time.Until(until) > 24*time.Hour {
			t.Fatalf("previous_token_until = %q (%v), want about 24h from now", r.str("previous_token_until"), err)
		}
		// The grace is durable: a fresh read shows it.
		got := e.want(e.call("GET", "/api/v1/endpoints/"+epID, store.ScopeViewer, nil), http.StatusOK)
		if got.str("previous_url") != oldURL {
			t.Fatalf("GET endpoint previous_url = %q", got.str("previous_url"))
		}

		send := func(url, id string) response {
			body := `{"id": "` + id + `", "type": "payment_intent.succeeded", "data": {"object": {"amount": 20000}}}`
			return e.post(strings.TrimPrefix(url, "https://hooks.example.com"), body, stripeSignature("whsec_test_secret_123456", body))
		}
		viaOld := e.want(send(oldURL, "evt_old_url"), http.StatusAccepted)
		viaNew := e.want(send(newURL, "evt_new_url"), http.StatusAccepted)
		headerOf := func(r response) string {
			var reply struct {
				EventID string `json:"event_id"`
			}
			_ = json.Unmarshal(r.Raw, &reply)
			evID := reply.EventID
			if !strings.HasPrefix(evID, "evt_") {
				t.Fatalf("webhook answered %s, want an event id", r.Raw)
			}
			ev := e.want(e.call("GET", "/api/v1/events/"+evID, store.ScopeViewer, nil), http.StatusOK)
			h, _ := ev.JSON["headers"].(map[string]any)
			v, _ := h[triggers.ReceivedViaHeader].(string)
			return v
		}
		if v := headerOf(viaOld); v != "previous-url" {
			t.Fatalf("event via the old URL has %s = %q, want previous-url", triggers.ReceivedViaHeader, v)
		}
		if v := headerOf(viaNew); v != "" {
			t.Fatalf("event via the new URL has %s = %q, want none", triggers.ReceivedViaHeader, v)
		}

		// Rotating again without grace ends both earlier URLs at once.
		r = e.want(e.call("POST", "/api/v1/endpoints/"+epID+"/rotate", store.ScopeEditor, nil), http.StatusOK)
		if r.str("previous_url") != "" {
			t.Fatalf("rotation without grace kept previous_url %q", r.str("previous_url"))
		}
		e.want(send(oldURL, "evt_old_2"), http.StatusNotFound)
		e.want(send(newURL, "evt_new_2"), http.StatusNotFound)
		e.want(send(r.str("url"), "evt_newest"), http.StatusAccepted)
	})
}

// A delivery's attempts are listed in order; an unknown one is 404.
func TestDeliveryAttemptsRoute(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := t.Context()
		d, err := st.CreateDelivery(ctx, store.Delivery{Destination: "https://example.test/in", Payload: []byte(`{"a":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		next := time.Now().Add(time.Minute)
		if _, err := st.RecordDeliveryAttempt(ctx, d.ID, store.DeliveryAttempt{Status: store.DeliveryFailed, HTTPStatus: 503,
			Error: "receiver answered HTTP 503", Response: "try later", Latency: 9 * time.Millisecond, NextAttemptAt: &next}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordDeliveryAttempt(ctx, d.ID, store.DeliveryAttempt{Status: store.DeliverySucceeded, HTTPStatus: 200, Response: "ok"}); err != nil {
			t.Fatal(err)
		}
		items := e.want(e.call("GET", "/api/v1/deliveries/"+d.ID+"/attempts", store.ScopeViewer, nil), http.StatusOK).items()
		if len(items) != 2 {
			t.Fatalf("attempts = %v", items)
		}
		a1, a2 := items[0].(map[string]any), items[1].(map[string]any)
		if a1["attempt"] != float64(1) || a1["http_status"] != float64(503) || a1["response"] != "try later" || a1["status"] != "failed" ||
			a1["error"] != "receiver answered HTTP 503" || a1["latency_ms"] != float64(9) {
			t.Fatalf("attempt 1 = %v", a1)
		}
		if a2["attempt"] != float64(2) || a2["status"] != "succeeded" || a2["response"] != "ok" {
			t.Fatalf("attempt 2 = %v", a2)
		}
		e.want(e.call("GET", "/api/v1/deliveries/dlv_nope/attempts", store.ScopeViewer, nil), http.StatusNotFound)
	})
}

// Rotating the webhook connector's signing secret keeps the old one as
// previous_secret (still accepted); a connector without a previous field
// just replaces it; a non-secret or empty value is refused on its field.
func TestRotateCredentialSecret(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const oldSecret, newSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_dGhpcyBpcyBhIG5ldyBzZWNyZXQga2V5IQ=="
		hook := e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, map[string]any{"name": "signing", "connector": "webhook",
			"values": map[string]any{"secret": oldSecret}}), http.StatusCreated).str("id")
		r := e.want(e.call("POST", "/api/v1/credentials/"+hook+"/rotate", store.ScopeEditor, map[string]any{"field": "secret", "value": newSecret}), http.StatusOK)
		if r.str("kept_previous") != "previous_secret" {
			t.Fatalf("rotation answered %s, want kept_previous previous_secret", r.Raw)
		}
		values := func(id string) map[string]any {
			c, err := st.GetCredential(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := e.svc.Keyring.Decrypt(c.Ciphertext)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(plain, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := values(hook); v["secret"] != newSecret || v["previous_secret"] != oldSecret {
			t.Fatalf("stored values after rotation = %v", v)
		}

		stripe := e.want(e.call("POST", "/api/v1/credentials", store.ScopeEditor, stripeCredential("stripe-live")), http.StatusCreated).str("id")
		r = e.want(e.call("POST", "/api/v1/credentials/"+stripe+"/rotate", store.ScopeEditor, map[string]any{"field": "webhook_secret", "value": "whsec_rotated_654321"}), http.StatusOK)
		if r.str("kept_previous") != "" {
			t.Fatalf("stripe rotation kept %q; the connector has no previous field", r.str("kept_previous"))
		}
		if v := values(stripe); v["webhook_secret"] != "whsec_rotated_654321" || v["secret_key"] != "sk_test_abcdefghijklmnop" {
			t.Fatalf("stripe values after rotation = %v", v)
		}
		for _, tc := range []struct {
			name, field, value, path string
		}{
			{"not a secret", "api_version", "x", "field"},
			{"empty value", "webhook_secret", " ", "value"},
			{"bad value", "secret_key", "nope", "values.secret_key"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.want(e.call("POST", "/api/v1/credentials/"+stripe+"/rotate", store.ScopeEditor, map[string]any{"field": tc.field, "value": tc.value}),
					http.StatusUnprocessableEntity, api.ProblemValidation)
				if p := errorPaths(r); len(p) == 0 || !strings.HasSuffix(p[0], tc.path) {
					t.Fatalf("errors at %v, want %s; body %s", p, tc.path, r.Raw)
				}
			})
		}
	})
}
