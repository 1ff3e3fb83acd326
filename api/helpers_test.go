package api_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/platform/health"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/services/dryrun"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// env is one API on a real store, with a key per scope.
type env struct {
	t      *testing.T
	store  *store.Store
	svc    *manage.Service
	router *gin.Engine
	keys   map[string]string // scope → plaintext
}

const webhookBase = "https://hooks.example.com/hooks/"

func newEnv(t *testing.T, st *store.Store, mutate ...func(*api.Config)) *env {
	t.Helper()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr := secrets.NewKeyring(key)
	svc := &manage.Service{Store: st, Registry: reg, Keyring: kr, WebhookBaseURL: webhookBase}
	// A real triggers service whose Temporal client points at a closed
	// port: events are committed and stay pending, as they do while
	// Temporal is down.
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	trig, err := triggers.New(triggers.Config{TaskQueue: "api-test", PublicURL: "https://hooks.example.com", Keyring: kr,
		ListenPoll: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}, st, reg, tc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = trig.Close(); tc.Close() })
	cfg := api.Config{Manage: svc, Metrics: true, Triggers: api.TriggersService(trig), Changed: trig.Invalidate,
		Tester: api.DryRuns(&dryrun.Runner{Registry: reg, Store: st, Keyring: kr})}
	for _, m := range mutate {
		m(&cfg)
	}
	r := api.NewRouter(api.RouterConfig{})
	// As in a hookflow process, the probes sit beside the API.
	health.Mount(r, nil, 0)
	if err := api.Mount(r, cfg); err != nil {
		t.Fatal(err)
	}
	r.Any(triggers.HookPath, func(c *gin.Context) { trig.Ingestor.Serve(c.Writer, c.Request, c.Param("token")) })
	e := &env{t: t, store: st, svc: svc, router: r, keys: map[string]string{}}
	for _, scope := range []string{store.ScopeAdmin, store.ScopeEditor, store.ScopeViewer} {
		_, plain, err := st.CreateAPIKey(context.Background(), scope+" key", scope)
		if err != nil {
			t.Fatal(err)
		}
		e.keys[scope] = plain
	}
	return e
}

// response is a recorded response with its decoded JSON body.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

func (r response) items() []any {
	items, _ := r.JSON["items"].([]any)
	return items
}

func (r response) str(key string) string {
	s, _ := r.JSON[key].(string)
	return s
}

// call sends a request as the key of scope ("" sends no key).
func (e *env) call(method, path, scope string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if scope != "" {
		req.Header.Set("Authorization", "Bearer "+e.keys[scope])
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	res := response{Status: w.Code, Header: w.Header(), Raw: w.Body.Bytes()}
	if len(res.Raw) > 0 && (strings.Contains(w.Header().Get("Content-Type"), "json")) {
		_ = json.Unmarshal(res.Raw, &res.JSON)
	}
	return res
}

// want fails the test unless the response has status; for problem
// responses it also checks the type URI.
func (e *env) want(r response, status int, problemType ...string) response {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Raw)
	}
	if len(problemType) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != api.ProblemContentType {
			e.t.Fatalf("content type %q, want %q", ct, api.ProblemContentType)
		}
		if got := r.str("type"); got != problemType[0] {
			e.t.Fatalf("problem type %q, want %q; body %s", got, problemType[0], r.Raw)
		}
	}
	return r
}

// errorPaths returns the paths of a validation problem's errors.
func errorPaths(r response) []string {
	var out []string
	list, _ := r.JSON["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		p, _ := m["path"].(string)
		out = append(out, p)
	}
	return out
}

func stripeCredential(name string) map[string]any {
	return map[string]any{"name": name, "connector": "stripe",
		"values": map[string]any{"webhook_secret": "whsec_test_secret_123456", "secret_key": "sk_test_abcdefghijklmnop"}}
}

// workflowDef is a small valid webhook workflow using credential cred.
func workflowDef(name, cred string) map[string]any {
	return map[string]any{
		"name":    name,
		"trigger": map[string]any{"type": "webhook", "connector": "stripe", "credential": cred, "events": []string{"payment_intent.succeeded"}},
		"steps": []any{
			map[string]any{"id": "big", "type": "filter", "if": "trigger.data.object.amount >= 10000"},
			map[string]any{"id": "fields", "type": "map", "map": map[string]any{"cents": "trigger.data.object.amount"}},
		},
	}
}

// post sends a webhook delivery with a Stripe-Signature header.
func (e *env) post(path, body, signature string) response {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signature)
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Raw: w.Body.Bytes()}
}

// stripeSignature signs body as Stripe does: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")).
func stripeSignature(secret, body string) string {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + body))
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
