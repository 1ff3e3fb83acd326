package interpreter

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/connectors"
	hfhttp "github.com/hookflow/hookflow/connectors/http"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
)

// ActionRequest is the input of the action activity. It names the
// credential; the secret values are read and decrypted inside the activity
// and never enter history.
type ActionRequest struct {
	RunID      string         `json:"run_id"`
	WorkflowID string         `json:"workflow_id,omitempty"`
	Step       string         `json:"step"` // step path; with RunID it gives the idempotency key
	Connector  string         `json:"connector"`
	Action     string         `json:"action"`
	Credential string         `json:"credential,omitempty"`
	Input      map[string]any `json:"input,omitempty"`
	// Attempts places this activity in the step's retry budget, for the
	// attempts it records (attempts.go); nil in inputs made before it.
	Attempts *AttemptPlan `json:"attempts,omitempty"`
}

// StepOutput is what the action and http activities return: the output,
// or a blob reference when it is large, and the attempt that produced it.
type StepOutput struct {
	Output  any `json:"output"`
	Attempt int `json:"attempt"`
}

// HTTPRequest is the input of the http activity (the http step, rendered).
type HTTPRequest struct {
	RunID      string            `json:"run_id"`
	Step       string            `json:"step"`
	Method     string            `json:"method,omitempty"`
	URL        string            `json:"url"`
	Headers    map[string]string `json:"headers,omitempty"`
	Query      map[string]string `json:"query,omitempty"`
	Body       any               `json:"body,omitempty"`
	Credential string            `json:"credential,omitempty"`
	// Attempts is as in ActionRequest.
	Attempts *AttemptPlan `json:"attempts,omitempty"`
}

// ResolveRequest evaluates an expression, template or mapping in a data
// context whose step outputs may be blob references.
type ResolveRequest struct {
	Op     string         `json:"op"`
	Source any            `json:"source"`
	Data   map[string]any `json:"data"`
	Now    time.Time      `json:"now"`
	// Exact asks for exact integers (interpreter version 8): Data and
	// blobs decode integers as int, and lookups keep them so.
	Exact bool `json:"exact,omitempty"`
	// Strict makes a template's missing bare path an error (interpreter
	// version 8, expression.Scope.WithStrictPaths).
	Strict bool `json:"strict,omitempty"`
}

// ResolveResult is the value Resolve computed.
type ResolveResult struct {
	Value any `json:"value"`
}

// SaveRunRequest is the run summary the interpreter writes at the start and
// the end of a run.
type SaveRunRequest struct {
	Log           RunLog `json:"log"`
	TemporalRunID string `json:"temporal_run_id,omitempty"`
	// ExecutionID is the workflow id of the batch that carries the run;
	// "" for a run with its own execution.
	ExecutionID string          `json:"execution_id,omitempty"`
	Output      json.RawMessage `json:"output,omitempty"`
	RetryOf     string          `json:"retry_of,omitempty"`
	// UpdateEvent moves the triggering event's status along with the run.
	UpdateEvent bool `json:"update_event,omitempty"`
	// Event is the event row to log for a run that has none (a scheduled
	// run), before the summary; a row that exists is left alone.
	Event *RunEvent `json:"event,omitempty"`
	// WorkflowName and Connector (the trigger's) label the runs metric;
	// they only ride along in the activity's input, so adding them
	// changed no command of the run (no interpreter version).
	WorkflowName string `json:"workflow_name,omitempty"`
	Connector    string `json:"connector,omitempty"`
}

// LoadedWorkflow is a workflow's current version, for call_workflow and
// error workflows.
type LoadedWorkflow struct {
	ID         string          `json:"id"`
	Version    int             `json:"version"`
	Definition json.RawMessage `json:"definition"`
	Hash       string          `json:"hash"`
}

// WaitRegistration adds or removes a run from a wait router.
type WaitRegistration struct {
	Router    string `json:"router"`
	EventType string `json:"event_type"`
	Key       string `json:"key"`
	RunID     string `json:"run_id"`
	Register  bool   `json:"register"`
}

// DeliverRequest is one attempt of an outgoing webhook.
type DeliverRequest struct {
	Action     ActionRequest `json:"action"`
	DeliveryID string        `json:"delivery_id"`
	Attempt    int           `json:"attempt"` // 1-based
	// NextDelay is the wait before the next attempt; zero on the last one.
	NextDelay time.Duration `json:"next_delay"`
}

// DeliverResult is the outcome of one attempt. HTTP failures are results,
// not activity errors, so they follow the durable schedule.
type DeliverResult struct {
	Delivered  bool   `json:"delivered"`
	Dead       bool   `json:"dead"`
	Output     any    `json:"output,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Error      string `json:"error,omitempty"`
	// ResumedRun is the run a manual redelivery that succeeded started to
	// continue the delivery's failed run (RedeliverWorkflow).
	ResumedRun string `json:"resumed_run,omitempty"`
}

// deliveryEnvelope is the payload stored with a delivery: the action, its
// input and the credential name (never its value), enough to send it
// again.
type deliveryEnvelope struct {
	// Connector and Action are empty in deliveries stored before they
	// were recorded, when every delivery was the webhook connector's send
	// (see legacyDelivery).
	Connector  string         `json:"connector,omitempty"`
	Action     string         `json:"action,omitempty"`
	Credential string         `json:"credential,omitempty"`
	Input      map[string]any `json:"input"`
}

// legacyDelivery is the action of a stored delivery whose envelope names
// none: the only durable delivery there was before envelopes named their
// action.
var legacyDelivery = struct{ connector, action string }{"webhook", "send"}

// DeliveryID is the deterministic delivery id of one webhook step of one run.
func DeliveryID(runID, step string) string {
	sum := sha256.Sum256([]byte(runID + "\x00" + step))
	return "dlv_" + hex.EncodeToString(sum[:12])
}

// Activities holds the interpreter's activities. Every method is safe to
// retry: writes are idempotent and outgoing calls carry idempotency keys.
type Activities struct {
	deps   Deps
	limits Limits
	log    *slog.Logger
}

// NewActivities returns the activities over deps.
func NewActivities(deps Deps) *Activities {
	if deps.HTTP == nil && deps.Registry != nil {
		deps.HTTP = deps.Registry.GuardedClient()
	}
	l := deps.Logger
	if l == nil {
		l = slog.Default()
	}
	return &Activities{deps: deps, limits: deps.Limits.withDefaults(), log: l}
}

// Action runs a connector action with the named credential.
func (a *Activities) Action(ctx context.Context, req ActionRequest) (out StepOutput, err error) {
	defer observeStep(req.Connector, req.Action, time.Now(), &err)
	ctx, recordAttempt := a.attempting(ctx, req.RunID, req.Step, req.Attempts, "")
	defer func() { recordAttempt(&out, &err) }()
	attempt := int(activity.GetInfo(ctx).Attempt)
	if a.deps.Registry == nil {
		return StepOutput{}, a.fail(ctx, connectors.Permanent(errors.New("no connector registry configured")))
	}
	effect := effectID(ctx, req.RunID, req.Step)
	if done, ok := a.recalled(ctx, effect, req.Step); ok {
		return done, nil
	}
	cred, oauth, err := a.actionCredential(ctx, req.Credential)
	if err != nil {
		return StepOutput{}, a.fail(ctx, err)
	}
	inv := connectors.Invocation{Connector: req.Connector, Action: req.Action,
		Input: connectors.Values(req.Input), Credential: cred, RunID: req.RunID, StepID: req.Step}
	res, err := a.deps.Registry.Invoke(ctx, inv)
	if err != nil && oauth && unauthorized(err) {
		// The provider refused the access token before its expiry (revoked
		// or rotated): refresh once (shared with every other step that hit
		// the same 401) and try again.
		var stale string
		if s, ok := a.deps.Registry.Connector(req.Connector); ok && s.OAuth != nil {
			stale = cred.String(s.OAuth.AccessTokenField())
		}
		if inv.Credential, err = a.deps.OAuth.Refresh(ctx, req.Credential, stale); err == nil {
			res, err = a.deps.Registry.Invoke(ctx, inv)
		}
	}
	if err != nil {
		return StepOutput{}, a.fail(ctx, err)
	}
	v, err := a.keep(ctx, req.RunID, req.Step, res)
	if err != nil {
		return StepOutput{}, a.fail(ctx, connectors.Retryable(err))
	}
	return a.remember(ctx, effect, req.Step, StepOutput{Output: v, Attempt: attempt}), nil
}

// effectID names the recorded result of one step's call in one run (the
// step path is unique within a run: foreach and parallel prefixes tell
// iterations apart). A run with its own execution is named by its
// Temporal run id alone, as it always was; the runs of a batch share the
// batch's, so runID, which then differs from the execution's workflow id,
// joins it.
func effectID(ctx context.Context, runID, step string) string {
	info := activity.GetInfo(ctx)
	key := info.WorkflowExecution.RunID + "\x00" + step
	if runID != "" && runID != info.WorkflowExecution.ID {
		key = info.WorkflowExecution.RunID + "\x00" + runID + "\x00" + step
	}
	sum := sha256.Sum256([]byte(key))
	return "effect_" + hex.EncodeToString(sum[:16])
}

// recalled returns the result a call of this step already produced in
// this run, if one was recorded. A call whose outcome Temporal never
// heard of is run again: a regular activity after a worker crash and its
// timeout, a local activity whenever the worker dies before the workflow
// task that holds its result completes. Remembering the result right
// after the call narrows the window in which such a repeat reaches the
// provider a second time from a whole workflow task to one store write.
func (a *Activities) recalled(ctx context.Context, effect, step string) (StepOutput, bool) {
	if a.deps.Store == nil {
		return StepOutput{}, false
	}
	raw, err := a.deps.Store.GetBlob(ctx, effect)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.log.Warn("reading a recorded step result; calling again", "step", step, "error", err)
		}
		return StepOutput{}, false
	}
	var out StepOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		a.log.Warn("decoding a recorded step result; calling again", "step", step, "error", err)
		return StepOutput{}, false
	}
	a.log.Info("step already called in this run; using its recorded result", "step", step)
	return out, true
}

// remember records a successful call's result under effect (effectID) for
// recalled. A failed write only costs the protection: the call itself
// succeeded.
func (a *Activities) remember(ctx context.Context, effect, step string, out StepOutput) StepOutput {
	if a.deps.Store == nil {
		return out
	}
	raw, err := json.Marshal(out)
	if err == nil {
		err = a.deps.Store.PutBlob(ctx, effect, raw)
	}
	if err != nil {
		a.log.Warn("recording a step result", "step", step, "error", err)
	}
	return out
}

// HTTP performs an http step through the SSRF-guarded client.
func (a *Activities) HTTP(ctx context.Context, req HTTPRequest) (out StepOutput, err error) {
	defer observeStep(httpStepConnector, httpStepAction, time.Now(), &err)
	ctx, recordAttempt := a.attempting(ctx, req.RunID, req.Step, req.Attempts, hostOf(req.URL))
	defer func() { recordAttempt(&out, &err) }()
	attempt := int(activity.GetInfo(ctx).Attempt)
	if a.deps.HTTP == nil {
		return StepOutput{}, a.fail(ctx, connectors.Permanent(errors.New("no HTTP client configured")))
	}
	cred, owner, err := a.credentialOf(ctx, req.Credential)
	if err != nil {
		return StepOutput{}, a.fail(ctx, err)
	}
	if req.Credential != "" && owner != hfhttp.Name {
		// Only an http credential is meant for URLs a workflow names; any
		// other connector's secrets go to that connector's API alone.
		return StepOutput{}, a.fail(ctx, connectors.Permanent(fmt.Errorf(
			"credential %q belongs to connector %q; an http step takes an http credential", req.Credential, owner)))
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	h := http.Header{}
	for _, k := range sortedKeys(req.Headers) {
		h.Set(k, req.Headers[k])
	}
	var body []byte
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = []byte(b)
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "text/plain; charset=utf-8")
		}
	default:
		if body, err = json.Marshal(b); err != nil {
			return StepOutput{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("encoding body: %w", err)))
		}
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
	}
	safe := method == http.MethodGet || method == http.MethodHead
	if h.Get("Idempotency-Key") == "" && !safe {
		h.Set("Idempotency-Key", connectors.IdempotencyKey(req.RunID, req.Step))
	}
	var effect string
	if !safe {
		effect = effectID(ctx, req.RunID, req.Step)
		if done, ok := a.recalled(ctx, effect, req.Step); ok {
			return done, nil
		}
	}
	q := url.Values{}
	for _, k := range sortedKeys(req.Query) {
		q.Set(k, req.Query[k])
	}
	hreq := &connectors.HTTPRequest{Method: method, URL: req.URL, Query: q, Header: h, Body: body}
	// The http.request action's own code, so a credential authenticates
	// the same way in both (bearer, basic, api_key, hmac over the body).
	if err := hfhttp.Authenticate(hreq, cred); err != nil {
		return StepOutput{}, a.fail(ctx, connectors.Permanent(err))
	}
	resp, err := a.deps.HTTP.Do(ctx, hreq)
	if err != nil {
		return StepOutput{}, a.fail(ctx, err)
	}
	headers := map[string]any{}
	for k, v := range resp.Header {
		if len(v) > 0 {
			headers[strings.ToLower(k)] = v[0]
		}
	}
	var parsed any = string(resp.Body)
	if resp.IsJSON() && len(bytes.TrimSpace(resp.Body)) > 0 {
		if j, err := expression.DecodeJSON(resp.Body); err == nil {
			parsed = j
		}
	}
	v, err := a.keep(ctx, req.RunID, req.Step, map[string]any{"status": resp.Status, "headers": headers, "body": parsed})
	if err != nil {
		return StepOutput{}, a.fail(ctx, connectors.Retryable(err))
	}
	if safe {
		return StepOutput{Output: v, Attempt: attempt}, nil
	}
	return a.remember(ctx, effect, req.Step, StepOutput{Output: v, Attempt: attempt}), nil
}

// The connector and action labels of http steps in the step metrics.
const (
	httpStepConnector = "http"
	httpStepAction    = "request"
)

// observeStep records one attempt of an action or http step: its duration
// and, when it failed, its error class (the Temporal error type the
// attempt failed with: retryable, permanent, rate_limited…). Connector and
// action names were checked against the registry when the definition was
// saved, so the label sets stay small.
func observeStep(connector, action string, start time.Time, err *error) {
	metrics.StepDuration.WithLabelValues(connector, action).Observe(time.Since(start).Seconds())
	if *err == nil {
		return
	}
	class := string(connectors.ClassRetryable)
	var app *temporal.ApplicationError
	if errors.As(*err, &app) && app.Type() != "" {
		class = app.Type()
	}
	metrics.StepErrors.WithLabelValues(connector, action, class).Inc()
}

// Resolve loads the blobs a data context refers to and evaluates.
func (a *Activities) Resolve(ctx context.Context, req ResolveRequest) (ResolveResult, error) {
	data, err := a.resolveBlobs(ctx, req.Data, req.Exact)
	if err != nil {
		return ResolveResult{}, a.fail(ctx, connectors.Retryable(err))
	}
	m, _ := data.(map[string]any)
	// Outside workflow code the result need not replay, so the budget is
	// wall-clock time rather than deterministic work.
	budget := expression.Budget{Work: expression.UnlimitedWork, Timeout: a.limits.ExpressionTimeout}
	// The budget's clock starts once a slot is free: waiting is not work.
	if !a.deps.HeavySlotHeld {
		release, err := AcquireHeavy(ctx)
		if err != nil {
			return ResolveResult{}, err
		}
		defer release()
	}
	scope := expression.NewScope(m, req.Now).WithBudget(budget)
	if req.Exact {
		scope = scope.WithExactNumbers()
	}
	if req.Strict {
		scope = scope.WithStrictPaths()
	}
	v, err := evaluate(req.Op, req.Source, scope)
	if err != nil {
		return ResolveResult{}, temporal.NewNonRetryableApplicationError(err.Error(), classEvaluation, nil)
	}
	return ResolveResult{Value: v}, nil
}

func (a *Activities) resolveBlobs(ctx context.Context, v any, exact bool) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x[blobKey].(string); ok {
			if a.deps.Store == nil {
				return nil, errors.New("no store configured for blobs")
			}
			raw, err := a.deps.Store.GetBlob(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("loading step output: %w", err)
			}
			var out any
			if exact {
				out, err = expression.DecodeJSON(raw)
			} else {
				err = json.Unmarshal(raw, &out)
			}
			if err != nil {
				return nil, fmt.Errorf("decoding blob %s: %w", id, err)
			}
			return out, nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := a.resolveBlobs(ctx, e, exact)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := a.resolveBlobs(ctx, e, exact)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// keep returns v, or stores it as a blob and returns a reference when its
// JSON is above the blob threshold. The blob id derives from run and step,
// so a retried activity overwrites instead of piling up copies.
func (a *Activities) keep(ctx context.Context, runID, step string, v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding step output: %w", err)
	}
	if len(raw) <= a.limits.BlobThreshold || a.deps.Store == nil {
		// Exact integers: the workflow decides per run version whether
		// it reads them as ints (see numbers.go); digits lost here could
		// not be recovered there.
		out, err := expression.DecodeJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("decoding step output: %w", err)
		}
		return out, nil
	}
	sum := sha256.Sum256([]byte(runID + "\x00" + step))
	id := "blob_" + hex.EncodeToString(sum[:16])
	if err := a.deps.Store.PutBlob(ctx, id, raw); err != nil {
		return nil, fmt.Errorf("storing large step output: %w", err)
	}
	return map[string]any{blobKey: id, "bytes": len(raw)}, nil
}

// credential reads a credential by name (or id, see package
// engine/credentials) and decrypts it. The values live only in this
// activity's memory.
func (a *Activities) credential(ctx context.Context, name string) (connectors.Values, error) {
	v, _, err := a.credentialOf(ctx, name)
	return v, err
}

// actionCredential is credential for an action step, with OAuth 2
// connections' tokens refreshed when they are about to expire; oauth says
// the credential is such a connection, whose 401s are worth one refresh.
func (a *Activities) actionCredential(ctx context.Context, name string) (connectors.Values, bool, error) {
	if name == "" || a.deps.Store == nil {
		v, err := a.credential(ctx, name)
		return v, false, err
	}
	c, err := credentials.Resolve(ctx, a.deps.Store, name)
	if err != nil || !credentials.IsOAuth(c) {
		v, err := a.credential(ctx, name)
		return v, false, err
	}
	if a.deps.OAuth == nil {
		return nil, false, connectors.Permanent(fmt.Errorf("credential %q is an OAuth connection, but this worker has no OAuth configuration (--oauth-clients)", name))
	}
	v, err := a.deps.OAuth.Token(ctx, name)
	switch {
	case connectors.ClassOf(err) == connectors.ClassPermanent:
		return nil, true, err
	case errors.Is(err, store.ErrNotFound), errors.Is(err, credentials.ErrUnusable), errors.Is(err, credentials.ErrNoKeyring):
		return nil, true, connectors.Permanent(err)
	case err != nil:
		return nil, true, connectors.Retryable(err)
	}
	return v, true, nil
}

// unauthorized reports whether a provider answered 401.
func unauthorized(err error) bool {
	ce := connectors.AsError(err)
	return ce != nil && ce.Status == http.StatusUnauthorized
}

// credentialOf is credential plus the name of the connector the credential
// was saved for.
func (a *Activities) credentialOf(ctx context.Context, name string) (connectors.Values, string, error) {
	if name == "" {
		return nil, "", nil
	}
	if a.deps.Store == nil || a.deps.Keyring == nil {
		return nil, "", connectors.Permanent(errors.New("credentials need a store and a secret key"))
	}
	c, v, err := credentials.Open(ctx, a.deps.Store, a.deps.Keyring, name)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, credentials.ErrUnusable), errors.Is(err, credentials.ErrNoKeyring):
		return nil, "", connectors.Permanent(err)
	case err != nil:
		return nil, "", connectors.Retryable(err)
	}
	return v, c.Connector, nil
}

// fail maps a classified connector error onto Temporal: permanent errors
// are non-retryable, rate-limited ones retry after the provider's delay,
// others follow the step's policy. The attempt rides along as the detail.
//
// In an http or action step the attempt is the step's (counting the local
// attempt before a hand-off) and err is kept for the attempt's record.
func (a *Activities) fail(ctx context.Context, err error) error {
	attempt := int(activity.GetInfo(ctx).Attempt)
	if n := noteOf(ctx); n != nil {
		n.cause, attempt = err, n.attempt
	}
	return ActivityError(err, attempt)
}

// ActivityError maps a classified error (connectors.ClassOf) onto
// Temporal's retry semantics: permanent errors are non-retryable,
// rate-limited ones retry after the provider's delay, and attempt rides
// along as the detail the run log shows. Every activity fails through it,
// and so do dry runs' mocked failures, so a mock retries exactly as the
// real step would.
func ActivityError(err error, attempt int) error {
	class := connectors.ClassOf(err)
	opts := temporal.ApplicationErrorOptions{
		NonRetryable: class == connectors.ClassPermanent,
		Details:      []any{attempt},
	}
	if class == connectors.ClassRateLimited {
		opts.NextRetryDelay = connectors.RetryAfterOf(err)
		if opts.NextRetryDelay <= 0 {
			opts.NextRetryDelay = connectors.DefaultRateLimitWait
		}
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), string(class), opts)
}

// SaveRun writes the run summary (idempotent) and moves the event's status.
func (a *Activities) SaveRun(ctx context.Context, req SaveRunRequest) error {
	return a.SaveRuns(ctx, []SaveRunRequest{req})
}

// eventStatusOf is the status a run's status gives its event.
var eventStatusOf = map[string]string{StatusRunning: store.EventRunning, StatusCompleted: store.EventCompleted,
	StatusFiltered: store.EventFiltered, StatusFailed: store.EventFailed, StatusTimedOut: store.EventFailed,
	StatusCancelled: store.EventFailed}

// SaveRuns is SaveRun for several runs (the finished runs of a batch) in
// one store transaction, in order.
func (a *Activities) SaveRuns(ctx context.Context, reqs []SaveRunRequest) error {
	if a.deps.Store == nil || len(reqs) == 0 {
		return nil
	}
	sums := make([]store.RunSummary, len(reqs))
	for i, req := range reqs {
		steps, err := json.Marshal(req.Log.Steps)
		if err != nil {
			return fmt.Errorf("encoding step log: %w", err)
		}
		run := store.Run{ID: req.Log.RunID, TemporalRunID: req.TemporalRunID, WorkflowID: req.Log.WorkflowID,
			WorkflowVersion: req.Log.Version, EventID: req.Log.EventID, Status: req.Log.Status, StartedAt: req.Log.StartedAt,
			EndedAt: req.Log.EndedAt, Error: req.Log.Error, Output: req.Output, Steps: steps, RetryOf: req.RetryOf,
			Name: req.Log.Name, NameWarning: req.Log.NameWarning, ExecutionID: req.ExecutionID}
		if e := req.Event; e != nil {
			if err := a.deps.Store.RecordRunEvent(ctx, store.Event{ID: e.ID, WorkflowID: req.Log.WorkflowID,
				WorkflowVersion: req.Log.Version, Connector: e.Connector, EventType: e.Type, ReceivedAt: e.ReceivedAt,
				Body: e.Body, Status: store.EventRunning, RunID: req.Log.RunID}); err != nil {
				return err
			}
		}
		eventStatus := ""
		if req.UpdateEvent && req.Log.EventID != "" {
			eventStatus = eventStatusOf[req.Log.Status]
		}
		sums[i] = store.RunSummary{Run: run, EventStatus: eventStatus, Reason: req.Log.Error}
	}
	// One transaction for the runs and their events. wasFinal: a retried
	// SaveRun, or the end of a run whose summary was already final, must
	// not count the run twice, so only the transition is counted.
	wasFinal, err := a.deps.Store.SaveRunSummaries(ctx, sums)
	if err != nil {
		return err
	}
	for i, req := range reqs {
		if !wasFinal[i] && req.Log.Status != StatusRunning {
			metrics.Runs.WithLabelValues(metrics.RunLabels(req.Log.WorkflowID, req.WorkflowName, req.Connector, req.Log.Status)...).Inc()
		}
	}
	return nil
}

// LoadWorkflow returns the current version of a workflow, by id or name.
func (a *Activities) LoadWorkflow(ctx context.Context, idOrName string) (LoadedWorkflow, error) {
	if a.deps.Store == nil {
		return LoadedWorkflow{}, a.fail(ctx, connectors.Permanent(errors.New("no store configured")))
	}
	w, err := a.deps.Store.GetWorkflow(ctx, idOrName)
	if errors.Is(err, store.ErrNotFound) {
		w, err = a.deps.Store.GetWorkflowByName(ctx, idOrName)
	}
	if errors.Is(err, store.ErrNotFound) {
		return LoadedWorkflow{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("workflow %q does not exist", idOrName)))
	}
	if err != nil {
		return LoadedWorkflow{}, fmt.Errorf("loading workflow %q: %w", idOrName, err)
	}
	return LoadedWorkflow{ID: w.ID, Version: w.CurrentVersion, Definition: w.Definition, Hash: w.Hash}, nil
}

// RegisterWait adds a run to (or removes it from) the router of its event
// type and correlation key, starting the router when needed. Registering
// also records the event type in the store (store.MarkWaitedFor).
func (a *Activities) RegisterWait(ctx context.Context, req WaitRegistration) error {
	if a.deps.Temporal == nil {
		return a.fail(ctx, connectors.Permanent(errors.New("wait_for_event needs a Temporal client in the interpreter's Deps")))
	}
	msg := RouterMessage{Register: req.RunID}
	if !req.Register {
		msg = RouterMessage{Unregister: req.RunID}
	}
	if req.Register && a.deps.Store != nil {
		// Before the router: the triggers dispatcher offers events only
		// of types recorded here, so an event accepted once this wait is
		// registered is always offered to it.
		if err := a.deps.Store.MarkWaitedFor(ctx, req.EventType); err != nil {
			return err
		}
	}
	_, err := a.deps.Temporal.SignalWithStartWorkflow(ctx, req.Router, SignalRouter, msg,
		client.StartWorkflowOptions{ID: req.Router, TaskQueue: a.deps.TaskQueue}, WaitRouterWorkflowName,
		RouterState{EventType: req.EventType, Key: req.Key})
	if err != nil {
		return fmt.Errorf("registering wait with %s: %w", req.Router, err)
	}
	return nil
}

// Deliver makes one attempt of an outgoing webhook and records it. A retry
// of this activity after the attempt was recorded returns the recorded
// outcome instead of sending again.
func (a *Activities) Deliver(ctx context.Context, req DeliverRequest) (DeliverResult, error) {
	if a.deps.Store == nil || a.deps.Registry == nil {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(errors.New("outgoing webhooks need a store and a registry")))
	}
	dd := a.deps.Registry.DurableDelivery(req.Action.Connector, req.Action.Action)
	if dd == nil {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("%s.%s does not deliver durably", req.Action.Connector, req.Action.Action)))
	}
	dest, err := dd.Destination(connectors.Values(req.Action.Input))
	if err != nil {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(err))
	}
	payload, err := json.Marshal(deliveryEnvelope{Connector: req.Action.Connector, Action: req.Action.Action,
		Credential: req.Action.Credential, Input: req.Action.Input})
	if err != nil {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("encoding delivery: %w", err)))
	}
	d, err := a.deps.Store.CreateDelivery(ctx, store.Delivery{ID: req.DeliveryID, Destination: dest,
		WorkflowID: req.Action.WorkflowID, RunID: req.Action.RunID, StepID: req.Action.Step, Payload: payload})
	if err != nil {
		return DeliverResult{}, fmt.Errorf("recording delivery: %w", err)
	}
	if d.Attempts >= req.Attempt {
		return DeliverResult{Delivered: d.Status == store.DeliverySucceeded, Dead: d.Status == store.DeliveryDead,
			HTTPStatus: d.LastStatus, Error: d.LastError}, nil
	}
	return a.attempt(ctx, d, req.Action, req.NextDelay)
}

// attempt sends d once and records the outcome; nextDelay zero means this
// was the last scheduled attempt.
func (a *Activities) attempt(ctx context.Context, d store.Delivery, req ActionRequest, nextDelay time.Duration) (DeliverResult, error) {
	cred, err := a.credential(ctx, req.Credential)
	start := time.Now()
	var out any
	if err == nil {
		out, err = a.deps.Registry.Invoke(ctx, connectors.Invocation{Connector: req.Connector, Action: req.Action,
			Input: connectors.Values(req.Input), Credential: cred, RunID: req.RunID, StepID: req.Step})
	}
	att := store.DeliveryAttempt{Latency: time.Since(start), Response: replyExcerpt(out)}
	res := DeliverResult{}
	if ce := connectors.AsError(err); ce != nil {
		att.HTTPStatus, res.HTTPStatus = ce.Status, ce.Status
	}
	switch {
	case err == nil:
		att.Status, res.Delivered = store.DeliverySucceeded, true
		if res.Output, err = a.keep(ctx, req.RunID, req.Step, out); err != nil {
			return DeliverResult{}, fmt.Errorf("keeping delivery output: %w", err)
		}
		if m, ok := res.Output.(map[string]any); ok {
			switch s := m["status"].(type) {
			case int:
				att.HTTPStatus, res.HTTPStatus = s, s
			case float64:
				att.HTTPStatus, res.HTTPStatus = int(s), int(s)
			}
		}
	case nextDelay <= 0 || connectors.ClassOf(err) == connectors.ClassPermanent:
		att.Status, res.Dead, att.Error, res.Error = store.DeliveryDead, true, err.Error(), err.Error()
	default:
		wait := max(nextDelay, connectors.RetryAfterOf(err))
		next := time.Now().Add(wait).UTC()
		att.Status, att.NextAttemptAt, att.Error, res.Error = store.DeliveryFailed, &next, err.Error(), err.Error()
	}
	metrics.Deliveries.WithLabelValues(destinationLabel(d.Destination), att.Status).Inc()
	if _, err := a.deps.Store.RecordDeliveryAttempt(ctx, d.ID, att); err != nil {
		return DeliverResult{}, fmt.Errorf("recording delivery attempt: %w", err)
	}
	return res, nil
}

// replyExcerpt is the "response" field of a delivery action's result (the
// start of the receiver's reply), for the delivery's attempt log; the
// action returns it also with a failure, when the receiver answered.
func replyExcerpt(out any) string {
	if out == nil {
		return ""
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	var r struct {
		Response string `json:"response"`
	}
	_ = json.Unmarshal(raw, &r)
	return r.Response
}

// destinationLabel is the deliveries metric's destination: scheme://host
// of the webhook URL, never its path or query (which may carry tokens and
// would make one series per customer); "invalid" for a destination that
// is not a URL.
func destinationLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "invalid"
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// Redeliver re-sends a failed or dead delivery once, by hand: it requeues
// it, sends the stored input again (same webhook id, fresh signature) and
// records the attempt; a failure leaves it dead again.
func (a *Activities) Redeliver(ctx context.Context, deliveryID string) (DeliverResult, error) {
	if a.deps.Store == nil || a.deps.Registry == nil {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(errors.New("outgoing webhooks need a store and a registry")))
	}
	d, err := a.deps.Store.GetDelivery(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("delivery %s does not exist", deliveryID)))
	}
	if err != nil {
		return DeliverResult{}, fmt.Errorf("loading delivery %s: %w", deliveryID, err)
	}
	if d.Status == store.DeliverySucceeded {
		return DeliverResult{Delivered: true, HTTPStatus: d.LastStatus}, nil
	}
	var env deliveryEnvelope
	if err := json.Unmarshal(d.Payload, &env); err != nil {
		return DeliverResult{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("delivery %s has no stored input", deliveryID)))
	}
	if d.Status != store.DeliveryPending {
		if _, err := a.deps.Store.RequeueDelivery(ctx, deliveryID, time.Now()); err != nil && !errors.Is(err, store.ErrConflict) {
			return DeliverResult{}, fmt.Errorf("requeueing delivery %s: %w", deliveryID, err)
		}
	}
	if env.Connector == "" {
		env.Connector, env.Action = legacyDelivery.connector, legacyDelivery.action
	}
	req := ActionRequest{RunID: d.RunID, WorkflowID: d.WorkflowID, Step: d.StepID, Connector: env.Connector,
		Action: env.Action, Credential: env.Credential, Input: env.Input}
	return a.attempt(ctx, d, req, 0)
}
