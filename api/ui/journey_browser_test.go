package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
	"github.com/hookflow/hookflow/triggers"
)

// inProcessStarter runs each run the ingestion pipeline starts through the
// real interpreter workflow and its real activities, in the Temporal SDK's
// in-process test environment instead of a Temporal server (this package
// does not import the server; see the dryrun package for the same choice).
// The run writes its summary to the store through the SaveRun activity and
// its Slack step calls the fake Slack, as in production.
type inProcessStarter struct {
	deps interpreter.Deps
	wg   sync.WaitGroup
	mu   sync.Mutex
	seen map[string]bool
}

func (s *inProcessStarter) StartRun(_ context.Context, in interpreter.RunInput, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[in.RunID] { // idempotent per run id, as the contract asks
		return nil
	}
	s.seen[in.RunID] = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var suite testsuite.WorkflowTestSuite
		suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
		env := suite.NewTestWorkflowEnvironment()
		env.SetTestTimeout(time.Minute)
		// A loaded machine may take over a second on a workflow task; the
		// SDK's deadlock detector would then fail a healthy run.
		env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
		env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: in.RunID, TaskQueue: "hookflow-journey"})
		interpreter.Register(env, s.deps)
		defer func() { _ = recover() }() // a stuck run fails the test by its status, not by a panic here
		env.ExecuteWorkflow(interpreter.WorkflowName, in)
	}()
	return nil
}

// journeyStack is newStack's stack (real API, real ingestion, real SQLite)
// whose runs really execute (inProcessStarter), whose Slack is fakeSlack,
// and whose deliveries page retries for real (opsRuns).
func newJourneyStack(t *testing.T, fakeSlack string) (*stack, *interpreter.Activities) {
	t.Helper()
	st := storetest.SQLite(t).Store
	// Slack calls go to the fake; outgoing webhooks may reach the local
	// test receiver, which the guarded client refuses unless allowed.
	reg, err := all.New(all.Options{Allow: []string{"127.0.0.1"}, BaseURLs: map[string]string{"slack": fakeSlack}})
	if err != nil {
		t.Fatal(err)
	}
	ln, base, kr := listenWithKeyring(t)
	deps := interpreter.Deps{Store: st, Registry: reg, Keyring: kr, PublicURL: base}
	starter := &inProcessStarter{deps: deps, seen: map[string]bool{}}
	svc := &manage.Service{Store: st, Registry: reg, Keyring: kr, WebhookBaseURL: base + "/hooks/"}
	trig, err := triggers.New(triggers.Config{Starter: starter, Keyring: kr, PublicURL: base}, st, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = trig.Close(); starter.wg.Wait() })
	svc.SyncSchedule = trig.Scheduler.Sync
	acts := interpreter.NewActivities(deps)
	cfg := api.Config{Manage: svc, Triggers: api.TriggersService(trig), Runs: opsRuns{acts: acts},
		Tester:  api.DryRuns(&dryrun.Runner{Registry: reg, Store: st, Keyring: kr}),
		Changed: trig.Invalidate}
	plain := serveStack(t, ln, st, trig, cfg)
	return &stack{url: base, store: st, adminKey: plain}, acts
}

// TestBrowserJourney walks issue 13's whole journey in headless Chromium,
// one screen after the other as a user would: sign in, pick the Stripe
// template in the gallery, get a draft that lists its missing credentials
// and shows its webhook URL, create the credentials from the draft, listen
// and capture a Stripe-signed event, build the condition from a picked
// field, write the Slack message with its live preview, test-run it on the
// canvas, activate, let a signed event run for real (Slack answered by a
// fake), open the run on the canvas, edit and restore from the version
// history, retry a dead-lettered delivery, and see a forged event rejected
// with Replay disabled. Each main screen is kept as journey-NN-name.png.
func TestBrowserJourney(t *testing.T) {
	var slackMu sync.Mutex
	var slackTexts []string
	fakeSlack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var msg struct{ Channel, Text string }
		_ = json.Unmarshal(raw, &msg)
		slackMu.Lock()
		slackTexts = append(slackTexts, r.URL.Path+" "+msg.Channel+" "+msg.Text)
		slackMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"channel":"C0123456789","ts":"1503435956.000247"}`)
	}))
	t.Cleanup(fakeSlack.Close)
	s, acts := newJourneyStack(t, fakeSlack.URL)
	shots := screenshotDir(t)
	b := startBrowser(t, 1366, 1000).with(t)
	ctx := context.Background()
	const whsec = "whsec_test_secret_123456"
	noProblems := func() {
		t.Helper()
		if p := b.pageProblems(); len(p) > 0 {
			t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
		}
	}

	// --- sign in, template gallery ------------------------------------
	loginBrowser(b, s)
	b.screenshot(shots, "journey-01-signed-in")
	b.click("#new-workflow")
	card := `li[data-template="stripe-big-payment-hubspot-slack"]`
	b.waitFor(`document.querySelector(`+js(card)+`)`, "the Stripe template in the gallery")
	if got := b.text(card); !strings.Contains(got, "Big Stripe payments to HubSpot and Slack") || !strings.Contains(got, "stripe-live") {
		t.Fatalf("the template card shows:\n%s", got)
	}
	b.screenshot(shots, "journey-02-template-gallery")

	// --- a draft with missing credentials and its webhook URL ----------
	b.click("#use-stripe-big-payment-hubspot-slack")
	b.waitFor(`/^#\/workflows\/wf_/.test(location.hash) && document.querySelector("#draft-missing") && document.querySelector("#webhook-url")`, "the draft from the template")
	if got := b.text("#draft-missing"); !strings.Contains(got, "3 things to finish") || !strings.Contains(got, "trigger.credential") {
		t.Fatalf("draft panel = %q, want the three missing credentials", got)
	}
	wfs, _, err := s.store.ListWorkflows(ctx, store.WorkflowFilter{})
	if err != nil || len(wfs) != 1 || wfs[0].Active {
		t.Fatalf("stored workflows %v (%v), want one inactive draft", wfs, err)
	}
	wfID := wfs[0].ID
	var hookURL string
	b.eval(`document.querySelector("#webhook-url").value`, &hookURL)
	if !strings.HasPrefix(hookURL, s.url+"/hooks/") {
		t.Fatalf("webhook URL %q does not start with %s/hooks/", hookURL, s.url)
	}
	b.screenshot(shots, "journey-03-draft-missing-credentials")

	// Each missing credential links to a prefilled form that comes back
	// to the draft (TestBrowserTemplates' steps).
	b.click(`#draft-missing a.create-cred[data-credential="stripe-live"]`)
	b.waitFor(`document.querySelector("input[name=webhook_secret]")`, "the prefilled Stripe credential form")
	var credName string
	b.eval(`document.querySelector("#cred-name").value`, &credName)
	if credName != "stripe-live" {
		t.Fatalf("credential form prefilled with %q, want stripe-live", credName)
	}
	b.typeInto("input[name=webhook_secret]", whsec)
	b.typeInto("input[name=secret_key]", "sk_test_abcdefghijklmnop")
	b.screenshot(shots, "journey-04-credential-form")
	b.click(`form[aria-label="New credential"] button[type=submit]`)
	b.waitFor(`location.hash === "#/workflows/`+wfID+`" && document.querySelector("#draft-missing") && document.querySelector("#draft-missing").innerText.includes("2 things to finish")`, "the draft again, the Stripe credential no longer missing")
	b.click(`#draft-missing a.create-cred[data-credential="slack-bot"]`)
	b.waitFor(`document.querySelector("input[name=bot_token]")`, "the prefilled Slack credential form")
	b.typeInto("input[name=bot_token]", "xoxb-1234-abcd")
	b.click(`form[aria-label="New credential"] button[type=submit]`)
	b.waitFor(`location.hash === "#/workflows/`+wfID+`" && document.querySelector("#draft-missing") && document.querySelector("#draft-missing").innerText.includes("1 thing to finish")`, "the draft again, only HubSpot missing")
	noProblems()

	// --- keep the trigger, replace the template's steps -----------------
	// Delete the template's three top-level steps on the canvas (the
	// parallel step goes with its paths); the flow is built anew below.
	node := func(path string) string { return `#flow-canvas .node[data-node="` + path + `"]` }
	for _, id := range []string{"big", "fields", "fanout"} {
		b.waitFor(`document.querySelector(`+js(node("steps[0]"))+`) && document.querySelector(`+js(node("steps[0]"))+`).dataset.stepId === `+js(id), "step "+id+" first on the canvas")
		b.click(node("steps[0]"))
		b.do("pressing Delete", chromedp.KeyEvent("\x7f"))
	}
	b.waitFor(`!document.querySelector("#flow-canvas .node.n-step")`, "the canvas without steps")

	// --- listen, send a Stripe-signed event, capture it -----------------
	b.click("#listen")
	b.waitFor(`document.body.innerText.includes("Waiting for the next delivery")`, "listening to start")
	const amount = 25000
	// Deliveries sent before the API's long-poll began are not "the next"
	// one, so keep sending fresh events until one is heard.
	for i := 0; ; i++ {
		body := fmt.Sprintf(`{"id":"evt_listen_%d","type":"payment_intent.succeeded","data":{"object":{"id":"pi_%d","amount":%d,"currency":"usd","receipt_email":"ada@example.com"}}}`, i, i, amount)
		if code, _ := postStripe(t, hookURL, whsec, body); code/100 != 2 {
			t.Fatalf("the signed event during listen answered %d", code)
		}
		var heard bool
		b.eval(`!!document.querySelector(".sample .tree")`, &heard)
		if heard {
			break
		}
		if i == 40 {
			b.waitFor(`document.querySelector(".sample .tree")`, "the captured sample")
		}
		time.Sleep(250 * time.Millisecond)
	}
	b.screenshot(shots, "journey-05-listen-captured")

	// --- a condition built from a picked field (TestBrowserConditions) --
	b.click("#tab-visual")
	cond := b.addFilterOnPickedField(0, "trigger.data.object.amount")
	b.selectOption(cond+` .cond-op`, "gte")
	b.typeInto(cond+` .cond-value`, "10000")
	b.waitFor(`document.querySelector(`+js(cond+` .preview.preview-true`)+`)`, "the condition's live preview saying true")
	b.screenshot(shots, "journey-06-condition-builder")

	// --- the Slack step with its live preview ---------------------------
	b.selectOption(`select[aria-label="Kind of the new step in steps"]`, "action")
	b.click(`li.add-step button`)
	b.selectOption(`select[data-error-key="steps[1].connector"]`, "slack")
	b.selectOption(`select[data-error-key="steps[1].action"]`, "post_message")
	b.selectOption(`select[data-error-key="steps[1].credential"]`, "slack-bot")
	b.typeInto(`input[data-error-key="steps[1].input.channel"]`, "C0123456789")
	text := `input[data-error-key="steps[1].input.text"]`
	b.typeInto(text, "Paid ")
	b.click(`.picker button.tree-pick[data-path="trigger.data.object.amount"]`)
	var typed string
	b.eval(`document.querySelector(`+js(text)+`).value`, &typed)
	if typed != "Paid {{ trigger.data.object.amount }}" {
		t.Fatalf("picking into the message gave %q", typed)
	}
	rendered := `.field:has(> ` + text + `) .preview-value`
	b.waitFor(`document.querySelector(`+js(rendered)+`) && document.querySelector(`+js(rendered)+`).innerText === "Paid `+fmt.Sprint(amount)+`"`, "the message's live preview")
	b.screenshot(shots, "journey-07-slack-live-preview")

	// Save: a full save now passes, and nothing is missing any more.
	b.click("#save")
	b.waitFor(`!document.querySelector("#draft-missing") && !document.querySelector(".banner.error") && !document.querySelector("#test-run").disabled`, "the workflow saved complete")
	saved, err := s.store.GetWorkflow(ctx, wfID)
	if err != nil {
		t.Fatal(err)
	}
	savedVersion := saved.CurrentVersion
	var def struct {
		Steps []map[string]any `json:"steps"`
	}
	if err := json.Unmarshal(saved.Definition, &def); err != nil || len(def.Steps) != 2 || def.Steps[0]["if"] != "trigger.data.object.amount >= 10000" {
		t.Fatalf("stored definition (%v): %s", err, saved.Definition)
	}
	noProblems()

	// --- test run with per-node status on the canvas --------------------
	b.click("#tab-canvas")
	b.click("#test-run")
	b.waitFor(`document.querySelector(".test-out ol.inspector") && document.querySelectorAll("#flow-canvas .node.n-step.st-completed").length === 2`, "the test run's statuses on both nodes")
	var st map[string]string
	b.eval(`Object.fromEntries([...document.querySelectorAll("#flow-canvas .node.n-step")].map((n) => [n.dataset.stepId, n.querySelector(".node-status") ? n.querySelector(".node-status").textContent : ""]))`, &st)
	if st["filter_1"] != "✓ completed" || st["action_1"] != "✓ completed" {
		t.Fatalf("canvas statuses after the test run: %v", st)
	}
	b.click(node("steps[1]"))
	b.waitFor(`document.querySelector("#canvas-panel .canvas-run")`, "the Slack node's test-run details")
	if got := b.text("#canvas-panel .canvas-run"); !strings.Contains(got, "Paid "+fmt.Sprint(amount)) {
		t.Fatalf("the Slack node's test-run details do not show the rendered message:\n%s", got)
	}
	b.screenshot(shots, "journey-08-test-run-canvas")
	slackMu.Lock()
	if len(slackTexts) != 0 {
		t.Fatalf("the test run posted to Slack: %v", slackTexts)
	}
	slackMu.Unlock()

	// --- activate; a signed event runs for real -------------------------
	b.click("#wf-active")
	waitStore(t, func() bool {
		wf, err := s.store.GetWorkflow(ctx, wfID)
		return err == nil && wf.Active
	}, "the workflow to be active in the store")
	b.screenshot(shots, "journey-09-active")
	code, evID := postStripe(t, hookURL, whsec, fmt.Sprintf(`{"id":"evt_live","type":"payment_intent.succeeded","data":{"object":{"id":"pi_live","amount":%d,"currency":"usd"}}}`, amount))
	if code != http.StatusAccepted || evID == "" {
		t.Fatalf("the signed event answered %d (event %q)", code, evID)
	}
	var run store.Run
	waitStore(t, func() bool {
		runs, _, err := s.store.ListRuns(ctx, store.RunFilter{EventID: evID})
		if err != nil || len(runs) != 1 || runs[0].Status != store.RunCompleted {
			return false
		}
		run = runs[0]
		return true
	}, "the signed event's run to complete")
	slackMu.Lock()
	if len(slackTexts) != 1 || slackTexts[0] != fmt.Sprintf("/chat.postMessage C0123456789 Paid %d", amount) {
		t.Fatalf("the fake Slack received %q, want one message", slackTexts)
	}
	slackMu.Unlock()

	// --- the run on the canvas, each node's output ----------------------
	b.click(`#nav a[href='#/runs']`)
	// The run's id holds slashes: its link is the encoded id.
	b.click(`table.list tbody a[href='#/runs/` + strings.ReplaceAll(run.ID, "/", "%2F") + `']`)
	b.waitFor(`document.querySelectorAll("#run-canvas .node.n-step").length === 2`, "the run on the canvas")
	b.eval(`Object.fromEntries([...document.querySelectorAll("#run-canvas .node.n-step")].map((n) => [n.dataset.stepId, n.querySelector(".node-status").textContent]))`, &st)
	if st["filter_1"] != "✓ completed" || st["action_1"] != "✓ completed" {
		t.Fatalf("run canvas statuses: %v", st)
	}
	b.click(`#run-canvas .node[data-node="steps[0]"]`)
	b.waitFor(`document.querySelector("#run-canvas-panel .run-record") && document.querySelector("#run-canvas-panel").innerText.includes("passed")`, "the filter's output")
	b.click(`#run-canvas .node[data-node="steps[1]"]`)
	b.waitFor(`document.querySelector("#run-canvas-panel").innerText.includes("1503435956.000247")`, "the Slack step's output (the fake Slack's ts)")
	if got := b.text("#run-canvas-panel"); !strings.Contains(got, "Paid "+fmt.Sprint(amount)) {
		t.Fatalf("the Slack node's details do not show its input:\n%s", got)
	}
	b.screenshot(shots, "journey-10-run-on-canvas")
	noProblems()

	// --- edit, diff in the version history, restore ---------------------
	b.navigate(s.url + "/#/workflows/" + wfID)
	b.waitFor(`document.querySelector("#wf-name") && document.querySelector("#history-link")`, "the editor with its History link")
	b.typeInto("#wf-name", "Big Stripe payments to Slack")
	b.click("#save")
	waitStore(t, func() bool {
		wf, err := s.store.GetWorkflow(ctx, wfID)
		return err == nil && wf.CurrentVersion == savedVersion+1
	}, "the edit saved as a new version")
	b.click("#history-link")
	b.waitFor(`location.hash.endsWith("/history") && document.querySelector("#diff-words li") && document.querySelector("#diff-lines .diff-line.add")`, "the version history with the diff")
	if got := b.text("#diff-words"); !strings.Contains(got, `Name changed from "Big Stripe payments to HubSpot and Slack" to "Big Stripe payments to Slack".`) {
		t.Fatalf("diff in words = %q, want the name change", got)
	}
	b.screenshot(shots, "journey-11-history-diff")
	b.click(fmt.Sprintf("#restore-%d", savedVersion))
	b.waitFor(fmt.Sprintf(`document.querySelector("tr[data-version='%d']")`, savedVersion+2), "the restored version in the history")
	waitStore(t, func() bool {
		wf, err := s.store.GetWorkflow(ctx, wfID)
		return err == nil && wf.CurrentVersion == savedVersion+2 && wf.Name == "Big Stripe payments to HubSpot and Slack"
	}, "the workflow restored")
	b.screenshot(shots, "journey-12-history-restored")
	noProblems()

	// --- a dead-lettered outgoing delivery retried from its page --------
	// (TestBrowserOps' steps: the delivery activity itself sends it to a
	// receiver that fails once, then succeeds.)
	var hits atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":"database down"}`)
			return
		}
		fmt.Fprint(w, "thanks")
	}))
	t.Cleanup(receiver.Close)
	s.apiCall(t, "POST", "/api/v1/credentials", map[string]any{"name": "hook-signing", "connector": "webhook",
		"values": map[string]any{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, nil)
	res, err := acts.Deliver(ctx, interpreter.DeliverRequest{DeliveryID: "dlv_journey", Attempt: 1,
		Action: interpreter.ActionRequest{RunID: run.ID, WorkflowID: wfID, Step: "notify", Connector: "webhook", Action: "send",
			Credential: "hook-signing", Input: map[string]any{"url": receiver.URL + "/in", "event_type": "payment.big", "data": map[string]any{"amount": amount}}}})
	if err != nil || !res.Dead {
		t.Fatalf("first delivery = %+v, %v; want a dead letter", res, err)
	}
	b.click(`nav a[href='#/deliveries']`)
	b.waitFor(`document.querySelector("tr[data-delivery='dlv_journey'] .badge.st-dead")`, "the dead letter in the deliveries list")
	b.click(`tr[data-delivery='dlv_journey'] a`)
	b.waitFor(`document.querySelector("#attempts tr[data-attempt='1']")`, "the first attempt on the delivery page")
	if got := b.text("#attempts tr[data-attempt='1']"); !strings.Contains(got, "500") || !strings.Contains(got, "database down") {
		t.Fatalf("attempt 1 = %q, want HTTP 500 and the reply", got)
	}
	b.screenshot(shots, "journey-13-dead-letter")
	b.click("#retry-delivery")
	b.waitFor(`document.querySelector("#attempts tr[data-attempt='2']") && document.querySelector("#delivery-status .badge.st-succeeded")`, "the retried delivery, succeeded")
	if d, _ := s.store.GetDelivery(ctx, "dlv_journey"); d.Status != store.DeliverySucceeded || d.Attempts != 2 {
		t.Fatalf("stored delivery = %+v, want succeeded after 2 attempts", d)
	}
	b.screenshot(shots, "journey-14-delivery-retried")

	// --- a forged event: rejected, Replay disabled ----------------------
	forged, err := http.Post(hookURL, "application/json", strings.NewReader(`{"id":"evt_forged","type":"payment_intent.succeeded","data":{"object":{"amount":99999999}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = forged.Body.Close()
	evs, _, err := s.store.ListEvents(ctx, store.EventFilter{Status: store.EventRejected})
	if err != nil || len(evs) != 1 {
		t.Fatalf("rejected events %v (%v); the forged post answered %d", evs, err, forged.StatusCode)
	}
	b.click(`#nav a[href='#/events']`)
	b.click(`a[href='#/events/` + evs[0].ID + `']`)
	b.waitFor(`document.querySelector("#replay")`, "the rejected event's page")
	var disabled bool
	b.eval(`document.querySelector("#replay").disabled`, &disabled)
	if !disabled || !strings.Contains(b.text("#replay-why"), "rejected") {
		t.Fatalf("replay disabled %v, reason %q", disabled, b.text("#replay-why"))
	}
	b.screenshot(shots, "journey-15-forged-rejected")
	if runs, _, _ := s.store.ListRuns(ctx, store.RunFilter{WorkflowID: wfID}); len(runs) != 1 {
		t.Fatalf("%d runs, want only the signed event's", len(runs))
	}
	noProblems()
}
