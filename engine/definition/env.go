package definition

import "github.com/hookflow/hookflow/connectors"

// Env is what validation needs from outside the definition: the connector
// catalog and the saved credentials. The API passes one backed by the
// connector registry and the store.
//
// Passing a nil Env to Validate skips every connector, action, input and
// credential check; only `hookflow validate` run offline (no catalog, no
// store) should do that, and it says so in its output.
type Env interface {
	// Connector returns a connector's spec by name.
	Connector(name string) (*connectors.Spec, bool)
	// Action returns an action of a connector.
	Action(connector, action string) (*connectors.Action, bool)
	// Credential reports whether a credential with this name exists and
	// which connector it belongs to. ok with connector "" means "exists,
	// connector unknown", which skips the connector-match check (an
	// environment that knows the catalog but not the credentials, such as
	// `hookflow validate` with the built-in catalog, answers that way).
	Credential(name string) (connector string, ok bool)
}

// WorkflowLookup is an optional capability of an Env that knows the
// saved workflows (the API's, backed by the store). When the Env has it,
// validation refuses a settings.error_workflow or a call_workflow step
// whose target does not exist, instead of every failed run finding out.
// WorkflowExists answers for a workflow id or name; a definition may name
// itself before it is first saved.
type WorkflowLookup interface {
	WorkflowExists(idOrName string) bool
}

// CredentialFielder is an optional interface of an Env that knows which
// fields each saved credential holds (their names only, from the
// credential's hint; no secret is read). Validation then refuses an action
// step whose credential lacks a field the connector's actions need
// (connectors.Field.ForActions), such as a Telegram credential saved for
// the trigger alone. ok is false when the Env cannot tell for name (an
// OAuth connection, whose tokens the engine manages).
type CredentialFielder interface {
	CredentialFields(name string) (fields []string, ok bool)
}

// StaticEnv is an Env over a fixed list of specs and credentials. A nil
// Credentials map means credentials are not known: every name exists and
// belongs to no particular connector. Likewise a nil Workflows.
type StaticEnv struct {
	Specs []*connectors.Spec
	// Credentials maps credential name → connector name.
	Credentials map[string]string
	// Workflows holds the ids and names of the saved workflows.
	Workflows map[string]bool
	// Fields maps credential name → the names of the fields it holds;
	// nil, or a name missing, means unknown (see CredentialFielder).
	Fields map[string][]string
}

var (
	_ Env               = (*StaticEnv)(nil)
	_ WorkflowLookup    = (*StaticEnv)(nil)
	_ CredentialFielder = (*StaticEnv)(nil)
)

// WorkflowExists implements WorkflowLookup.
func (e *StaticEnv) WorkflowExists(idOrName string) bool {
	return e.Workflows == nil || e.Workflows[idOrName]
}

// CredentialFields implements CredentialFielder.
func (e *StaticEnv) CredentialFields(name string) ([]string, bool) {
	f, ok := e.Fields[name]
	return f, ok
}

// Connector implements Env.
func (e *StaticEnv) Connector(name string) (*connectors.Spec, bool) {
	for _, s := range e.Specs {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// Action implements Env.
func (e *StaticEnv) Action(connector, action string) (*connectors.Action, bool) {
	s, ok := e.Connector(connector)
	if !ok {
		return nil, false
	}
	for _, a := range s.Actions {
		if a.Name == action {
			return a, true
		}
	}
	return nil, false
}

// Credential implements Env.
func (e *StaticEnv) Credential(name string) (string, bool) {
	if e.Credentials == nil {
		return "", true
	}
	c, ok := e.Credentials[name]
	return c, ok
}

// RegistryEnv adapts a connector registry, plus an optional credential
// lookup (nil: credentials are not known, so every name exists and the
// connector-match check is skipped), to Env.
type RegistryEnv struct {
	Registry *connectors.Registry
	// Credentials looks a saved credential up by name and returns its
	// connector; the API passes a store-backed function.
	Credentials func(name string) (connector string, ok bool)
}

var _ Env = RegistryEnv{}

// Connector implements Env.
func (e RegistryEnv) Connector(name string) (*connectors.Spec, bool) {
	return e.Registry.Connector(name)
}

// Action implements Env.
func (e RegistryEnv) Action(connector, action string) (*connectors.Action, bool) {
	a, err := e.Registry.Action(connector, action)
	return a, err == nil
}

// Credential implements Env.
func (e RegistryEnv) Credential(name string) (string, bool) {
	if e.Credentials == nil {
		return "", true
	}
	return e.Credentials(name)
}
