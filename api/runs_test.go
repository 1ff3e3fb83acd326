package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// Runs carry their name and their workflow's name; GET /runs and GET
// /events search event bodies by a gjson path and a value; GET /runs/{id}
// shows each step's attempts and a retrying step as such.
func TestRunNamesSearchAndAttempts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		wf, err := st.CreateWorkflow(ctx, "Orders to Slack", []byte(`{"name":"Orders to Slack"}`), "h1")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
		for i := range 6 {
			body := fmt.Sprintf(`{"customer":{"email":"c%d@example.com"},"order_id":%d}`, i%2, 1000+i)
			ev := &store.Event{ID: fmt.Sprintf("evt_s%d", i), WorkflowID: wf.ID, EventType: "order", Connector: "manual",
				ReceivedAt: start.Add(time.Duration(i) * time.Second), Body: []byte(body), Status: store.EventCompleted}
			if _, err := st.InsertEvents(ctx, []*store.Event{ev}); err != nil {
				t.Fatal(err)
			}
			ended := ev.ReceivedAt.Add(time.Second)
			if err := st.UpsertRun(ctx, store.Run{ID: fmt.Sprintf("run-%d", i), WorkflowID: wf.ID, WorkflowVersion: 1, EventID: ev.ID,
				Status: store.RunCompleted, StartedAt: ev.ReceivedAt, EndedAt: &ended, Name: fmt.Sprintf("Order %d", 1000+i)}); err != nil {
				t.Fatal(err)
			}
		}

		r := e.want(e.call("GET", "/api/v1/runs?path=customer.email&value="+url.QueryEscape("c1@example.com"), store.ScopeViewer, nil), http.StatusOK)
		items := r.items()
		if len(items) != 3 {
			t.Fatalf("search found %d runs, want 3: %s", len(items), r.Raw)
		}
		first := items[0].(map[string]any)
		if first["id"] != "run-5" || first["name"] != "Order 1005" || first["workflow_name"] != "Orders to Slack" {
			t.Fatalf("first run = %v; want run-5 named Order 1005 of Orders to Slack", first)
		}
		r = e.want(e.call("GET", "/api/v1/runs?path=order_id&value=1002&workflow_id="+wf.ID, store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 1 {
			t.Fatalf("search by number found %s", r.Raw)
		}
		r = e.want(e.call("GET", "/api/v1/events?path=customer.email&value="+url.QueryEscape("c0@example.com"), store.ScopeViewer, nil), http.StatusOK)
		if len(r.items()) != 3 {
			t.Fatalf("event search found %d, want 3: %s", len(r.items()), r.Raw)
		}

		bad := []struct {
			name, query, path string
		}{
			{name: "value without path", query: "value=x", path: "path"},
			{name: "path without value", query: "path=customer.email", path: "value"},
			{name: "path with spaces", query: "path=%20customer&value=x", path: "path"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				for _, list := range []string{"/api/v1/runs?", "/api/v1/events?"} {
					r := e.want(e.call("GET", list+tt.query, store.ScopeViewer, nil), http.StatusUnprocessableEntity, api.ProblemValidation)
					if p := errorPaths(r); len(p) != 1 || p[0] != tt.path {
						t.Fatalf("%s%s: error paths %v, want [%s]", list, tt.query, p, tt.path)
					}
				}
			})
		}

		// A running run whose http step failed twice: retrying, attempt 3 of 5.
		steps := `[{"path":"call","id":"call","type":"http","status":"running","started_at":"2026-04-01T08:00:00Z"}]`
		if err := st.UpsertRun(ctx, store.Run{ID: "run-live", WorkflowID: wf.ID, WorkflowVersion: 1, Status: store.RunRunning,
			StartedAt: start, Steps: json.RawMessage(steps), Name: "Order 7"}); err != nil {
			t.Fatal(err)
		}
		next := time.Now().Add(4 * time.Second).UTC()
		for n := 1; n <= 2; n++ {
			if err := st.RecordStepAttempt(ctx, store.StepAttempt{RunID: "run-live", Step: "call", Attempt: n, MaxAttempts: 5,
				Status: store.AttemptFailed, StartedAt: start.Add(time.Duration(n) * time.Second), Duration: 80 * time.Millisecond,
				Error: "retryable (HTTP 503): down", ErrorClass: "retryable", HTTPStatus: 503, Host: "api.example.com",
				NextAttemptAt: &next}); err != nil {
				t.Fatal(err)
			}
		}
		r = e.want(e.call("GET", "/api/v1/runs/run-live", store.ScopeViewer, nil), http.StatusOK)
		if r.str("name") != "Order 7" || r.str("workflow_name") != "Orders to Slack" {
			t.Fatalf("run names: %s", r.Raw)
		}
		s := r.JSON["steps"].([]any)[0].(map[string]any)
		log, _ := s["attempt_log"].([]any)
		if s["status"] != "retrying" || s["attempt"] != 3.0 || s["max_attempts"] != 5.0 || s["last_error"] != "retryable (HTTP 503): down" ||
			s["next_attempt_at"] == nil || s["attempt_count"] != 2.0 || len(log) != 2 {
			t.Fatalf("retrying step = %v", s)
		}
		if a := log[1].(map[string]any); a["http_status"] != 503.0 || a["host"] != "api.example.com" || a["duration_ms"] != 80.0 {
			t.Fatalf("attempt 2 = %v", a)
		}
	})
}
