package manage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

const (
	titleInvalidDefinition = "the workflow definition is invalid"
	titleCannotActivate    = "the workflow cannot be activated"
	titleInvalidDraft      = "the draft cannot be saved"
	titleActiveDraft       = "an active workflow cannot be saved as an incomplete draft; deactivate it first"
	titleDraftCannotRun    = "the workflow is a draft and cannot run until it is complete"
)

// Runnable returns nil when v may start a run by hand, or a
// *ValidationError listing what its draft still misses: a draft never
// runs, also not through the run-now route.
func Runnable(v WorkflowView) error {
	if !v.Draft {
		return nil
	}
	// A draft complete but for activation-only checks (a trigger
	// credential) can still be run by hand, as before drafts existed.
	for _, m := range v.Missing {
		if !strings.HasPrefix(m.Message, "is required to activate") {
			return &ValidationError{Title: titleDraftCannotRun, Errors: v.Missing}
		}
	}
	return nil
}

// WorkflowView is a workflow with its current definition and its webhook
// endpoints (with full URLs), as the API returns it.
type WorkflowView struct {
	store.Workflow
	Definition json.RawMessage `json:"definition"`
	Endpoints  []EndpointView  `json:"endpoints"`
	// Draft is true while an inactive workflow cannot be activated yet: its
	// definition does not validate (saved with SaveRequest.Draft) or lacks
	// what activation needs. A draft never runs; Missing lists what
	// activation still needs, each at its JSON path.
	Draft   bool               `json:"draft"`
	Missing []definition.Error `json:"missing,omitempty"`
	// Sample is the event body kept with the workflow: the last one captured
	// by listen mode, or the catalog sample chosen when it was saved.
	Sample json.RawMessage `json:"sample,omitempty"`
}

// SaveRequest is a definition to save, as a complete workflow or a draft.
type SaveRequest struct {
	Definition json.RawMessage
	// Draft allows saving a definition that does not validate yet (no
	// steps, an unfinished step, a credential not created yet). It only
	// needs to be a JSON object of the right shape with a name. A draft is
	// inactive and never runs; activation validates it in full. A draft
	// that happens to be complete is saved as a complete workflow.
	Draft bool
	// Sample, when set, is kept with the workflow as its sample event (the
	// body the field picker and the test run use). It must be a JSON object
	// or array, and needs a webhook trigger, whose endpoint holds it.
	Sample json.RawMessage
}

// EndpointView is an endpoint with its full webhook URL, and the URL it
// had before a rotation while that one still works (grace period).
type EndpointView struct {
	store.Endpoint
	URL         string `json:"url"`
	PreviousURL string `json:"previous_url,omitempty"`
}

// VersionView is one version of a workflow, with its definition.
type VersionView struct {
	store.WorkflowVersion
	Definition json.RawMessage `json:"definition,omitempty"`
}

// Endpoint adds the webhook URL to an endpoint.
func (s *Service) Endpoint(e store.Endpoint) EndpointView {
	v := EndpointView{Endpoint: e, URL: s.WebhookBaseURL + e.Token}
	if e.PreviousToken != "" {
		v.PreviousURL = s.WebhookBaseURL + e.PreviousToken
	}
	return v
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
	return s.Create(ctx, SaveRequest{Definition: raw})
}

// Create saves a new, inactive workflow (version 1), complete or as a
// draft, with its webhook endpoint as soon as the trigger is a webhook
// (so a draft has its URL and listen mode before it has any step), and
// keeps req.Sample with it. A name in use gives store.ErrConflict.
func (s *Service) Create(ctx context.Context, req SaveRequest) (WorkflowView, error) {
	def, err := s.check(ctx, req)
	if err != nil {
		return WorkflowView{}, err
	}
	wf, err := s.Store.CreateWorkflow(ctx, def.Name, compact(req.Definition), hash(def, req.Definition))
	if err != nil {
		return WorkflowView{}, err
	}
	if err := s.ensureEndpoint(ctx, wf.ID, def, req.Sample); err != nil {
		return WorkflowView{}, err
	}
	return s.GetWorkflow(ctx, wf.ID)
}

// UpdateWorkflow validates a definition and saves it as the workflow's next
// immutable version (no new version when it is unchanged). Runs already
// started keep the version they started with.
func (s *Service) UpdateWorkflow(ctx context.Context, id string, raw []byte) (WorkflowView, error) {
	return s.Update(ctx, id, SaveRequest{Definition: raw})
}

// Update saves req as the workflow's next immutable version, complete or
// as a draft. An active workflow cannot become a draft: its next event
// would run an incomplete definition, so that gives a *ValidationError
// asking to deactivate it first.
func (s *Service) Update(ctx context.Context, id string, req SaveRequest) (WorkflowView, error) {
	cur, err := s.Store.GetWorkflow(ctx, id)
	if err != nil {
		return WorkflowView{}, err
	}
	def, err := s.check(ctx, req)
	if err != nil {
		return WorkflowView{}, err
	}
	if cur.Active && req.Draft {
		env, err := s.Env(ctx)
		if err != nil {
			return WorkflowView{}, err
		}
		if errs := s.missing(env, req.Definition); len(errs) > 0 {
			return WorkflowView{}, &ValidationError{Title: titleActiveDraft, Errors: errs}
		}
	}
	wf, err := s.Store.UpdateWorkflow(ctx, id, def.Name, compact(req.Definition), hash(def, req.Definition))
	if err != nil {
		return WorkflowView{}, err
	}
	if err := s.ensureEndpoint(ctx, wf.ID, def, req.Sample); err != nil {
		return WorkflowView{}, err
	}
	if wf.Active {
		if err := s.sync(ctx, wf.ID); err != nil {
			return WorkflowView{}, err
		}
	}
	return s.GetWorkflow(ctx, wf.ID)
}

// check validates req: in full for a complete workflow, only its shape and
// name for a draft. It returns the parsed definition.
func (s *Service) check(ctx context.Context, req SaveRequest) (*definition.Definition, error) {
	if len(req.Sample) > 0 {
		if err := checkSample(req.Sample); err != nil {
			return nil, err
		}
	}
	if !req.Draft {
		def, err := s.Validate(ctx, req.Definition)
		if err == nil && len(req.Sample) > 0 && def.Trigger.Type != definition.TriggerWebhook {
			return nil, invalid(titleInvalidDefinition, "sample", "a sample is kept only with a webhook trigger")
		}
		return def, err
	}
	def, err := parseDraft(req.Definition)
	if err == nil && len(req.Sample) > 0 && def.Trigger.Type != definition.TriggerWebhook {
		return nil, invalid(titleInvalidDraft, "sample", "a sample is kept only with a webhook trigger; choose the trigger first")
	}
	return def, err
}

// parseDraft decodes a draft: a JSON object that decodes into a
// definition (so the webhook route and the UI can read its trigger) and
// names the workflow. Every other problem is left for activation.
func parseDraft(raw []byte) (*definition.Definition, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil, invalid(titleInvalidDraft, "definition", "required: the request body needs a \"definition\" object")
	}
	if trimmed[0] != '{' {
		return nil, invalid(titleInvalidDraft, "definition", "must be a JSON object")
	}
	if len(raw) > definition.DefaultMaxDefinitionBytes {
		return nil, invalid(titleInvalidDraft, "definition", fmt.Sprintf("definition is %d bytes, over the limit of %d", len(raw), definition.DefaultMaxDefinitionBytes))
	}
	var def definition.Definition
	if err := json.Unmarshal(raw, &def); err != nil {
		// Parse names the path and position of a shape problem.
		if _, errs := definition.Parse(raw); len(errs) > 0 {
			return nil, &ValidationError{Title: titleInvalidDraft, Errors: errs}
		}
		return nil, invalid(titleInvalidDraft, "definition", err.Error())
	}
	if strings.TrimSpace(def.Name) == "" {
		return nil, invalid(titleInvalidDraft, "name", "required: even a draft needs a name")
	}
	return &def, nil
}

// checkSample accepts a JSON object or array as a sample event body.
func checkSample(raw json.RawMessage) error {
	t := bytes.TrimSpace(raw)
	if !json.Valid(t) || len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return invalid(titleInvalidDefinition, "sample", "must be a JSON object or array (the event body)")
	}
	if len(t) > MaxSampleBytes {
		return invalid(titleInvalidDefinition, "sample", fmt.Sprintf("is %d bytes, over the limit of %d", len(t), MaxSampleBytes))
	}
	return nil
}

// MaxSampleBytes bounds a sample kept with a workflow, the same order as
// a webhook body; a larger one is refused rather than truncated.
const MaxSampleBytes = 1 << 20

// hash is the content hash of a saved definition: the canonical hash of a
// definition that parses cleanly, else (a draft) the hash of its compact
// bytes, so every edit of a draft still makes a new version.
func hash(def *definition.Definition, raw []byte) string {
	if _, errs := definition.Parse(raw); len(errs) == 0 {
		return definition.Hash(def)
	}
	sum := sha256.Sum256(compact(raw))
	return "draft-" + hex.EncodeToString(sum[:])
}

// missing lists everything that keeps raw from being activated: every
// validation problem, then the activation checks (a trigger credential).
func (s *Service) missing(env definition.Env, raw []byte) []definition.Error {
	def, errs := definition.Parse(raw)
	if def == nil {
		return errs
	}
	errs = append(errs, (&definition.Validator{Env: env, Limits: s.Limits}).Validate(def)...)
	if len(errs) > 0 {
		return errs
	}
	return definition.ActivationErrors(def, env)
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
// the existing one (and so its URL) across versions, and stores sample,
// when given, as that endpoint's sample.
func (s *Service) ensureEndpoint(ctx context.Context, workflowID string, def *definition.Definition, sample json.RawMessage) error {
	if def.Trigger.Type != definition.TriggerWebhook {
		return nil
	}
	eps, err := s.Store.ListEndpoints(ctx, workflowID)
	if err != nil {
		return err
	}
	var ep store.Endpoint
	if len(eps) > 0 {
		ep = eps[0]
	} else if ep, err = s.Store.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: workflowID}); err != nil {
		return err
	}
	if len(sample) == 0 {
		return nil
	}
	return s.Store.SaveEndpointSample(ctx, ep.ID, compact(sample))
}

// GetWorkflow returns a live workflow with its current definition and
// endpoints.
func (s *Service) GetWorkflow(ctx context.Context, id string) (WorkflowView, error) {
	wf, err := s.Store.GetWorkflow(ctx, id)
	if err != nil {
		return WorkflowView{}, err
	}
	env, err := s.Env(ctx)
	if err != nil {
		return WorkflowView{}, err
	}
	return s.view(ctx, env, wf)
}

// view builds the API's view of wf. env judges whether an inactive
// workflow is a draft; it is passed in so a list loads it once.
func (s *Service) view(ctx context.Context, env definition.Env, wf store.Workflow) (WorkflowView, error) {
	eps, err := s.Store.ListEndpoints(ctx, wf.ID)
	if err != nil {
		return WorkflowView{}, err
	}
	v := WorkflowView{Workflow: wf, Definition: json.RawMessage(wf.Definition), Endpoints: make([]EndpointView, len(eps))}
	for i, e := range eps {
		v.Endpoints[i] = s.Endpoint(e)
		if v.Sample == nil && len(e.Sample) > 0 && json.Valid(e.Sample) {
			v.Sample = json.RawMessage(e.Sample)
		}
	}
	if !wf.Active {
		v.Missing = s.missing(env, wf.Definition)
		v.Draft = len(v.Missing) > 0
	}
	return v, nil
}

// ListWorkflows lists live workflows with their endpoints.
func (s *Service) ListWorkflows(ctx context.Context, f store.WorkflowFilter) ([]WorkflowView, string, error) {
	wfs, next, err := s.Store.ListWorkflows(ctx, f)
	if err != nil {
		return nil, "", err
	}
	env, err := s.Env(ctx)
	if err != nil {
		return nil, "", err
	}
	out := make([]WorkflowView, len(wfs))
	for i, wf := range wfs {
		if out[i], err = s.view(ctx, env, wf); err != nil {
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
		// A draft is activated here or nowhere, so the error lists all
		// that is missing, each at the field to fix.
		env, err := s.Env(ctx)
		if err != nil {
			return WorkflowView{}, err
		}
		if errs := s.missing(env, wf.Definition); len(errs) > 0 {
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
