package connectors

import (
	"encoding/json"
	"sort"
	"strings"
)

// Catalog is the JSON document the API serves at /api/v1/connectors and
// the UI builds its forms from. Every part of it is generated from the
// registered specs.
type Catalog struct {
	Connectors []CatalogConnector `json:"connectors"`
}

// CatalogConnector describes one connector.
type CatalogConnector struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Icon        string `json:"icon,omitempty"`
	DocsURL     string `json:"docs_url,omitempty"`
	BaseURL     string `json:"base_url,omitempty"`
	// Credential is absent for connectors that need none.
	Credential *CatalogFields `json:"credential,omitempty"`
	// OAuth is true when a credential can be connected with OAuth 2 (the
	// UI shows "Connect <app>"); the endpoints stay server-side.
	OAuth    bool             `json:"oauth,omitempty"`
	Actions  []CatalogAction  `json:"actions"`
	Triggers []CatalogTrigger `json:"triggers"`
}

// CatalogFields carries a field list twice: as declared (for forms that
// want help text, examples and the secret flag) and as JSON Schema (for
// generic validators and editors).
type CatalogFields struct {
	Fields []Field         `json:"fields"`
	Schema json.RawMessage `json:"schema"`
}

// CatalogAction describes one action.
type CatalogAction struct {
	Name         string          `json:"name"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Input        CatalogFields   `json:"input"`
	OutputSample json.RawMessage `json:"output_sample,omitempty"`
}

// CatalogTrigger describes one trigger, with setup instructions for a
// non-developer.
type CatalogTrigger struct {
	Name             string                     `json:"name"`
	Title            string                     `json:"title"`
	Description      string                     `json:"description"`
	Setup            string                     `json:"setup"`
	Options          CatalogFields              `json:"options"`
	Events           []string                   `json:"events,omitempty"`
	Samples          map[string]json.RawMessage `json:"samples,omitempty"`
	FormBody         bool                       `json:"form_body,omitempty"`
	BodyTypes        []string                   `json:"body_types,omitempty"`
	Handshake        bool                       `json:"handshake,omitempty"`
	SignatureHeaders []string                   `json:"signature_headers,omitempty"`
}

// Catalog generates the catalog of every registered connector, sorted by
// name, with actions and triggers in declaration order.
func (r *Registry) Catalog() *Catalog {
	cat := &Catalog{Connectors: []CatalogConnector{}}
	for _, name := range r.Names() {
		s, _ := r.Connector(name)
		base := r.defaultBaseURL(name)
		cc := CatalogConnector{
			Name: s.Name, Title: s.Title, Description: s.Description, Icon: s.Icon,
			DocsURL: s.DocsURL, BaseURL: base, OAuth: s.OAuth != nil,
			Actions: []CatalogAction{}, Triggers: []CatalogTrigger{},
		}
		if len(s.Credential) > 0 {
			fields := s.Credential
			if s.hasBaseURL() {
				// ValidateCredential accepts base_url for every connector;
				// publish it where CredentialBaseURL can honour it.
				fields = append(append([]Field(nil), fields...), baseURLField(s))
			}
			cf := catalogFields(fields)
			cc.Credential = &cf
		}
		for _, a := range s.Actions {
			cc.Actions = append(cc.Actions, CatalogAction{
				Name: a.Name, Title: a.Title, Description: a.Description,
				Input: catalogFields(a.Input), OutputSample: a.OutputSample,
			})
		}
		for _, t := range s.Triggers {
			cc.Triggers = append(cc.Triggers, CatalogTrigger{
				Name: t.Name, Title: t.Title, Description: t.Description, Setup: t.Setup,
				Options: catalogFields(t.Options), Events: t.Events, Samples: t.Samples,
				FormBody: t.FormBody, BodyTypes: t.BodyTypes, Handshake: t.Handshaker != nil, SignatureHeaders: t.SignatureHeaders,
			})
		}
		cat.Connectors = append(cat.Connectors, cc)
	}
	return cat
}

// baseURLField is the catalog's description of a credential's base_url.
func baseURLField(s *Spec) Field {
	f := Field{Name: BaseURLField, Title: "API base URL", Type: TypeString, Example: s.BaseURL,
		Pattern: `^https?://[^\s]+$`, PatternHelp: "must be an http:// or https:// URL"}
	if s.SelfHosted {
		f.Help = "Leave empty to use " + s.BaseURL + ". Set it to use your own server. " +
			"Changing it later requires entering the credential's secrets again."
		return f
	}
	f.Help = "Leave empty to use " + s.BaseURL + ". Only hosts of the provider's API are accepted (" +
		strings.Join(s.apiHosts(), ", ") + "); an admin can point the connector elsewhere with --connector-base-urls."
	return f
}

func catalogFields(fields []Field) CatalogFields {
	schema, err := json.Marshal(FieldsSchema(fields))
	if err != nil {
		// Unreachable for registered specs: CheckSpec ensures defaults and
		// examples are plain JSON values.
		schema = []byte(`{"type":"object"}`)
	}
	if fields == nil {
		fields = []Field{}
	}
	return CatalogFields{Fields: fields, Schema: schema}
}

// FieldsSchema generates a JSON Schema (draft 2020-12) object schema for a
// field list. Secret fields are marked writeOnly and format "password" so
// generic form renderers mask them; unknown properties are refused, as
// ValidateInput refuses them.
func FieldsSchema(fields []Field) map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, f := range fields {
		p := map[string]any{}
		if f.Type != TypeAny && f.Type != "" {
			p["type"] = string(f.Type)
		}
		if f.Title != "" {
			p["title"] = f.Title
		}
		if f.Help != "" {
			p["description"] = f.Help
		}
		if f.Default != nil {
			p["default"] = f.Default
		}
		if f.Example != nil && !f.Secret {
			p["examples"] = []any{f.Example}
		}
		if len(f.Enum) > 0 {
			p["enum"] = f.Enum
		}
		if f.Pattern != "" {
			p["pattern"] = f.Pattern
		}
		if f.Secret {
			p["writeOnly"] = true
			p["format"] = "password"
		}
		props[f.Name] = p
		// A field only actions need, or one that applies only in some
		// mode, is not required of every credential; the UI reads
		// for_actions and when from the declared fields.
		if f.Required && f.Default == nil && !f.ForActions && f.When == nil {
			required = append(required, f.Name)
		}
	}
	sort.Strings(required)
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"type":                 "object",
		"properties":           props,
		"required":             required,
		"additionalProperties": false,
	}
}
