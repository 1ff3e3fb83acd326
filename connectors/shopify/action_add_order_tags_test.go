package shopify

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestAddOrderTags(t *testing.T) {
	tests := []struct {
		name        string
		existing    string
		tags        []any
		wantPut     bool
		wantTags    string
		wantAdded   []any
		wantChanged bool
	}{
		{name: "merges_with_existing", existing: "imported", tags: []any{"whatsapp-confirmed", "vip"},
			wantPut: true, wantTags: "imported, whatsapp-confirmed, vip", wantAdded: []any{"whatsapp-confirmed", "vip"}, wantChanged: true},
		{name: "no_existing_tags", existing: "", tags: []any{"vip"},
			wantPut: true, wantTags: "vip", wantAdded: []any{"vip"}, wantChanged: true},
		{name: "already_there_case_insensitive_no_put", existing: "Imported, VIP", tags: []any{"vip", "imported"},
			wantPut: false, wantTags: "Imported, VIP", wantAdded: []any{}, wantChanged: false},
		{name: "duplicates_in_input_added_once", existing: "a", tags: []any{" b ", "B", "a"},
			wantPut: true, wantTags: "a, b", wantAdded: []any{"b"}, wantChanged: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			f.order["tags"] = tc.existing
			out, err := f.InvokeJSON("add_order_tags", connectors.Values{"order_id": float64(450789469), "tags": tc.tags})
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			checkRequest(t, reqs[0], http.MethodGet, "/orders/450789469.json")
			if got := reqs[0].Query.Get("fields"); got != "id,tags" {
				t.Errorf("GET fields = %q", got)
			}
			if tc.wantPut {
				if len(reqs) != 2 {
					t.Fatalf("%d requests, want GET then PUT", len(reqs))
				}
				checkRequest(t, reqs[1], http.MethodPut, "/orders/450789469.json")
				want := map[string]any{"order": map[string]any{"id": float64(450789469), "tags": tc.wantTags}}
				if !reflect.DeepEqual(reqs[1].JSON(), want) {
					t.Errorf("PUT body = %v, want %v", reqs[1].JSON(), want)
				}
				if f.order["tags"] != tc.wantTags {
					t.Errorf("stored tags = %v", f.order["tags"])
				}
			} else if len(reqs) != 1 {
				t.Fatalf("%d requests, want only the GET", len(reqs))
			}
			if out["tags"] != tc.wantTags || out["changed"] != tc.wantChanged || !reflect.DeepEqual(out["added"], tc.wantAdded) {
				t.Errorf("output = %v", out)
			}
			if out["id"] != float64(450789469) {
				t.Errorf("id = %v", out["id"])
			}
		})
	}
}

func TestAddOrderTagsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		tags    []any
		wantMsg string
	}{
		{name: "comma", tags: []any{"a,b"}, wantMsg: "input.tags[0]: a tag cannot contain a comma"},
		{name: "empty", tags: []any{"ok", " "}, wantMsg: "input.tags[1]: empty tag"},
		{name: "too_long", tags: []any{strings.Repeat("x", 41)}, wantMsg: "input.tags[0]: longer than 40"},
		{name: "not_string", tags: []any{7}, wantMsg: "input.tags[0]: want a string"},
		{name: "none", tags: []any{}, wantMsg: "input.tags: needs at least one tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			_, err := f.InvokeJSON("add_order_tags", connectors.Values{"order_id": 450789469, "tags": tc.tags})
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) || connectors.ClassOf(err) != connectors.ClassPermanent {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantMsg)
			}
			if len(f.Requests()) != 0 {
				t.Error("provider called")
			}
		})
	}
}
