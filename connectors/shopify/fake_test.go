package shopify

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const (
	testToken  = "shpat_0123456789abcdef0123456789abcdef"
	apiPrefix  = "/admin/api/" + DefaultAPIVersion
	bucketSize = 40
)

// fakeShopify follows the Admin REST API's documented wire format:
// X-Shopify-Access-Token auth, JSON bodies wrapped in the resource name,
// {"errors": …} error bodies, X-Shopify-Shop-Api-Call-Limit on every
// response, 429 with Retry-After, and Link-header pagination whose
// page_info URLs may carry no other filter.
type fakeShopify struct {
	*connectortest.Fake
	t *testing.T

	mu                sync.Mutex
	order             map[string]any
	fulfillmentOrders []map[string]any
	customers         []map[string]any
	rateLimited       bool
}

func loadJSON(t *testing.T, name string) map[string]any {
	return connectortest.ReadJSON(t, "testdata/"+name)
}

// newFake builds a store with order 450789469, its fulfillment orders and
// `others` customers whose emails fuzzily match bob.norman@mail.example.com
// before the real one, so a lookup has to page.
func newFake(t *testing.T, others int) *fakeShopify {
	f := &fakeShopify{t: t}
	f.order = loadJSON(t, "api_order.json")["order"].(map[string]any)
	for _, fo := range loadJSON(t, "api_fulfillment_orders.json")["fulfillment_orders"].([]any) {
		f.fulfillmentOrders = append(f.fulfillmentOrders, fo.(map[string]any))
	}
	for i := range others {
		f.customers = append(f.customers, map[string]any{"id": 900000 + i, "email": fmt.Sprintf("bob.norman+%d@mail.example.com", i), "first_name": "Bob"})
	}
	f.customers = append(f.customers, loadJSON(t, "api_customer.json"))
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialShop: "my-store", CredentialAccessToken: testToken}, f.serve)
	return f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	connectortest.WriteJSON(w, status, v)
}

func shopifyError(w http.ResponseWriter, status int, errs any) {
	writeJSON(w, status, map[string]any{"errors": errs})
}

var (
	orderRoute = regexp.MustCompile(`^` + apiPrefix + `/orders/(\d+)\.json$`)
	foRoute    = regexp.MustCompile(`^` + apiPrefix + `/orders/(\d+)/fulfillment_orders\.json$`)
)

func (f *fakeShopify) serve(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	var body map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &body); err != nil {
			shopifyError(w, http.StatusBadRequest, "body is not valid JSON")
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	used := len(f.Requests())
	if f.rateLimited {
		used = bucketSize
	}
	w.Header().Set(HeaderCallLimit, fmt.Sprintf("%d/%d", min(used, bucketSize), bucketSize))

	if r.Header.Get("X-Shopify-Access-Token") != testToken {
		shopifyError(w, http.StatusUnauthorized, "[API] Invalid API key or access token (unrecognized login or wrong password)")
		return
	}
	if f.rateLimited {
		w.Header().Set("Retry-After", "2.0")
		shopifyError(w, http.StatusTooManyRequests, "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.")
		return
	}
	if (r.Method == http.MethodPut || r.Method == http.MethodPost) && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		shopifyError(w, http.StatusNotAcceptable, "Content-Type must be application/json")
		return
	}
	orderID := idStr(f.order["id"])
	switch {
	case orderRoute.MatchString(r.URL.Path):
		if orderRoute.FindStringSubmatch(r.URL.Path)[1] != orderID {
			shopifyError(w, http.StatusNotFound, "Not Found")
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, map[string]any{"order": only(f.order, r.URL.Query().Get("fields"))})
		case http.MethodPut:
			upd, ok := body["order"].(map[string]any)
			if !ok {
				shopifyError(w, http.StatusBadRequest, map[string]any{"order": "Required parameter missing or invalid"})
				return
			}
			for k, v := range upd {
				if k == "tags" {
					if s, _ := v.(string); strings.Count(s, ",") > 250 {
						shopifyError(w, http.StatusUnprocessableEntity, map[string]any{"tags": []string{"is too long"}})
						return
					}
				}
				f.order[k] = v
			}
			writeJSON(w, http.StatusOK, map[string]any{"order": f.order})
		default:
			shopifyError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		}
	case r.Method == http.MethodGet && foRoute.MatchString(r.URL.Path):
		if foRoute.FindStringSubmatch(r.URL.Path)[1] != orderID {
			shopifyError(w, http.StatusNotFound, "Not Found")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"fulfillment_orders": f.fulfillmentOrders})
	case r.Method == http.MethodPost && r.URL.Path == apiPrefix+"/fulfillments.json":
		f.createFulfillment(w, body)
	case r.Method == http.MethodGet && r.URL.Path == apiPrefix+"/customers/search.json":
		f.searchCustomers(w, r)
	default:
		shopifyError(w, http.StatusNotFound, "Not Found")
	}
}

// only keeps the comma-separated fields of obj, as ?fields= does.
func only(obj map[string]any, fields string) map[string]any {
	if fields == "" {
		return obj
	}
	out := map[string]any{}
	for _, k := range strings.Split(fields, ",") {
		if v, ok := obj[k]; ok {
			out[k] = v
		}
	}
	return out
}

func (f *fakeShopify) createFulfillment(w http.ResponseWriter, body map[string]any) {
	ff, _ := body["fulfillment"].(map[string]any)
	groups, _ := ff["line_items_by_fulfillment_order"].([]any)
	if len(groups) == 0 {
		shopifyError(w, http.StatusBadRequest, map[string]any{"fulfillment": "Required parameter missing or invalid"})
		return
	}
	var shipped []any
	for _, g := range groups {
		g := g.(map[string]any)
		fo := f.findFO(idStr(g["fulfillment_order_id"]))
		if fo == nil || fo["status"] != "open" {
			shopifyError(w, http.StatusUnprocessableEntity, []string{"Fulfillment order " + idStr(g["fulfillment_order_id"]) + " has an unfulfillable status= closed."})
			return
		}
		want := map[string]float64{}
		items, hasItems := g["fulfillment_order_line_items"].([]any)
		for _, it := range items {
			it := it.(map[string]any)
			want[idStr(it["id"])] = it["quantity"].(float64)
		}
		for _, li := range fo["line_items"].([]any) {
			li := li.(map[string]any)
			q := li["fulfillable_quantity"].(float64)
			if hasItems {
				wq, ok := want[idStr(li["id"])]
				if !ok {
					continue
				}
				if wq > q {
					shopifyError(w, http.StatusUnprocessableEntity, []string{"Invalid fulfillment order line item quantity requested."})
					return
				}
				q = wq
			}
			li["fulfillable_quantity"] = li["fulfillable_quantity"].(float64) - q
			shipped = append(shipped, map[string]any{"id": li["line_item_id"], "quantity": q})
		}
		remaining := 0.0
		for _, li := range fo["line_items"].([]any) {
			remaining += li.(map[string]any)["fulfillable_quantity"].(float64)
		}
		if remaining == 0 {
			fo["status"], fo["supported_actions"] = "closed", []any{}
		}
	}
	out := loadJSON(f.t, "api_fulfillment.json")["fulfillment"].(map[string]any)
	out["line_items"] = shipped
	tracking, _ := ff["tracking_info"].(map[string]any)
	out["tracking_number"], out["tracking_company"], out["tracking_url"] = tracking["number"], tracking["company"], tracking["url"]
	out["notify_customer"] = ff["notify_customer"]
	writeJSON(w, http.StatusCreated, map[string]any{"fulfillment": out})
}

func (f *fakeShopify) findFO(id string) map[string]any {
	for _, fo := range f.fulfillmentOrders {
		if idStr(fo["id"]) == id {
			return fo
		}
	}
	return nil
}

// searchCustomers emulates Shopify's fuzzy search: every customer whose
// email shares the queried domain matches. Pages are addressed by an
// opaque page_info, and a page_info URL may not repeat the query.
func (f *fakeShopify) searchCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	offset := 0
	query := q.Get("query")
	if pi := q.Get("page_info"); pi != "" {
		if query != "" {
			shopifyError(w, http.StatusBadRequest, map[string]any{"query": []string{"is not allowed when page_info is present"}})
			return
		}
		raw, err := base64.RawURLEncoding.DecodeString(pi)
		var off string
		if err == nil {
			query, off, _ = strings.Cut(string(raw), "|")
			offset, err = strconv.Atoi(off)
		}
		if err != nil {
			shopifyError(w, http.StatusBadRequest, map[string]any{"page_info": []string{"is invalid"}})
			return
		}
	}
	email, ok := strings.CutPrefix(query, "email:")
	if !ok {
		shopifyError(w, http.StatusBadRequest, map[string]any{"query": []string{"this fake only supports email: queries"}})
		return
	}
	_, domain, _ := strings.Cut(strings.ToLower(email), "@")
	var matches []map[string]any
	for _, c := range f.customers {
		if strings.HasSuffix(strings.ToLower(c["email"].(string)), "@"+domain) {
			matches = append(matches, c)
		}
	}
	end := min(offset+limit, len(matches))
	page := matches[min(offset, end):end]
	if end < len(matches) {
		next := base64.RawURLEncoding.EncodeToString([]byte(query + "|" + strconv.Itoa(end)))
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?limit=%d&page_info=%s>; rel="next"`, r.Host, r.URL.Path, limit, next))
	}
	if page == nil {
		page = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": page})
}

// checkRequest asserts method, path and auth of one request.
func checkRequest(t *testing.T, r connectortest.Received, method, path string) {
	t.Helper()
	if r.Method != method || r.Path != apiPrefix+path {
		t.Errorf("request = %s %s, want %s %s", r.Method, r.Path, method, apiPrefix+path)
	}
	if got := r.Header.Get("X-Shopify-Access-Token"); got != testToken {
		t.Errorf("X-Shopify-Access-Token = %q", got)
	}
	if len(r.Body) > 0 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type = %q, want JSON", r.Header.Get("Content-Type"))
	}
}

// idStr formats a decoded JSON id (a float64) without an exponent.
func idStr(v any) string {
	if n, ok := v.(float64); ok {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
