package cloudevents_test

import (
	"encoding/json"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/cloudevents"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		Name    string
		Request *connectors.Request
		Want    []connectors.Event
		Err     string
	}{
		{
			Name: "structured with base64 data",
			Request: connectortest.NewRequest(`{"specversion":"1.0","id":"i1","source":"/s","type":"t.bin","datacontenttype":"application/octet-stream","data_base64":"AAEC"}`,
				"Content-Type", "application/cloudevents+json"),
			Want: []connectors.Event{{ID: `["/s","i1"]`, Type: "t.bin",
				Body: json.RawMessage(`{"ce":{"datacontenttype":"application/octet-stream","id":"i1","source":"/s","specversion":"1.0","type":"t.bin"},"data_base64":"AAEC"}`)}},
		},
		{
			Name: "binary with an XML body",
			Request: connectortest.NewRequest(`<order id="7"/>`, "Content-Type", "application/xml",
				"Ce-Specversion", "1.0", "Ce-Id", "x1", "Ce-Source", "urn:erp", "Ce-Type", "erp.order"),
			Want: []connectors.Event{{ID: `["urn:erp","x1"]`, Type: "erp.order",
				Body: json.RawMessage(`{"ce":{"datacontenttype":"application/xml","id":"x1","source":"urn:erp","specversion":"1.0","type":"erp.order"},"data":"\u003corder id=\"7\"/\u003e"}`)}},
		},
		{
			Name: "same id from two sources are two events",
			Request: connectortest.NewRequest(`[{"specversion":"1.0","id":"1","source":"/a","type":"t"},{"specversion":"1.0","id":"1","source":"/b","type":"t"}]`,
				"Content-Type", "application/cloudevents-batch+json"),
			Want: []connectors.Event{
				{ID: `["/a","1"]`, Type: "t", Body: json.RawMessage(`{"ce":{"id":"1","source":"/a","specversion":"1.0","type":"t"}}`)},
				{ID: `["/b","1"]`, Type: "t", Body: json.RawMessage(`{"ce":{"id":"1","source":"/b","specversion":"1.0","type":"t"}}`)},
			},
		},
		{
			Name:    "empty batch",
			Request: connectortest.NewRequest(`[]`, "Content-Type", "application/cloudevents-batch+json"),
			Want:    []connectors.Event{},
		},
		{
			Name:    "missing required attribute",
			Request: connectortest.NewRequest(`{"specversion":"1.0","id":"i1","type":"t"}`, "Content-Type", "application/cloudevents+json"),
			Err:     "invalid CloudEvent: source: REQUIRED",
		},
		{
			Name:    "missing attribute in a batch names the event",
			Request: connectortest.NewRequest(`[{"specversion":"1.0","id":"1","source":"/a","type":"t"},{"specversion":"1.0","source":"/a","type":"t"}]`, "Content-Type", "application/cloudevents-batch+json"),
			Err:     "batch event 1: invalid CloudEvent: id: MUST be a non-empty string",
		},
		{
			Name:    "plain JSON is not a CloudEvent",
			Request: connectortest.NewRequest(`{"id":"1"}`, "Content-Type", "application/json"),
			Err:     "not a CloudEvent: a binary-mode event needs a ce-specversion header, a structured one Content-Type application/cloudevents+json, a batch application/cloudevents-batch+json",
		},
		{
			Name: "binary mode with malformed JSON data",
			Request: connectortest.NewRequest(`{"a":`, "Content-Type", "application/json",
				"Ce-Specversion", "1.0", "Ce-Id", "x1", "Ce-Source", "urn:erp", "Ce-Type", "erp.order"),
			Err: "malformed JSON body: unexpected end of JSON input (at byte 5)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.Name, func(t *testing.T) {
			got, err := cloudevents.Extract(tc.Request, nil)
			if tc.Err != "" {
				if err == nil || err.Error() != tc.Err {
					t.Fatalf("err = %v, want %q", err, tc.Err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.Want) {
				t.Fatalf("got %d events, want %d", len(got), len(tc.Want))
			}
			for i := range got {
				if got[i].ID != tc.Want[i].ID || got[i].Type != tc.Want[i].Type || string(got[i].Body) != string(tc.Want[i].Body) {
					t.Errorf("event %d = %s %s %s\nwant %s %s %s", i, got[i].ID, got[i].Type, got[i].Body, tc.Want[i].ID, tc.Want[i].Type, tc.Want[i].Body)
				}
			}
		})
	}
}
