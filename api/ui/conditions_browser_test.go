package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hookflow/hookflow/engine/store"
)

// condExpr is the expression text of the condition at a definition path.
func condExpr(path string) string {
	return `[data-error-key="` + path + `"] textarea.cond-expr`
}

// asExpression switches the condition at path to its expression view
// ("Edit as expression") unless it shows it already.
func asExpression(b *browser, path string) {
	b.t.Helper()
	b.waitFor(`document.querySelector(`+js(`[data-error-key="`+path+`"] .cond-toggle`)+`)`, "the condition at "+path)
	var shown bool
	b.eval(`!document.querySelector(`+js(condExpr(path))+`).closest(".cond-expr-box").hidden`, &shown)
	if !shown {
		b.click(`[data-error-key="` + path + `"] .cond-toggle`)
	}
}

// apiCall sends a request to the stack's API with the admin key and
// decodes the JSON answer into out (may be nil).
func (s *stack) apiCall(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// TestBrowserConditions drives the no-code path through a condition and a
// mapping in headless Chromium: a filter's condition is built from a field
// picked in the sample, a comparison and a typed value, without typing an
// expression; its live preview says true, then false; a misspelt field in
// a Slack message gets a warning naming the right one; the picker offers
// the earlier step's output after a test run; a filtered test run says
// why; the expression view reads back and refuses what rows cannot show.
// It also checks the small fixes: Replay is off for a rejected event, the
// credential form has one "API base URL", and the navigation fits a phone.
func TestBrowserConditions(t *testing.T) {
	s := newStack(t)
	shots := screenshotDir(t)
	b := startBrowser(t, 1366, 1000).with(t)
	ctx := context.Background()

	s.apiCall(t, "POST", "/api/v1/credentials", map[string]any{"name": "stripe-main", "connector": "stripe",
		"values": map[string]any{"webhook_secret": "whsec_test_secret_123456", "secret_key": "sk_test_abcdefghijklmnop"}}, nil)
	s.apiCall(t, "POST", "/api/v1/credentials", map[string]any{"name": "slack-bot", "connector": "slack",
		"values": map[string]any{"bot_token": "xoxb-1234-abcd"}}, nil)
	// The catalog's sample payment: the condition is built against it.
	var stripe struct {
		Triggers []struct {
			Samples map[string]json.RawMessage `json:"samples"`
		} `json:"triggers"`
	}
	s.apiCall(t, "GET", "/api/v1/connectors/stripe", nil, &stripe)
	const sampleKey = "payment_intent.succeeded"
	var sample struct {
		Data struct {
			Object struct {
				Amount float64 `json:"amount"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(stripe.Triggers[0].Samples[sampleKey], &sample); err != nil || sample.Data.Object.Amount <= 0 {
		t.Fatalf("the catalog has no %s sample with an amount (%v): %s", sampleKey, err, stripe.Triggers[0].Samples[sampleKey])
	}
	amount := fmt.Sprint(sample.Data.Object.Amount)

	b.navigate(s.url + "/")
	b.typeInto("#api-key", s.adminKey)
	b.click("#login")
	b.waitFor(`location.hash === "#/workflows"`, "the workflows page after login")
	b.navigate(s.url + "/#/workflows/new")
	b.typeInto("#wf-name", "Big payments")
	b.selectOption(`select[data-error-key="trigger.connector"]`, "stripe")
	b.selectOption(`select[data-error-key="trigger.credential"]`, "stripe-main")
	b.selectOption(`select[aria-label="Use a sample event from the catalog"]`, sampleKey)
	b.waitFor(`document.querySelector(".picker .tree")`, "the sample in the field picker")

	// A filter step: its condition is built from rows. The list view
	// (the editor opens on the canvas) adds steps from a form.
	b.click("#tab-visual")
	cond := b.addFilterOnPickedField(0, "trigger.data.object.amount")
	b.selectOption(cond+` .cond-op`, "gte")
	var typ string
	b.eval(`document.querySelector(`+js(cond+` .cond-type`)+`).value`, &typ)
	if typ != "number" {
		t.Errorf("a numeric sample field gave the value type %q, want number", typ)
	}
	b.typeInto(cond+` .cond-value`, amount)
	b.waitFor(`document.querySelector(`+js(cond+` .preview.preview-true`)+`)`, "the live preview saying true")
	if got := b.text(cond + ` .preview`); !strings.Contains(got, "true") {
		t.Errorf("preview %q, want true", got)
	}
	b.screenshot(shots, "condition-builder-true")

	// A second row in an OR group, then removed again: the expression
	// follows the rows.
	b.click(cond + ` .cond-add-group`)
	b.waitFor(`document.querySelectorAll(`+js(cond+` .cond-row`)+`).length === 2`, "a second row in a nested group")
	b.click(cond + ` .nested-group .cond-group-head button`)
	b.waitFor(`document.querySelectorAll(`+js(cond+` .cond-row`)+`).length === 1`, "the group removed")

	// An action step whose message misspells a field of the sample.
	b.selectOption(`select[aria-label="Kind of the new step in steps"]`, "action")
	b.click(`li.add-step button`)
	b.selectOption(`select[data-error-key="steps[1].connector"]`, "slack")
	b.selectOption(`select[data-error-key="steps[1].action"]`, "post_message")
	b.selectOption(`select[data-error-key="steps[1].credential"]`, "slack-bot")
	b.typeInto(`input[data-error-key="steps[1].input.channel"]`, "C0123456789")
	text := `input[data-error-key="steps[1].input.text"]`
	b.typeInto(text, "Paid {{ trigger.data.object.amout }}")
	b.waitFor(`[...document.querySelectorAll(".preview .path-warning")].some((e) => e.innerText.includes("did you mean trigger.data.object.amount?"))`, "the warning on the misspelt path")
	warn := b.text(`.field:has(> ` + text + `) .path-warning`)
	if !strings.Contains(warn, "trigger.data.object.amout is not in the sample event; did you mean trigger.data.object.amount?") {
		t.Errorf("warning %q", warn)
	}
	b.screenshot(shots, "template-path-warning")
	// Fixed, the preview shows the rendered text.
	b.typeInto(text, "Paid {{ trigger.data.object.amount }}")
	rendered := `.field:has(> ` + text + `) .preview-value`
	b.waitFor(`document.querySelector(`+js(rendered)+`) && document.querySelector(`+js(rendered)+`).innerText === "Paid `+amount+`"`, "the rendered message")

	// The picker for the Slack step offers the filter before it.
	b.click(text)
	b.waitFor(`[...document.querySelectorAll(".picker h4")].some((e) => e.innerText.startsWith("Step filter_1"))`, "the earlier filter step in the picker")

	// Save; the stored condition is the builder's expression.
	b.click("#save")
	b.waitFor(`/^#\/workflows\/wf_/.test(location.hash) && document.querySelector("#test-run") && !document.querySelector("#test-run").disabled`, "the saved workflow with its sample")
	wfs, _, err := s.store.ListWorkflows(ctx, store.WorkflowFilter{})
	if err != nil || len(wfs) != 1 {
		t.Fatalf("workflows %v (%v)", wfs, err)
	}
	wf := wfs[0]
	var def struct {
		Steps []map[string]any `json:"steps"`
	}
	v, err := s.store.GetVersion(ctx, wf.ID, wf.CurrentVersion)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(v.Definition, &def); err != nil {
		t.Fatal(err)
	}
	if got, want := def.Steps[0]["if"], "trigger.data.object.amount >= "+amount; got != want {
		t.Fatalf("stored condition %v, want %q", got, want)
	}

	// A test run: the picker then shows the filter's real output.
	b.click("#test-run")
	b.waitFor(`document.querySelector(".test-out .insp-step")`, "the test run's steps")
	b.click(`.card-toggle[aria-label="Expand step action_1"]`)
	b.click(`input[data-error-key="steps[1].input.text"]`)
	b.waitFor(`[...document.querySelectorAll(".picker h4")].some((e) => e.innerText.includes("filter_1") && e.innerText.includes("from the last test run")) && document.querySelector('.picker button.tree-pick[data-path="steps.filter_1.passed"]')`, "the filter's test-run output in the picker")
	b.screenshot(shots, "picker-earlier-steps")

	// Raise the bar above the sample: the preview turns false, and a test
	// run stops at the filter, saying which values it saw.
	b.click(`.card-toggle[aria-label="Expand step filter_1"]`)
	b.typeInto(cond+` .cond-value`, fmt.Sprint(sample.Data.Object.Amount+1))
	b.waitFor(`document.querySelector(`+js(cond+` .preview.preview-false`)+`)`, "the live preview saying false")
	b.click("#save")
	b.waitFor(`document.querySelector(".muted") && [...document.querySelectorAll(".muted")].some((e) => e.innerText === "version 2")`, "version 2 saved")
	b.click("#test-run")
	b.waitFor(`document.querySelector(".test-out .filter-why")`, "why the test run was filtered")
	// The test run's output is at the foot of the side panel, which
	// scrolls on its own and a full-page capture does not: unfold the
	// panel for the screenshot.
	b.eval(`(() => { const s = document.querySelector(".side"); s.style.maxHeight = "none"; s.style.position = "static"; })()`, nil)
	if got := b.text(".test-out .filter-why"); !strings.Contains(got, "trigger.data.object.amount = "+amount) {
		t.Errorf("filter why %q, want the amount %s", got, amount)
	}
	b.screenshot(shots, "filter-why")

	// Edit as expression: the text reads back into rows; an expression
	// rows cannot show stays text and the form says why.
	b.click(cond + ` .cond-toggle`)
	var exprText string
	b.eval(`document.querySelector(`+js(cond+` textarea.cond-expr`)+`).value`, &exprText)
	if want := "trigger.data.object.amount >= " + fmt.Sprint(sample.Data.Object.Amount+1); exprText != want {
		t.Errorf("expression view %q, want %q", exprText, want)
	}
	b.typeInto(cond+` textarea.cond-expr`, `trigger.data.object.currency == "usd" || trigger.data.object.amount < 5`)
	b.click(cond + ` .cond-toggle`)
	b.waitFor(`document.querySelectorAll(`+js(cond+` .cond-row`)+`).length === 2 && !document.querySelector(`+js(cond+` .cond-builder`)+`).hidden`, "the expression read back into two rows")
	var join string
	b.eval(`document.querySelector(`+js(cond+` .cond-join`)+`).value`, &join)
	if join != "or" {
		t.Errorf("join %q, want or", join)
	}
	b.click(cond + ` .cond-toggle`)
	b.typeInto(cond+` textarea.cond-expr`, `len(trigger.data.object.id) > 3`)
	b.click(cond + ` .cond-toggle`)
	b.waitFor(`document.querySelector(`+js(cond+` .cond-note`)+`).innerText.includes("cannot show this expression")`, "the builder refusing an expression it cannot show")
	b.screenshot(shots, "condition-expression-view")

	// The trigger's own filter is a condition too (counted where it is
	// shown: the canvas view keeps its own trigger form, hidden here).
	var trigFilters int
	b.eval(`[...document.querySelectorAll('[data-error-key="trigger.filter"].condition')].filter((e) => e.offsetParent !== null).length`, &trigFilters)
	if trigFilters != 1 {
		t.Errorf("the trigger filter is not a condition builder (%d found)", trigFilters)
	}

	// A forged delivery is rejected; its page offers no Replay.
	s.apiCall(t, "POST", "/api/v1/workflows/"+wf.ID+"/activate", nil, nil)
	var hookURL string
	b.eval(`document.querySelector("#webhook-url").value`, &hookURL)
	res, err := http.Post(hookURL, "application/json", strings.NewReader(`{"id":"evt_forged","type":"payment_intent.succeeded"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	evs, _, err := s.store.ListEvents(ctx, store.EventFilter{Status: store.EventRejected})
	if err != nil || len(evs) != 1 {
		t.Fatalf("rejected events %v (%v); the forged post answered %d", evs, err, res.StatusCode)
	}
	b.navigate(s.url + "/#/events/" + evs[0].ID)
	b.waitFor(`document.querySelector("#replay")`, "the rejected event's page")
	var disabled bool
	b.eval(`document.querySelector("#replay").disabled`, &disabled)
	if !disabled || !strings.Contains(b.text("#replay-why"), "rejected") {
		t.Errorf("replay disabled %v, reason %q", disabled, b.text("#replay-why"))
	}
	b.screenshot(shots, "rejected-event-no-replay")

	// One "API base URL" field in a credential form.
	b.navigate(s.url + "/#/credentials")
	b.click("#new-credential")
	b.selectOption("#cred-connector", "slack")
	b.waitFor(`document.querySelector("input[name=bot_token]")`, "the Slack credential fields")
	var baseFields int
	b.eval(`[...document.querySelectorAll("form label")].filter((l) => l.innerText.trim().startsWith("API base URL")).length`, &baseFields)
	if baseFields != 1 {
		t.Errorf("%d API base URL fields, want 1", baseFields)
	}

	// At phone width the navigation wraps inside the screen.
	b.do("phone width", chromedp.EmulateViewport(int64(360), int64(740)))
	b.navigate(s.url + "/#/workflows/" + wf.ID)
	b.waitFor(`document.querySelector("#logout") && document.querySelector(".condition")`, "the editor at phone width")
	var fits bool
	b.eval(`[...document.querySelectorAll("#nav a, #logout")].every((e) => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }) && document.querySelector("header.top").scrollWidth <= window.innerWidth`, &fits)
	if !fits {
		t.Error("the top navigation does not fit a 360 px screen")
	}
	b.screenshot(shots, "phone-nav")
	if p := b.pageProblems(); len(p) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
