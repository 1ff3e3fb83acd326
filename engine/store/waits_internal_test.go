package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestWaitTypesMigrationKeepsOfferingInFlightRuns applies migration 0002
// to a database with and without a running run: with one, every event type
// stays offered (AnyWaitType), because that run may be parked in a wait
// registered before the table existed; without, none is.
func TestWaitTypesMigrationKeepsOfferingInFlightRuns(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "hookflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	migs, err := Migrations(s.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	var m0002 Migration
	for _, m := range migs {
		if m.Version == 2 {
			m0002 = m
		}
	}
	if m0002.sql == "" {
		t.Fatal("no migration 0002")
	}
	reapply := func() {
		t.Helper()
		if _, err := s.db.ExecContext(ctx, `DROP TABLE wait_types`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, m0002.sql); err != nil {
			t.Fatalf("applying 0002: %v", err)
		}
	}
	waited := func() bool {
		t.Helper()
		ok, err := s.WaitedFor(ctx, "order.paid")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	reapply()
	if waited() {
		t.Fatal("a database without running runs offers order.paid events to waits nobody registered")
	}
	if err := s.UpsertRun(ctx, Run{ID: "run-1", WorkflowID: "wf_1", WorkflowVersion: 1, Status: RunRunning,
		StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.closeStatements() // the table is dropped below; its statements with it
	reapply()
	if !waited() {
		t.Fatal("upgraded with a run in flight, order.paid events are no longer offered to waiting runs")
	}
}
