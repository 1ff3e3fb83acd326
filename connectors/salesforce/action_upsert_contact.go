package salesforce

import (
	"context"

	"github.com/hookflow/hookflow/connectors"
)

func upsertContactAction() *connectors.Action {
	return &connectors.Action{
		Name:  "upsert_contact",
		Title: "Create or update a Contact",
		Description: "Update the Contact with this record id, or upsert by an external id field (update the match or " +
			"create one), or create a new Contact. Creating needs at least LastName.",
		Input: recordInput("Contact", connectors.Field{
			Name: "fields", Title: "Fields", Type: connectors.TypeObject, Required: true,
			Example: map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com", "AccountId": "0015g00000AbCdEAAV"},
			Help:    "Contact fields by API name (Setup → Object Manager → Contact → Fields & Relationships). null clears a field.",
		}),
		OutputSample: outputSample("Contact", "0035g00000XyZabAAB"),
		Run: func(ctx context.Context, call *connectors.Call) (any, error) {
			return upsert(ctx, call, "Contact", []string{"LastName"})
		},
	}
}
