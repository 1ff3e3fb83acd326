package ui_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/api/ui"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
	"github.com/hookflow/hookflow/triggers"
)

// TestDiffModule runs js/diff.js in the real Chromium against a table of
// cases with exact expected results.
func TestDiffModule(t *testing.T) {
	r := api.NewRouter(api.RouterConfig{})
	ui.Mount(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	b := startBrowser(t, 800, 600).with(t)
	// A page of the same origin, so the module import is allowed.
	b.navigate(srv.URL + ui.AssetPrefix + "js/diff.js")

	cases := []struct {
		name string
		expr string // evaluated with the module as d
		want string // JSON
	}{
		{"line diff of one changed line", `d.lineDiff("a\nb\nc", "a\nx\nc").map((l) => [l.op, l.text, l.a, l.b])`,
			`[[" ","a",1,1],["-","b",2,null],["+","x",null,2],[" ","c",3,3]]`},
		{"line diff from nothing", `d.lineDiff("", "a\nb").map((l) => l.op + l.text)`, `["+a","+b"]`},
		{"line diff of equal texts", `d.diffStats(d.lineDiff("a\nb", "a\nb"))`, `{"added":0,"removed":0}`},
		{"line diff keeps common lines in the middle", `d.lineDiff("x\na\ny\nb", "a\nz\nb").map((l) => l.op + l.text)`,
			`["-x"," a","-y","+z"," b"]`},
		{"line diff too big for the table falls back", `(() => { const a = Array.from({length: 2001}, (_, i) => "a" + i).join("\n"); const b = Array.from({length: 2001}, (_, i) => "b" + i).join("\n"); const s = d.diffStats(d.lineDiff(a, b)); return [s, d.lineDiff(a, b)[0].op, d.lineDiff(a, b)[2001].op]; })()`,
			`[{"added":2001,"removed":2001},"-","+"]`},
		{"stable stringify sorts keys", `d.stableStringify({b: 1, a: {d: [1, {z: 1, y: 2}], c: 2}})`,
			`"{\n  \"a\": {\n    \"c\": 2,\n    \"d\": [\n      1,\n      {\n        \"y\": 2,\n        \"z\": 1\n      }\n    ]\n  },\n  \"b\": 1\n}"`},
		{"no change", `d.describeChanges({name: "A", trigger: {type: "manual"}, steps: [{id: "s", type: "map"}]}, {steps: [{type: "map", id: "s"}], trigger: {type: "manual"}, name: "A"})`, `[]`},
		{"name and trigger events", `d.describeChanges({name: "A", trigger: {type: "webhook", events: ["x"]}}, {name: "B", trigger: {type: "webhook", events: ["x", "y"]}})`,
			`["Name changed from \"A\" to \"B\".","Trigger: events changed from [\"x\"] to [\"x\",\"y\"]."]`},
		{"filter condition changed", `d.describeChanges({steps: [{id: "big", type: "filter", if: "amount >= 10000"}]}, {steps: [{id: "big", type: "filter", if: "amount >= 500"}]})`,
			`["Step \"big\": if changed from \"amount >= 10000\" to \"amount >= 500\"."]`},
		{"step added, removed and moved", `d.describeChanges({steps: [{id: "a", type: "map"}, {id: "b", type: "map"}, {id: "old", type: "delay"}]}, {steps: [{id: "b", type: "map"}, {id: "a", type: "map"}, {id: "new", type: "filter"}]})`,
			`["Step \"old\" removed.","Step \"b\" moved from position 2 to 1.","Step \"a\" moved from position 1 to 2.","Step \"new\" added (filter)."]`},
		{"field added and removed", `d.describeChanges({steps: [{id: "s", type: "action", retry: {max: 3}}]}, {steps: [{id: "s", type: "action", on_error: "continue"}]})`,
			`["Step \"s\": on_error added (\"continue\").","Step \"s\": retry removed (was {\"max\":3})."]`},
		{"nested step inside a branch", `d.describeChanges({steps: [{id: "br", type: "branch", branches: [{if: "x", steps: [{id: "in", type: "map", map: {a: "1"}}]}]}]}, {steps: [{id: "br", type: "branch", branches: [{if: "x", steps: [{id: "in", type: "map", map: {a: "2"}}]}]}]})`,
			`["Step \"in\": map.a changed from \"1\" to \"2\"."]`},
		{"step moved into a branch", `d.describeChanges({steps: [{id: "br", type: "branch", branches: [{if: "x", steps: [{id: "k", type: "map"}]}]}, {id: "m", type: "map"}]}, {steps: [{id: "br", type: "branch", branches: [{if: "x", steps: [{id: "k", type: "map"}, {id: "m", type: "map"}]}]}]})`,
			`["Step \"m\" moved from steps to steps[0].branches[0].steps."]`},
		{"branch condition changed", `d.describeChanges({steps: [{id: "br", type: "branch", branches: [{if: "x > 1", steps: [{id: "in", type: "map"}]}]}]}, {steps: [{id: "br", type: "branch", branches: [{if: "x > 2", steps: [{id: "in", type: "map"}]}]}]})`,
			`["Step \"br\": branches[0].if changed from \"x > 1\" to \"x > 2\"."]`},
		{"long values are cut", `d.show("x".repeat(100)).length`, `78`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			b.with(t).eval(`import("`+ui.AssetPrefix+`js/diff.js").then((d) => JSON.stringify(`+tc.expr+`))`, &got)
			var g, w any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatalf("result %q is not JSON: %v", got, err)
			}
			if err := json.Unmarshal([]byte(tc.want), &w); err != nil {
				t.Fatalf("want %q is not JSON: %v", tc.want, err)
			}
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			if !bytes.Equal(gj, wj) {
				t.Fatalf("got  %s\nwant %s", gj, wj)
			}
		})
	}
}

// opsStack is newStack's stack with a delivery retrier, so the
// deliveries page can retry a dead letter for real.
type opsStack struct {
	url      string
	store    *store.Store
	adminKey string
	acts     *interpreter.Activities
}

// opsRuns stands in for the Temporal-backed run controller: retrying a
// delivery runs the interpreter's real Redeliver activity in the
// background, as the redeliver workflow would. No other method is used.
type opsRuns struct {
	api.Runs
	acts *interpreter.Activities
}

func (r opsRuns) RetryDelivery(_ context.Context, d store.Delivery) error {
	go func() { _, _ = r.acts.Redeliver(context.Background(), d.ID) }()
	return nil
}

func newOpsStack(t *testing.T) *opsStack {
	t.Helper()
	st := storetest.SQLite(t).Store
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Outgoing webhooks go to a local test receiver, which the guarded
	// client refuses unless allowed.
	sendReg, err := all.New(all.Options{Allow: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, base, kr := listenWithKeyring(t)
	svc := &manage.Service{Store: st, Registry: reg, Keyring: kr, WebhookBaseURL: base + "/hooks/"}
	trig, err := triggers.New(triggers.Config{Starter: &recordingStarter{}, Keyring: kr, PublicURL: base}, st, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = trig.Close() })
	acts := interpreter.NewActivities(interpreter.Deps{Store: st, Registry: sendReg, Keyring: kr})
	cfg := api.Config{Manage: svc, Triggers: api.TriggersService(trig), Runs: opsRuns{acts: acts},
		Tester:  api.DryRuns(&dryrun.Runner{Registry: reg, Store: st, Keyring: kr}),
		Changed: trig.Invalidate}
	plain := serveStack(t, ln, st, trig, cfg)
	return &opsStack{url: base, store: st, adminKey: plain, acts: acts}
}

// call sends an API request as the admin and decodes the JSON answer.
func (s *opsStack) call(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	var rd *bytes.Reader
	raw, _ := json.Marshal(body)
	if body == nil {
		raw = nil
	}
	rd = bytes.NewReader(raw)
	req, _ := http.NewRequest(method, s.url+api.Prefix+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.adminKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode/100 != 2 {
		t.Fatalf("%s %s: HTTP %d %v", method, path, res.StatusCode, out)
	}
	return out
}

// postStripe sends a Stripe-signed event to url and returns the status
// and the event id of the answer.
func postStripe(t *testing.T, url, secret, body string) (int, string) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + body))
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var reply struct {
		EventID string `json:"event_id"`
	}
	_ = json.NewDecoder(res.Body).Decode(&reply)
	return res.StatusCode, reply.EventID
}

// TestBrowserOps drives the operations pages in headless Chromium: edit a
// workflow and see the change in its version history, restore version 1;
// retry a dead-lettered delivery from its page (a receiver that fails,
// then succeeds) and see both attempts; create and revoke an API key;
// rotate an endpoint with a grace period (the old URL still works, marked
// in the log) and see a bad allowlist entry refused on its field; edit a
// credential and rotate its secret. Screenshots of each page are kept.
func TestBrowserOps(t *testing.T) {
	s := newOpsStack(t)
	shots := screenshotDir(t)
	b := startBrowser(t, 1366, 900).with(t)
	ctx := context.Background()
	const whsec = "whsec_test_secret_123456"

	s.call(t, "POST", "/credentials", map[string]any{"name": "stripe-live", "connector": "stripe",
		"values": map[string]any{"webhook_secret": whsec, "secret_key": "sk_test_abcdefghijklmnop"}})
	def := map[string]any{"name": "Ops demo",
		"trigger": map[string]any{"type": "webhook", "connector": "stripe", "credential": "stripe-live", "events": []string{"payment_intent.succeeded"}},
		"steps": []any{
			map[string]any{"id": "big", "type": "filter", "if": "trigger.data.object.amount >= 10000"},
			map[string]any{"id": "fields", "type": "map", "map": map[string]any{"cents": "trigger.data.object.amount"}},
		}}
	wf := s.call(t, "POST", "/workflows", map[string]any{"definition": def})
	wfID := wf["id"].(string)
	ep := wf["endpoints"].([]any)[0].(map[string]any)
	epID, oldURL := ep["id"].(string), ep["url"].(string)

	b.navigate(s.url + "/")
	b.typeInto("#api-key", s.adminKey)
	b.click("#login")
	b.waitFor(`location.hash === "#/workflows"`, "the workflows page after login")

	// --- edit, history, diff, restore ------------------------------------
	b.navigate(s.url + "/#/workflows/" + wfID)
	b.waitFor(`document.querySelector("#wf-name") && document.querySelector("#history-link")`, "the workflow editor with its History link")
	b.eval(`(() => { const n = document.querySelector("#wf-name"); n.value = "Ops demo renamed"; n.dispatchEvent(new Event("input", {bubbles: true})); n.dispatchEvent(new Event("change", {bubbles: true})); })()`, nil)
	b.click("#save")
	waitVersion := func(n int) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			w, err := s.store.GetWorkflow(ctx, wfID)
			if err == nil && w.CurrentVersion == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("workflow is at version %d (%v), want %d", w.CurrentVersion, err, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitVersion(2)
	b.click("#history-link")
	b.waitFor(`location.hash.endsWith("/history") && document.querySelector("#diff-words li") && document.querySelector("#diff-lines .diff-line.add")`, "the version history with the diff of v1 and v2")
	if got := b.text("#diff-words"); !strings.Contains(got, `Name changed from "Ops demo" to "Ops demo renamed".`) {
		t.Fatalf("diff in words = %q, want the name change", got)
	}
	if got := b.text("#diff-lines .diff-line.add"); !strings.Contains(got, `"name": "Ops demo renamed"`) {
		t.Fatalf("added line = %q", got)
	}
	if got := b.text("tr[data-version='2']"); !strings.Contains(got, "ui test") {
		t.Fatalf("version 2 row = %q, want the author (the key's name)", got)
	}
	b.screenshot(shots, "ops-history-diff")
	b.click("#restore-1")
	b.waitFor(`document.querySelector("tr[data-version='3']")`, "version 3 in the history after the restore")
	waitVersion(3)
	cur, err := s.store.GetWorkflow(ctx, wfID)
	if err != nil || cur.Name != "Ops demo" {
		t.Fatalf("after restoring v1 the workflow is %q (%v), want \"Ops demo\"", cur.Name, err)
	}
	v1, _ := s.store.GetVersion(ctx, wfID, 1)
	if cur.Hash != v1.Hash {
		t.Fatalf("restored hash %s, want version 1's %s", cur.Hash, v1.Hash)
	}
	if vs, _, _ := s.store.ListVersions(ctx, wfID, store.ListOptions{}); len(vs) != 3 {
		t.Fatalf("history has %d versions, want 3", len(vs))
	}
	b.screenshot(shots, "ops-history-restored")

	// --- a dead letter retried from its page ---------------------------
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
	s.call(t, "POST", "/credentials", map[string]any{"name": "hook-signing", "connector": "webhook",
		"values": map[string]any{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}})
	res, err := s.acts.Deliver(ctx, interpreter.DeliverRequest{DeliveryID: "dlv_ops_demo", Attempt: 1,
		Action: interpreter.ActionRequest{RunID: "run_ops", WorkflowID: wfID, Step: "notify", Connector: "webhook", Action: "send",
			Credential: "hook-signing", Input: map[string]any{"url": receiver.URL + "/in", "event_type": "order.paid", "data": map[string]any{"order_id": "1001"}}}})
	if err != nil || !res.Dead {
		t.Fatalf("first delivery = %+v, %v; want a dead letter", res, err)
	}
	b.click(`nav a[href='#/deliveries']`)
	b.waitFor(`document.querySelector("tr[data-delivery='dlv_ops_demo'] .badge.st-dead") && document.querySelector("#delivery-health tbody tr")`, "the dead letter and the destination health")
	if got := b.text("#delivery-health"); !strings.Contains(got, "0 %") || !strings.Contains(got, "database down") {
		t.Fatalf("health table = %q, want 0 %% success and the last error", got)
	}
	b.screenshot(shots, "ops-deliveries")
	b.click(`tr[data-delivery='dlv_ops_demo'] a`)
	b.waitFor(`document.querySelector("#attempts tr[data-attempt='1']")`, "the first attempt on the delivery page")
	if got := b.text("#attempts tr[data-attempt='1']"); !strings.Contains(got, "500") || !strings.Contains(got, "database down") {
		t.Fatalf("attempt 1 = %q, want HTTP 500 and the reply", got)
	}
	b.click("#retry-delivery")
	b.waitFor(`document.querySelector("#attempts tr[data-attempt='2']") && document.querySelector("#delivery-status .badge.st-succeeded")`, "the retried delivery, succeeded, with its second attempt")
	if got := b.text("#attempts tr[data-attempt='2']"); !strings.Contains(got, "200") || !strings.Contains(got, "thanks") {
		t.Fatalf("attempt 2 = %q, want HTTP 200 and the reply", got)
	}
	if d, _ := s.store.GetDelivery(ctx, "dlv_ops_demo"); d.Status != store.DeliverySucceeded || d.Attempts != 2 {
		t.Fatalf("stored delivery = %+v, want succeeded after 2 attempts", d)
	}
	b.screenshot(shots, "ops-delivery-retried")

	// --- API keys ------------------------------------------------------
	b.click(`nav a[href='#/api-keys']`)
	b.waitFor(`document.querySelector("#key-name") && document.querySelector("#api-keys")`, "the API keys page")
	b.click("#create-key")
	b.waitFor(`document.querySelector("#key-name[aria-invalid='true']")`, "the missing name reported on the field")
	b.typeInto("#key-name", "ci-deploy")
	b.selectOption("#key-scope", "editor")
	b.click("#create-key")
	b.waitFor(`document.querySelector("#new-key-value") && document.querySelector("tr[data-key='ci-deploy']") && !document.querySelector("form.has-error")`,
		"the new key shown once and listed, the earlier error cleared")
	var plain string
	b.eval(`document.querySelector("#new-key-value").value`, &plain)
	got, err := s.store.VerifyAPIKey(ctx, plain)
	if err != nil || got.Scope != store.ScopeEditor || got.Name != "ci-deploy" {
		t.Fatalf("the shown key authenticates as %+v (%v), want the editor key ci-deploy", got, err)
	}
	b.screenshot(shots, "ops-api-key-created")
	b.click(`tr[data-key='ci-deploy'] button.danger`)
	b.waitFor(`document.querySelector("tr[data-key='ci-deploy'] .badge.st-revoked")`, "the key marked revoked")
	if _, err := s.store.VerifyAPIKey(ctx, plain); err == nil {
		t.Fatal("the revoked key still authenticates")
	}
	b.screenshot(shots, "ops-api-keys")

	// --- endpoint settings: rotate with grace, allowlist errors ---------
	b.navigate(s.url + "/#/workflows/" + wfID)
	b.waitFor(`document.querySelector("#endpoint-settings")`, "the Endpoint settings link on the workflow")
	b.click("#endpoint-settings")
	b.waitFor(`document.querySelector("#endpoint-url") && document.querySelector("#rotate")`, "the endpoint settings page")
	b.selectOption("#rotate-grace", "24h")
	b.click("#rotate")
	b.waitFor(`document.querySelector("#previous-url")`, "the previous URL with its grace period")
	e2, err := s.store.GetEndpoint(ctx, epID)
	if err != nil || e2.Token == strings.TrimPrefix(oldURL, s.url+"/hooks/") || e2.PreviousTokenUntil == nil {
		t.Fatalf("endpoint after rotation = %+v (%v)", e2, err)
	}
	var shownURL string
	b.eval(`document.querySelector("#endpoint-url").value`, &shownURL)
	if shownURL != s.url+"/hooks/"+e2.Token || !strings.Contains(b.text("#previous-url"), oldURL) {
		t.Fatalf("page shows URL %q and previous %q", shownURL, b.text("#previous-url"))
	}
	s.call(t, "POST", "/workflows/"+wfID+"/activate", nil)
	body := `{"id": "evt_ops_old", "type": "payment_intent.succeeded", "data": {"object": {"amount": 20000}}}`
	code, evID := postStripe(t, oldURL, whsec, body)
	if code != http.StatusAccepted {
		t.Fatalf("old URL during grace answered %d", code)
	}
	ev, err := s.store.GetEvent(ctx, evID)
	if err != nil || ev.Headers[triggers.ReceivedViaHeader] != "previous-url" {
		t.Fatalf("event via the old URL = %+v (%v), want it marked", ev.Headers, err)
	}
	b.eval(`document.querySelector("#ip-allowlist").value = "10.0.0.0/8\n10.0.0.300"`, nil)
	b.click("#save-endpoint")
	b.waitFor(`document.querySelector("#ip-allowlist[aria-invalid='true']")`, "the bad allowlist entry on its field")
	if got := b.text("#ip-allowlist-err"); !strings.Contains(got, `line 2: "10.0.0.300" is not an IP address or CIDR`) {
		t.Fatalf("allowlist error = %q", got)
	}
	b.screenshot(shots, "ops-endpoint-settings")
	b.eval(`document.querySelector("#ip-allowlist").value = "127.0.0.1\n10.0.0.0/8"`, nil)
	b.click("#save-endpoint")
	b.waitFor(`!document.querySelector("#ip-allowlist[aria-invalid='true']")`, "the allowlist saved")
	deadline := time.Now().Add(10 * time.Second)
	for {
		e3, _ := s.store.GetEndpoint(ctx, epID)
		if len(e3.IPAllowlist) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("allowlist = %v, want 2 entries", e3.IPAllowlist)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// --- credentials: edit keeps secrets, rotate replaces one -----------
	b.click(`nav a[href='#/credentials']`)
	b.waitFor(`document.querySelector("#edit-stripe-live")`, "the Edit button of the credential")
	before, _ := s.store.GetCredentialByName(ctx, "stripe-live")
	b.click("#edit-stripe-live")
	b.waitFor(`document.querySelector("#edit-credential input[data-secret]")`, "the edit form with masked secrets")
	b.screenshot(shots, "ops-credential-edit")
	b.selectOption("#rotate-field", "webhook_secret")
	b.typeInto("#rotate-value", "whsec_rotated_secret_654321")
	b.click("#rotate-secret")
	b.waitFor(`!document.querySelector("#edit-credential")`, "the form closed after the rotation")
	deadline = time.Now().Add(10 * time.Second)
	for {
		after, _ := s.store.GetCredentialByName(ctx, "stripe-live")
		if !bytes.Equal(after.Ciphertext, before.Ciphertext) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the credential was not re-encrypted after the rotation")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _ := postStripe(t, s.url+"/hooks/"+e2.Token, "whsec_rotated_secret_654321", `{"id": "evt_rot", "type": "payment_intent.succeeded", "data": {"object": {"amount": 20000}}}`); code != http.StatusAccepted {
		t.Fatalf("event signed with the rotated secret answered %d", code)
	}
	if p := b.pageProblems(); len(p) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}

	// At phone width the operations pages fit: wide tables and the diff
	// scroll inside their box instead of widening the page.
	phone := startBrowser(t, 360, 780).with(t)
	phone.navigate(s.url + "/")
	phone.typeInto("#api-key", s.adminKey)
	phone.click("#login")
	phone.waitFor(`location.hash === "#/workflows"`, "the workflows page after login on a phone")
	for _, pg := range []struct{ hash, ready, shot string }{
		{"#/workflows/" + wfID + "/history", `document.querySelector("#diff-lines")`, "ops-phone-history"},
		{"#/deliveries/dlv_ops_demo", `document.querySelector("#attempts")`, "ops-phone-delivery"},
		{"#/endpoints/" + epID, `document.querySelector("#save-endpoint")`, "ops-phone-endpoint"},
	} {
		phone.navigate(s.url + "/" + pg.hash)
		phone.waitFor(pg.ready, pg.shot)
		var wide bool
		phone.eval(`document.querySelector("#main").scrollWidth > document.querySelector("#main").clientWidth + 1`, &wide)
		if wide {
			t.Errorf("%s: the page is wider than a 360 px screen", pg.hash)
		}
		phone.screenshot(shots, pg.shot)
	}
}
