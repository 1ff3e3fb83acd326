package hubspot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
)

func createDealAction() *connectors.Action {
	return &connectors.Action{
		Name:  "create_deal",
		Title: "Create a deal",
		Description: "Create a deal (POST /crm/v3/objects/deals) and associate it with a contact and, optionally, " +
			"a company in the same call, using HubSpot's default deal-to-contact (3) and deal-to-company (5) associations.",
		Input: []connectors.Field{
			{Name: "dealname", Title: "Deal name", Type: connectors.TypeString, Required: true, Example: "Biglytics – annual plan"},
			{Name: "pipeline", Title: "Pipeline", Type: connectors.TypeString, Default: "default",
				Help: "The pipeline's internal id; \"default\" is the Sales Pipeline every account has."},
			{Name: "dealstage", Title: "Deal stage", Type: connectors.TypeString, Required: true, Example: "appointmentscheduled",
				Help: "The stage's internal id in that pipeline, e.g. appointmentscheduled, qualifiedtobuy, closedwon."},
			{Name: "amount", Title: "Amount", Type: connectors.TypeAny, Example: "1500.00", Help: "A number or a numeric string."},
			{Name: "closedate", Title: "Close date", Type: connectors.TypeString, Example: "2024-12-31T00:00:00Z",
				Help: "ISO 8601 date or date-time."},
			{Name: "properties", Title: "Other properties", Type: connectors.TypeObject, Example: map[string]any{"hubspot_owner_id": "910901"},
				Help: "More deal properties by internal name."},
			idField("contact_id", "Contact id", "Associate the deal with this contact (its hs_object_id).", false),
			idField("company_id", "Company id", "Associate the deal with this company.", false),
		},
		OutputSample: json.RawMessage(`{"id":"14880000001","properties":{"dealname":"Biglytics – annual plan","pipeline":"default",` +
			`"dealstage":"appointmentscheduled","amount":"1500.00","createdate":"2024-10-01T12:00:00.000Z","hs_object_id":"14880000001"},` +
			`"createdAt":"2024-10-01T12:00:00.000Z","updatedAt":"2024-10-01T12:00:00.000Z","archived":false}`),
		Run: runCreateDeal,
	}
}

func runCreateDeal(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	props := map[string]string{}
	if extra, ok := in["properties"].(map[string]any); ok {
		var err error
		if props, err = propertyValues("input.properties", extra); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"dealname", "pipeline", "dealstage", "closedate"} {
		if v := in.String(k); v != "" {
			props[k] = v
		}
	}
	if v, ok := in["amount"]; ok && v != nil {
		s, ok := propertyString(v)
		if !ok || s == "" {
			return nil, connectors.Permanent(fmt.Errorf("input.amount: want a number or a numeric string"))
		}
		if _, err := json.Number(s).Float64(); err != nil {
			return nil, connectors.Permanent(fmt.Errorf("input.amount: %q is not a number", s))
		}
		props["amount"] = s
	}
	contact, err := objectID(in, "contact_id")
	if err != nil {
		return nil, err
	}
	company, err := objectID(in, "company_id")
	if err != nil {
		return nil, err
	}
	assocs := []any{}
	if contact != "" {
		assocs = append(assocs, association(contact, assocDealToContact))
	}
	if company != "" {
		assocs = append(assocs, association(company, assocDealToCompany))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"properties": props}
	if len(assocs) > 0 {
		body["associations"] = assocs
	}
	var out map[string]any
	if _, err := a.post(ctx, "/crm/v3/objects/deals", body, &out); err != nil {
		return nil, fmt.Errorf("creating deal: %w", err)
	}
	return out, nil
}
