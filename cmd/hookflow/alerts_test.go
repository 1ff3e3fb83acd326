package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHealthAlertsThroughTheStack runs `hookflow dev` in-process (real
// embedded Temporal, store, API and the wired health evaluator): two
// failing runs of a workflow pass an alert rule's threshold, and the
// alert workflow, an http step to a fake Slack webhook, runs once with the
// alert in its trigger body, through the manual-run path. The incident
// is listed and /metrics shows the gauges and the labelled counters.
func TestHealthAlertsThroughTheStack(t *testing.T) {
	defer func(d time.Duration) { alertInterval = d }(alertInterval)
	alertInterval = 100 * time.Millisecond

	var mu sync.Mutex
	var slack []map[string]any
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		slack = append(slack, body)
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer fake.Close()
	received := func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]any(nil), slack...)
	}

	dir := filepath.Join(t.TempDir(), "data")
	httpPort := freePort(t)
	out, stop := startDev(t, "--data-dir", dir, "--http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--temporal-port", strconv.Itoa(freePort(t)), "--log-level", "error", "--ssrf-allow", "127.0.0.1", "--allow-http", "127.0.0.1")
	defer stop()
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	key := adminKeyFrom(out.String())
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	create := func(def string) string {
		t.Helper()
		status, m := call("POST", "/api/v1/workflows", map[string]any{"definition": json.RawMessage(def)})
		if status != http.StatusCreated {
			t.Fatalf("creating workflow: %d %v", status, m)
		}
		return m["id"].(string)
	}
	// waitFor polls cond until it holds; the deadline only turns a hang
	// into a failure.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	items := func(path string) []any {
		t.Helper()
		status, m := call("GET", path, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, status, m)
		}
		list, _ := m["items"].([]any)
		return list
	}
	metricsText := func() string {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	flaky := create(`{"name": "Flaky orders", "trigger": {"type": "manual"},
		"steps": [{"id": "crm", "type": "fail", "message": "CRM refused order {{ trigger.order }}"}]}`)
	alertWF := create(fmt.Sprintf(`{"name": "Alert Slack", "trigger": {"type": "manual"},
		"steps": [{"id": "post", "type": "http", "method": "POST", "url": "%s/services/T000/B000/XXX",
			"body": {"text": "{{ trigger.alert.state }}: {{ trigger.alert.target_name }} failed {{ trigger.alert.count }} times in {{ trigger.alert.window }}",
				"sample": "{{ trigger.alert.sample[0].reason }}"}}]}`, fake.URL))

	status, rule := call("POST", "/api/v1/alerts", map[string]any{"kind": "workflow_failures", "target": "Flaky orders",
		"threshold": 2, "window": "10m", "workflow": "Alert Slack"})
	if status != http.StatusCreated || rule["target"] != flaky || rule["workflow_id"] != alertWF {
		t.Fatalf("creating the rule: %d %v", status, rule)
	}

	for i := range 2 {
		if status, m := call("POST", "/api/v1/workflows/"+flaky+"/run", map[string]any{"input": map[string]any{"order": i}}); status != http.StatusAccepted {
			t.Fatalf("running the flaky workflow: %d %v", status, m)
		}
	}
	waitFor("two failed runs", func() bool {
		return len(items("/api/v1/runs?status=failed&workflow_id="+url.QueryEscape(flaky))) == 2
	})
	waitFor("the alert to reach Slack", func() bool { return len(received()) > 0 })
	got := received()[0]
	if got["text"] != "firing: Flaky orders failed 2 times in 10m" || !strings.HasPrefix(fmt.Sprint(got["sample"]), "CRM refused order") {
		t.Fatalf("Slack received %v", got)
	}

	// The incident is listed with the event of its alert run, and the
	// alert run is an ordinary run of the alert workflow.
	open := items("/api/v1/alerts/incidents?state=open")
	if len(open) != 1 {
		t.Fatalf("open incidents: %v", open)
	}
	inc := open[0].(map[string]any)
	if inc["state"] != "firing" || inc["target"] != flaky || inc["count"] != 2.0 || inc["fired_event_id"] == "" {
		t.Fatalf("incident %v", inc)
	}
	waitFor("the alert run to complete", func() bool {
		return len(items("/api/v1/runs?status=completed&workflow_id="+url.QueryEscape(alertWF))) == 1
	})
	status, ev := call("GET", "/api/v1/events/"+url.PathEscape(inc["fired_event_id"].(string)), nil)
	if status != http.StatusOK || ev["workflow_id"] != alertWF {
		t.Fatalf("the alert run's event: %d %v", status, ev)
	}

	// A run parked in an approval is counted as waiting; by the time the
	// gauge shows it, the evaluator has made several passes, and the
	// incident, still firing, has alerted only once.
	approval := create(`{"name": "Refund approval", "trigger": {"type": "manual"},
		"steps": [{"id": "ok", "type": "wait_for_event", "approval": {"message": "Refund?"}, "wait_timeout": "1h"}]}`)
	if status, m := call("POST", "/api/v1/workflows/"+approval+"/run", map[string]any{}); status != http.StatusAccepted {
		t.Fatalf("running the approval workflow: %d %v", status, m)
	}
	waitFor("hookflow_runs_waiting 1", func() bool { return strings.Contains(metricsText(), "\nhookflow_runs_waiting 1\n") })
	m := metricsText()
	for _, want := range []string{
		"\nhookflow_alert_incidents_open 1\n",
		"\nhookflow_runs_in_flight 1\n",
		"\nhookflow_events_backlog 0\n",
		fmt.Sprintf(`hookflow_runs_total{connector="",status="failed",workflow="%s",workflow_name="Flaky orders"} 2`, flaky),
		fmt.Sprintf(`hookflow_runs_total{connector="",status="completed",workflow="%s",workflow_name="Alert Slack"} 1`, alertWF),
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if n := len(received()); n != 1 {
		t.Fatalf("Slack received %d alerts for one incident, want 1: %v", n, received())
	}
}
