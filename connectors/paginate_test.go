package connectors

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// collect runs a listing and returns the ids of every item seen.
func collect(t *testing.T, c *Client, first *HTTPRequest, next NextPage, itemsPath string) ([]string, error) {
	t.Helper()
	var ids []string
	for page, err := range c.Pages(context.Background(), first, next) {
		if err != nil {
			return ids, err
		}
		for _, id := range page.Get(itemsPath + ".#.id").Array() {
			ids = append(ids, id.String())
		}
	}
	return ids, nil
}

var items = []string{"a", "b", "c", "d", "e"}

func itemsJSON(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf(`{"id":%q}`, id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestCursorPagesStripeStyle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := 0
		if after := r.URL.Query().Get("starting_after"); after != "" {
			for i, id := range items {
				if id == after {
					start = i + 1
				}
			}
		}
		end := min(start+2, len(items))
		fmt.Fprintf(w, `{"object":"list","data":%s,"has_more":%t}`, itemsJSON(items[start:end]), end < len(items))
	}))
	defer srv.Close()
	ids, err := collect(t, MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP}), &HTTPRequest{URL: srv.URL + "/v1/charges?limit=2"},
		CursorPages("starting_after", "data|@reverse|0.id", "has_more"), "data")
	if err != nil || strings.Join(ids, "") != "abcde" {
		t.Fatalf("ids = %v, err = %v", ids, err)
	}
}

func TestCursorPagesSlackStyle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		end := min(start+2, len(items))
		next := ""
		if end < len(items) {
			next = strconv.Itoa(end)
		}
		fmt.Fprintf(w, `{"ok":true,"channels":%s,"response_metadata":{"next_cursor":%q}}`, itemsJSON(items[start:end]), next)
	}))
	defer srv.Close()
	ids, err := collect(t, MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP}), &HTTPRequest{URL: srv.URL},
		CursorPages("cursor", "response_metadata.next_cursor", ""), "channels")
	if err != nil || strings.Join(ids, "") != "abcde" {
		t.Fatalf("ids = %v, err = %v", ids, err)
	}
}

func TestCursorThatDoesNotAdvanceFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"id":"x"}],"paging":{"next":{"after":"same"}}}`)
	}))
	defer srv.Close()
	_, err := collect(t, MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP}), &HTTPRequest{URL: srv.URL}, CursorPages("after", "paging.next.after", ""), "data")
	if err == nil || !strings.Contains(err.Error(), "did not advance") {
		t.Fatalf("err = %v", err)
	}
}

func TestLinkPagesShopifyStyle(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := r.URL.Query().Get("page_info")
		start, _ := strconv.Atoi(info)
		end := min(start+2, len(items))
		var links []string
		if start > 0 {
			links = append(links, fmt.Sprintf(`<%s/admin/api/2024-01/orders.json?limit=2&page_info=%d>; rel="previous"`, srv.URL, max(start-2, 0)))
		}
		if end < len(items) {
			// Relative link on one page, absolute on the others.
			if start == 2 {
				links = append(links, fmt.Sprintf(`</admin/api/2024-01/orders.json?limit=2&page_info=%d>; rel="next"`, end))
			} else {
				links = append(links, fmt.Sprintf(`<%s/admin/api/2024-01/orders.json?limit=2&page_info=%d>; rel="next"`, srv.URL, end))
			}
		}
		if len(links) > 0 {
			w.Header().Set("Link", strings.Join(links, ", "))
		}
		fmt.Fprintf(w, `{"orders":%s}`, itemsJSON(items[start:end]))
	}))
	defer srv.Close()
	ids, err := collect(t, MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP}), &HTTPRequest{URL: srv.URL + "/admin/api/2024-01/orders.json?limit=2"}, LinkPages(), "orders")
	if err != nil || strings.Join(ids, "") != "abcde" {
		t.Fatalf("ids = %v, err = %v", ids, err)
	}
}

func TestNextLink(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{name: "none", values: nil, want: ""},
		{name: "next only", values: []string{`<https://x.test/p?page=2>; rel="next"`}, want: "https://x.test/p?page=2"},
		{name: "prev and next", values: []string{`<https://x.test/?a=1,2>; rel="prev", <https://x.test/?p=3>; rel="next"`}, want: "https://x.test/?p=3"},
		{name: "multiple rels unquoted", values: []string{`<https://x.test/n>; rel=next`}, want: "https://x.test/n"},
		{name: "rel list", values: []string{`<https://x.test/n>; rel="last next"`}, want: "https://x.test/n"},
		{name: "only last", values: []string{`<https://x.test/l>; rel="last"`}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NextLink(tc.values); got != tc.want {
				t.Fatalf("NextLink = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPageNumberPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		start := min((page-1)*2, len(items))
		end := min(start+2, len(items))
		fmt.Fprintf(w, `{"results":%s,"total_pages":3}`, itemsJSON(items[start:end]))
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{AllowHTTP: loopbackHTTP})
	for _, total := range []string{"", "total_pages"} {
		ids, err := collect(t, c, &HTTPRequest{URL: srv.URL}, PageNumberPages("page", "results", total), "results")
		if err != nil || strings.Join(ids, "") != "abcde" {
			t.Fatalf("total=%q: ids = %v, err = %v", total, ids, err)
		}
	}
}

func TestPagesStopsAtMaxPagesAndOnErrors(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") == "1" && r.URL.Query().Get("n") == "2" {
			w.WriteHeader(503)
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Link", fmt.Sprintf(`<%s/?fail=%s&n=%d>; rel="next"`, srv.URL, r.URL.Query().Get("fail"), n+1))
		fmt.Fprint(w, `{"data":[{"id":"x"}]}`)
	}))
	defer srv.Close()
	c := MustNewClient(ClientConfig{MaxPages: 3, AllowHTTP: loopbackHTTP})
	ids, err := collect(t, c, &HTTPRequest{URL: srv.URL + "/?n=0"}, LinkPages(), "data")
	if len(ids) != 3 || ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), "stopped after 3 pages") {
		t.Fatalf("endless listing: ids=%v err=%v", ids, err)
	}
	ids, err = collect(t, c, &HTTPRequest{URL: srv.URL + "/?fail=1&n=0"}, LinkPages(), "data")
	if len(ids) != 2 || ClassOf(err) != ClassRetryable {
		t.Fatalf("failing page: ids=%v err=%v", ids, err)
	}
}
