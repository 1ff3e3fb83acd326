package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// recordIDPattern is a Salesforce record id: 15 case-sensitive characters,
// or 18 with the case-insensitive checksum.
var recordIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$`)

// fieldNamePattern is an API field name: standard (LastName) or custom
// (Plan__c, ns__Plan__c).
var fieldNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// recordInput are the inputs both upsert actions take; fields adds the
// object's own description.
func recordInput(object string, fields connectors.Field) []connectors.Field {
	return []connectors.Field{
		fields,
		{Name: "id", Title: object + " id", Type: connectors.TypeString, Example: "0035g00000XyZabAAB",
			Pattern: recordIDPattern.String(), PatternHelp: "a Salesforce record id has 15 or 18 letters and digits",
			Help: "Update this " + object + ". Leave empty to match by external id, or to create a new one."},
		{Name: "external_id_field", Title: "External id field", Type: connectors.TypeString, Example: "External_Id__c",
			Pattern: fieldNamePattern.String(), PatternHelp: "an API field name such as External_Id__c",
			Help: "A field marked External ID (or Id) to upsert by: the " + object + " whose field equals \"External id\" is " +
				"updated, or a new one is created. Upserting by an external id is safe to retry."},
		{Name: "external_id", Title: "External id", Type: connectors.TypeString, Example: "crm-4711",
			Help: "The value of the external id field to match."},
	}
}

// upsertResult is what both actions return.
type upsertResult struct {
	ID      string `json:"id"`
	Created bool   `json:"created"`
	SObject string `json:"sobject"`
	// Matched says how the record was found: "id", "external_id" or
	// "created".
	Matched string `json:"matched"`
}

// upsert creates or updates one record of sobject: by record id
// (PATCH /sobjects/{type}/{id}, 204), by external id
// (PATCH /sobjects/{type}/{field}/{value}: 201 created or 200 updated), or
// else creates one (POST /sobjects/{type}, 201). required lists the
// fields Salesforce requires to create the object, checked before a create
// so the error names the input.
func upsert(ctx context.Context, call *connectors.Call, sobject string, required []string) (any, error) {
	fields, err := recordFields(call.Input)
	if err != nil {
		return nil, err
	}
	id := strings.TrimSpace(call.Input.String("id"))
	extField := strings.TrimSpace(call.Input.String("external_id_field"))
	extValue := strings.TrimSpace(call.Input.String("external_id"))
	switch {
	case id != "" && (extField != "" || extValue != ""):
		return nil, connectors.InputError("id", "set either id or external_id_field and external_id, not both")
	case extField != "" && extValue == "":
		return nil, connectors.InputError("external_id", "required when external_id_field is set")
	case extValue != "" && extField == "":
		return nil, connectors.InputError("external_id_field", "required when external_id is set")
	case id == "" && extField == "":
		for _, name := range required {
			if v, ok := fields[name]; !ok || v == nil || v == "" {
				return nil, connectors.InputError("fields."+name, "required to create a "+sobject)
			}
		}
	}
	if extField != "" {
		if _, ok := fields[extField]; ok {
			return nil, connectors.InputError("fields."+extField, "the external id goes in input.external_id, not among the fields")
		}
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	var out struct {
		ID      string `json:"id"`
		Created *bool  `json:"created"`
	}
	switch {
	case id != "":
		if _, err := a.do(ctx, http.MethodPatch, sobjectPath(sobject, id), fields, nil); err != nil {
			return nil, fmt.Errorf("updating %s %s: %w", sobject, id, err)
		}
		return upsertResult{ID: id, SObject: sobject, Matched: "id"}, nil
	case extField != "":
		resp, err := a.do(ctx, http.MethodPatch, sobjectPath(sobject, extField, extValue), fields, &out)
		if err != nil {
			return nil, fmt.Errorf("upserting %s by %s: %w", sobject, extField, err)
		}
		// Before API version 46 an update answered 204 with no body; a
		// creation always answers 201 with the new id.
		created := resp.Status == http.StatusCreated
		if out.Created != nil {
			created = *out.Created
		}
		matched := "external_id"
		if created {
			matched = "created"
		}
		return upsertResult{ID: out.ID, Created: created, SObject: sobject, Matched: matched}, nil
	default:
		resp, err := a.do(ctx, http.MethodPost, sobjectPath(sobject), fields, &out)
		if err != nil {
			return nil, fmt.Errorf("creating %s: %w", sobject, err)
		}
		if out.ID == "" {
			return nil, connectors.NewError(connectors.ClassPermanent, resp.Status, "creating "+sobject+": Salesforce returned no record id")
		}
		return upsertResult{ID: out.ID, Created: true, SObject: sobject, Matched: "created"}, nil
	}
}

// recordFields checks the fields input: API names only, scalar values
// (Salesforce's REST API takes strings, numbers, booleans and null, which
// clears a field), and no Id, which belongs in input.id.
func recordFields(in connectors.Values) (map[string]any, error) {
	raw, _ := in["fields"].(map[string]any)
	out := make(map[string]any, len(raw))
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := raw[k]
		switch {
		case !fieldNamePattern.MatchString(k):
			return nil, connectors.InputError("fields", fmt.Sprintf("%q is not a Salesforce API field name (like LastName or Plan__c)", k))
		case strings.EqualFold(k, "Id"):
			return nil, connectors.InputError("fields.Id", "the record id goes in input.id, not among the fields")
		}
		switch v.(type) {
		case nil, string, bool, float64, int, int64, json.Number:
		default:
			return nil, connectors.InputError("fields."+k, "want a string, number, boolean or null")
		}
		out[k] = v
	}
	return out, nil
}

// outputSample is the output both actions declare.
func outputSample(sobject, id string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%q,"created":true,"sobject":%q,"matched":"created"}`, id, sobject))
}
