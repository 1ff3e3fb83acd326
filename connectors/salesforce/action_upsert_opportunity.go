package salesforce

import (
	"context"

	"github.com/hookflow/hookflow/connectors"
)

func upsertOpportunityAction() *connectors.Action {
	return &connectors.Action{
		Name:  "upsert_opportunity",
		Title: "Create or update an Opportunity",
		Description: "Update the Opportunity with this record id, or upsert by an external id field, or create a new " +
			"Opportunity. Creating needs Name, StageName and CloseDate (YYYY-MM-DD).",
		Input: recordInput("Opportunity", connectors.Field{
			Name: "fields", Title: "Fields", Type: connectors.TypeObject, Required: true,
			Example: map[string]any{"Name": "Acme renewal", "StageName": "Prospecting", "CloseDate": "2026-12-31", "Amount": 15000, "AccountId": "0015g00000AbCdEAAV"},
			Help:    "Opportunity fields by API name. StageName must be one of your org's stages; CloseDate is YYYY-MM-DD. null clears a field.",
		}),
		OutputSample: outputSample("Opportunity", "0065g00000QrStUAAV"),
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			return upsert(ctx, call, "Opportunity", []string{"Name", "StageName", "CloseDate"})
		},
	}
}
