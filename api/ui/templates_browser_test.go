package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/hookflow/hookflow/engine/store"
)

// TestBrowserTemplates drives the gallery in headless Chromium: "New
// workflow" lists the templates with their apps and credentials, using
// one opens a draft whose missing credentials each link to a prefilled
// credential form that comes back to the draft; the workflow exports as
// a file that imports back as a new draft.
func TestBrowserTemplates(t *testing.T) {
	s := newStack(t)
	shots := screenshotDir(t)
	b := startBrowser(t, 1366, 900).with(t)
	ctx := context.Background()

	b.navigate(s.url + "/")
	b.typeInto("#api-key", s.adminKey)
	b.click("#login")
	b.waitFor(`location.hash === "#/workflows"`, "the workflows page after login")

	b.click("#new-workflow")
	card := `li[data-template="stripe-big-payment-hubspot-slack"]`
	b.waitFor(`document.querySelector(`+js(card)+`)`, "the Stripe template in the gallery")
	got := b.text(card)
	for _, want := range []string{"Big Stripe payments to HubSpot and Slack", "100 USD", "Stripe", "HubSpot", "Slack", "stripe-live", "slack-bot", "to create"} {
		if !strings.Contains(got, want) {
			t.Fatalf("the template card does not show %q:\n%s", want, got)
		}
	}
	b.screenshot(shots, "template-gallery")

	b.click("#use-stripe-big-payment-hubspot-slack")
	b.waitFor(`/^#\/workflows\/wf_/.test(location.hash) && document.querySelector("#draft-missing") && document.querySelector("#webhook-url")`, "the draft from the template")
	if got := b.text("#draft-missing"); !strings.Contains(got, "3 things to finish") || !strings.Contains(got, "trigger.credential") {
		t.Fatalf("draft panel = %q, want the three missing credentials", got)
	}
	wfs, _, err := s.store.ListWorkflows(ctx, store.WorkflowFilter{})
	if err != nil || len(wfs) != 1 {
		t.Fatalf("stored workflows %d (%v), want the draft", len(wfs), err)
	}
	wfID := wfs[0].ID
	b.screenshot(shots, "template-draft")

	// Walk through the Slack credential: the form comes prefilled, and
	// saving returns to the draft, which then misses one thing less.
	b.click(`#draft-missing a.create-cred[data-credential="slack-bot"]`)
	b.waitFor(`document.querySelector("input[name=bot_token]")`, "the prefilled Slack credential form")
	var name, conn string
	b.eval(`document.querySelector("#cred-name").value`, &name)
	b.eval(`document.querySelector("#cred-connector").value`, &conn)
	if name != "slack-bot" || conn != "slack" {
		t.Fatalf("credential form prefilled with %q/%q, want slack-bot/slack", name, conn)
	}
	b.typeInto("input[name=bot_token]", "xoxb-1234-abcd")
	b.click(`form[aria-label="New credential"] button[type=submit]`)
	b.waitFor(`location.hash === "#/workflows/`+wfID+`" && document.querySelector("#draft-missing")`, "the draft again after saving the credential")
	b.waitFor(`document.querySelector("#draft-missing").innerText.includes("2 things to finish") && !document.querySelector('#draft-missing a.create-cred[data-credential="slack-bot"]')`, "the Slack credential no longer missing")

	// Export downloads the file; importing it makes a numbered draft.
	dir := t.TempDir()
	b.do("allowing downloads", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior,
			cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return chromedp.Void{}, err
	})
	b.click("#export")
	file := filepath.Join(dir, "big-stripe-payments-to-hubspot-and-slack.json")
	waitStore(t, func() bool { _, err := os.Stat(file); return err == nil }, "the exported file")
	raw, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(raw), `"name": "Big Stripe payments to HubSpot and Slack"`) {
		t.Fatalf("exported file %s (%v)", raw, err)
	}
	b.navigate(s.url + "/#/workflows")
	b.waitFor(`document.querySelector("#import-file")`, "the import button")
	b.do("choosing the file to import", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}))
	b.waitFor(`/^#\/workflows\/wf_/.test(location.hash) && document.querySelector("#wf-name") && document.querySelector("#wf-name").value === "Big Stripe payments to HubSpot and Slack (2)"`, "the imported draft")
	if p := b.pageProblems(); len(p) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
