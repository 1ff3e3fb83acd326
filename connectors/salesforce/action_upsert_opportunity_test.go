package salesforce_test

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestUpsertOpportunity(t *testing.T) {
	s := &store{}
	f := newFake(t, s)
	_, err := f.Invoke("upsert_opportunity", connectors.Values{"fields": map[string]any{"Name": "Acme renewal", "StageName": "Prospecting"}})
	if err == nil || !strings.Contains(err.Error(), "input.fields.CloseDate: required to create a Opportunity") {
		t.Fatalf("err = %v", err)
	}
	out, err := f.InvokeJSON("upsert_opportunity", connectors.Values{"external_id_field": "Deal_Key__c", "external_id": "stripe-pi_3Mt",
		"fields": map[string]any{"Name": "Acme renewal", "StageName": "Closed Won", "CloseDate": "2026-12-15", "Amount": 48000.0}})
	if err != nil {
		t.Fatal(err)
	}
	if out["created"] != true || out["sobject"] != "Opportunity" {
		t.Fatalf("out = %v", out)
	}
	req := f.Requests()[len(f.Requests())-1]
	if req.Path != "/services/data/v61.0/sobjects/Opportunity/Deal_Key__c/stripe-pi_3Mt" || req.JSON()["Amount"] != 48000.0 {
		t.Fatalf("sent %s %s", req.Path, req.Body)
	}
	if _, ok := req.JSON()["Deal_Key__c"]; ok {
		t.Fatal("the external id field must not be sent among the fields")
	}
}
