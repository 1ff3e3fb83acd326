package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func upsertDealAction() *connectors.Action {
	return &connectors.Action{
		Name:  "upsert_deal",
		Title: "Create or update a deal",
		Description: "Create a deal (POST /api/v2/deals), or update the deal with deal_id (PATCH /api/v2/deals/{id}), " +
			"for example to mark it won when a payment succeeds.",
		Input: []connectors.Field{
			idField("deal_id", "Deal ID", "Update this deal; leave empty to create one."),
			{Name: "title", Title: "Title", Type: connectors.TypeString, Example: "Acme Corp - Platform renewal", Help: "Required to create a deal."},
			{Name: "value", Title: "Value", Type: connectors.TypeNumber, Example: 48000},
			{Name: "currency", Title: "Currency", Type: connectors.TypeString, Example: "USD", Pattern: `^[A-Z]{3}$`, PatternHelp: "a three-letter ISO currency code such as USD"},
			idField("person_id", "Person ID", "The deal's contact person."),
			idField("org_id", "Organization ID", "The deal's organization."),
			idField("owner_id", "Owner (user) ID", "The Pipedrive user who owns the deal."),
			idField("pipeline_id", "Pipeline ID", "Defaults to the company's first pipeline."),
			idField("stage_id", "Stage ID", "Defaults to the pipeline's first stage."),
			{Name: "status", Title: "Status", Type: connectors.TypeString, Enum: []string{"open", "won", "lost"}},
			{Name: "lost_reason", Title: "Lost reason", Type: connectors.TypeString, Help: "With status lost."},
			{Name: "custom_fields", Title: "Custom fields", Type: connectors.TypeObject,
				Example: map[string]any{"d4de1c1518b4531717c676029a45911c340390a6": "Inbound"}, Help: "Custom field values by the field's API key."},
		},
		OutputSample: json.RawMessage(`{"created":true,"deal":{"id":101,"title":"Acme Corp - Platform renewal","value":48000,"currency":"USD",` +
			`"status":"open","person_id":42,"org_id":7,"pipeline_id":1,"stage_id":1,"add_time":"2026-11-30T17:04:12Z"}}`),
		Run: runUpsertDeal,
	}
}

func runUpsertDeal(ctx context.Context, call *connectors.Call) (any, error) {
	dealID, update, err := entityID(call.Input, "deal_id")
	if err != nil {
		return nil, err
	}
	body := map[string]any{}
	if title := strings.TrimSpace(call.Input.String("title")); title != "" {
		body["title"] = title
	} else if !update {
		return nil, connectors.InputError("title", "required to create a deal")
	}
	for _, k := range []string{"currency", "status", "lost_reason"} {
		if v := call.Input.String(k); v != "" {
			body[k] = v
		}
	}
	if v, ok := call.Input["value"]; ok && v != nil {
		body["value"] = v
	}
	if call.Input.String("lost_reason") != "" && call.Input.String("status") != "lost" {
		return nil, connectors.InputError("lost_reason", "only used with status lost")
	}
	for _, k := range []string{"person_id", "org_id", "owner_id", "pipeline_id", "stage_id"} {
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
	if update && len(body) == 0 {
		return nil, connectors.InputError("deal_id", "nothing to update: set at least one other field")
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out envelope
	if update {
		if _, err := a.do(ctx, http.MethodPatch, fmt.Sprintf("/api/v2/deals/%d", dealID), nil, body, &out); err != nil {
			return nil, fmt.Errorf("updating deal %d: %w", dealID, err)
		}
		return map[string]any{"created": false, "deal": out.Data}, nil
	}
	if _, err := a.do(ctx, http.MethodPost, "/api/v2/deals", nil, body, &out); err != nil {
		return nil, fmt.Errorf("creating deal: %w", err)
	}
	return map[string]any{"created": true, "deal": out.Data}, nil
}
