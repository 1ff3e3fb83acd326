package dryrun_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestDryRunDataStoreIsPrivate checks that a dry run's data steps run
// against a store of their own: real values, none read from or written to
// the production store, and a recorded output standing in for a stored
// value.
func TestDryRunDataStoreIsPrivate(t *testing.T) {
	ctx := context.Background()
	r := runner(t)
	r.Store = storetest.SQLite(t).Store
	// Production already counted three orders for Ada.
	if _, err := r.Store.PutKV(ctx, "customer-orders", "ada@example.com", []byte(`3`), 0); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../../workflows/orders-notify-once-slack.json")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"order_id": "A-7", "customer": {"name": "Ada", "email": "ada@example.com"}, "total_cents": 100, "currency": "EUR"}`)
	tests := []struct {
		name       string
		outputs    map[string]json.RawMessage
		wantStatus string
		wantRan    []string
		wantNotRan []string
		fields     map[string]json.RawMessage
	}{
		{name: "new order", wantStatus: "completed", wantRan: []string{"seen", "count", "tell", "mark"},
			fields: map[string]json.RawMessage{"steps.count.output.value": json.RawMessage(`1`)}},
		{name: "already notified (recorded get)", wantStatus: "filtered", wantRan: []string{"seen", "first_time"},
			wantNotRan: []string{"count", "tell", "mark"},
			outputs:    map[string]json.RawMessage{"seen": json.RawMessage(`{"found": true, "value": {"notified": true}}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.Run(ctx, dryrun.Request{WorkflowID: "wf_1", Definition: raw, Event: dryrun.SampleEvent(body, ""), Outputs: tt.outputs})
			if err != nil {
				t.Fatal(err)
			}
			want := dryrun.Expectation{Status: tt.wantStatus, Ran: tt.wantRan, NotRan: tt.wantNotRan, Fields: tt.fields}
			for _, p := range want.Check(res) {
				t.Error(p)
			}
		})
	}
	// Two dry runs each counted from zero, and production is untouched.
	kv, err := r.Store.GetKV(ctx, "customer-orders", "ada@example.com")
	if err != nil || string(kv.Value) != "3" {
		t.Fatalf("production counter = %s, %v; want 3", kv.Value, err)
	}
	if _, err := r.Store.GetKV(ctx, store.PrivateStore("wf_1"), "notified:A-7"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a dry run wrote to the production store: %v", err)
	}
}
