package stripe

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

func TestListCharges(t *testing.T) {
	tests := []struct {
		name        string
		charges     int
		limit       int
		wantCount   int
		wantHasMore bool
		// wantPages lists each request's limit and starting_after.
		wantPages [][2]string
	}{
		{name: "no_charges", charges: 0, limit: 10, wantCount: 0,
			wantPages: [][2]string{{"10", ""}}},
		{name: "one_page", charges: 3, limit: 10, wantCount: 3,
			wantPages: [][2]string{{"10", ""}}},
		{name: "limit_cuts_first_page", charges: 30, limit: 5, wantCount: 5, wantHasMore: true,
			wantPages: [][2]string{{"5", ""}}},
		{name: "three_pages_exhausted", charges: 250, limit: 1000, wantCount: 250,
			wantPages: [][2]string{{"100", ""}, {"100", "ch_fake099"}, {"100", "ch_fake199"}}},
		{name: "limit_inside_second_page", charges: 250, limit: 150, wantCount: 150, wantHasMore: true,
			wantPages: [][2]string{{"100", ""}, {"100", "ch_fake099"}}},
		{name: "limit_exactly_at_page_end", charges: 200, limit: 200, wantCount: 200, wantHasMore: false,
			wantPages: [][2]string{{"100", ""}, {"100", "ch_fake099"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.charges)
			out, err := f.InvokeJSON("list_charges", connectors.Values{"customer": "cus_NffrFeUfNV2Hib", "limit": tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			charges, _ := out["charges"].([]any)
			if len(charges) != tc.wantCount || out["count"] != float64(tc.wantCount) {
				t.Errorf("got %d charges, count %v; want %d", len(charges), out["count"], tc.wantCount)
			}
			if out["has_more"] != tc.wantHasMore {
				t.Errorf("has_more = %v, want %v", out["has_more"], tc.wantHasMore)
			}
			for i, c := range charges {
				if id := c.(map[string]any)["id"]; id != fmt.Sprintf("ch_fake%03d", i) {
					t.Fatalf("charge %d = %v, want newest-first order", i, id)
				}
			}
			reqs := f.Requests()
			if len(reqs) != len(tc.wantPages) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tc.wantPages))
			}
			for i, r := range reqs {
				if r.Method != http.MethodGet || r.Path != "/v1/charges" || r.Query.Get("customer") != "cus_NffrFeUfNV2Hib" {
					t.Errorf("page %d: %s %s customer=%s", i, r.Method, r.Path, r.Query.Get("customer"))
				}
				if got := [2]string{r.Query.Get("limit"), r.Query.Get("starting_after")}; got != tc.wantPages[i] {
					t.Errorf("page %d: limit, starting_after = %v, want %v", i, got, tc.wantPages[i])
				}
				if r.Header.Get("Authorization") != "Bearer "+testKey {
					t.Errorf("page %d: Authorization = %q", i, r.Header.Get("Authorization"))
				}
			}
		})
	}
}

func TestListChargesCreatedAfterAndBadLimit(t *testing.T) {
	f := newFake(t, 1)
	if _, err := f.InvokeJSON("list_charges", connectors.Values{"customer": "cus_NffrFeUfNV2Hib", "created_after": 1704067200}); err != nil {
		t.Fatal(err)
	}
	if got := f.Requests()[0].Query.Get("created[gte]"); got != "1704067200" {
		t.Errorf("created[gte] = %q", got)
	}
	_, err := f.InvokeJSON("list_charges", connectors.Values{"customer": "cus_NffrFeUfNV2Hib", "limit": 0})
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent {
		t.Fatalf("limit 0: err = %v", err)
	}
}
