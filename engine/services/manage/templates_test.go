package manage_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
	"github.com/hookflow/hookflow/workflows"
)

// The gallery lists every example in workflows/ with what it uses derived
// from its definition; every one of them saves as a draft, and a draft
// from a template lists its missing credentials at their fields.
func TestTemplates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		list, err := svc.Templates(ctx, workflows.FS())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) < 10 {
			t.Fatalf("%d templates, want every example of workflows/", len(list))
		}
		var big manage.Template
		for _, tp := range list {
			if tp.ID == "bench-reference" {
				t.Error("the benchmark's reference workflow is offered as a template")
			}
			if tp.Name == "" || tp.Description == "" || len(tp.Connectors) == 0 || len(tp.Definition) == 0 {
				t.Errorf("template %s lacks a name, description, connectors or definition: %+v", tp.ID, tp)
			}
			if tp.ID == "stripe-big-payment-hubspot-slack" {
				big = tp
			}
		}
		if !slices.Equal(big.Connectors, []string{"stripe", "hubspot", "slack"}) {
			t.Errorf("connectors = %v, want the trigger's first: stripe, hubspot, slack", big.Connectors)
		}
		want := []manage.TemplateCredential{
			{Name: "stripe-live", Connector: "stripe", Paths: []string{"trigger.credential"}},
			// Inside the parallel step's branches: nested steps are found.
			{Name: "hubspot", Connector: "hubspot", Paths: []string{"steps[2].branches[0].steps[0].credential"}},
			{Name: "slack-bot", Connector: "slack", Paths: []string{"steps[2].branches[1].steps[0].credential"}},
		}
		gotCreds, _ := json.Marshal(big.Credentials)
		wantCreds, _ := json.Marshal(want)
		if string(gotCreds) != string(wantCreds) {
			t.Errorf("credentials = %s\nwant %s", gotCreds, wantCreds)
		}

		// A saved credential of that name and app counts as saved.
		if _, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "stripe-live", Connector: "stripe",
			Values: json.RawMessage(`{"webhook_secret": "whsec_test_secret"}`)}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Template(ctx, workflows.FS(), big.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Credentials[0].Saved || got.Credentials[1].Saved {
			t.Errorf("saved flags = %+v, want only stripe-live saved", got.Credentials)
		}

		// Using it makes a draft whose missing list points at the credentials.
		wf, err := svc.UseTemplate(ctx, workflows.FS(), big.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if wf.Name != big.Name || !wf.Draft || wf.Active || len(wf.Endpoints) != 1 {
			t.Fatalf("draft from template: name %q draft %v active %v endpoints %d", wf.Name, wf.Draft, wf.Active, len(wf.Endpoints))
		}
		var paths []string
		for _, m := range wf.Missing {
			paths = append(paths, m.Path)
		}
		if !slices.Contains(paths, "steps[2].branches[0].steps[0].credential") || !slices.Contains(paths, "steps[2].branches[1].steps[0].credential") || slices.Contains(paths, "trigger.credential") {
			t.Errorf("missing paths = %v, want the HubSpot and Slack credentials only", paths)
		}
		// Used again, the name is numbered; an explicit name is kept.
		again, err := svc.UseTemplate(ctx, workflows.FS(), big.ID, "")
		if err != nil || again.Name != big.Name+" (2)" {
			t.Fatalf("second use: %q, %v", again.Name, err)
		}
		if _, err := svc.UseTemplate(ctx, workflows.FS(), big.ID, big.Name); !errors.Is(err, store.ErrConflict) {
			t.Errorf("an explicit name in use: %v, want a conflict", err)
		}
		for _, bad := range []string{"../go", "nope", "bench-reference", ""} {
			if _, err := svc.Template(ctx, workflows.FS(), bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("template %q: %v, want not found", bad, err)
			}
		}

		// Every template saves as a draft.
		for _, tp := range list {
			if _, err := svc.UseTemplate(ctx, workflows.FS(), tp.ID, "copy of "+tp.Name); err != nil {
				t.Errorf("template %s does not save as a draft: %v", tp.ID, err)
			}
		}
	})
}

// An exported workflow imports back as a new draft with the same
// definition, renamed when its name is taken.
func TestExportImportRoundTrip(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		src := `{"name": "Tell ops: v2!", "trigger": {"type": "manual"}, "steps": [{"id": "s", "type": "stop"}]}`
		wf, err := svc.Create(ctx, manage.SaveRequest{Definition: json.RawMessage(src)})
		if err != nil {
			t.Fatal(err)
		}
		file, name, err := svc.Export(ctx, wf.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if name != "tell-ops-v2.json" || !strings.Contains(string(file), "\n  \"trigger\": {") {
			t.Fatalf("export = %q\n%s", name, file)
		}
		in, err := svc.ImportWorkflow(ctx, file, "")
		if err != nil {
			t.Fatal(err)
		}
		if in.Name != "Tell ops: v2! (2)" || in.ID == wf.ID || in.Draft {
			t.Fatalf("import: name %q draft %v", in.Name, in.Draft)
		}
		if want := `{"name":"Tell ops: v2! (2)","trigger":{"type":"manual"},"steps":[{"id":"s","type":"stop"}]}`; string(in.Definition) != want {
			t.Fatalf("imported definition %s\nwant %s", in.Definition, want)
		}
		// An incomplete file imports as a draft; a file that is not a
		// definition is refused naming the problem.
		part, err := svc.ImportWorkflow(ctx, []byte(`{"name": "half", "trigger": {"type": "webhook", "connector": "slack"}}`), "")
		if err != nil || !part.Draft {
			t.Fatalf("importing an incomplete workflow: draft %v, %v", part.Draft, err)
		}
		_, err = svc.ImportWorkflow(ctx, []byte(`{"trigger": {"type": "manual"}}`), "")
		if got := problems(t, err); !strings.Contains(got, "name: required") {
			t.Errorf("import without a name: %q", got)
		}
		if _, _, err := svc.Export(ctx, "wf_nope", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("export of an unknown workflow: %v", err)
		}
	})
}
