package hubspot

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

func TestAddNote(t *testing.T) {
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Date(2024, 10, 1, 14, 30, 5, 123e6, time.FixedZone("CEST", 2*3600)) }
	contactAssoc := map[string]any{"to": map[string]any{"id": "512"},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(202)}}}
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody map[string]any
	}{
		{name: "timestamp_defaults_to_now_in_utc",
			input: connectors.Values{"contact_id": "512", "body": "Called about the renewal."},
			wantBody: map[string]any{"properties": map[string]any{"hs_note_body": "Called about the renewal.", "hs_timestamp": "2024-10-01T12:30:05.123Z"},
				"associations": []any{contactAssoc}}},
		{name: "explicit_timestamp_and_deal",
			input: connectors.Values{"contact_id": 512, "body": "<p>Signed</p>", "timestamp": "2024-09-30T08:00:00Z", "deal_id": "14880000001"},
			wantBody: map[string]any{"properties": map[string]any{"hs_note_body": "<p>Signed</p>", "hs_timestamp": "2024-09-30T08:00:00Z"},
				"associations": []any{contactAssoc, map[string]any{"to": map[string]any{"id": "14880000001"},
					"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(214)}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("add_note", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			checkRequest(t, reqs[0], "/crm/v3/objects/notes")
			if !reflect.DeepEqual(reqs[0].JSON(), tc.wantBody) {
				t.Errorf("body = %v\nwant %v", reqs[0].JSON(), tc.wantBody)
			}
			if out["id"] != "1001" || out["properties"].(map[string]any)["hs_note_body"] != tc.input["body"] {
				t.Errorf("output = %v", out)
			}
		})
	}
}

func TestAddNoteBadInput(t *testing.T) {
	tests := []struct {
		name    string
		input   connectors.Values
		wantMsg string
	}{
		{name: "bad_timestamp", input: connectors.Values{"contact_id": "512", "body": "x", "timestamp": "yesterday"},
			wantMsg: `input.timestamp: "yesterday" is not an RFC 3339 time`},
		{name: "body_too_long", input: connectors.Values{"contact_id": "512", "body": strings.Repeat("x", MaxNoteLength+1)},
			wantMsg: "input.body: 65537 characters, HubSpot allows 65536"},
		{name: "bad_deal_id", input: connectors.Values{"contact_id": "512", "body": "x", "deal_id": 1.5},
			wantMsg: "input.deal_id: want a positive numeric HubSpot record id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			_, err := f.InvokeJSON("add_note", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantMsg)
			}
			if len(f.Requests()) != 0 {
				t.Error("provider called")
			}
		})
	}
}
