package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// countingVersions serves saved versions from memory and counts reads.
type countingVersions struct {
	defs  map[int]string
	reads int
}

func (c *countingVersions) GetVersion(_ context.Context, workflowID string, v int) (store.WorkflowVersion, error) {
	c.reads++
	def, ok := c.defs[v]
	if !ok {
		return store.WorkflowVersion{}, fmt.Errorf("getting version %d of workflow %s: %w", v, workflowID, store.ErrNotFound)
	}
	return store.WorkflowVersion{WorkflowID: workflowID, Version: v, Definition: []byte(def), Hash: fmt.Sprintf("h%d", v)}, nil
}

const pinnedDef = `{"name":"p","trigger":{"type":"webhook","connector":"webhook","respond":"on_complete","respond_timeout":"5s",
"order_key":"customer.id","correlation_key":"contact_id"},"steps":[{"id":"done","type":"stop"}]}`

func TestPinsDecodeEachVersionOnce(t *testing.T) {
	src := &countingVersions{defs: map[int]string{1: pinnedDef, 2: `{"name":"p","trigger":{"type":"webhook"},"steps":[]}`, 3: `{"name":`}}
	pins := NewPins(0)
	ctx := context.Background()

	first, err := pins.Load(ctx, src, "wf_1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.OrderKey != "customer.id" || first.CorrelationKey != "contact_id" || first.RespondTimeout != 5*time.Second ||
		first.Trigger != &first.Def.Trigger || first.Hash != "h1" || string(first.Definition) != pinnedDef {
		t.Fatalf("pinned = %+v", first)
	}
	again, err := pins.Load(ctx, src, "wf_1", 1)
	if err != nil || again != first || src.reads != 1 {
		t.Fatalf("second Load: same entry %v, %d store reads, err %v; want the cached entry and 1 read", again == first, src.reads, err)
	}
	// The route of an endpoint pins the same version from its workflow
	// row: the entry is shared, nothing is decoded again.
	if p, err := pins.Pin("wf_1", 1, "h1", []byte(pinnedDef)); err != nil || p != first {
		t.Fatalf("Pin of the saved bytes: same entry %v, err %v", p == first, err)
	}

	tests := []struct {
		name    string
		load    func() (*Pinned, error)
		wantErr string
		wantIs  error
	}{
		{name: "a missing version is the store's error", load: func() (*Pinned, error) { return pins.Load(ctx, src, "wf_1", 9) },
			wantErr: "getting version 9 of workflow wf_1", wantIs: store.ErrNotFound},
		{name: "a corrupt version names the workflow and version", load: func() (*Pinned, error) { return pins.Load(ctx, src, "wf_1", 3) },
			wantErr: "decoding version 3 of workflow wf_1: unexpected end of JSON input"},
		{name: "a corrupt snapshot gives the decoder's error", load: func() (*Pinned, error) { return pins.Pin("wf_1", 4, "h4", []byte(`[`)) },
			wantErr: "unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.load()
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) || tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Fatalf("err = %v; want %q", err, tc.wantErr)
			}
		})
	}
	if _, err := pins.Load(ctx, src, "wf_1", 3); err == nil || src.reads != 4 {
		t.Fatalf("a version that failed to decode was cached (%d reads, err %v)", src.reads, err)
	}

	pins.Reset()
	if p, err := pins.Load(ctx, src, "wf_1", 1); err != nil || p == first || src.reads != 5 {
		t.Fatalf("after Reset: new entry %v, %d reads, err %v", p != first, src.reads, err)
	}
}

// TestPinsNeverMistakeOtherBytesForAVersion covers test runs, whose
// edited definition carries its workflow's id and version: the entry of
// the saved version must not be used for it, nor it for the saved one.
func TestPinsNeverMistakeOtherBytesForAVersion(t *testing.T) {
	pins := NewPins(0)
	saved, err := pins.Pin("wf_1", 1, "h1", []byte(pinnedDef))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(pinnedDef, `"name":"p"`, `"name":"edited"`, 1)
	tests := []struct {
		name     string
		hash     string
		raw      string
		wantName string
	}{
		{name: "other bytes, same hash", hash: "h1", raw: edited, wantName: "edited"},
		{name: "same bytes, other hash", hash: "", raw: pinnedDef, wantName: "p"},
		{name: "the saved version again", hash: "h1", raw: pinnedDef, wantName: "p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pins.Pin("wf_1", 1, tc.hash, []byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if p.Def.Name != tc.wantName || string(p.Definition) != tc.raw || p.Hash != tc.hash {
				t.Fatalf("pinned %q (%s), want %q", p.Def.Name, p.Hash, tc.wantName)
			}
		})
	}
	if saved.Def.Name != "p" {
		t.Fatalf("the saved entry changed: %q", saved.Def.Name)
	}
}

func TestPinsAreBounded(t *testing.T) {
	pins := NewPins(2)
	for v := 1; v <= 3; v++ {
		if _, err := pins.Pin("wf_1", v, "", []byte(pinnedDef)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(pins.m); n > 2 {
		t.Fatalf("%d entries, want at most 2", n)
	}
}

func TestEventRoot(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 30, 0, 5, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		in   EventInfo
		want map[string]any
	}{
		{name: "every field", in: EventInfo{ID: "evt_1", ProviderID: "pi_1", Type: "payment_intent.succeeded", ReceivedAt: at,
			Headers: map[string]string{"Content-Type": "application/json", "Stripe-Signature": "[redacted]"}, Replay: true},
			want: map[string]any{"id": "evt_1", "provider_id": "pi_1", "type": "payment_intent.succeeded", "received_at": "2026-03-01T11:30:00.000000005Z",
				"headers": map[string]any{"Content-Type": "application/json", "Stripe-Signature": "[redacted]"}, "replay": true}},
		{name: "no headers is an empty object", in: EventInfo{ID: "evt_2", ReceivedAt: at.UTC()},
			want: map[string]any{"id": "evt_2", "provider_id": "", "type": "", "received_at": "2026-03-01T11:30:00.000000005Z",
				"headers": map[string]any{}, "replay": false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := EventRoot(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tc.want)
				t.Fatalf("EventRoot = %s, want %s", g, w)
			}
		})
	}
}
