// Package manage holds the business rules behind hookflow's REST API and
// CLI: saving workflows (validated against the live connector catalog and
// the saved credentials, with their webhook endpoints), activation, and
// credentials (validated against the connector's credential spec,
// encrypted at rest, masked for display, and protected from deletion while
// an active workflow uses them).
//
// The API's gin handlers bind a request, call a Service method and render
// the result; every rule lives here so the CLI, tests and any future
// transport share it. Errors that the API maps to specific HTTP statuses
// are typed: *ValidationError (422), *InUseError (409), and the store's
// sentinels (store.ErrNotFound → 404, store.ErrConflict → 409).
package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// pageSize is how many rows the service reads per page when it must see a
// whole table (credential names for validation, active workflows for the
// in-use check).
const pageSize = store.MaxListLimit

// Service implements the management operations. Store and Registry are
// required; Keyring is required for credentials.
type Service struct {
	Store    *store.Store
	Registry *connectors.Registry
	Keyring  *secrets.Keyring
	// WebhookBaseURL prefixes endpoint tokens into full webhook URLs, e.g.
	// "https://hooks.example.com/hooks/".
	WebhookBaseURL string
	// SyncSchedule, when set, is called after a workflow is activated,
	// deactivated, updated or deleted, so its Temporal schedule follows
	// (the triggers service creates, pauses or deletes it). An error is
	// returned to the caller after the store change, which is kept.
	SyncSchedule func(ctx context.Context, workflowID string) error
	// Limits bound definition validation; zero takes the defaults.
	Limits definition.Limits
}

// ValidationError lists every problem found in a request, each with its
// JSON path and, for definitions, its position.
type ValidationError struct {
	// Title summarises the failure, e.g. "the workflow definition is invalid".
	Title  string
	Errors []definition.Error
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, d := range e.Errors {
		parts[i] = d.Error()
	}
	return e.Title + ": " + strings.Join(parts, "; ")
}

// InUseError is returned when deleting a credential that active workflows
// use; it names them.
type InUseError struct {
	Credential string
	Workflows  []WorkflowRef
}

// WorkflowRef names a workflow.
type WorkflowRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (e *InUseError) Error() string {
	names := make([]string, len(e.Workflows))
	for i, w := range e.Workflows {
		names[i] = fmt.Sprintf("%q (%s)", w.Name, w.ID)
	}
	return fmt.Sprintf("credential %q is used by active workflows %s; deactivate them or change their definitions first",
		e.Credential, strings.Join(names, ", "))
}

// invalid builds a *ValidationError with one problem.
func invalid(title, path, message string) error {
	return &ValidationError{Title: title, Errors: []definition.Error{{Path: path, Message: message}}}
}

// IsValidation reports whether err is a *ValidationError and returns it.
func IsValidation(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// Env returns the validation environment: the live connector catalog, the
// names of the saved credentials with their connectors, and the ids and
// names of the live workflows (error_workflow and call_workflow targets).
func (s *Service) Env(ctx context.Context) (definition.Env, error) {
	env := &definition.StaticEnv{Credentials: map[string]string{}, Workflows: map[string]bool{}, Fields: map[string][]string{}}
	for cursor := ""; ; {
		wfs, next, err := s.Store.ListWorkflows(ctx, store.WorkflowFilter{ListOptions: store.ListOptions{Limit: pageSize, Cursor: cursor}})
		if err != nil {
			return nil, fmt.Errorf("loading workflow names: %w", err)
		}
		for _, w := range wfs {
			env.Workflows[w.ID], env.Workflows[w.Name] = true, true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, name := range s.Registry.Names() {
		if spec, ok := s.Registry.Connector(name); ok {
			env.Specs = append(env.Specs, spec)
		}
	}
	cursor := ""
	for {
		creds, next, err := s.Store.ListCredentials(ctx, store.ListOptions{Limit: pageSize, Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("loading credential names: %w", err)
		}
		for _, c := range creds {
			env.Credentials[c.Name] = c.Connector
			// The hint has one key per stored field. An OAuth connection's
			// tokens are managed by the engine, so its fields are not judged.
			var hint map[string]any
			if c.Status == "" && json.Unmarshal(c.Hint, &hint) == nil {
				fields := make([]string, 0, len(hint))
				for k := range hint {
					fields = append(fields, k)
				}
				env.Fields[c.Name] = fields
			}
		}
		if next == "" {
			return env, nil
		}
		cursor = next
	}
}

// eachActiveWorkflow calls fn for every active workflow.
func (s *Service) eachActiveWorkflow(ctx context.Context, fn func(store.Workflow) error) error {
	active := true
	cursor := ""
	for {
		wfs, next, err := s.Store.ListWorkflows(ctx, store.WorkflowFilter{Active: &active, ListOptions: store.ListOptions{Limit: pageSize, Cursor: cursor}})
		if err != nil {
			return fmt.Errorf("listing active workflows: %w", err)
		}
		for _, w := range wfs {
			if err := fn(w); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// credentialNames returns every credential a definition names: the
// trigger's and every step's, nested steps included.
func credentialNames(def *definition.Definition) map[string]bool {
	out := map[string]bool{}
	if def.Trigger.Credential != "" {
		out[def.Trigger.Credential] = true
	}
	var walk func([]*definition.Step)
	walk = func(steps []*definition.Step) {
		for _, st := range steps {
			if st == nil {
				continue
			}
			if st.Credential != "" {
				out[st.Credential] = true
			}
			walk(st.Steps)
			for _, b := range st.Branches {
				walk(b.Steps)
			}
		}
	}
	walk(def.Steps)
	return out
}

// decodeValues decodes a JSON object of credential values, keeping
// numbers exact.
func decodeValues(raw []byte) (connectors.Values, error) {
	var v connectors.Values
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
