package hubspot

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestCreateDeal(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody map[string]any
	}{
		{
			name: "associated_with_contact_as_string_id",
			input: connectors.Values{"dealname": "Biglytics – qualified lead", "dealstage": "qualifiedtobuy",
				"contact_id": "512"},
			wantBody: map[string]any{
				"properties": map[string]any{"dealname": "Biglytics – qualified lead", "pipeline": "default", "dealstage": "qualifiedtobuy"},
				"associations": []any{map[string]any{"to": map[string]any{"id": "512"},
					"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(3)}}}},
			},
		},
		{
			name: "amount_closedate_company_extra_properties_number_id",
			input: connectors.Values{"dealname": "Annual", "pipeline": "12345", "dealstage": "closedwon", "amount": 1500.5,
				"closedate": "2024-12-31T00:00:00Z", "properties": map[string]any{"hubspot_owner_id": "910901"},
				"contact_id": float64(512), "company_id": "77"},
			wantBody: map[string]any{
				"properties": map[string]any{"dealname": "Annual", "pipeline": "12345", "dealstage": "closedwon", "amount": "1500.5",
					"closedate": "2024-12-31T00:00:00Z", "hubspot_owner_id": "910901"},
				"associations": []any{
					map[string]any{"to": map[string]any{"id": "512"},
						"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(3)}}},
					map[string]any{"to": map[string]any{"id": "77"},
						"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(5)}}},
				},
			},
		},
		{
			name:     "no_association",
			input:    connectors.Values{"dealname": "Solo", "dealstage": "appointmentscheduled"},
			wantBody: map[string]any{"properties": map[string]any{"dealname": "Solo", "pipeline": "default", "dealstage": "appointmentscheduled"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			out, err := f.InvokeJSON("create_deal", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			checkRequest(t, reqs[0], "/crm/v3/objects/deals")
			if !reflect.DeepEqual(reqs[0].JSON(), tc.wantBody) {
				t.Errorf("body = %v\nwant %v", reqs[0].JSON(), tc.wantBody)
			}
			if out["id"] != "1001" || out["properties"].(map[string]any)["dealname"] != tc.input["dealname"] {
				t.Errorf("output = %v", out)
			}
		})
	}
}

func TestCreateDealErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		wantMsg   string
		wantCalls int
	}{
		{name: "unknown_contact", input: connectors.Values{"dealname": "x", "dealstage": "s", "contact_id": "999"},
			wantMsg: "One or more associations are invalid: contact 999 does not exist", wantCalls: 1},
		{name: "contact_id_not_numeric", input: connectors.Values{"dealname": "x", "dealstage": "s", "contact_id": "bob"},
			wantMsg: `input.contact_id: "bob" is not a numeric HubSpot record id`},
		{name: "amount_not_numeric", input: connectors.Values{"dealname": "x", "dealstage": "s", "amount": "lots"},
			wantMsg: `input.amount: "lots" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			_, err := f.InvokeJSON("create_deal", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantMsg)
			}
			if n := len(f.Requests()); n != tc.wantCalls {
				t.Errorf("%d calls, want %d", n, tc.wantCalls)
			}
		})
	}
}
