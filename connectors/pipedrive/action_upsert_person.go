package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func upsertPersonAction() *connectors.Action {
	return &connectors.Action{
		Name:  "upsert_person",
		Title: "Create or update a person by email",
		Description: "Search for a person with exactly this email (GET /api/v2/persons/search); update the first match " +
			"(PATCH /api/v2/persons/{id}), or create one (POST /api/v2/persons). Running it twice updates the same person.",
		Input: []connectors.Field{
			{Name: "email", Title: "Email", Type: connectors.TypeString, Required: true, Example: "ada@example.com",
				Pattern: `^[^@\s]+@[^@\s]+$`, PatternHelp: "must be an email address"},
			{Name: "name", Title: "Name", Type: connectors.TypeString, Example: "Ada Lovelace",
				Help: "Required to create a person; when empty, the email is used. Updates the name of a match when set."},
			{Name: "phone", Title: "Phone", Type: connectors.TypeString, Example: "+14155550142"},
			idField("org_id", "Organization ID", "Link the person to this organization."),
			idField("owner_id", "Owner (user) ID", "The Pipedrive user who owns the person."),
			{Name: "custom_fields", Title: "Custom fields", Type: connectors.TypeObject,
				Example: map[string]any{"d4de1c1518b4531717c676029a45911c340390a6": "Enterprise"},
				Help:    "Custom field values by the field's API key."},
		},
		OutputSample: json.RawMessage(`{"created":true,"person":{"id":42,"name":"Ada Lovelace","emails":[{"value":"ada@example.com","primary":true,"label":"work"}],` +
			`"phones":[{"value":"+14155550142","primary":true,"label":"work"}],"org_id":7,"owner_id":9001,"add_time":"2026-11-30T17:04:12Z"}}`),
		Run: runUpsertPerson,
	}
}

func runUpsertPerson(ctx context.Context, call *connectors.Call) (any, error) {
	email := strings.TrimSpace(call.Input.String("email"))
	body := map[string]any{}
	if name := strings.TrimSpace(call.Input.String("name")); name != "" {
		body["name"] = name
	}
	if phone := strings.TrimSpace(call.Input.String("phone")); phone != "" {
		body["phones"] = []any{map[string]any{"value": phone, "primary": true, "label": "work"}}
	}
	for _, k := range []string{"org_id", "owner_id"} {
		id, ok, err := entityID(call.Input, k)
		if err != nil {
			return nil, err
		}
		if ok {
			body[k] = id
		}
	}
	custom, err := customFields(call.Input)
	if err != nil {
		return nil, err
	}
	if len(custom) > 0 {
		body["custom_fields"] = custom
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var found struct {
		Data struct {
			Items []struct {
				Item struct {
					ID int64 `json:"id"`
				} `json:"item"`
			} `json:"items"`
		} `json:"data"`
	}
	if _, err := a.do(ctx, http.MethodGet, "/api/v2/persons/search",
		map[string]string{"term": email, "fields": "email", "exact_match": "true", "limit": "1"}, nil, &found); err != nil {
		return nil, fmt.Errorf("searching persons by email: %w", err)
	}
	var out envelope
	if len(found.Data.Items) > 0 && found.Data.Items[0].Item.ID > 0 {
		id := found.Data.Items[0].Item.ID
		if _, err := a.do(ctx, http.MethodPatch, fmt.Sprintf("/api/v2/persons/%d", id), nil, body, &out); err != nil {
			return nil, fmt.Errorf("updating person %d: %w", id, err)
		}
		return map[string]any{"created": false, "person": out.Data}, nil
	}
	if _, ok := body["name"]; !ok {
		body["name"] = email
	}
	body["emails"] = []any{map[string]any{"value": email, "primary": true, "label": "work"}}
	if _, err := a.do(ctx, http.MethodPost, "/api/v2/persons", nil, body, &out); err != nil {
		return nil, fmt.Errorf("creating person: %w", err)
	}
	return map[string]any{"created": true, "person": out.Data}, nil
}
