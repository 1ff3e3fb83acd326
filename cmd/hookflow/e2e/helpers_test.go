package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/devserver"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// RecordEnv is the generator switch: when it is "1", tests that record
// histories rewrite engine/interpreter/testdata.
const RecordEnv = "HOOKFLOW_RECORD_HISTORIES"

// Secret is the credential value tests check never reaches history.
const Secret = "sk_live_e2e_7Yq2Lr9Xw4_DO_NOT_LEAK"

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Stack is an embedded Temporal server, a client, a SQLite store with one
// encrypted credential, and a connector registry with the Sink connector.
type Stack struct {
	Server    *devserver.Server
	Client    client.Client
	Store     *store.Store
	Keyring   *secrets.Keyring
	Registry  *connectors.Registry
	Sink      *Sink
	TaskQueue string
}

// StartStack starts everything in t's temp dir and stops it at cleanup.
func StartStack(t testing.TB) *Stack {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := devserver.Start(ctx, devserver.Config{DataDir: filepath.Join(dir, "temporal"), Port: FreePort(t), LogLevel: "error"})
	if err != nil {
		t.Fatalf("starting embedded Temporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	var c client.Client
	deadline := time.Now().Add(time.Minute)
	for {
		c, err = client.Dial(client.Options{HostPort: srv.Address(), Namespace: devserver.DefaultNamespace})
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("dialling Temporal: %v", err)
	}
	t.Cleanup(c.Close)

	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "hookflow.db"))
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrating store: %v", err)
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr := secrets.NewKeyring(key)
	plain, _ := json.Marshal(map[string]string{"api_key": Secret})
	ct, err := kr.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCredential(ctx, store.Credential{Name: "sink-live", Connector: "sink", Ciphertext: ct,
		KeyID: kr.CurrentKeyID(), Hint: json.RawMessage(`{"api_key":"sk_l…EAK"}`)}); err != nil {
		t.Fatalf("creating credential: %v", err)
	}
	sink := NewSink(t)
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{
		Allow: []string{"127.0.0.1"}, BaseURLs: map[string]string{"sink": sink.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(SinkConnector()); err != nil {
		t.Fatal(err)
	}
	return &Stack{Server: srv, Client: c, Store: st, Keyring: kr, Registry: reg, Sink: sink,
		TaskQueue: fmt.Sprintf("e2e-%d", time.Now().UnixNano())}
}

// Deps are the interpreter's dependencies over the stack.
func (s *Stack) Deps() interpreter.Deps {
	return interpreter.Deps{Store: s.Store, Registry: s.Registry, Keyring: s.Keyring, Temporal: s.Client, TaskQueue: s.TaskQueue}
}

// StartWorker starts a worker with the interpreter registered. Stop it
// with the returned function (also called at cleanup; calling it twice is
// safe).
func (s *Stack) StartWorker(t testing.TB) (stop func()) {
	t.Helper()
	w := worker.New(s.Client, s.TaskQueue, worker.Options{WorkerStopTimeout: 5 * time.Second})
	interpreter.Register(w, s.Deps())
	if err := w.Start(); err != nil {
		t.Fatalf("starting worker: %v", err)
	}
	var once sync.Once
	stop = func() { once.Do(w.Stop) }
	t.Cleanup(stop)
	return stop
}

// Input builds a RunInput for a definition and event body.
func Input(t testing.TB, workflowID, eventID, def, body string) interpreter.RunInput {
	t.Helper()
	if !json.Valid([]byte(def)) || !json.Valid([]byte(body)) {
		t.Fatalf("invalid JSON in test input")
	}
	return interpreter.RunInput{RunID: interpreter.RunWorkflowID(workflowID, eventID), WorkflowID: workflowID, Version: 1,
		Definition: json.RawMessage(def), Hash: "test", Event: interpreter.EventInfo{ID: eventID, Type: "test.event",
			ReceivedAt: time.Now().UTC(), Body: json.RawMessage(body)}}
}

// Await waits for a run to finish and returns its result.
func (s *Stack) Await(t testing.TB, runID string, timeout time.Duration) (interpreter.RunResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var res interpreter.RunResult
	err := s.Client.GetWorkflow(ctx, runID, "").Get(ctx, &res)
	return res, err
}

// History returns a workflow's full history as JSON, the format
// worker.WorkflowReplayer reads.
func (s *Stack) History(t testing.TB, workflowID string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := s.Client.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("reading history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatalf("encoding history: %v", err)
	}
	return b
}

// HistoryText returns a workflow's history as searchable text: the JSON
// history followed by every payload decoded (protojson keeps payload bytes
// in base64, where a plain search would miss a leaked secret).
func (s *Stack) HistoryText(t testing.TB, workflowID string) string {
	t.Helper()
	raw := s.History(t, workflowID)
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("decoding history JSON: %v", err)
	}
	var b strings.Builder
	b.Write(raw)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if str, ok := e.(string); ok && k == "data" {
					if dec, err := base64.StdEncoding.DecodeString(str); err == nil {
						b.WriteByte('\n')
						b.Write(dec)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	return b.String()
}

// Record writes a history to engine/interpreter/testdata when RecordEnv is
// set; it is the generator behind the interpreter's replay test.
func (s *Stack) Record(t testing.TB, workflowID, name string) {
	t.Helper()
	if os.Getenv(RecordEnv) != "1" {
		return
	}
	path := filepath.Join("..", "..", "..", "engine", "interpreter", "testdata", name+".json")
	if err := os.WriteFile(path, s.History(t, workflowID), 0o644); err != nil {
		t.Fatalf("recording history: %v", err)
	}
	t.Logf("recorded %s", path)
}

// Sink is a fake provider API that applies each request once per
// Idempotency-Key, as Stripe does, and counts every request, so tests can
// tell deliveries from effects.
type Sink struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	effects  map[string]int // idempotency key → times applied (must stay 1)
	bodies   map[string]string
	auth     map[string]string
	arrived  chan string
}

// NewSink starts a Sink.
func NewSink(t testing.TB) *Sink {
	s := &Sink{effects: map[string]int{}, bodies: map[string]string{}, auth: map[string]string{}, arrived: make(chan string, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":{"message":"missing Idempotency-Key"}}`)
			return
		}
		s.mu.Lock()
		s.requests++
		first := s.effects[key] == 0
		s.effects[key]++
		s.bodies[key] = string(body)
		s.auth[key] = r.Header.Get("Authorization")
		s.mu.Unlock()
		if first {
			s.arrived <- string(body)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id":"obj_%s","replayed":%t}`, key[:8], !first)
	}))
	t.Cleanup(s.Close)
	return s
}

// Effects returns how many distinct keys were applied and the largest
// count any key reached.
func (s *Sink) Effects() (keys, maxPerKey int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.effects {
		maxPerKey = max(maxPerKey, n)
	}
	return len(s.effects), maxPerKey
}

// Auth returns the Authorization header of every request, by key.
func (s *Sink) Auth() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.auth {
		out[k] = v
	}
	return out
}

// WaitArrival waits for the next first-time request body.
func (s *Sink) WaitArrival(t testing.TB, timeout time.Duration) string {
	t.Helper()
	select {
	case b := <-s.arrived:
		return b
	case <-time.After(timeout):
		t.Fatal("no request reached the sink")
		return ""
	}
}

// SinkConnector posts its input to the sink with the step's idempotency
// key and the credential's api_key as a bearer token.
func SinkConnector() *connectors.Spec {
	return &connectors.Spec{
		Name: "sink", Title: "Sink", Description: "Fake provider for end-to-end tests.",
		Credential: []connectors.Field{{Name: "api_key", Type: connectors.TypeString, Required: true, Secret: true}},
		Actions: []*connectors.Action{{Name: "post", Title: "Post",
			Input: []connectors.Field{{Name: "text", Type: connectors.TypeString, Required: true}},
			Run: func(ctx context.Context, call *connectors.Call) (any, error) {
				body, _ := json.Marshal(map[string]any{"text": call.Input["text"]})
				resp, err := call.HTTP.Do(ctx, &connectors.HTTPRequest{Method: "POST", URL: strings.TrimSuffix(call.BaseURL, "/") + "/messages",
					Header: http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {call.IdempotencyKey},
						"Authorization": {"Bearer " + call.Credential.String("api_key")}}, Body: body})
				if err != nil {
					return nil, err
				}
				var out map[string]any
				if err := resp.JSON(&out); err != nil {
					return nil, connectors.Permanent(err)
				}
				return out, nil
			}}},
	}
}
