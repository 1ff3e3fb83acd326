package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Connector is anything that can describe itself with a Spec. A *Spec is a
// Connector, so simple connectors register their spec directly; a connector
// that holds configuration (a base URL, a clock) can be its own type.
//
// Spec is called once, at Register; the registry keeps the returned spec and
// never calls Spec again, so it need not be cheap or stable.
type Connector interface {
	Spec() *Spec
}

// Spec returns s itself, which makes every *Spec a Connector.
func (s *Spec) Spec() *Spec { return s }

var _ Connector = (*Spec)(nil)

// RegistryConfig configures a Registry.
type RegistryConfig struct {
	// Client configures the shared client that provider actions use.
	// Guard, Allow and AllowHTTP are ignored here: the fields below set them.
	Client ClientConfig
	// Allow is the SSRF allowlist of the guarded client used for URLs users
	// type: the http step, outgoing webhooks, and a SelfHosted connector's
	// own host. What it lists may also be called over plain http.
	Allow []string
	// AllowHTTP lists destinations that outgoing calls may reach over plain
	// http:// (host names, IPs, CIDRs, or "*" for any); every other http://
	// URL is refused. The hosts of BaseURLs are added: an admin who typed
	// an http:// override meant it.
	AllowHTTP []string
	// BaseURLs overrides connectors' base URLs by connector name, for
	// deployments behind a proxy and for tests. It wins over a credential's
	// base_url, and its calls run on the provider client.
	BaseURLs map[string]string
}

// Registry holds the connectors a hookflow process knows. It is built once
// at start-up (see connectors/all) and read concurrently afterwards.
type Registry struct {
	mu       sync.RWMutex
	specs    map[string]*Spec
	baseURLs map[string]string
	provider *Client // provider APIs: timeouts and caps, no guard
	guarded  *Client // user-typed URLs: SSRF guard on
}

// NewRegistry returns an empty registry with default clients.
func NewRegistry() *Registry {
	r, err := NewRegistryConfig(RegistryConfig{})
	if err != nil {
		panic(err) // unreachable: the default config has no allowlist to parse
	}
	return r
}

// NewRegistryConfig returns an empty registry configured by cfg. It fails
// when an allowlist entry or an overriding base URL does not parse.
func NewRegistryConfig(cfg RegistryConfig) (*Registry, error) {
	r := &Registry{specs: map[string]*Spec{}, baseURLs: map[string]string{}}
	plain := append([]string(nil), cfg.AllowHTTP...)
	for name, raw := range cfg.BaseURLs {
		u, err := parseBaseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("base URL override for %s: %w", name, err)
		}
		r.baseURLs[name] = raw
		plain = append(plain, u.Hostname())
	}
	pc := cfg.Client
	pc.Guard = false
	// The provider client has no guard, so Allow only widens plain http.
	pc.Allow = cfg.Allow
	pc.AllowHTTP = plain
	provider, err := NewClient(pc)
	if err != nil {
		return nil, fmt.Errorf("building provider client: %w", err)
	}
	gc := cfg.Client
	gc.Guard = true
	gc.Allow = cfg.Allow
	gc.AllowHTTP = cfg.AllowHTTP
	guarded, err := NewClient(gc)
	if err != nil {
		return nil, fmt.Errorf("building guarded client: %w", err)
	}
	r.provider, r.guarded = provider, guarded
	return r, nil
}

// ProviderClient is the shared client for provider APIs (no SSRF guard).
func (r *Registry) ProviderClient() *Client { return r.provider }

// GuardedClient is the shared client for URLs users type (SSRF guard on).
func (r *Registry) GuardedClient() *Client { return r.guarded }

// Register adds a connector after checking its spec: names are snake_case
// and unique, fields have known types, defaults match their type and enum,
// patterns compile, actions have Run, triggers have a Verifier and an
// Extractor, and samples are valid JSON. A duplicate connector name fails.
// The returned error lists every problem found, each with its path.
func (r *Registry) Register(c Connector) error {
	if c == nil {
		return errors.New("registering connector: nil connector")
	}
	s := c.Spec()
	if s == nil {
		return errors.New("registering connector: Spec() returned nil")
	}
	if err := CheckSpec(s); err != nil {
		return fmt.Errorf("registering connector %q: %w", s.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.specs[s.Name]; dup {
		return fmt.Errorf("registering connector %q: a connector with that name is already registered", s.Name)
	}
	r.specs[s.Name] = s
	return nil
}

// MustRegister is Register that panics. Use it only where a bad spec is a
// programming error caught by tests (connectors/all recovers it into an
// error).
func (r *Registry) MustRegister(c Connector) {
	if err := r.Register(c); err != nil {
		panic(err)
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// apiHostPattern is a DNS name, optionally behind "*." for any subdomain.
var apiHostPattern = regexp.MustCompile(`^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// SpecError lists every problem in a spec.
type SpecError struct {
	Problems []string
}

func (e *SpecError) Error() string {
	msg := "invalid spec: "
	for i, p := range e.Problems {
		if i > 0 {
			msg += "; "
		}
		msg += p
	}
	return msg
}

// CheckSpec validates a spec without registering it. Register calls it;
// connector tests may too.
func CheckSpec(s *Spec) error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if !snakeCase.MatchString(s.Name) {
		add("name %q must be snake_case (a-z, 0-9, _)", s.Name)
	}
	if s.Title == "" {
		add("title: required")
	}
	if s.BaseURL != "" {
		if err := checkBaseURL(s.BaseURL); err != nil {
			add("base_url: %v", err)
		}
	}
	for i, h := range s.APIHosts {
		if !apiHostPattern.MatchString(h) {
			add("api_hosts[%d]: %q is not a host name or *.host name", i, h)
		}
	}
	checkFields := func(path string, fields []Field) {
		seen := map[string]bool{}
		for i, f := range fields {
			fp := fmt.Sprintf("%s[%d]", path, i)
			if f.Name != "" {
				fp = path + "." + f.Name
			}
			if !snakeCase.MatchString(f.Name) {
				add("%s: name %q must be snake_case", fp, f.Name)
			}
			if seen[f.Name] {
				add("%s: declared twice", fp)
			}
			seen[f.Name] = true
			switch f.Type {
			case TypeString, TypeNumber, TypeInteger, TypeBoolean, TypeObject, TypeArray, TypeAny:
			case "":
				add("%s: type required", fp)
				continue
			default:
				add("%s: unknown type %q", fp, f.Type)
				continue
			}
			if len(f.Enum) > 0 && f.Type != TypeString {
				add("%s: enum is only for string fields", fp)
			}
			if f.Pattern != "" {
				if _, err := compilePattern(f.Pattern); err != nil {
					add("%s: pattern does not compile: %v", fp, err)
					continue
				}
			}
			if f.Default != nil {
				if _, problem := checkValue(f, f.Default); problem != "" {
					add("%s: default: %s", fp, problem)
				}
			}
			if f.Secret && f.Default != nil {
				add("%s: a secret field cannot have a default", fp)
			}
			if f.ForActions && path != "credential" {
				add("%s: for_actions is only for credential fields", fp)
			}
		}
		probs = append(probs, checkConditions(path, fields)...)
	}
	checkFields("credential", s.Credential)
	probs = append(probs, checkOAuth(s)...)
	actions := map[string]bool{}
	for i, a := range s.Actions {
		if a == nil {
			add("actions[%d]: nil", i)
			continue
		}
		ap := "actions." + a.Name
		if !snakeCase.MatchString(a.Name) {
			add("actions[%d]: name %q must be snake_case", i, a.Name)
		}
		if actions[a.Name] {
			add("%s: declared twice", ap)
		}
		actions[a.Name] = true
		if a.Title == "" {
			add("%s.title: required", ap)
		}
		if a.Run == nil {
			add("%s.run: required", ap)
		}
		if len(a.OutputSample) > 0 && !json.Valid(a.OutputSample) {
			add("%s.output_sample: not valid JSON", ap)
		}
		checkFields(ap+".input", a.Input)
	}
	triggers := map[string]bool{}
	for i, t := range s.Triggers {
		if t == nil {
			add("triggers[%d]: nil", i)
			continue
		}
		tp := "triggers." + t.Name
		if !snakeCase.MatchString(t.Name) {
			add("triggers[%d]: name %q must be snake_case", i, t.Name)
		}
		if triggers[t.Name] {
			add("%s: declared twice", tp)
		}
		triggers[t.Name] = true
		if t.Verifier == nil {
			add("%s.verifier: required", tp)
		}
		if t.Extractor == nil {
			add("%s.extractor: required", tp)
		}
		for typ, sample := range t.Samples {
			if !json.Valid(sample) {
				add("%s.samples[%q]: not valid JSON", tp, typ)
			}
		}
		checkFields(tp+".options", t.Options)
	}
	if len(probs) > 0 {
		sort.Strings(probs)
		return &SpecError{Problems: probs}
	}
	return nil
}

func checkBaseURL(s string) error {
	_, err := parseBaseURL(s)
	return err
}

// Names returns the registered connector names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.specs))
	for n := range r.specs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Connector returns the spec registered under name.
func (r *Registry) Connector(name string) (*Spec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.specs[name]
	return s, ok
}

// NotFoundError says which connector, action or trigger does not exist.
type NotFoundError struct {
	Kind, Name string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("unknown %s %q", e.Kind, e.Name) }

// Action returns one action of one connector, or a *NotFoundError naming
// what is missing.
func (r *Registry) Action(connector, action string) (*Action, error) {
	s, ok := r.Connector(connector)
	if !ok {
		return nil, &NotFoundError{Kind: "connector", Name: connector}
	}
	for _, a := range s.Actions {
		if a.Name == action {
			return a, nil
		}
	}
	return nil, &NotFoundError{Kind: "action", Name: connector + "." + action}
}

// Trigger returns one trigger of one connector, or a *NotFoundError.
func (r *Registry) Trigger(connector, trigger string) (*Trigger, error) {
	s, ok := r.Connector(connector)
	if !ok {
		return nil, &NotFoundError{Kind: "connector", Name: connector}
	}
	for _, t := range s.Triggers {
		if t.Name == trigger {
			return t, nil
		}
	}
	return nil, &NotFoundError{Kind: "trigger", Name: connector + "." + trigger}
}

// BaseURL resolves the base URL an action call with credential goes to:
// the admin override (RegistryConfig.BaseURLs) when there is one, else the
// credential's (Spec.CredentialBaseURL: the provider's API, or a
// SelfHosted connector's own host). custom is true for a customer's own
// host, which the caller must reach through the SSRF-guarded client. The
// error, a refused base_url or a missing account field, is Permanent.
func (r *Registry) BaseURL(connector string, credential Values) (base string, custom bool, err error) {
	base, custom, err = r.baseURL(connector, credential)
	if err != nil {
		return "", false, Permanent(err)
	}
	return base, custom, nil
}

func (r *Registry) baseURL(connector string, credential Values) (base string, custom bool, err error) {
	r.mu.RLock()
	override, overridden := r.baseURLs[connector]
	s, ok := r.specs[connector]
	r.mu.RUnlock()
	if overridden {
		return override, false, nil
	}
	if !ok {
		return "", false, &NotFoundError{Kind: "connector", Name: connector}
	}
	return s.CredentialBaseURL(credential)
}

// defaultBaseURL is the base URL a connector uses without a credential's
// say: the admin override, else the spec's.
func (r *Registry) defaultBaseURL(connector string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if u, ok := r.baseURLs[connector]; ok {
		return u
	}
	if s, ok := r.specs[connector]; ok {
		return s.BaseURL
	}
	return ""
}

// Invocation is one action call as the engine's activity makes it.
type Invocation struct {
	Connector string
	Action    string
	// Input is the step's rendered input, not yet validated.
	Input Values
	// Credential is the decrypted credential, or nil.
	Credential Values
	// RunID and StepID derive the idempotency key; StepID should include a
	// foreach iteration index where there is one.
	RunID  string
	StepID string
}

// Invoke validates an invocation and runs the action. It validates the
// input and credential against the spec (a failure is Permanent and names
// the field), resolves the base URL (see BaseURL), picks the client (the
// guarded one for connectors with UserURLs and for a SelfHosted
// connector's own host), derives the idempotency key and calls Run. The returned
// error keeps its class (see ClassOf) and is wrapped with the action name.
func (r *Registry) Invoke(ctx context.Context, inv Invocation) (any, error) {
	a, err := r.Action(inv.Connector, inv.Action)
	if err != nil {
		return nil, Permanent(err)
	}
	call, err := r.NewCall(inv)
	if err != nil {
		return nil, err
	}
	out, err := a.Run(ctx, call)
	if err != nil {
		return nil, fmt.Errorf("running %s.%s: %w", inv.Connector, inv.Action, err)
	}
	return out, nil
}

// NewCall builds the *Call that Invoke passes to Run, for callers that run
// the action themselves.
func (r *Registry) NewCall(inv Invocation) (*Call, error) {
	s, ok := r.Connector(inv.Connector)
	if !ok {
		return nil, Permanent(&NotFoundError{Kind: "connector", Name: inv.Connector})
	}
	a, err := r.Action(inv.Connector, inv.Action)
	if err != nil {
		return nil, Permanent(err)
	}
	input, err := ValidateInput(a.Input, inv.Input)
	if err != nil {
		return nil, Permanent(fmt.Errorf("validating %s.%s: %w", inv.Connector, inv.Action, err))
	}
	var cred Values
	if len(s.Credential) > 0 || inv.Credential != nil {
		cred, err = ValidateActionCredential(s.Credential, inv.Credential)
		if err != nil {
			return nil, Permanent(fmt.Errorf("validating %s credential: %w", inv.Connector, err))
		}
	}
	base := ""
	custom := false
	if !s.UserURLs {
		if base, custom, err = r.baseURL(inv.Connector, cred); err != nil {
			return nil, Permanent(fmt.Errorf("validating %s credential: %w", inv.Connector, err))
		}
	}
	client := r.provider
	if s.UserURLs || custom {
		client = r.guarded
	}
	return &Call{
		Input:          input,
		Credential:     cred,
		IdempotencyKey: IdempotencyKey(inv.RunID, inv.StepID),
		HTTP:           client,
		BaseURL:        base,
	}, nil
}
