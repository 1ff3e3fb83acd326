package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// fakeRuns stands in for Temporal behind the api.Runs seam: it records
// approvals and signals, and answers like Temporal for runs it was told
// have ended there (the store may not know yet).
type fakeRuns struct {
	mu        sync.Mutex
	approvals map[string][]interpreter.Decision
	signals   []interpreter.EventSignal
	ended     map[string]bool
}

var _ api.Runs = (*fakeRuns)(nil)

func newFakeRuns() *fakeRuns {
	return &fakeRuns{approvals: map[string][]interpreter.Decision{}, ended: map[string]bool{}}
}

func (f *fakeRuns) LiveLog(context.Context, string) (json.RawMessage, error) {
	return json.RawMessage(`[]`), nil
}
func (f *fakeRuns) Cancel(context.Context, string) error { return nil }
func (f *fakeRuns) Retry(context.Context, store.Run, runops.RetryOptions) (string, error) {
	return "", fmt.Errorf("retry: %w", api.ErrUnavailable)
}
func (f *fakeRuns) RetryDelivery(context.Context, store.Delivery) error { return nil }

func (f *fakeRuns) Approve(_ context.Context, runID string, d interpreter.Decision) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended[runID] {
		return fmt.Errorf("run %s is not running: %w", runID, store.ErrConflict)
	}
	f.approvals[runID] = append(f.approvals[runID], d)
	return nil
}

// Approver lets only the key "alice" decide runs whose id ends in
// "/guarded", like an approval with approvers ["alice"].
func (f *fakeRuns) Approver(_ context.Context, run store.Run, step, who string) (runops.Approval, error) {
	if strings.HasSuffix(run.ID, "/guarded") {
		if who != "alice" {
			return runops.Approval{}, fmt.Errorf("the API key %q may not decide this approval: %w", who, runops.ErrNotApprover)
		}
		return runops.Approval{Step: "approve", Approvers: []string{"alice"}}, nil
	}
	return runops.Approval{Step: step}, nil
}

func (f *fakeRuns) InspectLink(context.Context, string) (runops.Link, error) {
	return runops.Link{}, interpreter.ErrLinkInvalid
}

func (f *fakeRuns) UseLink(context.Context, string, bool, string) (interpreter.ApprovalClaims, error) {
	return interpreter.ApprovalClaims{}, interpreter.ErrLinkInvalid
}

func (f *fakeRuns) Signal(_ context.Context, sig interpreter.EventSignal) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sig.EventID == "" {
		sig.EventID = fmt.Sprint("sig_", len(f.signals)+1)
	}
	f.signals = append(f.signals, sig)
	return sig.EventID, nil
}

func TestApproveAndSignal(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		runs := newFakeRuns()
		e := newEnv(t, st, func(c *api.Config) { c.Runs = runs })
		ctx := context.Background()
		started := time.Now().Add(-time.Minute).UTC()
		ended := started.Add(time.Second)
		for _, r := range []store.Run{
			{ID: "hookflow-run/ep_1/waiting", WorkflowID: "wf_a", WorkflowVersion: 1, Status: store.RunRunning, StartedAt: started},
			{ID: "hookflow-run/ep_1/done", WorkflowID: "wf_a", WorkflowVersion: 1, Status: store.RunCompleted, StartedAt: started, EndedAt: &ended},
			{ID: "hookflow-run/ep_1/gone", WorkflowID: "wf_a", WorkflowVersion: 1, Status: store.RunRunning, StartedAt: started},
		} {
			if err := st.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		runs.ended["hookflow-run/ep_1/gone"] = true // ended in Temporal; the store lags
		const waiting = "/api/v1/runs/hookflow-run%2Fep_1%2Fwaiting/approve"

		// Approvals.
		{
			body := map[string]any{"approved": true, "by": "maria@example.com", "comment": "refund is fine", "step": "ok"}
			e.want(e.call("POST", waiting, "", body), http.StatusUnauthorized, api.ProblemUnauthorized)
			e.want(e.call("POST", waiting, store.ScopeViewer, body), http.StatusForbidden, api.ProblemForbidden)
			e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Fnope/approve", store.ScopeEditor, body), http.StatusNotFound, api.ProblemNotFound)
			e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Fdone/approve", store.ScopeEditor, body), http.StatusConflict, api.ProblemConflict)
			e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Fgone/approve", store.ScopeEditor, body), http.StatusConflict, api.ProblemConflict)
			r := e.want(e.call("POST", waiting, store.ScopeEditor, map[string]any{"by": "x"}), http.StatusUnprocessableEntity, api.ProblemValidation)
			if got := errorPaths(r); len(got) != 1 || got[0] != "approved" {
				t.Fatalf("missing approved: %v", got)
			}
			r = e.want(e.call("POST", waiting, store.ScopeEditor, map[string]any{"approved": true, "comment": strings.Repeat("x", 5000)}),
				http.StatusUnprocessableEntity, api.ProblemValidation)
			if got := errorPaths(r); len(got) != 1 || got[0] != "comment" {
				t.Fatalf("long comment: %v", got)
			}
			r = e.want(e.call("POST", waiting, store.ScopeEditor, map[string]any{"approved": "yes"}), http.StatusUnprocessableEntity, api.ProblemValidation)
			if got := errorPaths(r); len(got) != 1 || got[0] != "approved" {
				t.Fatalf("approved of the wrong type: %v", got)
			}
			if n := len(runs.approvals); n != 0 {
				t.Fatalf("%d runs got a decision from refused requests", n)
			}

			r = e.want(e.call("POST", waiting, store.ScopeEditor, body), http.StatusAccepted)
			if r.str("id") != "hookflow-run/ep_1/waiting" || r.JSON["approved"] != true || r.str("status") != "sent" {
				t.Fatalf("approve reply %s", r.Raw)
			}
			// A rejection without by is signed with the API key's name.
			e.want(e.call("POST", waiting, store.ScopeAdmin, map[string]any{"approved": false}), http.StatusAccepted)
			got := runs.approvals["hookflow-run/ep_1/waiting"]
			want := []interpreter.Decision{
				{Approved: true, By: "maria@example.com", Comment: "refund is fine", Step: "ok"},
				{Approved: false, By: "api key admin key"},
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("decisions %+v, want %+v", got, want)
			}
		}

		// Signals.
		{
			body := map[string]any{"type": "qualified", "key": "123", "payload": map[string]any{"stage": "sql"}}
			e.want(e.call("POST", "/api/v1/signals", "", body), http.StatusUnauthorized, api.ProblemUnauthorized)
			e.want(e.call("POST", "/api/v1/signals", store.ScopeViewer, body), http.StatusForbidden, api.ProblemForbidden)
			r := e.want(e.call("POST", "/api/v1/signals", store.ScopeEditor, map[string]any{"key": "123"}), http.StatusUnprocessableEntity, api.ProblemValidation)
			if got := errorPaths(r); len(got) != 1 || got[0] != "type" {
				t.Fatalf("missing type: %v", got)
			}
			big := map[string]any{"type": "qualified", "payload": strings.Repeat("x", 300<<10)}
			r = e.want(e.call("POST", "/api/v1/signals", store.ScopeEditor, big), http.StatusUnprocessableEntity, api.ProblemValidation)
			if got := errorPaths(r); len(got) != 1 || got[0] != "payload" {
				t.Fatalf("big payload: %v", got)
			}
			r = e.want(e.call("POST", "/api/v1/signals", store.ScopeEditor, `{"type": "qualified", "kye": "1"}`), http.StatusUnprocessableEntity, api.ProblemValidation)
			if got := errorPaths(r); len(got) != 1 || got[0] != "kye" {
				t.Fatalf("unknown field: %v", got)
			}
			if len(runs.signals) != 0 {
				t.Fatalf("refused requests sent %d signals", len(runs.signals))
			}

			r = e.want(e.call("POST", "/api/v1/signals", store.ScopeEditor, body), http.StatusAccepted)
			if r.str("event_id") == "" || r.str("status") != "sent" {
				t.Fatalf("signal reply %s", r.Raw)
			}
			withID := map[string]any{"type": "qualified", "key": "123", "event_id": "crm-q-7", "payload": map[string]any{"stage": "sql"}}
			if r := e.want(e.call("POST", "/api/v1/signals", store.ScopeEditor, withID), http.StatusAccepted); r.str("event_id") != "crm-q-7" {
				t.Fatalf("signal with an id: %s", r.Raw)
			}
			if len(runs.signals) != 2 {
				t.Fatalf("%d signals", len(runs.signals))
			}
			s := runs.signals[1]
			if s.Type != "qualified" || s.Key != "123" || s.EventID != "crm-q-7" || string(s.Payload) != `{"stage":"sql"}` {
				t.Fatalf("signal %+v", s)
			}
		}

		// A process without Temporal answers 503.
		{
			e := newEnv(t, st)
			e.want(e.call("POST", waiting, store.ScopeEditor, map[string]any{"approved": true}), http.StatusServiceUnavailable, api.ProblemUnavailable)
			e.want(e.call("POST", "/api/v1/signals", store.ScopeEditor, map[string]any{"type": "qualified"}), http.StatusServiceUnavailable, api.ProblemUnavailable)
		}
	})
}

// TestApproversAndLinksAndResumeInput checks the API's side of approvers
// (a key the approval does not list gets 403 naming who may decide), the
// public link page (an invalid link gets a 404 page, not a JSON problem,
// and a POST without a decision 400) and the retry body's rules.
func TestApproversAndLinksAndResumeInput(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		runs := newFakeRuns()
		e := newEnv(t, st, func(c *api.Config) { c.Runs = runs })
		ctx := context.Background()
		started := time.Now().Add(-time.Minute).UTC()
		ended := started.Add(time.Second)
		for _, r := range []store.Run{
			{ID: "hookflow-run/ep_1/guarded", WorkflowID: "wf_a", WorkflowVersion: 1, Status: store.RunRunning, StartedAt: started},
			{ID: "hookflow-run/ep_1/failed", WorkflowID: "wf_a", WorkflowVersion: 1, Status: store.RunFailed, StartedAt: started, EndedAt: &ended},
		} {
			if err := st.UpsertRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		r := e.want(e.call("POST", "/api/v1/runs/hookflow-run%2Fep_1%2Fguarded/approve", store.ScopeEditor, map[string]any{"approved": true, "by": "alice"}),
			http.StatusForbidden, api.ProblemForbidden)
		if !strings.Contains(r.str("detail"), `the API key "editor key" may not decide this approval`) {
			t.Errorf("403 detail %q", r.str("detail"))
		}
		if n := len(runs.approvals); n != 0 {
			t.Fatalf("a refused approver's decision was sent: %v", runs.approvals)
		}

		page := e.call("GET", "/approve/not-a-token", "", nil)
		if page.Status != http.StatusNotFound || !strings.Contains(string(page.Raw), "Invalid approval link") ||
			!strings.Contains(page.Header.Get("Content-Type"), "text/html") {
			t.Errorf("invalid link page: %d %s", page.Status, page.Raw)
		}
		page = e.call("POST", "/approve/not-a-token", "", nil)
		if page.Status != http.StatusBadRequest || !strings.Contains(string(page.Raw), "send approve or reject") {
			t.Errorf("decision-less POST: %d %s", page.Status, page.Raw)
		}

		const retry = "/api/v1/runs/hookflow-run%2Fep_1%2Ffailed/retry"
		r = e.want(e.call("POST", retry, store.ScopeEditor, map[string]any{"from": "failed", "version": true}),
			http.StatusUnprocessableEntity, api.ProblemValidation)
		if got := errorPaths(r); len(got) != 1 || got[0] != "version" {
			t.Fatalf("version of the wrong type: %v", got)
		}
		e.want(e.call("POST", retry, store.ScopeEditor, map[string]any{"version": -1}), http.StatusUnprocessableEntity, api.ProblemValidation)
	})
}
