package stripe

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// testKey is the secret key the fake accepts.
const testKey = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

// fakeStripe is an httptest server that follows Stripe's documented wire
// format: Bearer auth, form-encoded POST bodies with bracket notation,
// {"error":{…}} bodies, Idempotency-Key replay, and list objects paged by
// limit/starting_after with has_more.
type fakeStripe struct {
	*connectortest.Fake
	t *testing.T

	mu        sync.Mutex
	charges   []map[string]any // cus_NffrFeUfNV2Hib's charges, newest first
	objects   map[string]map[string]any
	idem      map[string]savedResponse
	nextID    int
	rateLimit bool // answer every request with Stripe's 429
}

type savedResponse struct {
	request string // method, path and body, to detect key reuse
	status  int
	body    []byte
}

func loadJSON(t *testing.T, name string) map[string]any {
	return connectortest.ReadJSON(t, "testdata/"+name)
}

func newFake(t *testing.T, charges int) *fakeStripe {
	f := &fakeStripe{t: t, objects: map[string]map[string]any{}, idem: map[string]savedResponse{}}
	cus := loadJSON(t, "api_customer.json")
	pi := loadJSON(t, "api_payment_intent.json")
	f.objects[cus["id"].(string)] = cus
	f.objects[pi["id"].(string)] = pi
	for i := range charges {
		ch := loadJSON(t, "api_charge.json")
		ch["id"] = fmt.Sprintf("ch_fake%03d", i)
		ch["created"] = 1679090539 - i
		f.charges = append(f.charges, ch)
		f.objects[ch["id"].(string)] = ch
	}
	latest := loadJSON(t, "api_charge.json")
	latest["id"] = pi["latest_charge"]
	f.objects[latest["id"].(string)] = latest
	f.Fake = connectortest.NewFake(t, New(), connectors.Values{CredentialSecretKey: testKey}, f.serve)
	return f
}

func stripeError(w http.ResponseWriter, status int, typ, code, param, msg string) {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Request-Id", "req_fake")
	connectortest.WriteJSON(w, status, v)
}

var objectRoute = regexp.MustCompile(`^/v1/(customers|payment_intents|charges)/([A-Za-z0-9_]+)$`)

func (f *fakeStripe) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	defer f.mu.Unlock()

	if r.Header.Get("Authorization") != "Bearer "+testKey {
		stripeError(w, http.StatusUnauthorized, "invalid_request_error", "", "", "Invalid API Key provided: sk_test_****")
		return
	}
	if f.rateLimit {
		stripeError(w, http.StatusTooManyRequests, "invalid_request_error", "rate_limit", "",
			"Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.")
		return
	}
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "", "", "Invalid request: Content-Type must be application/x-www-form-urlencoded, got "+ct)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if key != "" {
			sig := r.Method + " " + r.URL.Path + " " + string(body)
			if saved, ok := f.idem[key]; ok {
				if saved.request != sig {
					stripeError(w, http.StatusBadRequest, "idempotency_error", "", "",
						"Keys for idempotent requests can only be used with the same parameters they were first used with.")
					return
				}
				w.Header().Set("Idempotent-Replayed", "true")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(saved.status)
				w.Write(saved.body)
				return
			}
			rec := httptest.NewRecorder()
			f.route(rec, r, form)
			f.idem[key] = savedResponse{request: sig, status: rec.Code, body: rec.Body.Bytes()}
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
	}
	f.route(w, r, form)
}

func (f *fakeStripe) route(w http.ResponseWriter, r *http.Request, form url.Values) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/customers":
		f.nextID++
		cus := loadJSON(f.t, "api_customer.json")
		cus["id"] = fmt.Sprintf("cus_fake%d", f.nextID)
		for _, k := range []string{"email", "name", "phone", "description"} {
			if v, ok := form[k]; ok {
				cus[k] = v[0]
			} else {
				cus[k] = nil
			}
		}
		if addr := brackets(form, "address"); len(addr) > 0 {
			cus["address"] = addr
		}
		cus["metadata"] = mergeMetadata(map[string]any{}, form)
		f.objects[cus["id"].(string)] = cus
		writeJSON(w, http.StatusOK, cus)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/refunds":
		pi, ch := form.Get("payment_intent"), form.Get("charge")
		if pi == "" && ch == "" {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing", "charge",
				"One of the following params should be provided for this request: payment_intent or charge.")
			return
		}
		target := pi
		if target == "" {
			target = ch
		}
		if _, ok := f.objects[target]; !ok {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "payment_intent",
				fmt.Sprintf("No such payment_intent: '%s'", target))
			return
		}
		f.nextID++
		re := loadJSON(f.t, "api_refund.json")
		re["id"] = fmt.Sprintf("re_fake%d", f.nextID)
		if pi != "" {
			re["payment_intent"] = pi
		} else {
			re["charge"], re["payment_intent"] = ch, nil
		}
		re["amount"] = 2000
		if a := form.Get("amount"); a != "" {
			n, _ := strconv.Atoi(a)
			re["amount"] = n
		}
		if reason := form.Get("reason"); reason != "" {
			re["reason"] = reason
		}
		re["metadata"] = mergeMetadata(map[string]any{}, form)
		writeJSON(w, http.StatusOK, re)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/charges":
		f.listCharges(w, r)
	case objectRoute.MatchString(r.URL.Path):
		m := objectRoute.FindStringSubmatch(r.URL.Path)
		singular := strings.TrimSuffix(m[1], "s")
		obj, ok := f.objects[m[2]]
		if !ok || obj["object"] != singular {
			stripeError(w, http.StatusNotFound, "invalid_request_error", "resource_missing", "id",
				fmt.Sprintf("No such %s: '%s'", singular, m[2]))
			return
		}
		if r.Method == http.MethodPost {
			md, _ := obj["metadata"].(map[string]any)
			obj["metadata"] = mergeMetadata(md, form)
			writeJSON(w, http.StatusOK, obj)
			return
		}
		out := map[string]any{}
		for k, v := range obj {
			out[k] = v
		}
		for _, e := range r.URL.Query()["expand[]"] {
			if id, ok := out[e].(string); ok {
				if x, ok := f.objects[id]; ok {
					out[e] = x
				}
			}
		}
		writeJSON(w, http.StatusOK, out)
	default:
		stripeError(w, http.StatusNotFound, "invalid_request_error", "", "",
			fmt.Sprintf("Unrecognized request URL (%s: %s).", r.Method, r.URL.Path))
	}
}

func (f *fakeStripe) listCharges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "limit",
				"This value must be less than or equal to 100 (it currently is '"+v+"').")
			return
		}
		limit = n
	}
	var list []map[string]any
	for _, c := range f.charges {
		if c["customer"] == q.Get("customer") {
			list = append(list, c)
		}
	}
	if after := q.Get("starting_after"); after != "" {
		i := 0
		for i < len(list) && list[i]["id"] != after {
			i++
		}
		if i == len(list) {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "starting_after",
				"No such charge: '"+after+"'")
			return
		}
		list = list[i+1:]
	}
	hasMore := len(list) > limit
	if hasMore {
		list = list[:limit]
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "url": "/v1/charges", "has_more": hasMore, "data": orEmpty(list)})
}

func orEmpty(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}

// brackets collects prefix[key]=value form fields into a map.
func brackets(form url.Values, prefix string) map[string]any {
	out := map[string]any{}
	for k, v := range form {
		if strings.HasPrefix(k, prefix+"[") && strings.HasSuffix(k, "]") {
			out[k[len(prefix)+1:len(k)-1]] = v[0]
		}
	}
	return out
}

// mergeMetadata applies metadata[k]=v fields the way Stripe does: set
// keys are updated, keys set to "" are removed, others are kept.
func mergeMetadata(md map[string]any, form url.Values) map[string]any {
	if md == nil {
		md = map[string]any{}
	}
	for k, v := range brackets(form, "metadata") {
		if v == "" {
			delete(md, k)
		} else {
			md[k] = v
		}
	}
	return md
}

// checkPost asserts the common shape of every Stripe POST, including the
// Idempotency-Key derived from the run and step.
func checkPost(t *testing.T, r connectortest.Received, path, stepID string) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != path {
		t.Errorf("request = %s %s, want POST %s", r.Method, r.Path, path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q, want form encoding", got)
	}
	if got, want := r.Header.Get("Idempotency-Key"), connectors.IdempotencyKey("run-1", stepID); got != want {
		t.Errorf("Idempotency-Key = %q, want %q", got, want)
	}
}
