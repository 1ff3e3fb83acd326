package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

const (
	titleInvalidDefinition = "the workflow definition is invalid"
	titleCannotActivate    = "the workflow cannot be activated"
)

// WorkflowView is a workflow with its current definition and its webhook
// endpoints (with full URLs), as the API returns it.
type WorkflowView struct {
	store.Workflow
	Definition json.RawMessage `json:"definition"`
	Endpoints  []EndpointView  `json:"endpoints"`
}

// EndpointView is an endpoint with its full webhook URL.
type EndpointView struct {
	store.Endpoint
	URL string `json:"url"`
}

// VersionView is one version of a workflow, with its definition.
type VersionView struct {
	store.WorkflowVersion
	Definition json.RawMessage `json:"definition,omitempty"`
}

// Endpoint adds the webhook URL to an endpoint.
func (s *Service) Endpoint(e store.Endpoint) EndpointView {
	return EndpointView{Endpoint: e, URL: s.WebhookBaseURL + e.Token}
}

// Validate parses and validates a definition against the live catalog and
// the saved credentials, without saving. It returns the parsed definition,
// or a *ValidationError listing every problem.
func (s *Service) Validate(ctx context.Context, raw []byte) (*definition.Definition, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, invalid(titleInvalidDefinition, "definition", "required: the request body needs a \"definition\" object")
	}
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	def, errs := definition.Parse(raw)
	if def != nil {
		errs = append(errs, (&definition.Validator{Env: env, Limits: s.Limits}).Validate(def)...)
	}
	if len(errs) > 0 {
		return def, &ValidationError{Title: titleInvalidDefinition, Errors: errs}
	}
	return def, nil
}

// Warnings returns the trigger paths def reads that its samples do not
// hold (see definition.Validator.Check): the sample captured by the
// endpoint of the saved workflow of the same name, when there is one,
// else the connector's recorded samples of the trigger's events. def must
// be valid. Warnings never block a save or an activation.
func (s *Service) Warnings(ctx context.Context, def *definition.Definition) ([]definition.Error, error) {
	env, err := s.Env(ctx)
	if err != nil {
		return nil, err
	}
	samples := definition.TriggerSamples(def, env)
	if wf, err := s.Store.GetWorkflowByName(ctx, def.Name); err == nil {
		eps, err := s.Store.ListEndpoints(ctx, wf.ID)
		if err != nil {
			return nil, err
		}
		var saved []json.RawMessage
		for _, ep := range eps {
			if len(ep.Sample) > 0 && json.Valid(ep.Sample) {
				saved = append(saved, ep.Sample)
			}
		}
		if len(saved) > 0 {
			samples = saved
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	_, warns := (&definition.Validator{Env: env, Limits: s.Limits, Samples: samples}).Check(def)
	return warns, nil
}

// compact removes insignificant whitespace but keeps the author's key
// order, so what GET returns reads like what was saved.
func compact(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// CreateWorkflow validates and saves a new, inactive workflow (version 1)
// named by the definition's name, and gives it a webhook endpoint when its
// trigger is a webhook. A name in use gives store.ErrConflict.
func (s *Service) CreateWorkflow(ctx context.Context, raw []byte) (WorkflowView, error) {
	def, err := s.Validate(ctx, raw)
	if err != nil {
		return WorkflowView{}, err
	}
	wf, err := s.Store.CreateWorkflow(ctx, def.Name, compact(raw), definition.Hash(def))
	if err != nil {
		return WorkflowView{}, err
	}
	if err := s.ensureEndpoint(ctx, wf.ID, def); err != nil {
		return WorkflowView{}, err
	}
	return s.GetWorkflow(ctx, wf.ID)
}

// UpdateWorkflow validates a definition and saves it as the workflow's next
// immutable version (no new version when it is unchanged). Runs already
// started keep the version they started with.
func (s *Service) UpdateWorkflow(ctx context.Context, id string, raw []byte) (WorkflowView, error) {
	if _, err := s.Store.GetWorkflow(ctx, id); err != nil {
		return WorkflowView{}, err
	}
	def, err := s.Validate(ctx, raw)
	if err != nil {
		return WorkflowView{}, err
	}
	wf, err := s.Store.UpdateWorkflow(ctx, id, def.Name, compact(raw), definition.Hash(def))
	if err != nil {
		return WorkflowView{}, err
	}
	if err := s.ensureEndpoint(ctx, wf.ID, def); err != nil {
		return WorkflowView{}, err
	}
	if wf.Active {
		if err := s.sync(ctx, wf.ID); err != nil {
			return WorkflowView{}, err
		}
	}
	return s.GetWorkflow(ctx, wf.ID)
}

// ApplyWorkflow creates the workflow named by the definition, or updates
// it when a live workflow has that name (the CLI's `apply`). created says
// which happened.
func (s *Service) ApplyWorkflow(ctx context.Context, raw []byte) (view WorkflowView, created bool, err error) {
	def, err := s.Validate(ctx, raw)
	if err != nil {
		return WorkflowView{}, false, err
	}
	existing, err := s.Store.GetWorkflowByName(ctx, def.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		view, err = s.CreateWorkflow(ctx, raw)
		return view, err == nil, err
	case err != nil:
		return WorkflowView{}, false, err
	}
	view, err = s.UpdateWorkflow(ctx, existing.ID, raw)
	return view, false, err
}

// ensureEndpoint gives a webhook-triggered workflow one endpoint, keeping
// the existing one (and so its URL) across versions.
func (s *Service) ensureEndpoint(ctx context.Context, workflowID string, def *definition.Definition) error {
	if def.Trigger.Type != definition.TriggerWebhook {
		return nil
	}
	eps, err := s.Store.ListEndpoints(ctx, workflowID)
	if err != nil {
		return err
	}
	if len(eps) > 0 {
		return nil
	}
	_, err = s.Store.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: workflowID})
	return err
}

// GetWorkflow returns a live workflow with its current definition and
// endpoints.
func (s *Service) GetWorkflow(ctx context.Context, id string) (WorkflowView, error) {
	wf, err := s.Store.GetWorkflow(ctx, id)
	if err != nil {
		return WorkflowView{}, err
	}
	return s.view(ctx, wf)
}

func (s *Service) view(ctx context.Context, wf store.Workflow) (WorkflowView, error) {
	eps, err := s.Store.ListEndpoints(ctx, wf.ID)
	if err != nil {
		return WorkflowView{}, err
	}
	v := WorkflowView{Workflow: wf, Definition: json.RawMessage(wf.Definition), Endpoints: make([]EndpointView, len(eps))}
	for i, e := range eps {
		v.Endpoints[i] = s.Endpoint(e)
	}
	return v, nil
}

// ListWorkflows lists live workflows with their endpoints.
func (s *Service) ListWorkflows(ctx context.Context, f store.WorkflowFilter) ([]WorkflowView, string, error) {
	wfs, next, err := s.Store.ListWorkflows(ctx, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]WorkflowView, len(wfs))
	for i, wf := range wfs {
		if out[i], err = s.view(ctx, wf); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// ResolveWorkflow finds a live workflow by id, or by name when no id
// matches (the CLI lets users type either).
func (s *Service) ResolveWorkflow(ctx context.Context, idOrName string) (store.Workflow, error) {
	wf, err := s.Store.GetWorkflow(ctx, idOrName)
	if errors.Is(err, store.ErrNotFound) {
		return s.Store.GetWorkflowByName(ctx, idOrName)
	}
	return wf, err
}

// SetActive activates or deactivates a workflow and syncs its schedule.
// Activation re-validates the current version, so a workflow whose
// credential was deleted meanwhile cannot go live.
func (s *Service) SetActive(ctx context.Context, id string, active bool) (WorkflowView, error) {
	wf, err := s.Store.GetWorkflow(ctx, id)
	if err != nil {
		return WorkflowView{}, err
	}
	if active {
		def, err := s.Validate(ctx, wf.Definition)
		if err != nil {
			return WorkflowView{}, err
		}
		env, err := s.Env(ctx)
		if err != nil {
			return WorkflowView{}, err
		}
		if errs := definition.ActivationErrors(def, env); len(errs) > 0 {
			return WorkflowView{}, &ValidationError{Title: titleCannotActivate, Errors: errs}
		}
	}
	if err := s.Store.SetWorkflowActive(ctx, id, active); err != nil {
		return WorkflowView{}, err
	}
	if err := s.sync(ctx, id); err != nil {
		return WorkflowView{}, err
	}
	return s.GetWorkflow(ctx, id)
}

// DeleteWorkflow soft-deletes a workflow (runs, events and versions stay)
// and removes its schedule.
func (s *Service) DeleteWorkflow(ctx context.Context, id string) error {
	if err := s.Store.DeleteWorkflow(ctx, id); err != nil {
		return err
	}
	return s.sync(ctx, id)
}

// ErrScheduleSync wraps a failure to bring a workflow's Temporal schedule
// in line after its store change, which is kept; repeating the request
// retries the sync (it is idempotent).
var ErrScheduleSync = errors.New("the workflow was saved, but its schedule could not be synced; repeat the request")

func (s *Service) sync(ctx context.Context, id string) error {
	if s.SyncSchedule == nil || !s.scheduled(ctx, id) {
		return nil
	}
	if err := s.SyncSchedule(ctx, id); err != nil {
		return fmt.Errorf("workflow %s: %w: %w", id, ErrScheduleSync, err)
	}
	return nil
}

// scheduled reports whether the current or the previous version of a
// workflow has a schedule trigger: only those can have a schedule to
// create, update, pause or delete, so webhook workflows never wait on
// Temporal. When unsure it answers true.
func (s *Service) scheduled(ctx context.Context, id string) bool {
	vs, _, err := s.Store.ListVersions(ctx, id, store.ListOptions{Limit: 2})
	if err != nil {
		return true
	}
	for _, v := range vs {
		var d struct {
			Trigger struct {
				Type string `json:"type"`
			} `json:"trigger"`
		}
		if json.Unmarshal(v.Definition, &d) != nil || d.Trigger.Type == definition.TriggerSchedule {
			return true
		}
	}
	return false
}

// ListVersions lists a workflow's versions, newest first, without
// definitions.
func (s *Service) ListVersions(ctx context.Context, id string, opts store.ListOptions) ([]VersionView, string, error) {
	vs, next, err := s.Store.ListVersions(ctx, id, opts)
	if err != nil {
		return nil, "", err
	}
	out := make([]VersionView, len(vs))
	for i, v := range vs {
		out[i] = VersionView{WorkflowVersion: v}
	}
	return out, next, nil
}

// GetVersion returns one version with its definition.
func (s *Service) GetVersion(ctx context.Context, id string, n int) (VersionView, error) {
	v, err := s.Store.GetVersion(ctx, id, n)
	if err != nil {
		return VersionView{}, err
	}
	return VersionView{WorkflowVersion: v, Definition: json.RawMessage(v.Definition)}, nil
}
