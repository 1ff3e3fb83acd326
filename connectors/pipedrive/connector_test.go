package pipedrive_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/pipedrive"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, pipedrive.New(), connectortest.Fixtures{
		Credential: credential,
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"success": false, "error": message, "error_info": "Please check developers.pipedrive.com"})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"upsert_person": {Input: connectors.Values{"email": "ada@example.com", "name": "Ada"}, Success: newCRM().serve},
			"upsert_deal":   {Input: connectors.Values{"title": "Acme renewal", "value": 48000}, Success: newCRM().serve},
		},
	})
}

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, pipedrive.New())
}

func TestUpsertPerson(t *testing.T) {
	c := newCRM()
	f := newFake(t, c)
	first, err := f.InvokeJSON("upsert_person", connectors.Values{"email": "ada@example.com", "phone": "+14155550142", "org_id": "7"})
	if err != nil {
		t.Fatal(err)
	}
	person := first["person"].(map[string]any)
	if first["created"] != true || person["name"] != "ada@example.com" || person["org_id"] != 7.0 {
		t.Fatalf("create gave %v", first)
	}
	second, err := f.InvokeJSON("upsert_person", connectors.Values{"email": "ADA@example.com", "name": "Ada Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	if second["created"] != false || second["person"].(map[string]any)["name"] != "Ada Lovelace" || len(c.persons) != 1 {
		t.Fatalf("update gave %v; persons %v", second, c.persons)
	}
	reqs := f.Requests()
	search := reqs[0]
	if search.Path != "/api/v2/persons/search" || search.Query.Get("fields") != "email" || search.Query.Get("exact_match") != "true" {
		t.Fatalf("search sent %s?%s", search.Path, search.Query.Encode())
	}
	if patch := reqs[3]; patch.Method != http.MethodPatch || patch.JSON()["emails"] != nil {
		t.Fatalf("update sent %s %s; it must not replace the emails", patch.Method, patch.Body)
	}
	_, err = f.Invoke("upsert_person", connectors.Values{"email": "x@example.com", "custom_fields": map[string]any{"Plan": "x"}})
	if err == nil || !strings.Contains(err.Error(), `input.custom_fields: "Plan" is not a custom field's API key`) {
		t.Fatalf("err = %v", err)
	}
}

func TestUpsertDeal(t *testing.T) {
	c := newCRM()
	f := newFake(t, c)
	created, err := f.InvokeJSON("upsert_deal", connectors.Values{"title": "Acme renewal", "value": 48000, "currency": "USD", "person_id": 42})
	if err != nil {
		t.Fatal(err)
	}
	id := created["deal"].(map[string]any)["id"]
	won, err := f.InvokeJSON("upsert_deal", connectors.Values{"deal_id": id, "status": "won"})
	if err != nil {
		t.Fatal(err)
	}
	if won["created"] != false || won["deal"].(map[string]any)["status"] != "won" || won["deal"].(map[string]any)["title"] != "Acme renewal" {
		t.Fatalf("update gave %v", won)
	}
	for _, tc := range []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"create without title", connectors.Values{"value": 1}, "input.title: required to create a deal"},
		{"update with nothing", connectors.Values{"deal_id": 5}, "input.deal_id: nothing to update"},
		{"bad id", connectors.Values{"deal_id": "abc", "status": "won"}, "input.deal_id: want a positive numeric Pipedrive id"},
		{"lost reason while open", connectors.Values{"title": "x", "lost_reason": "price"}, "input.lost_reason: only used with status lost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Invoke("upsert_deal", tc.input); err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	f.Credential = connectors.Values{pipedrive.CredentialWebhookPassword: "trigger-only"}
	if _, err := f.Invoke("upsert_deal", connectors.Values{"title": "x"}); err == nil || !strings.Contains(err.Error(), "credential.api_token: required by Pipedrive actions") {
		t.Fatalf("err = %v", err)
	}
}

// TestRateLimitHeaders checks Pipedrive's 429 is honoured through its
// x-ratelimit-reset header, and a spent daily budget is named.
func TestRateLimitHeaders(t *testing.T) {
	f := connectortest.NewFake(t, pipedrive.New(), credential, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-ratelimit-limit", "80")
		w.Header().Set("x-ratelimit-remaining", "0")
		w.Header().Set("x-ratelimit-reset", "2")
		w.Header().Set("x-daily-requests-left", "0")
		fail(w, http.StatusTooManyRequests, "Request over limit", "")
	})
	_, err := f.Invoke("upsert_deal", connectors.Values{"title": "x"})
	ce := connectors.AsError(err)
	if ce == nil || ce.Class != connectors.ClassRateLimited || ce.RetryAfter != 2*time.Second ||
		!strings.Contains(err.Error(), "Request over limit (the company's daily API budget is spent)") {
		t.Fatalf("err = %v", err)
	}
}

func TestExtractRefusals(t *testing.T) {
	connectortest.RunExtract(t, pipedrive.Extract, []connectortest.ExtractCase{
		{Name: "no meta", Request: connectortest.NewRequest(`{"data":{}}`), WantErr: `reading Pipedrive webhook: "meta" is missing`},
		{Name: "no action", Request: connectortest.NewRequest(`{"meta":{"entity":"deal"}}`), WantErr: "reading Pipedrive webhook: meta.action and meta.entity (or meta.object) are required"},
		{Name: "no timestamp", Request: connectortest.NewRequest(`{"meta":{"action":"change","entity":"deal","id":"1"}}`), WantErr: "reading Pipedrive webhook: meta.id and meta.timestamp are required to tell changes apart"},
	})
}
