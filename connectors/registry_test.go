package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

type nopVerifier struct{}

func (nopVerifier) Verify(*Request, Values, time.Time) error { return nil }

type nopExtractor struct{}

func (nopExtractor) Extract(*Request, Values) ([]Event, error) { return nil, nil }

func run(context.Context, *Call) (any, error) { return map[string]any{"ok": true}, nil }

func validSpec() *Spec {
	return &Spec{
		Name: "demo", Title: "Demo", Description: "A demo connector.", BaseURL: "https://api.demo.test",
		Credential: []Field{{Name: "api_key", Type: TypeString, Required: true, Secret: true, Pattern: `^dk_`, PatternHelp: "Demo keys start with dk_"}},
		Actions: []*Action{{
			Name: "send", Title: "Send", Run: run,
			Input: []Field{
				{Name: "channel", Type: TypeString, Required: true, Example: "#general", Help: "Where to send."},
				{Name: "amount", Type: TypeInteger},
				{Name: "ratio", Type: TypeNumber},
				{Name: "mode", Type: TypeString, Enum: []string{"a", "b"}, Default: "a"},
				{Name: "urgent", Type: TypeBoolean, Default: false},
				{Name: "meta", Type: TypeObject},
				{Name: "tags", Type: TypeArray},
			},
			OutputSample: json.RawMessage(`{"ok":true}`),
		}},
		Triggers: []*Trigger{{Name: "webhook", Title: "Demo event", Setup: "Paste the URL.", Verifier: nopVerifier{}, Extractor: nopExtractor{},
			Events: []string{"thing.created"}, Samples: map[string]json.RawMessage{"thing.created": json.RawMessage(`{"id":"t1"}`)}}},
	}
}

func TestRegisterChecksSpec(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *Spec)
		want string
	}{
		{name: "bad connector name", edit: func(s *Spec) { s.Name = "Demo-X" }, want: `name "Demo-X" must be snake_case`},
		{name: "missing title", edit: func(s *Spec) { s.Title = "" }, want: "title: required"},
		{name: "bad base url", edit: func(s *Spec) { s.BaseURL = "api.demo.test" }, want: "base_url:"},
		{name: "api host with a scheme", edit: func(s *Spec) { s.APIHosts = []string{"https://eu.demo.test"} }, want: `api_hosts[0]: "https://eu.demo.test" is not a host name or *.host name`},
		{name: "api host wildcard alone", edit: func(s *Spec) { s.APIHosts = []string{"*"} }, want: `api_hosts[0]: "*" is not a host name`},
		{name: "field without type", edit: func(s *Spec) { s.Actions[0].Input[0].Type = "" }, want: "actions.send.input.channel: type required"},
		{name: "unknown type", edit: func(s *Spec) { s.Actions[0].Input[0].Type = "text" }, want: `unknown type "text"`},
		{name: "camelCase field", edit: func(s *Spec) { s.Actions[0].Input[0].Name = "chanName" }, want: `name "chanName" must be snake_case`},
		{name: "duplicate field", edit: func(s *Spec) { s.Actions[0].Input[1].Name = "channel" }, want: "actions.send.input.channel: declared twice"},
		{name: "default outside enum", edit: func(s *Spec) { s.Actions[0].Input[3].Default = "c" }, want: "actions.send.input.mode: default: must be one of a, b"},
		{name: "default of wrong type", edit: func(s *Spec) { s.Actions[0].Input[4].Default = "no" }, want: "actions.send.input.urgent: default: want boolean, got string"},
		{name: "bad pattern", edit: func(s *Spec) { s.Credential[0].Pattern = "([" }, want: "credential.api_key: pattern does not compile"},
		{name: "action without run", edit: func(s *Spec) { s.Actions[0].Run = nil }, want: "actions.send.run: required"},
		{name: "duplicate action", edit: func(s *Spec) { s.Actions = append(s.Actions, s.Actions[0]) }, want: "actions.send: declared twice"},
		{name: "bad output sample", edit: func(s *Spec) { s.Actions[0].OutputSample = json.RawMessage(`{`) }, want: "output_sample: not valid JSON"},
		{name: "trigger without verifier", edit: func(s *Spec) { s.Triggers[0].Verifier = nil }, want: "triggers.webhook.verifier: required"},
		{name: "trigger without extractor", edit: func(s *Spec) { s.Triggers[0].Extractor = nil }, want: "triggers.webhook.extractor: required"},
		{name: "bad sample", edit: func(s *Spec) { s.Triggers[0].Samples["x"] = json.RawMessage(`nope`) }, want: `samples["x"]: not valid JSON`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.edit(s)
			err := NewRegistry().Register(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRegisterDuplicateAndLookups(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(validSpec()); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(validSpec()); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("duplicate: err = %v", err)
	}
	if _, err := r.Action("demo", "send"); err != nil {
		t.Fatal(err)
	}
	var nf *NotFoundError
	if _, err := r.Action("demo", "sned"); !errors.As(err, &nf) || err.Error() != `unknown action "demo.sned"` {
		t.Fatalf("err = %v", err)
	}
	if _, err := r.Trigger("nope", "webhook"); !errors.As(err, &nf) || err.Error() != `unknown connector "nope"` {
		t.Fatalf("err = %v", err)
	}
	if _, err := r.Trigger("demo", "webhook"); err != nil {
		t.Fatal(err)
	}
}

func TestValidateInput(t *testing.T) {
	fields := validSpec().Actions[0].Input
	tests := []struct {
		name string
		in   Values
		want string
		out  Values
	}{
		{name: "defaults applied and numbers normalised", in: Values{"channel": "#x", "amount": 12.0, "ratio": 3},
			out: Values{"channel": "#x", "amount": int64(12), "ratio": 3.0, "mode": "a", "urgent": false}},
		{name: "missing required", in: Values{}, want: "input.channel: required"},
		{name: "empty required string", in: Values{"channel": ""}, want: "input.channel: required"},
		{name: "integer given a string", in: Values{"channel": "#x", "amount": "12"}, want: "input.amount: want integer, got string"},
		{name: "integer given a fraction", in: Values{"channel": "#x", "amount": 1.5}, want: "input.amount: want integer, got a fractional number"},
		{name: "enum", in: Values{"channel": "#x", "mode": "c"}, want: "input.mode: must be one of a, b"},
		{name: "boolean", in: Values{"channel": "#x", "urgent": "yes"}, want: "input.urgent: want boolean, got string"},
		{name: "object", in: Values{"channel": "#x", "meta": []any{}}, want: "input.meta: want object, got array"},
		{name: "array", in: Values{"channel": "#x", "tags": "a,b"}, want: "input.tags: want array, got string"},
		{name: "unknown field with suggestion", in: Values{"channel": "#x", "chanel": "#y"}, want: `input.chanel: unknown field (did you mean "channel"?)`},
		{name: "several problems at once", in: Values{"amount": "x"}, want: "input.channel: required; input.amount: want integer, got string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ValidateInput(fields, tc.in)
			if tc.want != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || err.Error() != tc.want {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(out)
			want, _ := json.Marshal(tc.out)
			if string(got) != string(want) || out["amount"] != int64(12) {
				t.Fatalf("out = %s, want %s", got, want)
			}
		})
	}
}

func TestValidateCredentialUsesPatternHelpAndHidesValue(t *testing.T) {
	_, err := ValidateCredential(validSpec().Credential, Values{"api_key": "sk_live_secret123"})
	if err == nil || err.Error() != "credential.api_key: Demo keys start with dk_" {
		t.Fatalf("err = %v", err)
	}
	out, err := ValidateCredential(validSpec().Credential, Values{"api_key": "dk_1", "base_url": "http://127.0.0.1:9"})
	if err != nil || out.String("base_url") != "http://127.0.0.1:9" {
		t.Fatalf("base_url override refused: %v", err)
	}
}

func TestInvokeUsesTheRightClient(t *testing.T) {
	var seen *Call
	s := validSpec()
	s.Actions[0].Run = func(ctx context.Context, call *Call) (any, error) { seen = call; return "done", nil }
	r, err := NewRegistryConfig(RegistryConfig{BaseURLs: map[string]string{"demo": "https://eu.demo.test"}})
	if err != nil {
		t.Fatal(err)
	}
	r.MustRegister(s)
	inv := Invocation{Connector: "demo", Action: "send", Input: Values{"channel": "#a"}, Credential: Values{"api_key": "dk_1"}, RunID: "r1", StepID: "s1"}
	if _, err := r.Invoke(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	if seen.BaseURL != "https://eu.demo.test" || seen.HTTP.Guarded() || seen.IdempotencyKey != IdempotencyKey("r1", "s1") {
		t.Fatalf("call = %+v", seen)
	}
	inv.Input = Values{}
	_, err = r.Invoke(context.Background(), inv)
	if ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), "validating demo.send: input.channel: required") {
		t.Fatalf("err = %v", err)
	}
}

func TestCredentialBaseURLStaysOnTheProvidersHosts(t *testing.T) {
	plain := func(s *Spec) {}
	selfHosted := func(s *Spec) { s.SelfHosted = true }
	edges := func(s *Spec) { s.APIHosts = []string{"*.demo-edge.test"} }
	perAccount := func(s *Spec) {
		s.BaseURL = ""
		s.APIHosts = []string{"*.demo-shops.test"}
		s.Credential = append(s.Credential, Field{Name: "shop", Type: TypeString})
		s.BaseURLFrom = func(cred Values) (string, error) {
			if cred.String("shop") == "" {
				return "", errors.New("credential.shop: required")
			}
			return "https://" + cred.String("shop"), nil
		}
	}
	tests := []struct {
		name        string
		spec        func(*Spec)
		override    string
		baseURL     string
		shop        string
		wantBase    string
		wantGuarded bool
		wantErr     string
	}{
		{name: "default", spec: plain, wantBase: "https://api.demo.test"},
		{name: "same_host_other_path", spec: plain, baseURL: "https://api.demo.test/v2", wantBase: "https://api.demo.test/v2"},
		{name: "same_host_any_case", spec: plain, baseURL: "https://API.Demo.Test.", wantBase: "https://API.Demo.Test."},
		{name: "foreign_host_refused", spec: plain, baseURL: "https://collector.example/hook",
			wantErr: "credential.base_url: collector.example is not a host of the Demo API (api.demo.test), and a Demo credential's secrets only go there; to use a proxy or a test server, an admin sets --connector-base-urls demo=URL"},
		{name: "internal_host_refused", spec: plain, baseURL: "http://10.0.0.5", wantErr: "credential.base_url: 10.0.0.5 is not a host of the Demo API"},
		{name: "lookalike_suffix_refused", spec: plain, baseURL: "https://api.demo.test.collector.example", wantErr: "credential.base_url: api.demo.test.collector.example is not"},
		{name: "userinfo_trick_refused", spec: plain, baseURL: "https://api.demo.test@collector.example", wantErr: "credential.base_url: collector.example is not"},
		{name: "not_a_url", spec: plain, baseURL: "ftp://api.demo.test", wantErr: `credential.base_url: "ftp://api.demo.test" is not an absolute http(s) URL`},
		{name: "override_wins", spec: plain, override: "http://127.0.0.1:9", baseURL: "https://collector.example", wantBase: "http://127.0.0.1:9"},
		{name: "listed_edge", spec: edges, baseURL: "https://dublin.demo-edge.test", wantBase: "https://dublin.demo-edge.test"},
		{name: "wildcard_needs_a_subdomain", spec: edges, baseURL: "https://demo-edge.test", wantErr: "credential.base_url: demo-edge.test is not a host of the Demo API (api.demo.test, *.demo-edge.test)"},
		{name: "self_hosted_any_host_guarded", spec: selfHosted, baseURL: "https://bots.example.org", wantBase: "https://bots.example.org", wantGuarded: true},
		{name: "self_hosted_provider_host", spec: selfHosted, baseURL: "https://api.demo.test", wantBase: "https://api.demo.test"},
		{name: "per_account_host", spec: perAccount, shop: "acme.demo-shops.test", wantBase: "https://acme.demo-shops.test"},
		{name: "per_account_foreign_host", spec: perAccount, shop: "collector.example", wantErr: "the Demo credential gives the host collector.example: collector.example is not a host of the Demo API (*.demo-shops.test)"},
		{name: "per_account_missing", spec: perAccount, wantErr: "credential.shop: required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen *Call
			s := validSpec()
			tc.spec(s)
			s.Actions[0].Run = func(ctx context.Context, call *Call) (any, error) { seen = call; return "done", nil }
			cfg := RegistryConfig{}
			if tc.override != "" {
				cfg.BaseURLs = map[string]string{"demo": tc.override}
			}
			r, err := NewRegistryConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			r.MustRegister(s)
			cred := Values{"api_key": "dk_secret_value"}
			if tc.baseURL != "" {
				cred[BaseURLField] = tc.baseURL
			}
			if tc.shop != "" {
				cred["shop"] = tc.shop
			}
			_, err = r.Invoke(context.Background(), Invocation{Connector: "demo", Action: "send", Input: Values{"channel": "#a"}, Credential: cred})
			if tc.wantErr != "" {
				if err == nil || ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want permanent %q", err, tc.wantErr)
				}
				if seen != nil {
					t.Fatal("the action ran with a refused base URL")
				}
				if strings.Contains(err.Error(), "dk_secret_value") {
					t.Fatalf("error leaks the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if seen.BaseURL != tc.wantBase || seen.HTTP.Guarded() != tc.wantGuarded {
				t.Fatalf("base %q guarded %v, want %q guarded %v", seen.BaseURL, seen.HTTP.Guarded(), tc.wantBase, tc.wantGuarded)
			}
		})
	}
}

func TestCredentialOrigin(t *testing.T) {
	s := validSpec()
	s.SelfHosted = true
	tests := []struct {
		name string
		cred Values
		want string
	}{
		{name: "default", cred: Values{}, want: "https://api.demo.test"},
		{name: "path_only_change", cred: Values{BaseURLField: "https://api.demo.test/v2"}, want: "https://api.demo.test"},
		{name: "own_server", cred: Values{BaseURLField: "https://Bots.Example.org:8443/x"}, want: "https://bots.example.org:8443"},
		{name: "downgrade_is_a_change", cred: Values{BaseURLField: "http://api.demo.test"}, want: "http://api.demo.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.CredentialOrigin(tc.cred); got != tc.want {
				t.Fatalf("CredentialOrigin = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCatalogGolden(t *testing.T) {
	r := NewRegistry()
	r.MustRegister(validSpec())
	got, err := json.MarshalIndent(r.Catalog(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "catalog.golden.json")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run with -update): %v", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
		t.Fatalf("catalog differs from %s:\n%s", path, got)
	}
}

func TestMergeFields(t *testing.T) {
	own := []Field{{Name: "bot_token", Type: TypeString, Secret: true}, {Name: "base_url", Type: TypeString}}
	more := []Field{{Name: "signing_secret", Type: TypeString}, {Name: "bot_token", Type: TypeNumber}, {Name: "signing_secret"}}
	got := MergeFields(own, more)
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "bot_token,base_url,signing_secret" {
		t.Fatalf("merged = %v, want own fields first and each name once", names)
	}
	if got[0].Type != TypeString || !got[0].Secret {
		t.Fatal("a field the connector declares itself must win over the trigger's")
	}
	if len(own) != 2 {
		t.Fatal("MergeFields must not modify its input")
	}
}

// TestConnectorCallsRefusePlainHTTP checks that a connector's call over
// plain http:// is refused unless an admin allowed it: a self-hosted
// server's http:// base_url is refused, while an admin's own http://
// override is taken as allowed.
func TestConnectorCallsRefusePlainHTTP(t *testing.T) {
	var calls atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(`{"ok":true}`))
	}))
	defer fake.Close()
	tests := []struct {
		name    string
		cfg     RegistryConfig
		baseURL string
		wantErr string
	}{
		{name: "self-hosted http refused", cfg: RegistryConfig{Allow: []string{"10.0.0.0/8"}}, baseURL: "http://bots.example.org",
			wantErr: "plain http:// to bots.example.org is not allowed; use https:// or ask an admin to allow it with --allow-http"},
		{name: "self-hosted http allowed by --allow-http", cfg: RegistryConfig{Allow: []string{"127.0.0.1"}, AllowHTTP: []string{"127.0.0.1"}}, baseURL: fake.URL},
		{name: "admin override over http", cfg: RegistryConfig{BaseURLs: map[string]string{"demo": fake.URL}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			s := validSpec()
			s.SelfHosted = true
			s.Actions[0].Run = func(ctx context.Context, call *Call) (any, error) {
				return call.HTTP.Do(ctx, &HTTPRequest{URL: call.BaseURL + "/v1/send"})
			}
			r, err := NewRegistryConfig(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			r.MustRegister(s)
			cred := Values{"api_key": "dk_1"}
			if tc.baseURL != "" {
				cred[BaseURLField] = tc.baseURL
			}
			_, err = r.Invoke(context.Background(), Invocation{Connector: "demo", Action: "send", Input: Values{"channel": "#a"}, Credential: cred})
			if tc.wantErr == "" {
				if err != nil || calls.Load() != before+1 {
					t.Fatalf("allowed call failed: %v", err)
				}
				return
			}
			if err == nil || ClassOf(err) != ClassPermanent || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want permanent %q", err, tc.wantErr)
			}
		})
	}
}
