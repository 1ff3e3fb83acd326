package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

// Fake is an httptest server standing in for a provider's API in a
// connector's own tests. It records every request, hands it to the
// provider-specific handler (which follows the provider's documented wire
// format), and calls the connector's actions against itself the way the
// engine's activity does. A connector's fake_test.go keeps only what is
// the provider's own: its handler, its data and its error bodies.
//
//	func newFake(t *testing.T) *connectortest.Fake {
//		return connectortest.NewFake(t, acme.New(), connectors.Values{"api_key": testKey}, serveAcme)
//	}
//
//	out, err := f.Invoke("create_ticket", connectors.Values{"subject": "Refund"})
//	got := f.Requests()[0].JSON()
type Fake struct {
	*httptest.Server
	t   testing.TB
	reg *connectors.Registry
	// spec is the connector under test.
	spec *connectors.Spec
	// Credential is what Invoke and Call pass when the invocation names
	// none. A test may change it between calls.
	Credential connectors.Values

	mu       sync.Mutex
	requests []Received
}

// Received is one request as a Fake saw it.
type Received struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// JSON returns the body decoded as a JSON object, or nil when it is not
// one.
func (r Received) JSON() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

// Form returns the body parsed as a form (application/x-www-form-urlencoded).
func (r Received) Form() url.Values {
	v, _ := url.ParseQuery(string(r.Body))
	return v
}

// BasicAuth returns the user name and password of an "Authorization:
// Basic" header.
func (r Received) BasicAuth() (user, pass string, ok bool) {
	return (&http.Request{Header: r.Header}).BasicAuth()
}

// NewFake starts a Fake for connector c that answers with handler. The
// handler may read the request body again; it was recorded first. The
// server is closed when the test ends.
//
// Calls reach the fake the way an admin's base URL override
// (RegistryConfig.BaseURLs) sends them, on the provider client. For a
// SelfHosted connector the fake stands in for the customer's own server
// instead: calls reach it through the credential's base_url, on the
// SSRF-guarded client, as they would in production.
func NewFake(t testing.TB, c connectors.Connector, credential connectors.Values, handler http.HandlerFunc) *Fake {
	t.Helper()
	f := &Fake{t: t, spec: c.Spec(), Credential: credential}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, Received{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
			Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		handler(w, r)
	}))
	t.Cleanup(f.Close)
	override := f.URL
	if f.spec.SelfHosted {
		override = ""
	}
	f.reg = Registry(t, c, override)
	return f
}

// Requests returns what the fake received so far, in order.
func (f *Fake) Requests() []Received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Received(nil), f.requests...)
}

// Invoke runs action with input against the fake, as step action of run
// "run-1", with the fake's Credential.
func (f *Fake) Invoke(action string, input connectors.Values) (any, error) {
	return f.Call(connectors.Invocation{Action: action, Input: input})
}

// Call runs inv against the fake through the registry, as the engine's
// activity does: input and credential are validated, the idempotency key
// derived, and the error classified. Connector, Credential (the fake's),
// RunID ("run-1") and StepID (the action's name) are filled in when empty.
func (f *Fake) Call(inv connectors.Invocation) (any, error) {
	f.t.Helper()
	inv.Connector = f.spec.Name
	if inv.Credential == nil {
		inv.Credential = clone(f.Credential)
	}
	if inv.RunID == "" {
		inv.RunID = "run-1"
	}
	if inv.StepID == "" {
		inv.StepID = inv.Action
	}
	if f.spec.SelfHosted && inv.Credential != nil {
		inv.Credential = clone(inv.Credential)
		inv.Credential[connectors.BaseURLField] = f.URL
	}
	return f.reg.Invoke(context.Background(), inv)
}

// Registry is the registry the fake's calls go through, for tests that
// build a call themselves (Registry.NewCall).
func (f *Fake) Registry() *connectors.Registry { return f.reg }

// Decode re-encodes an action's output as JSON and decodes it into a map,
// which is how the engine stores it and later steps see it.
func Decode(t testing.TB, out any) map[string]any {
	t.Helper()
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("output does not encode as JSON: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("output is not a JSON object: %s", data)
	}
	return m
}

// JSON renders v as JSON with object keys sorted, so values compare
// independently of their Go types (a struct and the map it decodes to
// give the same text).
func JSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var norm any
	if err := json.Unmarshal(data, &norm); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(norm)
	return string(out)
}

// ReadFile returns a file's bytes, failing the test when it cannot be
// read.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ReadJSON returns a JSON object file decoded, fresh on every call, so a
// fake may change what it loaded.
func ReadJSON(t testing.TB, path string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ReadFile(t, path), &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// WriteJSON answers status with v encoded as JSON. A Content-Type the
// handler set first (the provider's own, with its charset) is kept.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ServeFile answers every request with status, contentType and the bytes
// of a recorded response file.
func ServeFile(status int, contentType, path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := os.ReadFile(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write(data)
	}
}

// OutputSample returns the output sample an action of c declares, which
// tests compare real outputs with.
func OutputSample(t testing.TB, c connectors.Connector, action string) json.RawMessage {
	t.Helper()
	for _, a := range c.Spec().Actions {
		if a.Name == action {
			return a.OutputSample
		}
	}
	t.Fatalf("%s has no action %s", c.Spec().Name, action)
	return nil
}

// InvokeJSON is Invoke with the output decoded as Decode does.
func (f *Fake) InvokeJSON(action string, input connectors.Values) (map[string]any, error) {
	f.t.Helper()
	out, err := f.Invoke(action, input)
	if err != nil {
		return nil, err
	}
	return Decode(f.t, out), nil
}

// JSONBody reads a request's body as a JSON object, or nil when it is not
// one: how most fakes' handlers start.
func JSONBody(r *http.Request) map[string]any {
	raw, _ := io.ReadAll(r.Body)
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}
