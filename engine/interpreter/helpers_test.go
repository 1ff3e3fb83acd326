package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// testSecret is the credential value that must never reach history.
const testSecret = "sk_test_9f8e7d6c5b4a_SECRET"

// provider is a fake third-party API behind the "test" connector: it counts
// calls per idempotency key and fails on request, like a real provider.
type provider struct {
	mu    sync.Mutex
	calls map[string]int // by action + idempotency key
	order []string
}

func (p *provider) hit(action, key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls == nil {
		p.calls = map[string]int{}
	}
	p.calls[action+"/"+key]++
	p.order = append(p.order, action)
	return p.calls[action+"/"+key]
}

func (p *provider) count(action string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, v := range p.calls {
		if strings.HasPrefix(k, action+"/") {
			n += v
		}
	}
	return n
}

// testConnector is a connector whose actions exercise every error class.
func testConnector(p *provider) *connectors.Spec {
	num := func(v any) int {
		var f float64
		b, _ := json.Marshal(v)
		_ = json.Unmarshal(b, &f)
		return int(f)
	}
	return &connectors.Spec{
		Name: "test", Title: "Test", Description: "A fake provider for interpreter tests.",
		Credential: []connectors.Field{{Name: "api_key", Type: connectors.TypeString, Secret: true}},
		Actions: []*connectors.Action{
			{Name: "echo", Title: "Echo", Input: []connectors.Field{{Name: "value", Type: connectors.TypeAny}},
				Run: func(ctx context.Context, call *connectors.Call) (any, error) {
					p.hit("echo", call.IdempotencyKey)
					return map[string]any{"echo": call.Input["value"], "key": call.IdempotencyKey,
						"authorized": call.Credential.String("api_key") == testSecret}, nil
				}},
			{Name: "flaky", Title: "Flaky", Input: []connectors.Field{{Name: "fail_times", Type: connectors.TypeInteger}},
				Run: func(ctx context.Context, call *connectors.Call) (any, error) {
					n := p.hit("flaky", call.IdempotencyKey)
					if n <= num(call.Input["fail_times"]) {
						return nil, connectors.NewError(connectors.ClassRetryable, 503, "service unavailable")
					}
					return map[string]any{"attempt": n}, nil
				}},
			{Name: "limited", Title: "Rate limited", Input: []connectors.Field{{Name: "wait_seconds", Type: connectors.TypeInteger}},
				Run: func(ctx context.Context, call *connectors.Call) (any, error) {
					if p.hit("limited", call.IdempotencyKey) == 1 {
						return nil, &connectors.Error{Class: connectors.ClassRateLimited, Status: 429,
							RetryAfter: time.Duration(num(call.Input["wait_seconds"])) * time.Second, Message: "slow down"}
					}
					return map[string]any{"ok": true}, nil
				}},
			{Name: "reject", Title: "Reject", Input: []connectors.Field{{Name: "reason", Type: connectors.TypeString}},
				Run: func(ctx context.Context, call *connectors.Call) (any, error) {
					p.hit("reject", call.IdempotencyKey)
					return nil, connectors.NewError(connectors.ClassPermanent, 400, "invalid email: "+call.Input.String("reason"))
				}},
			{Name: "big", Title: "Big output", Input: []connectors.Field{{Name: "size", Type: connectors.TypeInteger}},
				Run: func(ctx context.Context, call *connectors.Call) (any, error) {
					p.hit("big", call.IdempotencyKey)
					return map[string]any{"blob": strings.Repeat("x", num(call.Input["size"])), "n": num(call.Input["size"])}, nil
				}},
		},
	}
}

// fixture is a real SQLite store, a keyring with one stored credential
// and a registry with the test connector.
type fixture struct {
	store    *store.Store
	keyring  *secrets.Keyring
	registry *connectors.Registry
	provider *provider
	// limits are the interpreter's. The expression timeout is generous
	// by default, so a test whose evaluation only has to reach the Resolve
	// activity does not depend on how busy the machine is; the budget
	// tests set the production 50 ms.
	limits Limits
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "hookflow.db"))
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr := secrets.NewKeyring(key)
	plain, _ := json.Marshal(map[string]any{"api_key": testSecret})
	ct, err := kr.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCredential(ctx, store.Credential{Name: "test-cred", Connector: "test", Ciphertext: ct,
		KeyID: kr.CurrentKeyID(), Hint: json.RawMessage(`{"api_key":"sk_t…RET"}`)}); err != nil {
		t.Fatalf("creating credential: %v", err)
	}
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{}
	if err := reg.Register(testConnector(p)); err != nil {
		t.Fatalf("registering test connector: %v", err)
	}
	if err := reg.Register(fakeWebhookConnector()); err != nil {
		t.Fatalf("registering webhook connector: %v", err)
	}
	return &fixture{store: st, keyring: kr, registry: reg, provider: p,
		limits: Limits{BlobThreshold: 1024, ExpressionTimeout: 10 * time.Second}}
}

func (fx *fixture) deps() Deps {
	return Deps{Store: fx.store, Registry: fx.registry, Keyring: fx.keyring, Limits: fx.limits}
}

// newEnv returns a test environment with the interpreter registered over
// real activities. Wait registration needs a Temporal client, which the
// test environment has not, so it is mocked.
func (fx *fixture) newEnv(t testing.TB) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	// The SDK logs every activity result at debug level; tests assert on
	// the run log instead.
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	Register(env, fx.deps())
	env.OnActivity(ActivityRegisterWait, mock.Anything, mock.Anything).Return(nil).Maybe()
	return env
}

func input(t testing.TB, def string, body string) RunInput {
	t.Helper()
	if !json.Valid([]byte(def)) {
		t.Fatalf("test definition is not valid JSON: %s", def)
	}
	return RunInput{RunID: "run-1", WorkflowID: "wf_test", Version: 1, Definition: json.RawMessage(def), Hash: "h1",
		Event: EventInfo{ID: "evt_1", Type: "test.event", ReceivedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
			Headers: map[string]string{"X-Test": "1"}, Body: json.RawMessage(body)}}
}

// run executes a definition to the end and returns its result, its error
// and the final run log.
func run(t testing.TB, env *testsuite.TestWorkflowEnvironment, in RunInput) (RunResult, error, RunLog) {
	t.Helper()
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: in.RunID})
	env.ExecuteWorkflow(WorkflowName, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var res RunResult
	err := env.GetWorkflowError()
	if err == nil {
		if gerr := env.GetWorkflowResult(&res); gerr != nil {
			t.Fatalf("decoding result: %v", gerr)
		}
	}
	v, qerr := env.QueryWorkflow(QueryRunLog)
	if qerr != nil {
		t.Fatalf("querying run log: %v", qerr)
	}
	var l RunLog
	if err := v.Get(&l); err != nil {
		t.Fatalf("decoding run log: %v", err)
	}
	return res, err, l
}

func step(t testing.TB, l RunLog, path string) StepRecord {
	t.Helper()
	for _, s := range l.Steps {
		if s.Path == path {
			return s
		}
	}
	var paths []string
	for _, s := range l.Steps {
		paths = append(paths, s.Path)
	}
	t.Fatalf("no step %q in run log (have %v)", path, paths)
	return StepRecord{}
}

func output(t testing.TB, s StepRecord) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(s.Output, &m); err != nil {
		t.Fatalf("step %s output %s: %v", s.Path, s.Output, err)
	}
	return m
}

func resultOutput(t testing.TB, res RunResult) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(res.Output, &v); err != nil {
		t.Fatalf("run output %s: %v", res.Output, err)
	}
	return v
}

// sink is an httptest server that records requests, for http steps.
type sink struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	status   int
	// statusFn, when set, picks each reply's status.
	statusFn func() int
}

func newSink(t testing.TB) *sink {
	s := &sink{status: 200}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, r)
		s.bodies = append(s.bodies, string(b))
		status := s.status
		if s.statusFn != nil {
			status = s.statusFn()
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"received":%d,"path":%q}`, len(b), r.URL.Path)
	}))
	t.Cleanup(s.Close)
	return s
}

// commaSchedule is a connectors.DurableDelivery whose schedule is the
// comma-separated Go durations of the input's retry_schedule (one
// immediate attempt when it has none).
type commaSchedule struct{}

func (commaSchedule) Schedule(input connectors.Values) ([]time.Duration, error) {
	raw := input.String("retry_schedule")
	if raw == "" {
		return []time.Duration{0}, nil
	}
	var out []time.Duration
	for _, part := range strings.Split(raw, ",") {
		d, err := time.ParseDuration(part)
		if err != nil {
			return nil, fmt.Errorf("retry_schedule: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Destination is the input's url, or its parcel for the courier fake.
func (commaSchedule) Destination(input connectors.Values) (string, error) {
	for _, f := range []string{"url", "parcel"} {
		if v := input.String(f); v != "" {
			return v, nil
		}
	}
	return "", errors.New("input.url is empty")
}

// fakeWebhookConnector stands in for connectors/webhook: its send action
// POSTs the data to url through the guarded client with the stable message
// id and declares durable delivery, so the interpreter's durable schedule
// is tested against a real HTTP receiver.
func fakeWebhookConnector() *connectors.Spec {
	return &connectors.Spec{
		Name: "webhook", Title: "Webhook", UserURLs: true,
		Actions: []*connectors.Action{{Name: "send", Title: "Send", Durable: commaSchedule{},
			Input: []connectors.Field{
				{Name: "url", Type: connectors.TypeString, Required: true},
				{Name: "event_type", Type: connectors.TypeString, Required: true},
				{Name: "data", Type: connectors.TypeAny, Required: true},
				{Name: "retry_schedule", Type: connectors.TypeString},
			},
			Run: func(ctx context.Context, call *connectors.Call) (any, error) {
				body, _ := json.Marshal(map[string]any{"type": call.Input["event_type"], "data": call.Input["data"]})
				resp, err := call.HTTP.Do(ctx, &connectors.HTTPRequest{Method: "POST", URL: call.Input.String("url"),
					Header: http.Header{"Content-Type": {"application/json"}, "Webhook-Id": {call.IdempotencyKey}}, Body: body})
				if err != nil {
					return nil, err
				}
				return map[string]any{"status": resp.Status, "message_id": call.IdempotencyKey}, nil
			}}},
	}
}
