package hubspot

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestSearchContacts(t *testing.T) {
	tests := []struct {
		name        string
		extra       int
		input       connectors.Values
		wantBodies  []map[string]any
		wantCount   int
		wantTotal   float64
		wantHasMore bool
		wantFirst   map[string]any
	}{
		{
			name:  "by_object_id_like_the_example_workflow",
			input: connectors.Values{"filters": []any{map[string]any{"propertyName": "hs_object_id", "operator": "EQ", "value": "512"}}, "properties": []any{"email", "firstname", "lastname", "company"}, "limit": 1},
			wantBodies: []map[string]any{{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "hs_object_id", "operator": "EQ", "value": "512"}}}},
				"properties": []any{"email", "firstname", "lastname", "company"}, "limit": float64(1)}},
			wantCount: 1, wantTotal: 1,
			wantFirst: map[string]any{"email": "bcooper@biglytics.net", "firstname": "Bryan", "lastname": "Cooper", "company": "Biglytics", "hs_object_id": "512"},
		},
		{
			name:  "pages_through_after_cursor",
			extra: 450,
			input: connectors.Values{"filters": []any{map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}}, "limit": 450},
			wantBodies: []map[string]any{
				{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}}}}, "limit": float64(200)},
				{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}}}}, "limit": float64(200), "after": "200"},
				{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}}}}, "limit": float64(50), "after": "400"},
			},
			wantCount: 450, wantTotal: 450,
		},
		{
			name:       "limit_stops_early_has_more",
			extra:      30,
			input:      connectors.Values{"filters": []any{map[string]any{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@biglytics.net"}}, "limit": 5},
			wantBodies: []map[string]any{{"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@biglytics.net"}}}}, "limit": float64(5)}},
			wantCount:  5, wantTotal: 31, wantHasMore: true,
		},
		{
			name:  "or_groups_query_sorts_and_typed_values",
			input: connectors.Values{"query": "biglytics", "sorts": []any{map[string]any{"propertyName": "createdate", "direction": "DESCENDING"}}, "filter_groups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "email", "operator": "EQ", "value": "nobody@example.com"}}}, map[string]any{"filters": []any{map[string]any{"propertyName": "hs_object_id", "operator": "IN", "values": []any{512, "513"}}}}}},
			wantBodies: []map[string]any{{"query": "biglytics", "limit": float64(10),
				"sorts": []any{map[string]any{"propertyName": "createdate", "direction": "DESCENDING"}},
				"filterGroups": []any{
					map[string]any{"filters": []any{map[string]any{"propertyName": "email", "operator": "EQ", "value": "nobody@example.com"}}},
					map[string]any{"filters": []any{map[string]any{"propertyName": "hs_object_id", "operator": "IN", "values": []any{"512", "513"}}}},
				}}},
			wantCount: 0, wantTotal: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.extra)
			out, err := f.InvokeJSON("search_contacts", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != len(tc.wantBodies) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tc.wantBodies))
			}
			for i, r := range reqs {
				checkRequest(t, r, "/crm/v3/objects/contacts/search")
				if !reflect.DeepEqual(r.JSON(), tc.wantBodies[i]) {
					t.Errorf("page %d body = %v\nwant %v", i, r.JSON(), tc.wantBodies[i])
				}
			}
			results := out["results"].([]any)
			if len(results) != tc.wantCount || out["total"] != tc.wantTotal || out["has_more"] != tc.wantHasMore {
				t.Errorf("got %d results, total %v, has_more %v; want %d, %v, %v", len(results), out["total"], out["has_more"], tc.wantCount, tc.wantTotal, tc.wantHasMore)
			}
			if tc.wantFirst != nil && !reflect.DeepEqual(results[0].(map[string]any)["properties"], tc.wantFirst) {
				t.Errorf("first properties = %v", results[0].(map[string]any)["properties"])
			}
		})
	}
}

func TestSearchContactsBadFilters(t *testing.T) {
	many := []any{}
	for range 7 {
		many = append(many, map[string]any{"propertyName": "email", "operator": "HAS_PROPERTY"})
	}
	tests := []struct {
		name    string
		input   connectors.Values
		wantMsg string
	}{
		{name: "unknown_operator", input: connectors.Values{"filters": []any{map[string]any{"propertyName": "email", "operator": "LIKE", "value": "x"}}},
			wantMsg: "input.filters[0].operator: must be one of EQ, NEQ"},
		{name: "missing_value", input: connectors.Values{"filters": []any{map[string]any{"propertyName": "email", "operator": "EQ"}}},
			wantMsg: "input.filters[0].value: required for operator EQ"},
		{name: "between_needs_high_value", input: connectors.Values{"filters": []any{map[string]any{"propertyName": "createdate", "operator": "BETWEEN", "value": "1"}}},
			wantMsg: "input.filters[0].highValue: required for operator BETWEEN"},
		{name: "in_needs_values", input: connectors.Values{"filter_groups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "email", "operator": "IN"}}}}},
			wantMsg: "input.filter_groups[0].filters[0].values: required for operator IN"},
		{name: "too_many_in_group", input: connectors.Values{"filters": many},
			wantMsg: "input.filters: 7 filters, HubSpot allows 6 per group"},
		{name: "both_forms", input: connectors.Values{"filters": []any{map[string]any{"propertyName": "email", "operator": "HAS_PROPERTY"}},
			"filter_groups": []any{map[string]any{"filters": []any{}}}}, wantMsg: "input.filter_groups: set filters or filter_groups, not both"},
		{name: "limit_too_big", input: connectors.Values{"limit": 5000}, wantMsg: "input.limit: must be between 1 and 1000"},
		{name: "bad_sort_direction", input: connectors.Values{"sorts": []any{map[string]any{"propertyName": "createdate", "direction": "down"}}},
			wantMsg: "input.sorts[0].direction: must be ASCENDING or DESCENDING"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			_, err := f.InvokeJSON("search_contacts", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantMsg)
			}
			if len(f.Requests()) != 0 {
				t.Error("provider called")
			}
		})
	}
}
