package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// postJSON posts body to a hook URL and returns the decoded 2xx reply.
func postJSON(t *testing.T, hookURL, body string) triggers.Reply {
	t.Helper()
	resp, err := http.Post(hookURL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var rep triggers.Reply
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &rep) != nil {
		t.Fatalf("delivery to %s: %d %s", hookURL, resp.StatusCode, raw)
	}
	return rep
}

// runOf returns the Temporal workflow id of an inbox event's run.
func runOf(t *testing.T, st *store.Store, eventID string) string {
	t.Helper()
	ev, err := st.GetEvent(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	return triggers.RunWorkflowIDFor(ev)
}

// awaitRun waits (bounded) for a run to finish and returns its result.
func awaitRun(t *testing.T, c client.Client, runID string) (interpreter.RunResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var res interpreter.RunResult
	err := c.GetWorkflow(ctx, runID, "").Get(ctx, &res)
	return res, err
}

// eventually polls cond (a hang guard, not a timing assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waiting reports whether a run's step is waiting.
func waiting(c client.Client, runID, stepID string) bool {
	l, err := interpreter.QueryLog(context.Background(), c, runID, runID)
	if err != nil {
		return false
	}
	for _, s := range l.Steps {
		if s.ID == stepID && s.Status == interpreter.StepWaiting {
			return true
		}
	}
	return false
}

// registered reports whether runID is registered with the wait router of
// a type and key: the router's latest run is open and the last
// registration message about runID registered it.
func registered(c client.Client, eventType, key, runID string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	it := c.GetWorkflowHistory(ctx, interpreter.WaitRouterID(eventType, key), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	in := false
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return false
		}
		switch e.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			a := e.GetWorkflowExecutionSignaledEventAttributes()
			var m interpreter.RouterMessage
			if a.GetSignalName() == interpreter.SignalRouter && converter.GetDefaultDataConverter().FromPayloads(a.GetInput(), &m) == nil {
				switch runID {
				case m.Register:
					in = true
				case m.Unregister:
					in = false
				}
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
			enums.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
			in = false
		}
	}
	return in
}

// TestWaitIsFedByWebhooksAndApprovals runs the "wait for a qualified
// event" pattern on the real stack. Workflow A waits for "qualified" keyed
// by its trigger's contact_id; workflow B's generic webhook names the type
// (type_path) and the key (correlation_key). B's event wakes A, which
// goes on and completes; the identical second delivery to B is a
// duplicate and does not reach A's second wait. Then a run waiting for an
// approval is approved through the REST API.
func TestWaitIsFedByWebhooksAndApprovals(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	c := s.temporal
	epA := seedWorkflow(t, s.st, s.kr, "wait A", fmt.Sprintf(`{"name":"wait A","trigger":{"type":"webhook","connector":"webhook"},
"steps":[
 {"id":"first","type":"wait_for_event","event":"qualified","correlation_key":"trigger.contact_id","wait_timeout":"1h","on_timeout":"late"},
 {"id":"post","type":"http","method":"POST","url":%q,"headers":{"X-Event":"{{ steps.first.event.stage }}"},"body":{"contact":"{{ trigger.contact_id }}"}},
 {"id":"second","type":"wait_for_event","event":"qualified","correlation_key":"trigger.contact_id","wait_timeout":"3s","on_timeout":"once"},
 {"id":"twice","type":"fail","message":"a duplicate delivery reached the second wait"},
 {"id":"once","type":"stop","next":"end"},
 {"id":"late","type":"fail","message":"the qualified event never came"},
 {"id":"end","type":"stop"}]}`, s.sink.URL+"/sink"))
	epB := seedWorkflow(t, s.st, s.kr, "feed B", `{"name":"feed B","trigger":{"type":"webhook","connector":"webhook","events":["qualified"],
"options":{"type_path":"event"},"correlation_key":"contact_id"},"steps":[{"id":"done","type":"stop"}]}`)
	hook := func(ep store.Endpoint) string { return s.hooks.URL + "/hooks/" + ep.Token }

	// A starts and waits for contact 42.
	runA := runOf(t, s.st, postJSON(t, hook(epA), `{"contact_id":"42","name":"Ada"}`).EventID)
	eventually(t, "A waits in its first step", func() bool { return waiting(c, runA, "first") })
	eventually(t, "A registers with the router of qualified/42", func() bool { return registered(c, "qualified", "42", runA) })

	// The CRM says contact 42 is qualified: B accepts it and A goes on.
	qualified := `{"event":"qualified","contact_id":"42","stage":"sql"}`
	repB := postJSON(t, hook(epB), qualified)
	if repB.Status != triggers.StatusAccepted {
		t.Fatalf("B's delivery: %+v", repB)
	}
	s.sink.waitAll(t, []string{"sql"}, 2*time.Minute)
	eventually(t, "A waits in its second step", func() bool { return waiting(c, runA, "second") })
	eventually(t, "A registers again", func() bool { return registered(c, "qualified", "42", runA) })

	// The dispatcher re-sends a signal it is unsure of (a crash between
	// the signal and marking the event): A has this event id and drops it.
	if err := interpreter.SignalWaiting(ctx, c, s.queue, interpreter.EventSignal{Type: "qualified", Key: "42",
		EventID: repB.EventID, Payload: json.RawMessage(qualified)}); err != nil {
		t.Fatal(err)
	}
	// The same delivery again is a duplicate: not offered to A.
	if rep := postJSON(t, hook(epB), qualified); rep.Status != triggers.StatusDuplicate || rep.EventID != repB.EventID {
		t.Fatalf("second delivery to B: %+v", rep)
	}
	if _, err := awaitRun(t, c, runA); err != nil {
		t.Fatalf("A: %v", err)
	}
	l, err := interpreter.QueryLog(ctx, c, runA, runA)
	if err != nil {
		t.Fatal(err)
	}
	path := map[string]interpreter.StepRecord{}
	for _, st := range l.Steps {
		path[st.ID] = st
	}
	var first map[string]any
	_ = json.Unmarshal(path["first"].Output, &first)
	if ev, _ := first["event"].(map[string]any); first["timed_out"] != false || ev["stage"] != "sql" || ev["contact_id"] != "42" {
		t.Fatalf("A's first wait output: %s", path["first"].Output)
	}
	if _, ok := path["once"]; !ok || l.Status != interpreter.StatusCompleted {
		t.Fatalf("A ended %s through %v, want completed through once (second wait timed out)", l.Status, l.Steps)
	}
	if got := s.sink.counts(); got["sql"] != 1 {
		t.Fatalf("A posted %d times", got["sql"])
	}
	// A's history (interpreter version 2, a dropped re-sent signal) feeds
	// the interpreter's replay test.
	(&Stack{Client: c}).Record(t, runA, "wait_webhook_v2")
	// B ran too, once.
	eventually(t, "B's run completes", func() bool {
		ev, err := s.st.GetEvent(ctx, repB.EventID)
		return err == nil && ev.Status == store.EventCompleted
	})
	if runs, _, err := s.st.ListRuns(ctx, store.RunFilter{WorkflowID: epB.WorkflowID}); err != nil || len(runs) != 1 {
		t.Fatalf("B's runs: %+v (%v)", runs, err)
	}

	// Approvals through the REST API.
	epC := seedWorkflow(t, s.st, s.kr, "approve C", `{"name":"approve C","trigger":{"type":"webhook","connector":"webhook"},
"steps":[
 {"id":"ok","type":"wait_for_event","approval":{"message":"Refund {{ trigger.amount }}?"},"wait_timeout":"1h","on_timeout":"no"},
 {"id":"decide","type":"branch","cases":[{"if":"steps.ok.approved","next":"yes"}],"default":"no"},
 {"id":"yes","type":"stop","message":"approved by {{ steps.ok.by }}","next":"end"},
 {"id":"no","type":"fail","message":"not approved"},
 {"id":"end","type":"stop"}]}`)
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	router := api.NewRouter(api.RouterConfig{})
	if err := api.Mount(router, api.Config{Manage: &manage.Service{Store: s.st, Registry: reg, Keyring: s.kr},
		Runs: &runops.Controller{Store: s.st, Temporal: c, TaskQueue: s.queue}}); err != nil {
		t.Fatal(err)
	}
	_, key, err := s.st.CreateAPIKey(ctx, "e2e editor", store.ScopeEditor)
	if err != nil {
		t.Fatal(err)
	}
	approve := func(runID, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/runs/"+url.PathEscape(runID)+"/approve", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+key)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		router.ServeHTTP(w, r)
		return w
	}
	runC := runOf(t, s.st, postJSON(t, hook(epC), `{"amount":20}`).EventID)
	// The approval API finds the run through its store record, which the
	// dispatcher writes after the start returns: under load the run can
	// reach its wait first.
	eventually(t, "C waits for its approval", func() bool {
		_, err := s.st.GetRun(ctx, runC)
		return err == nil && waiting(c, runC, "ok")
	})
	if w := approve(runC+"-nope", `{"approved":true}`); w.Code != http.StatusNotFound {
		t.Fatalf("approving an unknown run: %d %s", w.Code, w.Body)
	}
	if w := approve(runC, `{"approved":true,"by":"ops@example.com","comment":"fine","step":"ok"}`); w.Code != http.StatusAccepted {
		t.Fatalf("approving: %d %s", w.Code, w.Body)
	}
	if _, err := awaitRun(t, c, runC); err != nil {
		t.Fatalf("C: %v", err)
	}
	eventually(t, "C's summary is saved", func() bool {
		r, err := s.st.GetRun(ctx, runC)
		return err == nil && r.Status == store.RunCompleted
	})
	if w := approve(runC, `{"approved":true}`); w.Code != http.StatusConflict {
		t.Fatalf("approving a finished run: %d %s", w.Code, w.Body)
	}
	lc, err := interpreter.QueryLog(ctx, c, runC, runC)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range lc.Steps {
		if st.ID == "ok" && !strings.Contains(string(st.Output), `"by":"ops@example.com"`) {
			t.Fatalf("approval output %s", st.Output)
		}
		if st.ID == "no" {
			t.Fatal("the approved run took the rejection path")
		}
	}
}
