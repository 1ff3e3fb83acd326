package ui_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/store"
)

// TestBrowserDrafts drives the draft journey in headless Chromium: a new
// workflow with only its trigger chosen and a catalog sample picked is
// saved as a draft, gets its webhook URL at once, keeps the sample across
// a reload, lists what is missing beside the Active switch, and the
// activation refusal names each missing field.
func TestBrowserDrafts(t *testing.T) {
	s := newStack(t)
	shots := screenshotDir(t)
	b := startBrowser(t, 1366, 900).with(t)
	ctx := context.Background()

	b.navigate(s.url + "/")
	b.typeInto("#api-key", s.adminKey)
	b.click("#login")
	b.waitFor(`location.hash === "#/workflows"`, "the workflows page after login")

	b.click(`a[href='#/workflows/new']`)
	b.typeInto("#wf-name", "Stripe draft")
	b.selectOption(`select[data-error-key="trigger.connector"]`, "stripe")
	sampleSel := `select[aria-label="Use a sample event from the catalog"]`
	b.waitFor(`document.querySelector(`+js(sampleSel)+`)`, "the catalog sample chooser")
	var sampleKey string
	b.eval(`document.querySelector(`+js(sampleSel)+`).options[1].value`, &sampleKey)
	b.selectOption(sampleSel, sampleKey)
	b.waitFor(`document.querySelector(".sample .tree")`, "the catalog sample in the field picker")

	// A full save refuses the empty flow, as before...
	b.click("#save")
	b.waitFor(`document.querySelector(".banner.error") && document.querySelector(".banner.error").innerText.includes("steps")`, "the empty flow refused by Save")
	// ...while Save draft keeps it, with its webhook URL.
	b.click("#save-draft")
	b.waitFor(`/^#\/workflows\/wf_/.test(location.hash) && document.querySelector("#webhook-url")`, "the draft with its webhook URL")
	var hookURL string
	b.eval(`document.querySelector("#webhook-url").value`, &hookURL)
	if !strings.HasPrefix(hookURL, s.url+"/hooks/") {
		t.Fatalf("webhook URL %q does not start with %s/hooks/", hookURL, s.url)
	}
	b.waitFor(`document.querySelector("#draft-missing")`, "the list of what the draft still needs")
	if got := b.text("#draft-missing"); !strings.Contains(got, "Draft: 1 thing to finish") || !strings.Contains(got, "steps") {
		t.Fatalf("draft panel says %q, want the missing steps", got)
	}
	var listenEnabled bool
	b.eval(`!document.querySelector("#listen").disabled`, &listenEnabled)
	if !listenEnabled {
		t.Fatal("listen mode is disabled on a saved draft")
	}

	wfs, _, err := s.store.ListWorkflows(ctx, store.WorkflowFilter{})
	if err != nil || len(wfs) != 1 || wfs[0].Active {
		t.Fatalf("stored workflows %v (%v), want one inactive", wfs, err)
	}
	eps, err := s.store.ListEndpoints(ctx, wfs[0].ID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("endpoints %v (%v)", eps, err)
	}
	var kept map[string]any
	if err := json.Unmarshal(eps[0].Sample, &kept); err != nil || kept["type"] == nil {
		t.Fatalf("the catalog sample %q was not kept with the workflow (%v)", eps[0].Sample, err)
	}

	// After a reload the kept sample is back in the field picker.
	b.navigate(s.url + "/#/workflows/" + wfs[0].ID)
	b.waitFor(`document.querySelector(".sample .tree") && document.querySelector("#draft-missing")`, "the kept sample after a reload")
	b.screenshot(shots, "draft")

	// Clicking the missing path focuses its place; activating is refused
	// with the same list.
	b.click("#wf-active")
	b.waitFor(`document.querySelector(".banner.error") && document.querySelector(".banner.error").innerText.includes("to fix before activating")`, "the activation refusal")
	if got := b.text(".banner.error"); !strings.Contains(got, "steps") {
		t.Fatalf("activation refusal %q does not name steps", got)
	}
	var checked bool
	b.eval(`document.querySelector("#wf-active").checked`, &checked)
	if wf, _ := s.store.GetWorkflow(ctx, wfs[0].ID); checked || wf.Active {
		t.Fatal("the draft became active")
	}

	// The list marks it as a draft.
	b.navigate(s.url + "/#/workflows")
	b.waitFor(`document.querySelector("table.list .badge.st-draft")`, "the draft badge in the list")
	if p := b.pageProblems(); len(p) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
