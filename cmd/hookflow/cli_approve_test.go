package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestApproveSendsTheDecision checks `hookflow approve` against a recorded
// API: the run id is escaped into one path segment, --reject and
// --comment shape the body, and a 409 problem becomes a failing exit.
func TestApproveSendsTheDecision(t *testing.T) {
	var gotPath, gotAuth string
	var gotBody map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.EscapedPath(), r.Header.Get("Authorization")
		raw, _ := io.ReadAll(r.Body)
		gotBody = nil
		_ = json.Unmarshal(raw, &gotBody)
		if strings.Contains(gotPath, "ended") {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"type":"https://hookflow.dev/problems/conflict","title":"conflict","status":409,"detail":"run hookflow-run/ep_1/ended is not running (completed): conflict"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"id":"hookflow-run/ep_1/evt_1","approved":false,"by":"maria","status":"sent"}`)
	}))
	defer srv.Close()

	var out, errOut bytes.Buffer
	err := runApprove(context.Background(), []string{"hookflow-run/ep_1/evt_1", "--reject", "--comment", "too big", "--by", "maria",
		"--url", srv.URL, "--key", "hfk_test"}, &out, &errOut)
	if err != nil {
		t.Fatalf("approve: %v (%s)", err, errOut.String())
	}
	if gotPath != "/api/v1/runs/hookflow-run%2Fep_1%2Fevt_1/approve" || gotAuth != "Bearer hfk_test" {
		t.Fatalf("request %s with %q", gotPath, gotAuth)
	}
	if gotBody["approved"] != false || gotBody["comment"] != "too big" || gotBody["by"] != "maria" {
		t.Fatalf("body %v", gotBody)
	}
	if !strings.Contains(out.String(), "rejected run hookflow-run/ep_1/evt_1 (by maria)") {
		t.Fatalf("output %q", out.String())
	}

	out.Reset()
	err = runApprove(context.Background(), []string{"hookflow-run/ep_1/ended", "--url", srv.URL, "--key", "hfk_test"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("approving an ended run: %v", err)
	}
	if gotBody["approved"] != true {
		t.Fatalf("default decision %v, want approved", gotBody)
	}
	if err := runApprove(context.Background(), []string{"--url", srv.URL}, &out, &errOut); err == nil {
		t.Fatal("approve without a run id succeeded")
	}
}
