package salesforce_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/salesforce"
)

func TestUpsertContact(t *testing.T) {
	s := &store{}
	f := newFake(t, s)
	created, err := f.InvokeJSON("upsert_contact", connectors.Values{"fields": map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := created["id"].(string)
	if created["created"] != true || created["matched"] != "created" || id == "" || created["sobject"] != "Contact" {
		t.Fatalf("create gave %v", created)
	}
	updated, err := f.InvokeJSON("upsert_contact", connectors.Values{"id": id, "fields": map[string]any{"Phone": "+1 415 555 0142", "Title": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if updated["id"] != id || updated["created"] != false || updated["matched"] != "id" {
		t.Fatalf("update gave %v", updated)
	}
	if s.records[id]["Phone"] != "+1 415 555 0142" || s.records[id]["LastName"] != "Lovelace" {
		t.Fatalf("record after update: %v", s.records[id])
	}
	for i, want := range []bool{true, false} {
		out, err := f.InvokeJSON("upsert_contact", connectors.Values{"external_id_field": "Legacy_Id__c", "external_id": "crm/4711",
			"fields": map[string]any{"LastName": "Hopper"}})
		if err != nil {
			t.Fatal(err)
		}
		if out["created"] != want {
			t.Fatalf("upsert %d: created = %v, want %v", i, out["created"], want)
		}
	}
	reqs := f.Requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodPatch || s.external["Legacy_Id__c/crm/4711"] == "" || len(s.external) != 1 {
		t.Fatalf("upsert by external id sent %s %s; the fake holds %v", last.Method, last.Path, s.external)
	}
	if got := reqs[1]; got.Method != http.MethodPatch || got.Path != "/services/data/v61.0/sobjects/Contact/"+id || got.JSON()["Title"] != nil {
		t.Fatalf("update sent %s %s %s", got.Method, got.Path, got.Body)
	}
}

func TestUpsertContactRefusesBadInput(t *testing.T) {
	f := newFake(t, &store{})
	cases := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"create without LastName", connectors.Values{"fields": map[string]any{"FirstName": "Ada"}}, "input.fields.LastName: required to create a Contact"},
		{"id and external id", connectors.Values{"id": "0035g00000XyZabAAB", "external_id_field": "Legacy_Id__c", "external_id": "1", "fields": map[string]any{}}, "input.id: set either id or external_id_field and external_id, not both"},
		{"external field without value", connectors.Values{"external_id_field": "Legacy_Id__c", "fields": map[string]any{}}, "input.external_id: required when external_id_field is set"},
		{"Id among the fields", connectors.Values{"fields": map[string]any{"Id": "0035g00000XyZabAAB", "LastName": "x"}}, "input.fields.Id: the record id goes in input.id"},
		{"not a field name", connectors.Values{"fields": map[string]any{"Last Name": "x"}}, `input.fields: "Last Name" is not a Salesforce API field name`},
		{"nested value", connectors.Values{"fields": map[string]any{"LastName": map[string]any{"a": 1}}}, "input.fields.LastName: want a string, number, boolean or null"},
		{"bad record id", connectors.Values{"id": "nope", "fields": map[string]any{}}, "input.id: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Invoke("upsert_contact", tc.input)
			if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a permanent error containing %q", err, tc.want)
			}
		})
	}
	if n := len(f.Requests()); n != 0 {
		t.Fatalf("bad input reached Salesforce %d times", n)
	}
}

func TestSalesforceErrorsNameCodeAndFields(t *testing.T) {
	f := newFake(t, &store{})
	f.Credential["access_token"] = "00D5g000004ABCD!expired"
	_, err := f.Invoke("upsert_contact", connectors.Values{"fields": map[string]any{"LastName": "x"}})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent ||
		!strings.Contains(err.Error(), "INVALID_SESSION_ID: Session expired or invalid (the access token expired or was revoked; reconnect the Salesforce credential)") {
		t.Fatalf("err = %v", err)
	}
	f.Credential["access_token"] = testToken
	_, err = f.Invoke("upsert_contact", connectors.Values{"external_id_field": "Legacy_Id__c", "external_id": "9", "fields": map[string]any{"FirstName": "x"}})
	if err != nil {
		t.Fatal(err) // the fake, like Salesforce, only checks LastName on POST
	}

	cases := []struct {
		name   string
		status int
		header map[string]string
		body   []byte
		class  connectors.Class
		wait   time.Duration
		want   string
	}{
		{"required field", 400, nil, salesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", "LastName"), connectors.ClassPermanent, 0,
			"REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] (fields: LastName)"},
		{"daily limit", 403, nil, salesforceError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), connectors.ClassRateLimited, 5 * time.Minute,
			"REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."},
		{"row lock", 400, nil, salesforceError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"), connectors.ClassRetryable, 0,
			"UNABLE_TO_LOCK_ROW"},
		{"several external matches", 300, nil, []byte(`["/services/data/v61.0/sobjects/Contact/0035g00000XyZabAAB","/services/data/v61.0/sobjects/Contact/0035g00000XyZacAAB"]`),
			connectors.ClassPermanent, 0, "the external id matches more than one record"},
		{"429 with Retry-After", 429, map[string]string{"Retry-After": "12"}, salesforceError("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."), connectors.ClassRateLimited, 12 * time.Second,
			"ConcurrentPerOrgLongTxn"},
		{"server error", 503, nil, salesforceError("SERVER_UNAVAILABLE", "down for maintenance"), connectors.ClassRetryable, 0, "SERVER_UNAVAILABLE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ff := connectortest.NewFake(t, salesforce.New(), testCredential, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				w.WriteHeader(tc.status)
				w.Write(tc.body)
			})
			_, err := ff.Invoke("upsert_contact", connectors.Values{"external_id_field": "Email", "external_id": "ada@example.com", "fields": map[string]any{"LastName": "x"}})
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.class || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want class %s containing %q", err, tc.class, tc.want)
			}
			if tc.wait != 0 && ce.RetryAfter != tc.wait {
				t.Fatalf("RetryAfter = %s, want %s", ce.RetryAfter, tc.wait)
			}
		})
	}
}
