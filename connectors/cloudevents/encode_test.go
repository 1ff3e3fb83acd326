package cloudevents_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/cloudevents"
)

// TestEncodeRoundTrip encodes an event in each mode and reads it back
// with the trigger's extractor: what hookflow sends, hookflow (and any
// CloudEvents receiver) reads as the same event.
func TestEncodeRoundTrip(t *testing.T) {
	ev := cloudevents.Outgoing{ID: "msg_1", Source: "/hookflow/workflows/wf_1", Type: "order.paid", Subject: "orders/1001",
		Time: time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC), Data: map[string]any{"order_id": 1001}}
	const want = `{"ce":{"datacontenttype":"application/json","id":"msg_1","source":"/hookflow/workflows/wf_1","specversion":"1.0","subject":"orders/1001","time":"2024-05-02T10:00:00Z","type":"order.paid"},"data":{"order_id":1001}}`
	for _, tc := range []struct{ mode, contentType, ceID string }{
		{cloudevents.ModeBinary, "application/json", "msg_1"},
		{cloudevents.ModeStructured, "application/cloudevents+json", ""},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			h, body, err := cloudevents.Encode(tc.mode, ev)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.contentType)
			}
			if got := h.Get("Ce-Id"); got != tc.ceID {
				t.Errorf("ce-id header = %q, want %q", got, tc.ceID)
			}
			u, _ := url.Parse("https://hooks.example.com/hooks/x")
			events, err := cloudevents.Extract(&connectors.Request{Method: "POST", URL: u, Header: h, Body: body}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].ID != `["/hookflow/workflows/wf_1","msg_1"]` || string(events[0].Body) != want {
				t.Fatalf("read back %+v\nwant body %s", events, want)
			}
		})
	}
	if _, _, err := cloudevents.Encode(cloudevents.ModeBinary, cloudevents.Outgoing{ID: "x", Type: "t"}); err == nil ||
		err.Error() != "invalid CloudEvent: source: REQUIRED" {
		t.Errorf("missing source gave %v", err)
	}
	if _, _, err := cloudevents.Encode("batch", ev); err == nil || err.Error() != `CloudEvents mode "batch" is not binary or structured` {
		t.Errorf("unknown mode gave %v", err)
	}
}
