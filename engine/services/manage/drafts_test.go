package manage_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// A draft with a chosen trigger and no steps saves, gets its webhook URL
// at once, keeps the catalog sample, and lists what activation needs;
// activation is refused with that list until the draft is complete.
func TestDraftSavesIncompleteAndActivatesWhenComplete(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		sample := json.RawMessage(`{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"amount": 2000}}}`)
		draft := `{"name": "big payments", "trigger": {"type": "webhook", "connector": "stripe", "credential": "stripe-live"}}`
		wf, err := svc.Create(ctx, manage.SaveRequest{Definition: json.RawMessage(draft), Draft: true, Sample: sample})
		if err != nil {
			t.Fatalf("saving a draft without steps: %v", err)
		}
		if !wf.Draft || wf.Active {
			t.Errorf("draft = %v, active = %v; want a draft, inactive", wf.Draft, wf.Active)
		}
		if len(wf.Endpoints) != 1 || !strings.HasSuffix(wf.Endpoints[0].URL, wf.Endpoints[0].Token) || wf.Endpoints[0].Token == "" {
			t.Fatalf("endpoints = %+v, want one webhook URL from the first save", wf.Endpoints)
		}
		if string(wf.Sample) != `{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":2000}}}` {
			t.Errorf("sample = %s, want the catalog sample kept", wf.Sample)
		}
		paths := map[string]string{}
		for _, m := range wf.Missing {
			paths[m.Path] = m.Message
		}
		if _, ok := paths["steps"]; !ok {
			t.Errorf("missing = %+v, want the empty steps named", wf.Missing)
		}
		if !strings.Contains(paths["trigger.credential"], "stripe-live") {
			t.Errorf("missing = %+v, want the absent credential stripe-live named at trigger.credential", wf.Missing)
		}

		_, err = svc.SetActive(ctx, wf.ID, true)
		got := problems(t, err)
		if !strings.HasPrefix(got, "the workflow cannot be activated: ") || !strings.Contains(got, "steps: ") || !strings.Contains(got, "trigger.credential: ") {
			t.Errorf("activation refused with %q, want every missing field", got)
		}

		// An unfinished step is still a draft; each edit is a new version.
		half := `{"name": "big payments", "trigger": {"type": "webhook", "connector": "stripe", "credential": "stripe-live"},
			"steps": [{"id": "tell", "type": "action", "connector": "slack", "action": "post_message"}]}`
		wf2, err := svc.Update(ctx, wf.ID, manage.SaveRequest{Definition: json.RawMessage(half), Draft: true})
		if err != nil {
			t.Fatalf("saving an unfinished step as a draft: %v", err)
		}
		if wf2.CurrentVersion != 2 || !wf2.Draft || wf2.Endpoints[0].Token != wf.Endpoints[0].Token {
			t.Errorf("version %d draft %v token kept %v; want version 2, a draft, the same URL", wf2.CurrentVersion, wf2.Draft,
				wf2.Endpoints[0].Token == wf.Endpoints[0].Token)
		}
		if string(wf2.Sample) == "" {
			t.Error("the sample was lost on update")
		}
		// The same incomplete definition without the draft flag is refused
		// as before.
		if _, err := svc.Update(ctx, wf.ID, manage.SaveRequest{Definition: json.RawMessage(half)}); err == nil {
			t.Error("an incomplete definition saved without draft: true")
		}

		if _, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "stripe-live", Connector: "stripe",
			Values: json.RawMessage(`{"webhook_secret": "whsec_test_secret"}`)}); err != nil {
			t.Fatal(err)
		}
		done := `{"name": "big payments", "trigger": {"type": "webhook", "connector": "stripe", "credential": "stripe-live"},
			"steps": [{"id": "s", "type": "stop"}]}`
		wf3, err := svc.Update(ctx, wf.ID, manage.SaveRequest{Definition: json.RawMessage(done), Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		if wf3.Draft || len(wf3.Missing) != 0 {
			t.Errorf("a complete definition saved with draft: true is still a draft: %+v", wf3.Missing)
		}
		active, err := svc.SetActive(ctx, wf.ID, true)
		if err != nil || !active.Active {
			t.Fatalf("activating the completed draft: %v", err)
		}
		// Once live, it cannot fall back to an incomplete draft.
		_, err = svc.Update(ctx, wf.ID, manage.SaveRequest{Definition: json.RawMessage(half), Draft: true})
		if got := problems(t, err); !strings.HasPrefix(got, "an active workflow cannot be saved as an incomplete draft") {
			t.Errorf("saving a draft over an active workflow: %q", got)
		}
	})
}

// Even a draft needs a name and the definition's shape; each refusal
// names the field.
func TestDraftNeedsANameAndShape(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		for _, tc := range []struct {
			name, def, sample, want string
		}{
			{"no name", `{"trigger": {"type": "manual"}}`, "", "the draft cannot be saved: name: required: even a draft needs a name"},
			{"not an object", `[1]`, "", "the draft cannot be saved: definition: must be a JSON object"},
			{"wrong type", `{"name": "x", "steps": "none"}`, "", "the draft cannot be saved: steps: "},
			{"bad sample", `{"name": "x", "trigger": {"type": "webhook", "connector": "webhook"}}`, `"text"`,
				"the workflow definition is invalid: sample: must be a JSON object or array"},
			{"sample without webhook", `{"name": "x", "trigger": {"type": "manual"}}`, `{"a": 1}`,
				"the draft cannot be saved: sample: a sample is kept only with a webhook trigger"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := manage.SaveRequest{Definition: json.RawMessage(tc.def), Draft: true}
				if tc.sample != "" {
					req.Sample = json.RawMessage(tc.sample)
				}
				_, err := svc.Create(ctx, req)
				if got := problems(t, err); !strings.HasPrefix(got, tc.want) {
					t.Errorf("got %q\nwant prefix %q", got, tc.want)
				}
			})
		}
		// A draft without a trigger yet has no URL, and gets one once the
		// webhook trigger is chosen.
		wf, err := svc.Create(ctx, manage.SaveRequest{Definition: json.RawMessage(`{"name": "later"}`), Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(wf.Endpoints) != 0 || !wf.Draft {
			t.Errorf("endpoints %v draft %v", wf.Endpoints, wf.Draft)
		}
		wf, err = svc.Update(ctx, wf.ID, manage.SaveRequest{Definition: json.RawMessage(`{"name": "later", "trigger": {"type": "webhook", "connector": "webhook"}}`), Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(wf.Endpoints) != 1 {
			t.Errorf("endpoints after choosing the trigger = %v, want one", wf.Endpoints)
		}
	})
}
