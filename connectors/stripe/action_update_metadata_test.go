package stripe

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestUpdateMetadata(t *testing.T) {
	tests := []struct {
		name     string
		typ, id  string
		metadata map[string]any
		before   map[string]any
		wantPath string
		wantForm url.Values
		wantMD   map[string]any
	}{
		{name: "payment_intent", typ: "payment_intent", id: "pi_3MtwBwLkdIwHu7ix28a3tqPa",
			metadata: map[string]any{"order_id": "1042", "fulfilled": true},
			wantPath: "/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa",
			wantForm: url.Values{"metadata[order_id]": {"1042"}, "metadata[fulfilled]": {"true"}},
			wantMD:   map[string]any{"order_id": "1042", "fulfilled": "true"}},
		{name: "customer_merge_and_unset", typ: "customer", id: "cus_NffrFeUfNV2Hib",
			before:   map[string]any{"keep": "1", "drop": "2"},
			metadata: map[string]any{"drop": nil, "tier": "gold"},
			wantPath: "/v1/customers/cus_NffrFeUfNV2Hib",
			wantForm: url.Values{"metadata[drop]": {""}, "metadata[tier]": {"gold"}},
			wantMD:   map[string]any{"keep": "1", "tier": "gold"}},
		{name: "charge", typ: "charge", id: "ch_fake000",
			metadata: map[string]any{"n": 3},
			wantPath: "/v1/charges/ch_fake000",
			wantForm: url.Values{"metadata[n]": {"3"}},
			wantMD:   map[string]any{"n": "3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 1)
			if tc.before != nil {
				f.objects[tc.id]["metadata"] = tc.before
			}
			out, err := f.InvokeJSON("update_metadata", connectors.Values{"object_type": tc.typ, "object_id": tc.id, "metadata": tc.metadata})
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			checkPost(t, reqs[0], tc.wantPath, "update_metadata")
			if !reflect.DeepEqual(reqs[0].Form(), tc.wantForm) {
				t.Errorf("form = %v, want %v", reqs[0].Form(), tc.wantForm)
			}
			if out["id"] != tc.id || !reflect.DeepEqual(out["metadata"], tc.wantMD) {
				t.Errorf("output id %v metadata %v, want %s %v", out["id"], out["metadata"], tc.id, tc.wantMD)
			}
		})
	}
}

func TestUpdateMetadataBadInput(t *testing.T) {
	tests := []struct {
		name    string
		input   connectors.Values
		wantMsg string
	}{
		{name: "id_of_another_type", input: connectors.Values{"object_type": "customer", "object_id": "pi_123", "metadata": map[string]any{"a": "b"}},
			wantMsg: `input.object_id: "pi_123" is not a Stripe id starting with cus_`},
		{name: "path_traversal", input: connectors.Values{"object_type": "customer", "object_id": "cus_1/../../v1/refunds", "metadata": map[string]any{"a": "b"}},
			wantMsg: "input.object_id: \"cus_1/../../v1/refunds\" is not a valid Stripe id"},
		{name: "empty_metadata", input: connectors.Values{"object_type": "charge", "object_id": "ch_1", "metadata": map[string]any{}},
			wantMsg: "input.metadata: needs at least one key"},
		{name: "bracket_in_key", input: connectors.Values{"object_type": "charge", "object_id": "ch_1", "metadata": map[string]any{"a[b]": "c"}},
			wantMsg: "input.metadata.a[b]: keys cannot contain square brackets"},
		{name: "value_too_long", input: connectors.Values{"object_type": "charge", "object_id": "ch_1", "metadata": map[string]any{"a": strings.Repeat("x", 501)}},
			wantMsg: "input.metadata.a: value is longer than 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			_, err := f.InvokeJSON("update_metadata", tc.input)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want %q", err, tc.wantMsg)
			}
			if connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Errorf("class = %s", connectors.ClassOf(err))
			}
			if len(f.Requests()) != 0 {
				t.Error("provider called")
			}
		})
	}
}
