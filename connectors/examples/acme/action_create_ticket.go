package acme

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/connectors"
)

// createTicket is step 3 of the walkthrough: the action's input fields
// and its Run function.
func createTicket() *connectors.Action {
	return &connectors.Action{
		Name:        "create_ticket",
		Title:       "Create a ticket",
		Description: "Open a new helpdesk ticket.",
		Input: []connectors.Field{
			{Name: "subject", Title: "Subject", Type: connectors.TypeString, Required: true, Example: "Refund request"},
			{Name: "priority", Title: "Priority", Type: connectors.TypeString,
				Enum: []string{"low", "normal", "high"}, Default: "normal"},
			{Name: "requester_email", Title: "Requester email", Type: connectors.TypeString,
				Pattern: `^[^@\s]+@[^@\s]+$`, PatternHelp: "must be an email address"},
		},
		OutputSample: json.RawMessage(`{"id":"tkt_1001","status":"open","priority":"normal"}`),
		Run:          runCreateTicket,
	}
}

// Ticket is the part of Acme's ticket object the action returns.
type Ticket struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Priority string `json:"priority"`
}

func runCreateTicket(ctx context.Context, call *connectors.Call) (any, error) {
	body := map[string]any{
		"subject":  call.Input.String("subject"),
		"priority": call.Input.String("priority"),
	}
	if email := call.Input.String("requester_email"); email != "" {
		body["requester"] = map[string]any{"email": email}
	}
	header := http.Header{
		"Authorization":   {"Bearer " + call.Credential.String("api_key")},
		"Idempotency-Key": {call.IdempotencyKey},
	}
	var ticket Ticket
	if _, err := call.HTTP.DoJSON(ctx, http.MethodPost, call.BaseURL+"/v1/tickets", header, body, &ticket); err != nil {
		return nil, fmt.Errorf("creating ticket: %w", err)
	}
	return ticket, nil
}
