package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// opsSink is the outside world of TestCLIOpsAgainstDev: /first and
// /after count calls; /hook (the outgoing webhook's destination) answers
// 500 until it is told to accept.
type opsSink struct {
	mu     sync.Mutex
	calls  map[string]int
	accept bool
}

func (s *opsSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[r.URL.Path]++
	if r.URL.Path == "/hook" && !s.accept {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok": true}`))
}

func (s *opsSink) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

func (s *opsSink) setAccept(v bool) {
	s.mu.Lock()
	s.accept = v
	s.mu.Unlock()
}

// TestCLIOpsAgainstDev drives the operations commands against a real
// `hookflow dev`: activate/deactivate, listen, cancel, retry from the
// failed step (nothing completed runs twice), deliveries list and retry
// (a dead outgoing webhook retried by hand continues its run to
// completed), and bulk replay.
func TestCLIOpsAgainstDev(t *testing.T) {
	e := startCLIDev(t)
	sink := &opsSink{calls: map[string]int{}}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	e.mustCLI("login", "--url", e.baseURL, "--key", e.key)

	if status, body := e.api("POST", "/api/v1/credentials", map[string]any{"name": "ops-signing", "connector": "webhook",
		"values": map[string]any{"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}); status != http.StatusCreated {
		t.Fatalf("creating the credential: %d %s", status, body)
	}
	def := `{"name": "Ops test", "trigger": {"type": "webhook", "connector": "webhook", "options": {"id_path": "id"}},
	  "steps": [
	    {"id": "first", "type": "http", "method": "POST", "url": "` + srv.URL + `/first", "body": {"id": "{{ trigger.id }}"}},
	    {"id": "send", "type": "action", "connector": "webhook", "action": "send", "credential": "ops-signing",
	     "input": {"url": "` + srv.URL + `/hook", "event_type": "order.paid", "data": {"id": "{{ trigger.id }}"}, "retry_schedule": "0s"}},
	    {"id": "after", "type": "http", "method": "POST", "url": "` + srv.URL + `/after", "body": {"status": "{{ steps.send.status }}"}}]}`
	wfFile := filepath.Join(t.TempDir(), "ops.json")
	if err := os.WriteFile(wfFile, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.mustCLI("apply", "-f", wfFile)
	m := webhookURLLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("apply printed no webhook URL:\n%s", out)
	}
	hookURL := strings.Replace(m[1], "localhost", "127.0.0.1", 1)

	// listen prints the URL and the event it captures, also while the
	// workflow is inactive.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	lis := exec.CommandContext(ctx, e.bin, "listen", "Ops test", "--count", "1")
	lis.Env = append(os.Environ(), "HOME="+e.home, "XDG_CONFIG_HOME="+filepath.Join(e.home, ".config"), envURL+"=", envKey+"=")
	lisOut, _ := lis.StdoutPipe()
	lisErr, _ := lis.StderrPipe()
	if err := lis.Start(); err != nil {
		t.Fatal(err)
	}
	banner := bufio.NewReader(lisErr)
	line, _ := banner.ReadString('\n')
	if !strings.Contains(line, "listening on "+m[1]) {
		t.Fatalf("listen printed %q, want the webhook URL %s", line, m[1])
	}
	// The listen request is in flight once the banner is out; post until
	// it has taken one (a post before it arrives is only logged).
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(lisOut)
		for sc.Scan() {
			got <- sc.Text()
		}
		close(got)
	}()
	var captured string
	for i := 0; captured == "" && i < 60; i++ {
		post(t, hookURL, `{"id": "listen-`+time.Now().Format("150405.000000")+`"}`)
		select {
		case captured = <-got:
		case <-time.After(time.Second):
		}
	}
	if !strings.Contains(captured, "evt_") {
		t.Fatalf("listen printed %q, want the captured event", captured)
	}
	_ = lis.Wait()

	if out := e.mustCLI("activate", "Ops test"); !strings.Contains(out, "activated Ops test") {
		t.Fatalf("activate printed %q", out)
	}

	// A run whose outgoing webhook is dead fails at "send".
	post(t, hookURL, `{"id": "o1"}`)
	run1 := waitRun(t, e, "Ops test", func(r map[string]any) bool { return r["status"] == "failed" }, "")
	if sink.count("/first") != 1 || sink.count("/after") != 0 {
		t.Fatalf("after the failed run: first %d, after %d", sink.count("/first"), sink.count("/after"))
	}

	// cancel refuses a run that has ended.
	if _, errOut, code := e.cli("cancel", run1); code != exitUser || !strings.Contains(errOut, "already ended") {
		t.Fatalf("cancel of an ended run: exit %d, %s", code, errOut)
	}
	// retry --from with a step that did not run says which did.
	if _, errOut, code := e.cli("retry", run1, "--from", "nope"); code != exitUser || !strings.Contains(errOut, "steps that ran: first, send") {
		t.Fatalf("retry from an unknown step: exit %d, %s", code, errOut)
	}

	// Retry from the failed step once the destination accepts: "first"
	// is reused (not called again), "send" and "after" run.
	sink.setAccept(true)
	out = e.mustCLI("retry", run1, "--from", "failed")
	if !strings.Contains(out, "retrying run "+run1+" from failed as run ") {
		t.Fatalf("retry printed %q", out)
	}
	run2 := waitRun(t, e, "Ops test", func(r map[string]any) bool { return r["retry_of"] == run1 && r["status"] != "running" }, "")
	desc := e.mustCLI("describe", "run", run2)
	if !strings.Contains(desc, "completed") || !strings.Contains(desc, "reused") {
		t.Fatalf("the resumed run:\n%s", desc)
	}
	if sink.count("/first") != 1 || sink.count("/after") != 1 {
		t.Fatalf("after the resume: first %d (want 1: reused), after %d (want 1)", sink.count("/first"), sink.count("/after"))
	}

	// A second run dead-letters; retrying its delivery by hand lets the run
	// go on: a linked run completes without calling "first" again.
	sink.setAccept(false)
	post(t, hookURL, `{"id": "o2"}`)
	run3 := waitRun(t, e, "Ops test", func(r map[string]any) bool { return r["status"] == "failed" && r["id"] != run1 }, "")
	out = e.mustCLI("deliveries", "list", "--status", "dead", "-o", "json")
	var dead []map[string]any
	if err := json.Unmarshal([]byte(out), &dead); err != nil {
		t.Fatalf("deliveries list -o json printed %q: %v", out, err)
	}
	var dlv string
	for _, d := range dead {
		if d["run_id"] == run3 {
			dlv, _ = d["id"].(string)
		}
	}
	if dlv == "" {
		t.Fatalf("no dead delivery of run %s in %v", run3, dead)
	}
	sink.setAccept(true)
	if out := e.mustCLI("deliveries", "retry", dlv); !strings.Contains(out, "retrying delivery "+dlv) {
		t.Fatalf("deliveries retry printed %q", out)
	}
	run4 := waitRun(t, e, "Ops test", func(r map[string]any) bool { return r["retry_of"] == run3 && r["status"] != "running" }, "")
	if desc := e.mustCLI("describe", "run", run4); !strings.Contains(desc, "completed") {
		t.Fatalf("the run the delivery continued:\n%s", desc)
	}
	if sink.count("/first") != 2 || sink.count("/after") != 2 {
		t.Fatalf("after the redelivery: first %d (want 2), after %d (want 2)", sink.count("/first"), sink.count("/after"))
	}
	status, body := e.api("GET", "/api/v1/deliveries/"+dlv, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"resumed_run_id":"`+run4+`"`) {
		t.Fatalf("the delivery does not link the run it continued: %d %s", status, body)
	}
	if out := e.mustCLI("deliveries", "list"); !strings.Contains(out, run4) {
		t.Fatalf("deliveries list lacks the resumed run:\n%s", out)
	}

	// Bulk replay of the failed events of the last hour.
	if out := e.mustCLI("replay", "--bulk", "--workflow", "Ops test", "--status", "failed", "--since", "1h"); !strings.Contains(out, "replayed") {
		t.Fatalf("replay --bulk printed %q", out)
	}
	if _, errOut, code := e.cli("replay", "--bulk", "--since", "yesterday"); code != exitUsage || !strings.Contains(errOut, "--since") {
		t.Fatalf("replay --bulk with a bad --since: exit %d, %s", code, errOut)
	}
	if out := e.mustCLI("deactivate", "Ops test"); !strings.Contains(out, "deactivated Ops test") {
		t.Fatalf("deactivate printed %q", out)
	}
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("posting to %s: %d", url, resp.StatusCode)
	}
}

// waitRun polls the runs of a workflow until one satisfies ok and returns
// its id.
func waitRun(t *testing.T, e *cliEnv, workflow string, ok func(map[string]any) bool, _ string) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var runs []map[string]any
		out := e.mustCLI("get", "runs", "--workflow", workflow, "-o", "json")
		if err := json.Unmarshal([]byte(out), &runs); err != nil {
			t.Fatalf("get runs -o json printed %q: %v", out, err)
		}
		for _, r := range runs {
			if ok(r) {
				id, _ := r["id"].(string)
				return id
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no run of %q matched; have %v", workflow, runs)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestApprovalLinkAgainstDev drives an approval with approvers on a real
// `hookflow dev`: the notify step sends the signed link out, an API key
// that is no approver is refused, the link's page shows the approval,
// its POST decides once, and the run goes on with the approver's name.
func TestApprovalLinkAgainstDev(t *testing.T) {
	e := startCLIDev(t)
	var mu sync.Mutex
	var notified []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Link string `json:"link"`
		}
		_ = json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		notified = append(notified, b.Link)
		mu.Unlock()
	}))
	defer srv.Close()
	e.mustCLI("login", "--url", e.baseURL, "--key", e.key)
	def := `{"name": "Approval test", "trigger": {"type": "webhook", "connector": "webhook", "options": {"id_path": "id"}},
	  "steps": [
	    {"id": "ask", "type": "wait_for_event", "wait_timeout": "1h",
	     "approval": {"message": "Refund {{ trigger.id }}?", "approvers": ["bob@example.com"]},
	     "notify": [{"id": "mail", "type": "http", "method": "POST", "url": "` + srv.URL + `/notify",
	                 "body": {"link": "{{ steps.ask.links['bob@example.com'] }}"}}]},
	    {"id": "after", "type": "map", "map": {"by": "{{ steps.ask.by }}", "approved": "{{ steps.ask.approved }}"}}]}`
	wfFile := filepath.Join(t.TempDir(), "approval.json")
	if err := os.WriteFile(wfFile, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.mustCLI("apply", "--activate", "-f", wfFile)
	m := webhookURLLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("apply printed no webhook URL:\n%s", out)
	}
	post(t, strings.Replace(m[1], "localhost", "127.0.0.1", 1), `{"id": "r1"}`)

	var link string
	for deadline := time.Now().Add(90 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		mu.Lock()
		if len(notified) > 0 {
			link = notified[0]
		}
		mu.Unlock()
	}
	_, token, ok := strings.Cut(link, "/approve/")
	if !ok {
		t.Fatalf("the notify step sent %q, want an approval link", link)
	}
	run := waitRun(t, e, "Approval test", func(r map[string]any) bool { return r["status"] == "running" }, "")
	if desc := e.mustCLI("describe", "run", run); strings.Contains(desc, token) || !strings.Contains(desc, "(link hidden)") {
		t.Fatalf("the run log shows the link:\n%s", desc)
	}

	// The admin key is not bob: refused, naming who may decide.
	if _, errOut, code := e.cli("approve", run); code != exitUser || !strings.Contains(errOut, "bob@example.com") {
		t.Fatalf("approve by a key that is no approver: exit %d, %s", code, errOut)
	}

	page := e.baseURL + "/approve/" + token
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Refund r1?") || !strings.Contains(string(body), "bob@example.com") {
		t.Fatalf("link page: %d\n%s", resp.StatusCode, body)
	}
	decide := func() (int, string) {
		resp, err := http.PostForm(page, url.Values{"decision": {"approve"}, "comment": {"ok by me"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, b := decide(); status != http.StatusOK || !strings.Contains(b, "You approved step ask") {
		t.Fatalf("deciding by link: %d\n%s", status, b)
	}
	if status, b := decide(); status != http.StatusConflict || !strings.Contains(b, "Already decided") {
		t.Fatalf("a second use of the link: %d\n%s", status, b)
	}
	waitRun(t, e, "Approval test", func(r map[string]any) bool { return r["id"] == run && r["status"] == "completed" }, "")
	if desc := e.mustCLI("describe", "run", run); !strings.Contains(desc, `"by":"bob@example.com"`) {
		t.Fatalf("the run does not record bob's decision:\n%s", desc)
	}
}
