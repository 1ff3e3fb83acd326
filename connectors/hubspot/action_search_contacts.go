package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// Search limits HubSpot documents: at most 200 records a page, five filter
// groups of up to six filters and 18 filters in all, and no paging past
// 10,000 results. MaxSearchLimit bounds one step's output.
const (
	searchPageSize     = 200
	maxFilterGroups    = 5
	maxFiltersPerGroup = 6
	maxFiltersTotal    = 18
	DefaultSearchLimit = 10
	MaxSearchLimit     = 1000
)

// Operators of the CRM search API.
var operators = []string{"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
	"HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}

func searchContactsAction() *connectors.Action {
	return &connectors.Action{
		Name:  "search_contacts",
		Title: "Search contacts",
		Description: "Find contacts (POST /crm/v3/objects/contacts/search) by filters and/or a text query, " +
			"following paging.next.after until limit contacts are collected.",
		Input: []connectors.Field{
			{Name: "filters", Title: "Filters", Type: connectors.TypeArray,
				Example: []any{map[string]any{"propertyName": "email", "operator": "EQ", "value": "bcooper@biglytics.net"}},
				Help: "Conditions that must all hold: objects with propertyName, operator (" + strings.Join(operators, ", ") +
					") and value, values (IN, NOT_IN) or value and highValue (BETWEEN)."},
			{Name: "filter_groups", Title: "Filter groups", Type: connectors.TypeArray,
				Example: []any{map[string]any{"filters": []any{map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}}}},
				Help:    "For OR searches: HubSpot filterGroups, each {\"filters\": […]}; a contact matches when any group matches. Use instead of filters."},
			{Name: "query", Title: "Text query", Type: connectors.TypeString, Example: "biglytics",
				Help: "Searches the default text properties (name, email, phone, company)."},
			{Name: "properties", Title: "Properties", Type: connectors.TypeArray, Example: []any{"email", "firstname", "lastname", "company"},
				Help: "Properties to return. Empty returns HubSpot's defaults (email, firstname, lastname, …)."},
			{Name: "sorts", Title: "Sort", Type: connectors.TypeArray,
				Example: []any{map[string]any{"propertyName": "createdate", "direction": "DESCENDING"}}},
			{Name: "limit", Title: "Limit", Type: connectors.TypeInteger, Default: int64(DefaultSearchLimit), Example: 1,
				Help: fmt.Sprintf("How many contacts to return at most (1–%d).", MaxSearchLimit)},
		},
		OutputSample: json.RawMessage(`{"total":1,"results":[{"id":"512","properties":{"email":"bcooper@biglytics.net",` +
			`"firstname":"Bryan","lastname":"Cooper","company":"Biglytics","hs_object_id":"512"},` +
			`"createdAt":"2024-10-01T12:00:00.000Z","updatedAt":"2024-10-01T12:00:00.000Z","archived":false}],"has_more":false}`),
		Run: runSearchContacts,
	}
}

// SearchOutput is the search_contacts output. Total is HubSpot's count of
// all matches, which may exceed len(Results).
type SearchOutput struct {
	Total   int64             `json:"total"`
	Results []json.RawMessage `json:"results"`
	HasMore bool              `json:"has_more"`
}

func runSearchContacts(ctx context.Context, call *connectors.Call) (any, error) {
	in := call.Input
	limit, _ := in["limit"].(int64)
	if limit < 1 || limit > MaxSearchLimit {
		return nil, connectors.Permanent(fmt.Errorf("input.limit: must be between 1 and %d, got %d", MaxSearchLimit, limit))
	}
	groups, err := filterGroups(in)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"filterGroups": groups, "limit": min(limit, searchPageSize)}
	if q := in.String("query"); q != "" {
		body["query"] = q
	}
	if props, ok := in["properties"].([]any); ok && len(props) > 0 {
		names := make([]string, len(props))
		for i, p := range props {
			s, ok := p.(string)
			if !ok || s == "" {
				return nil, connectors.Permanent(fmt.Errorf("input.properties[%d]: want a property name", i))
			}
			names[i] = s
		}
		body["properties"] = names
	}
	if sorts, ok := in["sorts"].([]any); ok && len(sorts) > 0 {
		for i, s := range sorts {
			m, ok := s.(map[string]any)
			if !ok || m["propertyName"] == nil {
				return nil, connectors.Permanent(fmt.Errorf("input.sorts[%d]: want {\"propertyName\": …, \"direction\": \"ASCENDING\"|\"DESCENDING\"}", i))
			}
			if d, _ := m["direction"].(string); d != "" && d != "ASCENDING" && d != "DESCENDING" {
				return nil, connectors.Permanent(fmt.Errorf("input.sorts[%d].direction: must be ASCENDING or DESCENDING", i))
			}
		}
		body["sorts"] = sorts
	}
	a, err := newAPI(call)
	if err != nil {
		return nil, err
	}
	out := SearchOutput{Results: []json.RawMessage{}}
	// The cursor travels in the JSON body, not the query string, so this
	// loops by hand; MaxPages still bounds it.
	for page := 0; ; page++ {
		if page >= call.HTTP.Config().MaxPages {
			return nil, connectors.Permanent(fmt.Errorf("searching contacts: stopped after %d pages", page))
		}
		var res struct {
			Total   int64             `json:"total"`
			Results []json.RawMessage `json:"results"`
			Paging  struct {
				Next struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if _, err := a.post(ctx, "/crm/v3/objects/contacts/search", body, &res); err != nil {
			return nil, fmt.Errorf("searching contacts: %w", err)
		}
		out.Total = res.Total
		room := int(limit) - len(out.Results)
		if len(res.Results) > room {
			out.Results = append(out.Results, res.Results[:room]...)
			out.HasMore = true
			return out, nil
		}
		out.Results = append(out.Results, res.Results...)
		next := res.Paging.Next.After
		if next == "" {
			return out, nil
		}
		if len(out.Results) >= int(limit) {
			out.HasMore = true
			return out, nil
		}
		if next == fmt.Sprint(body["after"]) {
			return nil, connectors.Permanent(fmt.Errorf("searching contacts: paging cursor did not advance"))
		}
		body["after"] = next
		body["limit"] = min(int64(int(limit)-len(out.Results)), searchPageSize)
	}
}

// filterGroups builds filterGroups from the filters (AND) or filter_groups
// (OR of ANDs) input, checking operators and HubSpot's limits.
func filterGroups(in connectors.Values) ([]any, error) {
	filters, hasFilters := in["filters"].([]any)
	raw, hasGroups := in["filter_groups"].([]any)
	if hasFilters && len(filters) > 0 && hasGroups && len(raw) > 0 {
		return nil, connectors.Permanent(fmt.Errorf("input.filter_groups: set filters or filter_groups, not both"))
	}
	var groups [][]any
	paths := []string{}
	if len(filters) > 0 {
		groups = [][]any{filters}
		paths = append(paths, "input.filters")
	}
	for i, g := range raw {
		m, ok := g.(map[string]any)
		fs, ok2 := m["filters"].([]any)
		if !ok || !ok2 {
			return nil, connectors.Permanent(fmt.Errorf("input.filter_groups[%d]: want {\"filters\": [...]}", i))
		}
		groups = append(groups, fs)
		paths = append(paths, fmt.Sprintf("input.filter_groups[%d].filters", i))
	}
	if len(groups) > maxFilterGroups {
		return nil, connectors.Permanent(fmt.Errorf("input.filter_groups: %d groups, HubSpot allows %d", len(groups), maxFilterGroups))
	}
	total := 0
	out := make([]any, 0, len(groups))
	for gi, fs := range groups {
		if len(fs) > maxFiltersPerGroup {
			return nil, connectors.Permanent(fmt.Errorf("%s: %d filters, HubSpot allows %d per group", paths[gi], len(fs), maxFiltersPerGroup))
		}
		total += len(fs)
		clean := make([]any, len(fs))
		for fi, f := range fs {
			c, err := checkFilter(fmt.Sprintf("%s[%d]", paths[gi], fi), f)
			if err != nil {
				return nil, err
			}
			clean[fi] = c
		}
		out = append(out, map[string]any{"filters": clean})
	}
	if total > maxFiltersTotal {
		return nil, connectors.Permanent(fmt.Errorf("input.filter_groups: %d filters in all, HubSpot allows %d", total, maxFiltersTotal))
	}
	return out, nil
}

func checkFilter(path string, f any) (map[string]any, error) {
	m, ok := f.(map[string]any)
	if !ok {
		return nil, connectors.Permanent(fmt.Errorf("%s: want an object with propertyName and operator", path))
	}
	name, _ := m["propertyName"].(string)
	if name == "" {
		return nil, connectors.Permanent(fmt.Errorf("%s.propertyName: required", path))
	}
	op, _ := m["operator"].(string)
	if !slices.Contains(operators, op) {
		return nil, connectors.Permanent(fmt.Errorf("%s.operator: must be one of %s", path, strings.Join(operators, ", ")))
	}
	out := map[string]any{"propertyName": name, "operator": op}
	str := func(key string) error {
		s, ok := propertyString(m[key])
		if !ok || m[key] == nil {
			return connectors.Permanent(fmt.Errorf("%s.%s: required for operator %s (a string, number or boolean)", path, key, op))
		}
		out[key] = s
		return nil
	}
	switch op {
	case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
	case "IN", "NOT_IN":
		vs, ok := m["values"].([]any)
		if !ok || len(vs) == 0 {
			return nil, connectors.Permanent(fmt.Errorf("%s.values: required for operator %s (a list)", path, op))
		}
		list := make([]string, len(vs))
		for i, v := range vs {
			s, ok := propertyString(v)
			if !ok || v == nil {
				return nil, connectors.Permanent(fmt.Errorf("%s.values[%d]: want a string, number or boolean", path, i))
			}
			list[i] = s
		}
		out["values"] = list
	case "BETWEEN":
		if err := str("value"); err != nil {
			return nil, err
		}
		if err := str("highValue"); err != nil {
			return nil, err
		}
	default:
		if err := str("value"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
