package shopify

import (
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestFindCustomerByEmail(t *testing.T) {
	tests := []struct {
		name      string
		others    int
		email     string
		wantFound bool
		wantPages int
	}{
		{name: "first_page", others: 0, email: "bob.norman@mail.example.com", wantFound: true, wantPages: 1},
		{name: "case_insensitive", others: 3, email: "Bob.Norman@Mail.Example.com", wantFound: true, wantPages: 1},
		{name: "third_page_via_link_header", others: 120, email: "bob.norman@mail.example.com", wantFound: true, wantPages: 3},
		{name: "fuzzy_matches_only_is_not_found", others: 60, email: "alice@mail.example.com", wantFound: false, wantPages: 2},
		{name: "no_results", others: 0, email: "nobody@elsewhere.example", wantFound: false, wantPages: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.others)
			out, err := f.InvokeJSON("find_customer_by_email", connectors.Values{"email": tc.email})
			if err != nil {
				t.Fatal(err)
			}
			if out["found"] != tc.wantFound {
				t.Fatalf("found = %v, want %v (%v)", out["found"], tc.wantFound, out)
			}
			if tc.wantFound {
				c := out["customer"].(map[string]any)
				if c["id"] != float64(207119551) || c["first_name"] != "Bob" {
					t.Errorf("customer = %v", c)
				}
			} else if out["customer"] != nil {
				t.Errorf("customer = %v, want null", out["customer"])
			}
			reqs := f.Requests()
			if len(reqs) != tc.wantPages {
				t.Fatalf("%d requests, want %d pages", len(reqs), tc.wantPages)
			}
			checkRequest(t, reqs[0], http.MethodGet, "/customers/search.json")
			if q := reqs[0].Query; q.Get("query") != "email:"+tc.email || q.Get("limit") != "50" {
				t.Errorf("first page query = %v", q)
			}
			for i, r := range reqs[1:] {
				checkRequest(t, r, http.MethodGet, "/customers/search.json")
				if r.Query.Get("page_info") == "" || r.Query.Has("query") {
					t.Errorf("page %d query = %v, want only the Link header's page_info and limit", i+2, r.Query)
				}
			}
		})
	}
}
