package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

func upsertContactAction() *connectors.Action {
	return &connectors.Action{
		Name:  "upsert_contact",
		Title: "Create or update a contact by email",
		Description: "Create the contact with this email, or update it if one exists, in one call " +
			"(POST /crm/v3/objects/contacts/batch/upsert with idProperty=email). Running it twice is harmless: " +
			"the second run updates the same contact.",
		Input: []connectors.Field{
			{Name: "email", Title: "Email", Type: connectors.TypeString, Required: true, Example: "bcooper@biglytics.net",
				Pattern: `^[^@\s]+@[^@\s]+$`, PatternHelp: "must be an email address"},
			{Name: "properties", Title: "Properties", Type: connectors.TypeObject,
				Example: map[string]any{"firstname": "Bryan", "lastname": "Cooper", "company": "Biglytics", "phone": "(877) 929-0687"},
				Help:    "Contact properties by internal name. Numbers and booleans are sent as HubSpot expects (as strings); null clears a property."},
		},
		OutputSample: json.RawMessage(`{"id":"512","new":true,"properties":{"email":"bcooper@biglytics.net","firstname":"Bryan",` +
			`"lastname":"Cooper","createdate":"2024-10-01T12:00:00.000Z","lastmodifieddate":"2024-10-01T12:00:00.000Z","hs_object_id":"512"},` +
			`"createdAt":"2024-10-01T12:00:00.000Z","updatedAt":"2024-10-01T12:00:00.000Z","archived":false}`),
		Run: runUpsertContact,
	}
}

func runUpsertContact(ctx context.Context, call *connectors.Call) (any, error) {
	email := strings.TrimSpace(call.Input.String("email"))
	props := map[string]string{}
	if in, ok := call.Input["properties"].(map[string]any); ok {
		var err error
		if props, err = propertyValues("input.properties", in); err != nil {
			return nil, err
		}
	}
	if e, ok := props["email"]; ok && !strings.EqualFold(e, email) {
		return nil, connectors.Permanent(fmt.Errorf("input.properties.email: differs from input.email; change a contact's email with its record id instead"))
	}
	props["email"] = email
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"inputs": []any{map[string]any{"idProperty": "email", "id": email, "properties": props}}}
	var out struct {
		Results []map[string]any `json:"results"`
	}
	resp, err := a.post(ctx, "/crm/v3/objects/contacts/batch/upsert", body, &out)
	if err != nil {
		return nil, fmt.Errorf("upserting contact: %w", err)
	}
	if err := batchErrors(resp); err != nil {
		return nil, fmt.Errorf("upserting contact: %w", err)
	}
	if len(out.Results) == 0 {
		return nil, connectors.NewError(connectors.ClassRetryable, resp.Status, "upserting contact: HubSpot returned no result")
	}
	return out.Results[0], nil
}

// batchErrors reads the errors of a batch response. HubSpot answers a
// partly failed batch with 207 Multi-Status and an "errors" list; for a
// one-record batch any error means the record failed. Error categories
// such as VALIDATION_ERROR are permanent; others are retried.
func batchErrors(resp *connectors.HTTPResponse) error {
	errs := resp.Get("errors")
	if !errs.IsArray() || len(errs.Array()) == 0 {
		return nil
	}
	first := errs.Array()[0]
	msg := first.Get("message").String()
	if msg == "" {
		msg = "the batch reported an error"
	}
	category := first.Get("category").String()
	if category != "" {
		msg += " (category " + category + ")"
	}
	class := connectors.ClassPermanent
	switch category {
	case "RATE_LIMITS", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT", "LOCKED":
		class = connectors.ClassRetryable
	}
	return connectors.NewError(class, http.StatusMultiStatus, msg)
}
