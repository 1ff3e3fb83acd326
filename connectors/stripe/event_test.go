package stripe

import (
	"net/http"
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	pi, err := os.ReadFile("testdata/payment_intent.succeeded.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"documented payment_intent.succeeded", string(pi), "evt_3OqAbC2eZvKYlo2C1x8yZ9Qw", "payment_intent.succeeded", ""},
		{"minimal", `{"id":"evt_1","type":"customer.created"}`, "evt_1", "customer.created", ""},
		{"malformed JSON", `{"id":"evt_1",`, "", "", "reading Stripe event: malformed JSON body: unexpected end of JSON input (at byte 14)"},
		{"no id", `{"type":"customer.created"}`, "", "", `reading Stripe event: field "id" is missing or not a string`},
		{"no type", `{"id":"evt_2"}`, "", "", `reading Stripe event evt_2: field "type" is missing`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Extractor{}.Extract(&connectors.Request{Header: http.Header{}, Body: []byte(tc.body)}, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].ID != tc.wantID || events[0].Type != tc.wantType || string(events[0].Body) != tc.body {
				t.Fatalf("events = %+v", events)
			}
		})
	}
}

func TestTrigger(t *testing.T) {
	tr := Trigger()
	if tr.Name != "webhook" || tr.Verifier == nil || tr.Extractor == nil || tr.Handshaker != nil {
		t.Fatalf("trigger = %+v", tr)
	}
	for _, typ := range []string{"payment_intent.succeeded", "customer.created"} {
		if len(tr.Samples[typ]) == 0 {
			t.Errorf("no sample for %s", typ)
		}
	}
	if len(tr.SignatureHeaders) != 1 || tr.SignatureHeaders[0] != "Stripe-Signature" {
		t.Errorf("signature headers = %v", tr.SignatureHeaders)
	}
}
