package triggers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/connectors/whatsapp"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Secrets of the test credentials. Tests check none of them reaches the
// event log.
const (
	stripeSecret   = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e3FH"
	slackSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	metaAppSecret  = "meta-app-secret-0123456789"
	metaVerifyTok  = "verify-me-please"
	webhookBearer  = "bearer-token-abcdef"
	testTaskQueue  = "triggers-test"
	stripeEventRaw = `{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":%d,"currency":"usd"}}}`
)

// recordingStarter stands in for Temporal in the handler tests (the e2e
// tests use the real server): it records each start by run id, treating a
// second start of the same id as the no-op Temporal makes it, and can be
// told to fail like an unreachable server.
type recordingStarter struct {
	mu     sync.Mutex
	runs   map[string]interpreter.RunInput
	calls  int
	failN  int   // the next failN calls fail
	failE  error // with this error; nil: a refused connection
	signal chan string

	started     []startedRun              // every new run, in the order started
	offered     []interpreter.EventSignal // every SignalWaiting call, in order
	failSignals int                       // the next failSignals SignalWaiting calls fail
	signalErr   error                     // with this error; nil: a refused connection
}

// SignalWaiting records the signal, as the Signaller of the Service.
func (r *recordingStarter) SignalWaiting(_ context.Context, sig interpreter.EventSignal) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failSignals > 0 {
		r.failSignals--
		if r.signalErr != nil {
			return r.signalErr
		}
		return fmt.Errorf("signalling router: dial tcp 127.0.0.1:7233: connect: connection refused")
	}
	r.offered = append(r.offered, sig)
	return nil
}

// signals returns the signals sent so far.
func (r *recordingStarter) signals() []interpreter.EventSignal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]interpreter.EventSignal(nil), r.offered...)
}

func newRecordingStarter() *recordingStarter {
	return &recordingStarter{runs: map[string]interpreter.RunInput{}, signal: make(chan string, 1024)}
}

// startedRun is one new run a recordingStarter saw, with its order key.
type startedRun struct {
	in       interpreter.RunInput
	orderKey string
}

// startedRuns returns the new runs in the order they were started.
func (r *recordingStarter) startedRuns() []startedRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]startedRun(nil), r.started...)
}

func (r *recordingStarter) StartRun(_ context.Context, in interpreter.RunInput, orderKey string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failN > 0 {
		r.failN--
		if r.failE != nil {
			return r.failE
		}
		return fmt.Errorf("dial tcp 127.0.0.1:7233: connect: connection refused")
	}
	if _, ok := r.runs[in.RunID]; !ok {
		r.runs[in.RunID] = in
		r.started = append(r.started, startedRun{in: in, orderKey: orderKey})
		select {
		case r.signal <- in.RunID:
		default: // nobody waits for this many runs (benchmarks)
		}
	}
	return nil
}

func (r *recordingStarter) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.runs)
}

func (r *recordingStarter) failNext(n int) {
	r.failNextWith(n, nil)
}

// failNextWith makes the next n starts fail with err (nil: a refused
// connection).
func (r *recordingStarter) failNextWith(n int, err error) {
	r.mu.Lock()
	r.failN, r.failE = n, err
	r.mu.Unlock()
}

// input returns the input of a started run.
func (r *recordingStarter) input(runID string) (interpreter.RunInput, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	in, ok := r.runs[runID]
	return in, ok
}

// waitRun waits for the next new run, failing the test after a generous
// bound (a hang guard, not a timing assertion).
func (r *recordingStarter) waitRun(t testing.TB) string {
	t.Helper()
	select {
	case id := <-r.signal:
		return id
	case <-time.After(30 * time.Second):
		t.Fatal("no run was started")
		return ""
	}
}

// clock is an adjustable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one store with a Service, workflows and credentials.
type env struct {
	t       testing.TB
	st      *store.Store
	svc     *Service
	starter *recordingStarter
	clock   *clock
	kr      *secrets.Keyring
	reg     *connectors.Registry
}

func newEnv(t testing.TB, st *store.Store, tweak ...func(*Config)) *env {
	t.Helper()
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The Meta handshake is tested through WhatsApp's trigger, registered
	// here when connectors/all does not list WhatsApp yet.
	if _, ok := reg.Connector("whatsapp"); !ok {
		if err := reg.Register(&connectors.Spec{Name: "whatsapp", Title: "WhatsApp", Triggers: []*connectors.Trigger{whatsapp.Trigger()}}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, st: st, starter: newRecordingStarter(), clock: &clock{t: time.Now()}, kr: secrets.NewKeyring(key), reg: reg}
	cfg := Config{TaskQueue: testTaskQueue, Starter: e.starter, Now: e.clock.Now, Keyring: e.kr,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RouteCacheTTL: time.Nanosecond}
	for _, f := range tweak {
		f(&cfg)
	}
	e.svc, err = New(cfg, st, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.svc.Close() })
	e.credential("stripe-test", "stripe", connectors.Values{"webhook_secret": stripeSecret})
	e.credential("slack-test", "slack", connectors.Values{"signing_secret": slackSecret})
	e.credential("meta-test", "whatsapp", connectors.Values{"app_secret": metaAppSecret, "verify_token": metaVerifyTok})
	e.credential("hook-bearer", "webhook", connectors.Values{"auth": "bearer", "token": webhookBearer})
	return e
}

func (e *env) credential(name, connector string, v connectors.Values) {
	e.t.Helper()
	plain, _ := json.Marshal(v)
	rec, err := e.kr.Encrypt(plain)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.st.CreateCredential(context.Background(), store.Credential{Name: name, Connector: connector, Ciphertext: rec,
		KeyID: e.kr.CurrentKeyID(), Hint: json.RawMessage(`{}`)}); err != nil && !errors.Is(err, store.ErrConflict) {
		e.t.Fatal(err)
	}
}

// workflow stores an active workflow with the given trigger and one
// endpoint, and returns the endpoint.
func (e *env) workflow(name, trigger string, ep store.NewEndpoint) store.Endpoint {
	e.t.Helper()
	ctx := context.Background()
	def := fmt.Sprintf(`{"name":%q,"trigger":%s,"steps":[{"id":"done","type":"stop"}]}`, name, trigger)
	wf, err := e.st.CreateWorkflow(ctx, name, []byte(def), "h-"+name)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SetWorkflowActive(ctx, wf.ID, true); err != nil {
		e.t.Fatal(err)
	}
	ep.WorkflowID = wf.ID
	out, err := e.st.CreateEndpoint(ctx, ep)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// stripeRequest is a Stripe delivery signed at the test clock's time.
func (e *env) stripeRequest(token string, body []byte) *http.Request {
	return stripeSigned(token, body, e.clock.Now(), stripeSecret)
}

func stripeSigned(token string, body []byte, at time.Time, secret string) *http.Request {
	ts := fmt.Sprint(at.Unix())
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(body)))
	r := httptest.NewRequest(http.MethodPost, "/hooks/"+token, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Set("Stripe-Signature", "t="+ts+",v1="+hex.EncodeToString(m.Sum(nil)))
	return r
}

func stripeBody(id string, amount int) []byte {
	b := fmt.Sprintf(stripeEventRaw, amount)
	if id != "" {
		b = `{"id":"` + id + `"` + b[len(`{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy"`):]
	}
	return []byte(b)
}

// do serves r and returns the recorder.
func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.svc.Ingestor.ServeHTTP(w, r)
	return w
}

// reply decodes a 2xx reply.
func reply(t testing.TB, w *httptest.ResponseRecorder) Reply {
	t.Helper()
	var r Reply
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("reply %q: %v", w.Body.String(), err)
	}
	return r
}

// events lists every logged event of an endpoint, oldest first.
func (e *env) events(endpointID string) []store.Event {
	e.t.Helper()
	evs, _, err := e.st.ListEvents(context.Background(), store.EventFilter{EndpointID: endpointID, IncludeBody: true,
		ListOptions: store.ListOptions{Limit: store.MaxListLimit}})
	if err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs
}
