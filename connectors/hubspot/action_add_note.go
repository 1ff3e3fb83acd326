package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// MaxNoteLength is HubSpot's limit on hs_note_body.
const MaxNoteLength = 65536

func addNoteAction() *connectors.Action {
	return &connectors.Action{
		Name:  "add_note",
		Title: "Add a note to a contact",
		Description: "Log a note on a contact's timeline (POST /crm/v3/objects/notes associated with the contact, " +
			"and optionally a deal).",
		Input: []connectors.Field{
			idField("contact_id", "Contact id", "The contact the note is about (its hs_object_id).", true),
			{Name: "body", Title: "Note", Type: connectors.TypeString, Required: true, Example: "Called about the renewal; follow up in May.",
				Help: "Plain text or simple HTML, up to 65,536 characters."},
			{Name: "timestamp", Title: "Time", Type: connectors.TypeString, Example: "2024-10-01T12:00:00Z",
				Help: "Where the note sits on the timeline (RFC 3339). Empty uses the time the step runs."},
			idField("deal_id", "Deal id", "Also show the note on this deal.", false),
		},
		OutputSample: json.RawMessage(`{"id":"46371357613","properties":{"hs_note_body":"Called about the renewal; follow up in May.",` +
			`"hs_timestamp":"2024-10-01T12:00:00Z","hs_object_id":"46371357613","hs_createdate":"2024-10-01T12:00:01.000Z"},` +
			`"createdAt":"2024-10-01T12:00:01.000Z","updatedAt":"2024-10-01T12:00:01.000Z","archived":false}`),
		Run: runAddNote,
	}
}

func runAddNote(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	contact, err := objectID(in, "contact_id")
	if err != nil {
		return nil, err
	}
	if contact == "" {
		return nil, connectors.Permanent(errors.New("input.contact_id: required"))
	}
	deal, err := objectID(in, "deal_id")
	if err != nil {
		return nil, err
	}
	body := in.String("body")
	if len(body) > MaxNoteLength {
		return nil, connectors.Permanent(fmt.Errorf("input.body: %d characters, HubSpot allows %d", len(body), MaxNoteLength))
	}
	ts := in.String("timestamp")
	if ts == "" {
		ts = now().UTC().Format("2006-01-02T15:04:05.000Z")
	} else if _, err := time.Parse(time.RFC3339, ts); err != nil {
		return nil, connectors.Permanent(fmt.Errorf("input.timestamp: %q is not an RFC 3339 time such as 2024-10-01T12:00:00Z", ts))
	}
	assocs := []any{association(contact, assocNoteToContact)}
	if deal != "" {
		assocs = append(assocs, association(deal, assocNoteToDeal))
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	req := map[string]any{
		"properties":   map[string]string{"hs_note_body": body, "hs_timestamp": ts},
		"associations": assocs,
	}
	var out map[string]any
	if _, err := a.post(ctx, "/crm/v3/objects/notes", req, &out); err != nil {
		return nil, fmt.Errorf("adding note: %w", err)
	}
	return out, nil
}
