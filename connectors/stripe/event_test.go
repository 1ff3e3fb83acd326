package stripe

import (
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"minimal", `{"id":"evt_1","type":"customer.created"}`, "evt_1", "customer.created", ""},
		{"malformed JSON", `{"id":"evt_1",`, "", "", "reading Stripe event: malformed JSON body: unexpected end of JSON input (at byte 14)"},
		{"no id", `{"type":"customer.created"}`, "", "", `reading Stripe event: field "id" is missing or not a string`},
		{"no type", `{"id":"evt_2"}`, "", "", `reading Stripe event evt_2: field "type" is missing`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Extract(&connectors.Request{Header: http.Header{}, Body: []byte(tc.body)}, nil)
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
