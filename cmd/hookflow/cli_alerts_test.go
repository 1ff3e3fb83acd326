package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAlertsCommands drives `hookflow alerts` against the real API over a
// real SQLite store.
func TestAlertsCommands(t *testing.T) {
	st, url, key, wf := cliAPI(t, "Alert Slack")
	ctx := context.Background()
	alerts := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := runAlerts(ctx, append(args, "--url", url, "--key", key), &out, &errOut)
		return out.String() + errOut.String(), err
	}

	out, err := alerts("create", "--kind", "workflow_failures", "--target", "*", "--threshold", "3", "--window", "10m",
		"--workflow", "Alert Slack", "--name", "Any workflow failing")
	if err != nil || !strings.Contains(out, "created alert rule alr_") || !strings.Contains(out, "Any workflow failing") {
		t.Fatalf("create: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "rule.json")
	if err := os.WriteFile(file, []byte(`{"kind": "destination_dead_letters", "target": "hooks.example.com", "threshold": 1,
		"window": "1h", "cooldown": "30m", "workflow": "`+wf.ID+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := alerts("create", "-f", file); err != nil {
		t.Fatalf("create -f: %v\n%s", err, out)
	}
	// A bad rule names the field.
	if out, err := alerts("create", "--kind", "cpu", "--target", "*", "--threshold", "3", "--window", "10m", "--workflow", "Alert Slack"); err == nil ||
		!strings.Contains(err.Error(), `kind: "cpu" is not a rule kind`) {
		t.Fatalf("create with a bad kind: %v\n%s", err, out)
	}
	out, err = alerts("list")
	if err != nil || !strings.Contains(out, "Any workflow failing") || !strings.Contains(out, "hooks.example.com") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	rules, err := st.ListAlertRules(ctx)
	if err != nil || len(rules) != 2 {
		t.Fatalf("rules %+v, %v", rules, err)
	}
	if _, err := st.OpenIncident(ctx, rules[1], "hooks.example.com", 4, time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	out, err = alerts("incidents", "--open")
	if err != nil || !strings.Contains(out, "hooks.example.com") || !strings.Contains(out, "firing") {
		t.Fatalf("incidents: %v\n%s", err, out)
	}
	if out, err := alerts("delete", rules[1].ID); err != nil || !strings.Contains(out, "deleted alert rule "+rules[1].ID) {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if _, err := alerts("delete", rules[1].ID); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := alerts("frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown alerts command") {
		t.Fatalf("unknown subcommand: %v", err)
	}
}
