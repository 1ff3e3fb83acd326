package shopify

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestAddOrderNote(t *testing.T) {
	tests := []struct {
		name        string
		existing    any
		input       connectors.Values
		wantGet     bool
		wantPut     string // the note PUT sends; "" for no PUT
		wantNote    string
		wantChanged bool
	}{
		{name: "append_to_empty", existing: nil, input: connectors.Values{"note": "Sent to fulfilment"},
			wantGet: true, wantPut: "Sent to fulfilment", wantNote: "Sent to fulfilment", wantChanged: true},
		{name: "append_on_new_line", existing: "Gift wrap please", input: connectors.Values{"note": "Sent to fulfilment"},
			wantGet: true, wantPut: "Gift wrap please\nSent to fulfilment", wantNote: "Gift wrap please\nSent to fulfilment", wantChanged: true},
		{name: "append_custom_separator", existing: "A", input: connectors.Values{"note": "B", "separator": " | "},
			wantGet: true, wantPut: "A | B", wantNote: "A | B", wantChanged: true},
		{name: "retry_does_not_append_twice", existing: "Gift wrap\nSent to fulfilment", input: connectors.Values{"note": "Sent to fulfilment"},
			wantGet: true, wantNote: "Gift wrap\nSent to fulfilment"},
		{name: "replace_skips_the_read", existing: "old", input: connectors.Values{"note": "new", "mode": "replace"},
			wantPut: "new", wantNote: "new", wantChanged: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, 0)
			f.order["note"] = tc.existing
			tc.input["order_id"] = "450789469"
			out, err := f.InvokeJSON("add_order_note", tc.input)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.Requests()
			want := 0
			if tc.wantGet {
				checkRequest(t, reqs[0], http.MethodGet, "/orders/450789469.json")
				if reqs[0].Query.Get("fields") != "id,note" {
					t.Errorf("GET fields = %q", reqs[0].Query.Get("fields"))
				}
				want++
			}
			if tc.wantPut != "" {
				put := reqs[want]
				checkRequest(t, put, http.MethodPut, "/orders/450789469.json")
				body := map[string]any{"order": map[string]any{"id": float64(450789469), "note": tc.wantPut}}
				if !reflect.DeepEqual(put.JSON(), body) {
					t.Errorf("PUT body = %v, want %v", put.JSON(), body)
				}
				want++
			}
			if len(reqs) != want {
				t.Fatalf("%d requests, want %d", len(reqs), want)
			}
			if out["note"] != tc.wantNote || out["changed"] != tc.wantChanged {
				t.Errorf("output = %v", out)
			}
		})
	}
}
