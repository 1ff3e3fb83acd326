// Package connectortest is the SDK's test kit: the conformance suites
// every connector's tests run, and the helpers they are written with.
//
// Run is the action suite. For each action it checks that the spec
// registers, that bad input is refused with an error naming the field,
// and, against an httptest fake of the provider, that a 500 is retryable, a
// 400 is permanent and keeps the provider's message, a 429 with
// Retry-After is rate-limited with that wait, and a timeout is retryable.
// It also checks that no error message contains a secret credential value.
//
//	func TestConformance(t *testing.T) {
//		connectortest.Run(t, stripe.New(), connectortest.Fixtures{
//			Credential: connectors.Values{"secret_key": "sk_test_123"},
//			Actions: map[string]connectortest.ActionFixture{
//				"create_customer": {Input: connectors.Values{"email": "a@example.com"}},
//			},
//		})
//	}
//
// RunTriggers is the trigger suite: it replays the recorded deliveries in
// each trigger's testdata as golden verify vectors, extractor samples and
// dedupe keys (see RunTriggers and Deliveries).
//
//	func TestTriggerConformance(t *testing.T) {
//		connectortest.RunTriggers(t, stripe.New())
//	}
//
// For a connector's own tests, Fake stands in for the provider's API and
// calls actions the way the engine does, and Decode, JSON, ReadFile,
// ReadJSON, WriteJSON, ServeFile, OutputSample and Reason are the helpers
// every connector's tests would otherwise write again.
package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Timeout is the client timeout the suite uses, short so the timeout case
// runs quickly.
const Timeout = 300 * time.Millisecond

// ProviderMessage is the message the fake puts in its 400 response; the
// suite checks the action's error keeps it.
const ProviderMessage = "conformance: the provider refused this request"

// Fixtures tell the suite how to call each action.
type Fixtures struct {
	// Credential is a valid credential for every action, without base_url
	// (the suite adds it). Nil for connectors without credentials.
	Credential connectors.Values
	// Actions holds a fixture for every action of the connector; an action
	// without one fails the suite, so a new action cannot skip conformance.
	Actions map[string]ActionFixture
	// Point aims a call at the fake provider at fakeURL. When it is nil
	// the suite sets the admin's base URL override
	// (RegistryConfig.BaseURLs), as --connector-base-urls does, which works
	// for every connector that builds its URLs from Call.BaseURL.
	// Connectors whose URL is part of the input (http, webhook) set the
	// input field instead.
	Point func(credential, input connectors.Values, fakeURL string) (connectors.Values, connectors.Values)
	// ErrorBody renders the fake's error body in the provider's documented
	// shape. The default is {"error":{"message":…},"message":…}, which
	// covers Stripe, Graph API, HubSpot and Twilio.
	ErrorBody func(status int, message string) (contentType string, body []byte)
}

// ActionFixture is a valid call of one action.
type ActionFixture struct {
	Input connectors.Values
	// Credential overrides Fixtures.Credential for this action.
	Credential connectors.Values
	// Success, when set, answers a valid call; the suite then checks the
	// action succeeds and returns an output.
	Success http.HandlerFunc
}

// Run runs the conformance suite for every action of c.
func Run(t *testing.T, c connectors.Connector, fx Fixtures) {
	t.Helper()
	spec := c.Spec()
	if err := connectors.CheckSpec(spec); err != nil {
		t.Fatalf("spec of %s does not parse: %v", spec.Name, err)
	}
	reg := Registry(t, c, "")
	if err := reg.Register(c); err == nil {
		t.Errorf("registering %s twice succeeded; duplicates must fail", spec.Name)
	}
	var missing []string
	for _, a := range spec.Actions {
		if _, ok := fx.Actions[a.Name]; !ok {
			missing = append(missing, a.Name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("no conformance fixture for actions %s of %s", strings.Join(missing, ", "), spec.Name)
	}
	for _, a := range spec.Actions {
		t.Run(a.Name, func(t *testing.T) {
			s := &suite{reg: reg, spec: spec, action: a, fx: fx, af: fx.Actions[a.Name]}
			t.Run("valid_input_passes_validation", s.validInput)
			t.Run("bad_input_names_the_field", s.badInput)
			t.Run("500_is_retryable", s.status(500, connectors.ClassRetryable, 0))
			t.Run("503_is_retryable", s.status(503, connectors.ClassRetryable, 0))
			t.Run("400_is_permanent_with_message", s.status(400, connectors.ClassPermanent, 0))
			t.Run("404_is_permanent_with_message", s.status(404, connectors.ClassPermanent, 0))
			t.Run("429_is_rate_limited", s.status(429, connectors.ClassRateLimited, 7*time.Second))
			t.Run("timeout_is_retryable", s.timeout)
			if spec.BaseURL != "" && !spec.SelfHosted && s.fx.Point == nil {
				t.Run("credential_base_url_cannot_move_secrets", s.foreignBaseURL)
			}
			if s.af.Success != nil {
				t.Run("success", s.success)
			}
		})
	}
}

// Registry returns a registry holding c whose clients reach loopback fakes
// (the SSRF allowlist names loopback, which also allows plain http to it)
// and, when fakeURL is not empty, whose base URL override points c at
// fakeURL, as an admin's --connector-base-urls does. A connector's own
// tests use it to call their fake the way the engine would.
func Registry(t testing.TB, c connectors.Connector, fakeURL string) *connectors.Registry {
	t.Helper()
	cfg := connectors.RegistryConfig{
		Client: connectors.ClientConfig{Timeout: Timeout},
		Allow:  []string{"127.0.0.0/8", "::1"},
	}
	if fakeURL != "" {
		cfg.BaseURLs = map[string]string{c.Spec().Name: fakeURL}
	}
	reg, err := connectors.NewRegistryConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(c); err != nil {
		t.Fatalf("registering %s: %v", c.Spec().Name, err)
	}
	return reg
}

type suite struct {
	reg    *connectors.Registry
	spec   *connectors.Spec
	action *connectors.Action
	fx     Fixtures
	af     ActionFixture
}

func clone(v connectors.Values) connectors.Values {
	if v == nil {
		return nil
	}
	out := make(connectors.Values, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

func (s *suite) invocation(fakeURL string) connectors.Invocation {
	cred := clone(s.fx.Credential)
	if s.af.Credential != nil {
		cred = clone(s.af.Credential)
	}
	input := clone(s.af.Input)
	if input == nil {
		input = connectors.Values{}
	}
	if fakeURL != "" && s.fx.Point != nil {
		cred, input = s.fx.Point(cred, input, fakeURL)
	}
	return connectors.Invocation{
		Connector: s.spec.Name, Action: s.action.Name,
		Input: input, Credential: cred,
		RunID: "conformance-run", StepID: s.action.Name,
	}
}

// invoke calls the action aimed at the fake at fakeURL.
func (s *suite) invoke(t *testing.T, inv connectors.Invocation, fakeURL string) (any, error) {
	t.Helper()
	reg := s.reg
	if s.fx.Point == nil {
		reg = Registry(t, s.spec, fakeURL)
	}
	return reg.Invoke(context.Background(), inv)
}

func (s *suite) validInput(t *testing.T) {
	if _, err := s.reg.NewCall(s.invocation("http://127.0.0.1:1")); err != nil {
		t.Fatalf("fixture input is refused: %v", err)
	}
}

// wrongValue returns a value of the wrong JSON type for a field.
func wrongValue(f connectors.Field) (any, bool) {
	switch f.Type {
	case connectors.TypeString:
		return 12345, true
	case connectors.TypeInteger, connectors.TypeNumber, connectors.TypeObject, connectors.TypeArray:
		return "not-the-right-type", true
	case connectors.TypeBoolean:
		return "yes", true
	}
	return nil, false
}

func (s *suite) badInput(t *testing.T) {
	type badCase struct {
		name  string
		edit  func(connectors.Values)
		want  string
		class connectors.Class
	}
	var cases []badCase
	for _, f := range s.action.Input {
		if f.Required && f.Default == nil {
			cases = append(cases, badCase{
				name: "missing_" + f.Name,
				edit: func(v connectors.Values) { delete(v, f.Name) },
				want: "input." + f.Name + ": required",
			})
		}
		if w, ok := wrongValue(f); ok {
			cases = append(cases, badCase{
				name: "wrong_type_" + f.Name,
				edit: func(v connectors.Values) { v[f.Name] = w },
				want: "input." + f.Name + ": want " + string(f.Type),
			})
		}
		if len(f.Enum) > 0 {
			cases = append(cases, badCase{
				name: "not_in_enum_" + f.Name,
				edit: func(v connectors.Values) { v[f.Name] = "conformance-not-an-option" },
				want: "input." + f.Name + ": must be one of",
			})
		}
	}
	cases = append(cases, badCase{
		name: "unknown_field",
		edit: func(v connectors.Values) { v["conformance_unknown"] = "x" },
		want: "input.conformance_unknown: unknown field",
	})
	var calls atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer fake.Close()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := s.invocation(fake.URL)
			tc.edit(inv.Input)
			_, err := s.invoke(t, inv, fake.URL)
			if err == nil {
				t.Fatalf("bad input accepted")
			}
			if got := connectors.ClassOf(err); got != connectors.ClassPermanent {
				t.Errorf("class = %s, want permanent (bad input never heals)", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			s.noSecrets(t, inv.Credential, err)
		})
	}
	if n := calls.Load(); n > 0 {
		t.Errorf("the provider was called %d times with invalid input", n)
	}
}

func (s *suite) errorBody(status int) (string, []byte) {
	if s.fx.ErrorBody != nil {
		return s.fx.ErrorBody(status, ProviderMessage)
	}
	body, _ := json.Marshal(map[string]any{
		"error":   map[string]any{"message": ProviderMessage, "type": "invalid_request_error"},
		"message": ProviderMessage,
	})
	return "application/json", body
}

func (s *suite) status(code int, want connectors.Class, wait time.Duration) func(t *testing.T) {
	return func(t *testing.T) {
		var calls atomic.Int32
		fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			ct, body := s.errorBody(code)
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)))
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(code)
			w.Write(body)
		}))
		defer fake.Close()
		inv := s.invocation(fake.URL)
		_, err := s.invoke(t, inv, fake.URL)
		if calls.Load() == 0 {
			t.Fatalf("the action never called the fake provider (err: %v); does it use Call.BaseURL/Call.HTTP?", err)
		}
		if err == nil {
			t.Fatalf("HTTP %d from the provider did not fail the action", code)
		}
		ce := connectors.AsError(err)
		if ce == nil {
			t.Fatalf("error %q is not a classified *connectors.Error", err)
		}
		if ce.Class != want {
			t.Fatalf("HTTP %d: class = %s, want %s (error: %v)", code, ce.Class, want, err)
		}
		if want == connectors.ClassPermanent && !strings.Contains(err.Error(), ProviderMessage) {
			t.Errorf("HTTP %d: error %q lost the provider's message %q", code, err, ProviderMessage)
		}
		if wait > 0 && ce.RetryAfter != wait {
			t.Errorf("HTTP %d: RetryAfter = %s, want %s", code, ce.RetryAfter, wait)
		}
		s.noSecrets(t, inv.Credential, err)
	}
}

func (s *suite) timeout(t *testing.T) {
	release := make(chan struct{})
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer fake.Close()
	defer close(release)
	_, err := s.invoke(t, s.invocation(fake.URL), fake.URL)
	if err == nil {
		t.Fatal("a provider that never answers did not fail the action")
	}
	if got := connectors.ClassOf(err); got != connectors.ClassRetryable {
		t.Fatalf("timeout: class = %s, want retryable (error: %v)", got, err)
	}
	if connectors.AsError(err) == nil {
		t.Fatalf("timeout error %q is not a classified *connectors.Error", err)
	}
}

func (s *suite) success(t *testing.T) {
	fake := httptest.NewServer(s.af.Success)
	defer fake.Close()
	out, err := s.invoke(t, s.invocation(fake.URL), fake.URL)
	if err != nil {
		t.Fatalf("valid call against the fake failed: %v", err)
	}
	if out == nil {
		t.Fatal("action returned no output")
	}
	if _, err := json.Marshal(out); err != nil {
		t.Fatalf("output does not encode as JSON (the engine stores it as JSON): %v", err)
	}
}

// foreignBaseURL checks that a credential's base_url naming a host that is
// not the provider's API is refused before anything is sent: an editor who
// can change a credential's base_url must not be able to send its secrets
// to a host of their choosing.
func (s *suite) foreignBaseURL(t *testing.T) {
	var calls atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer fake.Close()
	inv := s.invocation("")
	if inv.Credential == nil {
		inv.Credential = connectors.Values{}
	}
	inv.Credential[connectors.BaseURLField] = fake.URL
	_, err := s.reg.Invoke(context.Background(), inv)
	if n := calls.Load(); n > 0 {
		t.Fatalf("a credential's base_url sent the call to a foreign host (%d requests)", n)
	}
	if err == nil || connectors.ClassOf(err) != connectors.ClassPermanent || !strings.Contains(err.Error(), "credential.base_url") {
		t.Fatalf("err = %v, want a permanent error naming credential.base_url", err)
	}
	s.noSecrets(t, inv.Credential, err)
}

// noSecrets fails when an error message contains a secret credential value.
func (s *suite) noSecrets(t *testing.T, cred connectors.Values, err error) {
	t.Helper()
	var secrets []string
	for _, f := range s.spec.Credential {
		if v, ok := cred[f.Name].(string); ok && f.Secret && len(v) >= 4 {
			secrets = append(secrets, v)
		}
	}
	for _, f := range s.action.Input {
		if v, ok := s.af.Input[f.Name].(string); ok && f.Secret && len(v) >= 4 {
			secrets = append(secrets, v)
		}
	}
	sort.Strings(secrets)
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, sec := range secrets {
			if strings.Contains(e.Error(), sec) {
				t.Fatalf("error message leaks a secret value: %q", e.Error())
			}
		}
	}
}
