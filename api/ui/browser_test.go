package ui_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/api/ui"
	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/credentials/oauthtest"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
	"github.com/hookflow/hookflow/triggers"
)

// ScreenshotsEnv names a folder where the browser test keeps its
// screenshots for a human to look at; without it they go to a temporary
// folder removed after the test.
const ScreenshotsEnv = "HOOKFLOW_UI_SCREENSHOTS"

// stack is the UI and the real REST API on a real SQLite store, served
// on a loopback port, with an admin key.
type stack struct {
	url      string
	store    *store.Store
	adminKey string
	oauth    *credentials.OAuth
	as       *oauthtest.Server
}

func newStack(t *testing.T) *stack {
	t.Helper()
	st := storetest.SQLite(t).Store
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, base, kr := listenWithKeyring(t)
	svc := &manage.Service{Store: st, Registry: reg, Keyring: kr, WebhookBaseURL: base + "/hooks/"}
	// The real ingestion pipeline serves /hooks and listen mode. This
	// process has no Temporal server, so runs are handed to a starter
	// that only records them; run pages are fed from the store instead.
	started := &recordingStarter{}
	trig, err := triggers.New(triggers.Config{Starter: started, Keyring: kr, PublicURL: base}, st, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = trig.Close() })
	svc.SyncSchedule = trig.Scheduler.Sync
	// OAuth 2 against a fake authorization server whose consent page
	// approves at once and redirects back to this stack's callback.
	as := oauthtest.New(t, "ui-client", "ui-secret", base+api.OAuthCallbackPath)
	oauth := credentials.NewOAuth(credentials.OAuthConfig{
		Clients:     map[string]credentials.OAuthClient{"hubspot": {ID: "ui-client", Secret: "ui-secret"}},
		RedirectURL: base + api.OAuthCallbackPath,
		Endpoints:   map[string]connectors.OAuth{"hubspot": {AuthURL: as.AuthURL(), TokenURL: as.TokenURL(), RevokeURL: as.RevokeURL()}},
	}, st, kr, reg)
	cfg := api.Config{
		OAuth: oauth, OAuthRedirectURL: base + api.OAuthCallbackPath,
		Manage:   svc,
		Triggers: api.TriggersService(trig),
		// Test runs are real dry runs of the interpreter, with actions
		// answering their catalog sample output.
		Tester:  api.DryRuns(&dryrun.Runner{Registry: reg, Store: st, Keyring: kr}),
		Changed: trig.Invalidate,
	}
	plain := serveStack(t, ln, st, trig, cfg)
	return &stack{url: base, store: st, adminKey: plain, oauth: oauth, as: as}
}

// listenWithKeyring opens the stack's listener on a free loopback port
// and returns it with its base URL and a keyring of a new key.
func listenWithKeyring(t *testing.T) (net.Listener, string, *secrets.Keyring) {
	t.Helper()
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String(), secrets.NewKeyring(key)
}

// serveStack serves, on ln until the test ends, what hookflow dev
// serves: the webhook route of trig, the API mounted with cfg and the UI.
// It returns a new admin API key.
func serveStack(t *testing.T, ln net.Listener, st *store.Store, trig *triggers.Service, cfg api.Config) string {
	t.Helper()
	r := api.NewRouter(api.RouterConfig{})
	r.Any(triggers.HookPath, func(c *gin.Context) { trig.Ingestor.Serve(c.Writer, c.Request, c.Param("token")) })
	if err := api.Mount(r, cfg); err != nil {
		t.Fatal(err)
	}
	ui.Mount(r)
	srv := httptest.NewUnstartedServer(r)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	_, plain, err := st.CreateAPIKey(context.Background(), "ui test", store.ScopeAdmin)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv(ScreenshotsEnv); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowser drives the UI in a real headless Chromium against the real
// API: sign in, create a credential from the connector's spec form,
// compose a workflow with the visual editor and save it, see a
// validation error placed on the field it names, activate the workflow,
// be refused deleting a credential an active workflow uses, and inspect
// runs (a finished one, and a running one that refreshes itself).
// Screenshots of the key pages are kept (see ScreenshotsEnv).
func TestBrowser(t *testing.T) {
	s := newStack(t)
	shots := screenshotDir(t)
	b0 := startBrowser(t, 1366, 900)
	ctx := context.Background()

	// Fail on any page error, checked after every step of the scenario.
	noProblems := func(t *testing.T) {
		t.Helper()
		if p := b0.pageProblems(); len(p) > 0 {
			t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
		}
	}

	t.Run("login", func(t *testing.T) {
		b := b0.with(t)
		b.navigate(s.url + "/")
		b.waitFor(`document.querySelector("#api-key")`, "the login form")
		b.typeInto("#api-key", "hf_not_a_real_key")
		b.click("#login")
		b.waitFor(`document.querySelector("#login-error") && document.querySelector("#login-error").innerText.includes("not accepted")`, "the wrong key to be refused")

		b.typeInto("#api-key", s.adminKey)
		b.click("#login")
		b.waitFor(`location.hash === "#/workflows" && document.querySelector("#nav a[href='#/workflows']")`, "the workflows page after login")
		b.waitFor(`document.querySelector(".empty") && document.querySelector(".empty").innerText.includes("No workflows yet")`, "the empty workflow list")
		var stored string
		b.eval(`localStorage.getItem("hookflow.apiKey")`, &stored)
		if stored != s.adminKey {
			t.Fatalf("localStorage key = %q, want the admin key", stored)
		}
		noProblems(t)
	})

	t.Run("create credential from the spec form", func(t *testing.T) {
		b := b0.with(t)
		b.click(`#nav a[href='#/credentials']`)
		b.click("#new-credential")
		b.typeInto("#cred-name", "slack-bot")
		b.selectOption("#cred-connector", "slack")
		b.waitFor(`document.querySelector("input[name=bot_token]")`, "the Slack credential fields")
		var kind string
		b.eval(`document.querySelector("input[name=bot_token]").type`, &kind)
		if kind != "password" {
			t.Fatalf("the secret bot_token field is an input of type %q, want password", kind)
		}
		if help := b.text(`.field:has(input[name=bot_token]) .help`); !strings.Contains(help, "xoxb-") {
			t.Fatalf("bot_token help = %q, want the pattern help naming xoxb-", help)
		}
		// A token that breaks the spec's pattern is refused by the API and
		// the message is shown under that field.
		b.typeInto("input[name=bot_token]", "not-a-token")
		b.click(`form[aria-label="New credential"] button[type=submit]`)
		b.waitFor(`document.querySelector(".field.has-error input[name=bot_token]")`, "the bot_token field marked as wrong")
		b.typeInto("input[name=bot_token]", "xoxb-1234-abcd")
		b.click(`form[aria-label="New credential"] button[type=submit]`)
		b.waitFor(`[...document.querySelectorAll("table.list td")].some(td => td.innerText === "slack-bot")`, "the new credential in the list")
		if cell := b.text("table.list td.mono"); strings.Contains(cell, "1234-abcd") {
			t.Fatalf("the credential list shows the secret: %q", cell)
		}
		noProblems(t)
	})

	t.Run("credential forms follow the mode and the use", func(t *testing.T) {
		b := b0.with(t)
		b.click("#new-credential")
		// The generic webhook credential shows only the chosen mode's
		// fields: no HMAC header or algorithm for a Standard Webhooks secret.
		b.selectOption("#cred-connector", "webhook")
		b.waitFor(`document.querySelector("select[name=auth]")`, "the webhook credential fields")
		visible := func(name string) bool {
			var on bool
			b.eval(`!document.querySelector(".field:has([name=`+name+`])").hidden`, &on)
			return on
		}
		if visible("header") || visible("algorithm") || visible("username") || visible("token") || !visible("secret") {
			t.Fatal("standard mode (the default) shows another mode's fields, or hides the secret")
		}
		b.selectOption("select[name=auth]", "hmac")
		if !visible("header") || !visible("algorithm") || visible("username") {
			t.Fatal("hmac mode does not show exactly the HMAC settings")
		}
		b.selectOption("select[name=auth]", "basic")
		if visible("header") || !visible("username") || !visible("password") || visible("token") {
			t.Fatal("basic mode does not show exactly username and password")
		}
		// A Telegram credential for the trigger alone needs only its
		// secret token: the bot token is marked as needed for actions.
		b.typeInto("#cred-name", "tg-trigger")
		b.selectOption("#cred-connector", "telegram")
		b.waitFor(`document.querySelector("#cred-actions-note")`, "the note on fields only actions need")
		if note := b.text("#cred-actions-note"); !strings.Contains(note, "Bot token") {
			t.Fatalf("actions note = %q, want it to name the Bot token", note)
		}
		b.typeInto("input[name=secret_token]", "hook_secret_1")
		b.click(`form[aria-label="New credential"] button[type=submit]`)
		b.waitFor(`[...document.querySelectorAll("table.list td")].some(td => td.innerText === "tg-trigger")`, "the trigger-only credential in the list")
		noProblems(t)
	})

	t.Run("connect an account with OAuth, and reconnect it", func(t *testing.T) {
		b := b0.with(t)
		connected := `[...document.querySelectorAll("tr[data-credential='hubspot-ui'] .badge")].some(x => x.innerText === "connected")`
		b.navigate(s.url + "/#/credentials")
		b.waitFor(`document.querySelector("#connect-hubspot")`, "the Connect HubSpot button")
		if label := b.text("#connect-hubspot"); label != "Connect HubSpot" {
			t.Fatalf("button says %q", label)
		}
		b.typeInto("#connect-name", "hubspot-ui")
		// The browser goes to the (fake) provider, which approves and
		// sends it back through /oauth/callback to the Credentials page.
		b.click("#connect-hubspot")
		b.waitFor(`location.hash.startsWith("#/credentials?connected=hubspot-ui") && `+connected, "the connected HubSpot credential")

		// The provider stops accepting the connection: the next refresh
		// gets invalid_grant and the credential asks to be reconnected.
		ctx := context.Background()
		v, err := s.oauth.Token(ctx, "hubspot-ui")
		if err != nil {
			t.Fatal(err)
		}
		s.as.RevokeGrants()
		if _, err := s.oauth.Refresh(ctx, "hubspot-ui", v.String("access_token")); !errors.Is(err, credentials.ErrReconnect) {
			t.Fatalf("refresh after the grant was revoked: %v", err)
		}
		b.navigate(s.url + "/#/credentials")
		b.waitFor(`document.querySelector("#reconnect-hubspot-ui")`, "the Reconnect HubSpot button")
		if row := b.text("tr[data-credential='hubspot-ui']"); !strings.Contains(row, "reconnect needed") || !strings.Contains(row, "Reconnect HubSpot") {
			t.Fatalf("the credential row says %q", row)
		}
		b.click("#reconnect-hubspot-ui")
		b.waitFor(`location.hash.startsWith("#/credentials?connected=hubspot-ui") && `+connected, "the reconnected credential")
		noProblems(t)
	})

	var workflowID string
	t.Run("create workflow with the visual editor", func(t *testing.T) {
		b := b0.with(t)
		b.click(`#nav a[href='#/workflows']`)
		b.click(`a[href='#/workflows/new']`)
		b.typeInto("#wf-name", "Big payments to Slack")
		// The canvas is the default view; this journey uses the list view
		// (remembered from here on). TestBrowserCanvas covers the canvas.
		b.click("#tab-visual")

		b.selectOption("li.add-step select", "filter")
		b.click("li.add-step button")
		// The condition typed as an expression ("Edit as expression");
		// the builder's rows are TestBrowserConditions'.
		asExpression(b, "steps[0].if")
		b.typeInto(condExpr("steps[0].if"), "trigger.amount >= 100")

		b.selectOption("ol.steps > li.add-step select", "action")
		b.click("ol.steps > li.add-step button")
		b.selectOption(`select[data-error-key="steps[1].connector"]`, "slack")
		b.selectOption(`select[data-error-key="steps[1].action"]`, "post_message")
		b.selectOption(`select[data-error-key="steps[1].credential"]`, "slack-bot")
		b.typeInto(`input[data-error-key="steps[1].input.channel"]`, "#sales")
		b.typeInto(`input[data-error-key="steps[1].input.text"]`, "Paid {{ trigger.amount }}")
		// Fields generated from the catalog: a boolean becomes a yes/no
		// select, and examples become placeholders.
		var unfurl string
		b.eval(`document.querySelector('select[data-error-key="steps[1].input.unfurl_links"]').tagName`, &unfurl)
		if unfurl != "SELECT" {
			t.Fatalf("boolean input unfurl_links rendered as %s, want SELECT", unfurl)
		}
		b.screenshot(shots, "editor-new")

		b.click("#save")
		b.waitFor(`/^#\/workflows\/[^n]/.test(location.hash) && document.querySelector("#webhook-url")`, "the saved workflow with its webhook URL")
		var hookURL string
		b.eval(`document.querySelector("#webhook-url").value`, &hookURL)
		if !strings.HasPrefix(hookURL, s.url+"/hooks/") {
			t.Fatalf("webhook URL %q does not start with %s/hooks/", hookURL, s.url)
		}
		wfs, _, err := s.store.ListWorkflows(ctx, store.WorkflowFilter{})
		if err != nil || len(wfs) != 1 {
			t.Fatalf("stored workflows = %d (%v), want 1", len(wfs), err)
		}
		workflowID = wfs[0].ID
		var def struct {
			Name  string `json:"name"`
			Steps []struct {
				ID, Type, If, Connector, Action, Credential string
				Input                                       map[string]any
			} `json:"steps"`
		}
		if err := json.Unmarshal(wfs[0].Definition, &def); err != nil {
			t.Fatal(err)
		}
		if def.Name != "Big payments to Slack" || len(def.Steps) != 2 || def.Steps[0].If != "trigger.amount >= 100" ||
			def.Steps[1].Action != "post_message" || def.Steps[1].Credential != "slack-bot" || def.Steps[1].Input["channel"] != "#sales" {
			t.Fatalf("stored definition does not match what was entered: %s", wfs[0].Definition)
		}
		noProblems(t)
	})

	t.Run("validation error on the right field", func(t *testing.T) {
		b := b0.with(t)
		b.click(`[data-path="steps[0]"] .card-toggle`)
		asExpression(b, "steps[0].if")
		b.typeInto(condExpr("steps[0].if"), "trigger.amount >= ")
		b.click("#save")
		sel := `.field.has-error[data-error-key="steps[0].if"] .field-error`
		b.waitFor(`document.querySelector(`+js(sel)+`) && !document.querySelector(`+js(sel)+`).hidden`, "the error under the if field")
		msg := b.text(sel)
		if !regexpPosition.MatchString(msg) {
			t.Fatalf("the error under steps[0].if is %q, want a message with its line:col", msg)
		}
		var marked []string
		b.eval(`[...document.querySelectorAll(".field.has-error")].map(e => e.dataset.errorKey || "")`, &marked)
		if len(marked) != 1 || marked[0] != "steps[0].if" {
			t.Fatalf("fields marked as wrong = %v, want only steps[0].if", marked)
		}
		var cardMarked bool
		b.eval(`document.querySelector('[data-path="steps[0]"]').classList.contains("has-error") && !document.querySelector('[data-path="steps[1]"]').classList.contains("has-error")`, &cardMarked)
		if !cardMarked {
			t.Fatal("the filter step's card is not the only card marked")
		}
		if banner := b.text(".banner.error"); !strings.Contains(banner, "steps[0].if") {
			t.Fatalf("the error banner does not name the path: %q", banner)
		}
		b.screenshot(shots, "validation-error")

		// Fixing it clears the marks and saves version 2.
		b.typeInto(condExpr("steps[0].if"), "trigger.amount >= 200")
		b.click("#save")
		b.waitFor(`!document.querySelector(".field.has-error") && !document.querySelector(".banner.error") && document.body.innerText.includes("version 2")`, "the corrected workflow saved as version 2")
		noProblems(t)
	})

	t.Run("listen for a test event, pick fields, test run", func(t *testing.T) {
		b := b0.with(t)
		var hookURL string
		b.eval(`document.querySelector("#webhook-url").value`, &hookURL)
		b.click("#listen")
		b.waitFor(`document.body.innerText.includes("Waiting for the next delivery")`, "listening to start")
		// Deliveries sent before the API's long-poll began are not "the
		// next" one, so keep sending fresh events until one is heard.
		for i := 0; ; i++ {
			postHook(t, hookURL, fmt.Sprintf(`{"id":"evt_%d","type":"payment.paid","data":{"amount":250,"customer":{"email":"ada@example.com"}}}`, i))
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
		// Field picker: focus the filter condition (an expression), click
		// a field of the sample: its path goes in as an expression.
		asExpression(b, "steps[0].if")
		b.typeInto(condExpr("steps[0].if"), "")
		b.click(`.sample button[data-path="trigger.data.amount"]`)
		var cond string
		b.eval(`document.querySelector(`+js(condExpr("steps[0].if"))+`).value`, &cond)
		if cond != "trigger.data.amount" {
			t.Fatalf("picking into the filter gave %q, want trigger.data.amount", cond)
		}
		b.typeInto(condExpr("steps[0].if"), "trigger.data.amount >= 100")
		// Into a template field it goes in as {{ … }} at the cursor.
		b.click(`[data-path="steps[1]"] .card-toggle`)
		b.typeInto(`input[data-error-key="steps[1].input.text"]`, "Paid by ")
		b.click(`.sample button[data-path="trigger.data.customer.email"]`)
		var text string
		b.eval(`document.querySelector('input[data-error-key="steps[1].input.text"]').value`, &text)
		if text != "Paid by {{ trigger.data.customer.email }}" {
			t.Fatalf("picking into the message gave %q", text)
		}
		b.screenshot(shots, "field-picker")
		b.click("#save")
		b.waitFor(`document.body.innerText.includes("version 3")`, "version 3 saved")

		b.click("#test-run")
		b.waitFor(`document.querySelector(".test-out ol.inspector")`, "the test run's step log")
		b.click(`.test-out li[data-path="action_1"] summary`)
		out := b.text(".test-out")
		// The action's input is shown rendered: the picked template
		// resolved against the captured event.
		for _, want := range []string{"completed", "filter_1", "action_1", "sample output", "Paid by ada@example.com"} {
			if !strings.Contains(out, want) {
				t.Fatalf("the test run result does not show %q:\n%s", want, out)
			}
		}
		b.screenshot(shots, "test-run")
		noProblems(t)
	})

	t.Run("activate, and a used credential cannot be deleted", func(t *testing.T) {
		b := b0.with(t)
		b.click("#wf-active")
		waitStore(t, func() bool {
			wf, err := s.store.GetWorkflow(ctx, workflowID)
			return err == nil && wf.Active
		}, "the workflow to be active in the store")

		b.click(`#nav a[href='#/credentials']`)
		b.click(`button[aria-label="Delete credential slack-bot"]`)
		b.waitFor(`document.querySelector(".banner.error") && document.querySelector(".banner.error a[href='#/workflows/`+workflowID+`']")`, "the 409 naming the workflow")
		if banner := b.text(".banner.error"); !strings.Contains(banner, "Big payments to Slack") {
			t.Fatalf("the refusal does not name the workflow: %q", banner)
		}
		noProblems(t)
	})

	t.Run("run inspector", func(t *testing.T) {
		b := b0.with(t)
		started := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		ended := started.Add(1500 * time.Millisecond)
		steps := `[
		  {"path":"big","id":"big","type":"filter","status":"succeeded","output":{"passed":true},"started_at":"2026-05-01T10:00:00Z","ended_at":"2026-05-01T10:00:00.010Z","attempts":1},
		  {"path":"action_1","id":"action_1","type":"action","status":"failed","input":{"channel":"#sales","text":"Paid 250"},
		   "error":"slack: channel_not_found","error_class":"permanent","attempts":3,"started_at":"2026-05-01T10:00:00.010Z","ended_at":"2026-05-01T10:00:01.500Z"}]`
		if err := s.store.UpsertRun(ctx, store.Run{ID: "run_done", WorkflowID: workflowID, WorkflowVersion: 2, Status: store.RunFailed,
			StartedAt: started, EndedAt: &ended, Error: "step action_1 failed: slack: channel_not_found", Steps: json.RawMessage(steps)}); err != nil {
			t.Fatal(err)
		}
		b.click(`#nav a[href='#/runs']`)
		b.waitFor(`document.querySelector("#flt-status")`, "the runs page")
		b.selectOption("#flt-status", "failed")
		b.waitFor(`location.hash === "#/runs?status=failed" && document.querySelector("#flt-status").value === "failed" && document.querySelector("a[href='#/runs/run_done']")`, "the filtered run list")
		b.click(`a[href='#/runs/run_done']`)
		b.waitFor(`document.querySelector("ol.inspector")`, "the step inspector")
		insp := b.text("ol.inspector")
		for _, want := range []string{"big", "succeeded", "action_1", "failed", "3 attempts", "channel_not_found", "permanent", "#sales"} {
			if !strings.Contains(insp, want) {
				t.Fatalf("the inspector does not show %q:\n%s", want, insp)
			}
		}
		// This process runs no Temporal: retry is refused with the API's
		// explanation, shown to the user.
		b.click("#retry")
		b.waitFor(`document.querySelector("#run-msg .banner.error")`, "the retry refusal")
		if msg := b.text("#run-msg .banner.error"); !strings.Contains(strings.ToLower(msg), "retrying runs") {
			t.Fatalf("the retry refusal does not explain itself: %q", msg)
		}
		// A failed run also offers to resume from its failed step.
		b.click("#retry-failed")
		b.waitFor(`document.querySelector("#run-msg .banner.error") && document.querySelector("#retry-failed") && !document.querySelector("#retry-failed").disabled`, "the resume refusal")
		b.screenshot(shots, "run-inspector")

		// A running run refreshes itself until it ends. While a step waits
		// for an approval, the page offers Approve and Reject.
		if err := s.store.UpsertRun(ctx, store.Run{ID: "run_live", WorkflowID: workflowID, WorkflowVersion: 2, Status: store.RunRunning,
			StartedAt: started, Steps: json.RawMessage(`[{"path":"big","id":"big","type":"filter","status":"succeeded","started_at":"2026-05-01T10:00:00Z"},
			  {"path":"ok","id":"ok","type":"wait_for_event","status":"waiting","input":{"approval":"Refund 250 USD to ada@example.com?"},"started_at":"2026-05-01T10:00:00Z"}]`)}); err != nil {
			t.Fatal(err)
		}
		b.navigate(s.url + "/#/runs/run_live")
		b.waitFor(`document.querySelector(".page-head .badge") && document.querySelector(".page-head .badge").innerText === "running"`, "the running run")
		b.waitFor(`document.querySelector("#approve-ok") && document.querySelector("#reject-ok")`, "the approval buttons")
		if panel := b.text(`[aria-label="Approval for step ok"]`); !strings.Contains(panel, "Refund 250 USD to ada@example.com?") {
			t.Fatalf("the approval panel does not show the question: %q", panel)
		}
		// This process runs no Temporal: the decision is refused with the
		// API's explanation, and the buttons come back.
		b.click("#approve-ok")
		b.waitFor(`document.querySelector("#run-msg .banner.error")`, "the approval refusal")
		if err := s.store.UpsertRun(ctx, store.Run{ID: "run_live", WorkflowID: workflowID, WorkflowVersion: 2, Status: store.RunCompleted,
			StartedAt: started, EndedAt: &ended, Steps: json.RawMessage(`[{"path":"big","id":"big","type":"filter","status":"succeeded","started_at":"2026-05-01T10:00:00Z"},{"path":"action_1","id":"action_1","type":"action","status":"succeeded","output":{"ts":"1.2"},"started_at":"2026-05-01T10:00:01Z"}]`)}); err != nil {
			t.Fatal(err)
		}
		b.waitFor(`document.querySelector(".page-head .badge").innerText === "completed" && document.querySelector("ol.inspector").innerText.includes("action_1")`, "the run page to refresh to completed")
		b.waitFor(`!document.querySelector("#approve-ok")`, "the approval buttons to go once the run ended")
		noProblems(t)
	})

	t.Run("every step kind's form comes from its spec", func(t *testing.T) {
		b := b0.with(t)
		b.click(`#nav a[href='#/workflows']`)
		// "New workflow" opens the template gallery, which offers a blank one.
		b.click("#new-workflow")
		b.click("#start-blank")
		const add = `ol.steps[aria-label="Steps"] > li.add-step`
		for _, k := range definition.Kinds {
			b.selectOption(add+" select", string(k))
			b.click(add + " button")
		}
		// Each open card has a control for every field of its kind: those
		// of an action that need a connector chosen first, and those of a
		// choice's other options, excepted.
		for i, k := range definition.KindSpecs() {
			b.waitFor(fmt.Sprintf(`document.querySelector('[data-path="steps[%d]"] .card-body')`, i), "the form of the "+string(k.Kind)+" step")
			for _, f := range k.Fields {
				if f.Option || f.Format == definition.FormatAction || f.Format == definition.FormatInput ||
					(f.Format == definition.FormatCredential && f.Connector == "") || (k.Choice != nil && inLaterOption(k.Choice, f.Name)) {
					continue
				}
				key := fmt.Sprintf("steps[%d].%s", i, f.Name)
				var found bool
				b.eval(fmt.Sprintf(`!!document.querySelector('[data-error-key=%s]')`, js(key)), &found)
				if !found {
					t.Errorf("the %s step's form has no control for %s", k.Kind, key)
				}
			}
		}
		// A choice swaps the fields shown: the wait turns into an approval.
		b.selectOption(`[data-path="steps[9]"] select[name=choice]`, "1")
		b.waitFor(`document.querySelector('[data-error-key="steps[9].approval.message"]') && !document.querySelector('[data-error-key="steps[9].event"]')`, "the approval fields of the wait")
		b.screenshot(shots, "editor-all-kinds")

		// New steps start as their specs say: one blank case, two named
		// branches, an empty body, an empty approval.
		b.click("#tab-json")
		var raw string
		b.eval(`document.querySelector(".json-editor").value`, &raw)
		var doc struct {
			Steps []map[string]any `json:"steps"`
		}
		if err := json.Unmarshal([]byte(raw), &doc); err != nil || len(doc.Steps) != len(definition.Kinds) {
			t.Fatalf("the JSON tab holds %d steps (%v): %s", len(doc.Steps), err, raw)
		}
		for _, c := range []struct {
			step int
			key  string
			want string
		}{
			{3, "cases", `[{"if":"","next":""}]`},
			{4, "cases", `[{"equals":"","next":""}]`},
			{6, "steps", `[]`},
			{7, "branches", `[{"name":"branch_1","steps":[]},{"name":"branch_2","steps":[]}]`},
			{9, "approval", `{}`},
		} {
			got, _ := json.Marshal(doc.Steps[c.step][c.key])
			if string(got) != c.want {
				t.Errorf("new %s step: %s = %s, want %s", doc.Steps[c.step]["type"], c.key, got, c.want)
			}
		}
		noProblems(t)
	})
}

// inLaterOption reports whether field belongs to an option of c other
// than the first, which a new step does not show.
func inLaterOption(c *definition.Choice, field string) bool {
	for _, o := range c.Options[1:] {
		for _, f := range o.Fields {
			if f == field {
				return true
			}
		}
	}
	return false
}

// waitStore polls a store condition, bounded so a broken UI fails the
// test instead of hanging it.
func waitStore(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not true after %s", what, waitTimeout)
		}
		time.Sleep(pollInterval)
	}
}

// recordingStarter stands in for Temporal: it records the runs the
// dispatcher starts (idempotent per run id, as the contract asks).
type recordingStarter struct {
	mu   sync.Mutex
	runs map[string]interpreter.RunInput
}

func (r *recordingStarter) StartRun(_ context.Context, in interpreter.RunInput, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[string]interpreter.RunInput{}
	}
	r.runs[in.RunID] = in
	return nil
}

// postHook sends one unsigned JSON webhook, as an app configured without
// authentication would.
func postHook(t *testing.T, url, body string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("posting to the webhook URL: %v", err)
	}
	_ = res.Body.Close()
	if res.StatusCode/100 != 2 {
		t.Fatalf("posting to the webhook URL: HTTP %d", res.StatusCode)
	}
}

// regexpPosition matches a "(line:col)" position in an error message.
var regexpPosition = regexp.MustCompile(`\(\d+:\d+\)`)
