// Package dryrun runs a workflow definition against a sample event without
// a Temporal server and without side effects, and reports each step's
// input and output. The editor's "test" button (POST
// /api/v1/workflows/{id}/test) and `hookflow test -f workflow.json --event
// sample.json` use it.
//
// It runs the real interpreter workflow (engine/interpreter) inside the
// Temporal SDK's in-process test environment, so a dry run can never
// disagree with a real run about expressions, branching, foreach, parallel
// joins, on_error or respond. We chose this over a second, hand-written
// evaluator because two interpreters drift apart; the test environment's
// clock skipping makes delays and wait_for_event timeouts instant.
//
// Side effects are replaced:
//
//   - action steps return the caller's recorded output for the step (by
//     step id or path), else the action's OutputSample from its spec, else
//     {} — unless Live is set, in which case the real action runs with the
//     saved credential;
//   - http steps return {"status": 200, "headers": {}, "body": null} (or
//     the recorded output) unless Live;
//   - outgoing webhooks (webhook.send) are never recorded as deliveries;
//   - run summaries are not written and events are not touched;
//   - wait_for_event steps see no event: they time out at once (their
//     on_timeout path runs), and a wait without a timeout ends the dry run
//     as "cancelled" with the step shown as waiting.
//
// A caller may mock any action, http, code or data step by id or path
// (Mock): an output, or a failure of a class (permanent, retryable,
// rate_limited) that goes through the step's real retry policy and
// on_error, so on_error continue and goto paths can be tested. Retries
// and their backoff pass in virtual time.
//
// Workflow tests are fixtures (Fixture): one JSON file per case with an
// event, mocks and an Expectation (status, route, ran, not_ran, steps,
// reply, output, fields), kept in DIR/tests/NAME/ beside DIR/NAME.json
// (Discover). `hookflow test -f DIR` runs them (RunSuite) and prints
// FormatCase's report; the API's test routes take "mocks" and "expect"
// and answer Report; TestWorkflowFixtures runs every fixture under
// workflows/ in CI.
package dryrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Named defaults.
const (
	// DefaultHorizon is how far the dry run's virtual clock may advance. It
	// is longer than the longest delay or wait a definition may ask for, so
	// every timer fires first; a wait with no timeout ends the run here.
	DefaultHorizon = 400 * 24 * time.Hour
	// DefaultIdleTimeout bounds the real time a dry run may sit without
	// progress (a live action that hangs).
	DefaultIdleTimeout = 2 * time.Minute
	// TestEventID is the event id of a dry run when the caller gives none.
	TestEventID = "evt_test"
)

// Runner runs dry runs. Registry is required. Store and Keyring are needed
// for live actions (credentials) and call_workflow steps (the target's
// current version); without them those steps fail with a clear error.
type Runner struct {
	Registry *connectors.Registry
	Store    *store.Store
	Keyring  *secrets.Keyring
	// OAuth gives live test runs fresh tokens of OAuth 2 credentials;
	// nil makes a live step using one fail saying OAuth is not configured.
	OAuth  *credentials.OAuth
	Logger *slog.Logger
	// Horizon and IdleTimeout default to DefaultHorizon and
	// DefaultIdleTimeout.
	Horizon     time.Duration
	IdleTimeout time.Duration
}

// Request is one dry run.
type Request struct {
	// WorkflowID and Version label the run (they may be empty for a
	// definition that is not saved).
	WorkflowID string
	Version    int
	// Definition is the definition JSON; it must already be valid.
	Definition json.RawMessage
	// Event is the sample event: Body is what the definition sees as
	// `trigger`.
	Event interpreter.EventInfo
	// Live runs actions and http steps for real.
	Live bool
	// Outputs are recorded outputs by step id or step path, used instead
	// of the action's sample output.
	Outputs map[string]json.RawMessage
	// Mocks replace steps' outputs or make them fail, by step id or step
	// path (see Mock). A mock wins over Outputs. Check them first with
	// CheckMocks: Run trusts them.
	Mocks map[string]Mock
}

// Step is one step of the dry run's log, with whether its output was
// mocked.
type Step struct {
	interpreter.StepRecord
	Mocked bool `json:"mocked,omitempty"`
}

// Result is the outcome of a dry run.
type Result struct {
	// Warnings are the trigger paths the definition reads that the sample
	// event does not hold (see definition.Validator.Check): a misspelt
	// {{ trigger.customer.nmae }} shows up here even when the run passes.
	Warnings []definition.Error    `json:"warnings,omitempty"`
	Status   string                `json:"status"`
	Error    string                `json:"error,omitempty"`
	Output   json.RawMessage       `json:"output,omitempty"`
	Response *interpreter.Response `json:"response,omitempty"`
	Steps    []Step                `json:"steps"`
	Live     bool                  `json:"live"`
}

// httpMock is the output of an http step in a dry run.
var httpMock = map[string]any{"status": 200, "headers": map[string]any{}, "body": nil}

// Run executes req and returns the step log. An error means the dry run
// itself could not run (not that the workflow failed: that is
// Result.Status "failed").
//
// A dry run runs a whole interpreter in the SDK's test environment, and a
// definition under test may be costly on purpose, so it holds one of the
// process's heavy-work slots (interpreter.AcquireHeavy) for its whole
// run: editors pressing "test" cannot take every core from the runs in
// production. More dry runs wait for a turn, or for ctx.
func (r *Runner) Run(ctx context.Context, req Request) (res Result, err error) {
	if r.Registry == nil {
		return Result{}, errors.New("dry run: no connector registry")
	}
	release, err := interpreter.AcquireHeavy(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("dry run: waiting for a turn: %w", err)
	}
	defer release()
	horizon, idle := r.Horizon, r.IdleTimeout
	if horizon <= 0 {
		horizon = DefaultHorizon
	}
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	logger := r.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if req.Event.ID == "" {
		req.Event.ID = TestEventID
	}
	if req.Event.ReceivedAt.IsZero() {
		req.Event.ReceivedAt = time.Now().UTC()
	}

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(logger))
	env := suite.NewTestWorkflowEnvironment()
	env.SetTestTimeout(idle)
	// A loaded machine can take over a second to compile a definition's
	// expressions; the SDK's 1 s deadlock detector would then fail a
	// healthy dry run (a real worker merely retries the workflow task).
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: idle})
	env.SetStartTime(req.Event.ReceivedAt)
	interpreter.RegisterWorkflows(env, r.Registry)

	real := interpreter.NewActivities(interpreter.Deps{Store: r.Store, Registry: r.Registry, Keyring: r.Keyring, OAuth: r.OAuth, Logger: logger, HeavySlotHeld: true})
	fx := &fixtures{req: req, real: real, registry: r.Registry, mocked: map[string]bool{}, calls: map[string]int{},
		callTargets: callMocks(req.Definition, req.Mocks)}
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(fx.action, interpreter.ActivityAction)
	reg(fx.http, interpreter.ActivityHTTP)
	reg(fx.deliver, interpreter.ActivityDeliver)
	reg(fx.saveRun, interpreter.ActivitySaveRun)
	reg(fx.registerWait, interpreter.ActivityRegisterWait)
	reg(real.Resolve, interpreter.ActivityResolve)
	reg(fx.loadWorkflow, interpreter.ActivityLoadWorkflow)
	reg(real.Redeliver, interpreter.ActivityRedeliver)
	reg(fx.data, interpreter.ActivityData)
	defer fx.closeData()
	reg(fx.code, interpreter.ActivityCode)
	reg(fx.approvalLinks, interpreter.ActivityApprovalLinks)

	// A wait with no timeout has no timer to skip to: the run timeout (in
	// virtual time, registered by the SDK right after the start) is the
	// last timer, so the run ends instead of blocking forever.
	env.SetWorkflowRunTimeout(horizon)

	in := interpreter.RunInput{
		RunID: "dryrun/" + req.Event.ID, WorkflowID: req.WorkflowID, Version: req.Version,
		Definition: req.Definition, Event: req.Event, Options: interpreter.Options{TestRun: true},
	}
	env.SetStartWorkflowOptions(startOptions(in.RunID))
	defer func() {
		// The test environment panics when a workflow is stuck past the
		// idle timeout; report it instead of crashing the caller.
		if p := recover(); p != nil {
			err = fmt.Errorf("dry run did not finish: %v", p)
		}
	}()
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	env.ExecuteWorkflow(interpreter.WorkflowName, in)

	log, ok := fx.lastLog(in.RunID)
	if v, qerr := env.QueryWorkflow(interpreter.QueryRunLog); qerr == nil {
		var live interpreter.RunLog
		if v.Get(&live) == nil {
			log, ok = live, true
		}
	}
	if !ok {
		if werr := env.GetWorkflowError(); werr != nil {
			return Result{}, fmt.Errorf("dry run failed before the first step: %w", werr)
		}
		return Result{}, errors.New("dry run produced no run log")
	}
	res = Result{Status: log.Status, Error: log.Error, Response: log.Response, Live: req.Live, Steps: make([]Step, len(log.Steps))}
	var rr interpreter.RunResult
	if env.GetWorkflowResult(&rr) == nil {
		res.Output = rr.Output
	}
	if log.Status == interpreter.StatusRunning {
		// Only the horizon leaves a run running: a wait with no timeout.
		res.Status, res.Error = interpreter.StatusCancelled, "the dry run stopped at a wait_for_event step without a timeout"
		if werr := env.GetWorkflowError(); werr != nil && !errors.Is(werr, workflow.ErrDeadlineExceeded) {
			res.Status, res.Error = interpreter.StatusFailed, "the dry run failed: "+werr.Error()
		}
	}
	for i, s := range log.Steps {
		res.Steps[i] = Step{StepRecord: s, Mocked: fx.wasMocked(s.Path)}
	}
	res.Warnings = r.warnings(req)
	return res, nil
}

// warnings checks the definition's trigger paths against the sample
// event (a body kept by reference is not checked).
func (r *Runner) warnings(req Request) []definition.Error {
	if len(req.Event.Body) == 0 {
		return nil
	}
	def, errs := definition.Parse(req.Definition)
	if def == nil || len(errs) > 0 {
		return nil
	}
	v := &definition.Validator{Env: definition.RegistryEnv{Registry: r.Registry}, Samples: []json.RawMessage{req.Event.Body}}
	_, warns := v.Check(def)
	return warns
}

// fixtures are the activities of a dry run.
type fixtures struct {
	req      Request
	real     *interpreter.Activities
	registry *connectors.Registry

	mu     sync.Mutex
	mocked map[string]bool
	// calls counts the calls of each step path: the attempt a mock sees.
	calls map[string]int
	// callTargets are the mocks of call_workflow steps by target workflow.
	callTargets map[string]Mock
	logs        map[string]interpreter.RunLog

	// dataStore is the dry run's own data store (see data).
	dataStore *store.Store
	dataActs  *interpreter.Activities
}

// data runs a data step against an in-memory store that lives as long
// as the dry run: the step really gets, sets, increments and appends, so
// a test sees the same outputs as a real run, but no dry run, live or
// not, reads or changes the data real runs keep. A recorded output for
// the step (Request.Outputs) is used instead, which is how a test starts
// from a stored value ("already notified").
func (f *fixtures) data(ctx context.Context, req interpreter.DataRequest) (interpreter.StepOutput, error) {
	if out, handled, err := f.fromMock(ctx, req.Step); handled {
		return out, err
	}
	f.mu.Lock()
	if f.dataStore == nil {
		st, err := store.Open(ctx, "sqlite::memory:")
		if err == nil {
			if err = st.Migrate(ctx); err != nil {
				_ = st.Close()
			}
		}
		if err != nil {
			f.mu.Unlock()
			return interpreter.StepOutput{}, fmt.Errorf("opening the dry run's data store: %w", err)
		}
		f.dataStore = st
		f.dataActs = interpreter.NewActivities(interpreter.Deps{Store: st, Registry: f.registry, Logger: slog.New(slog.DiscardHandler)})
	}
	acts := f.dataActs
	f.mu.Unlock()
	return acts.Data(ctx, req)
}

func (f *fixtures) closeData() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dataStore != nil {
		_ = f.dataStore.Close()
		f.dataStore = nil
	}
}

func (f *fixtures) markMocked(path string) {
	f.mu.Lock()
	f.mocked[path] = true
	f.mu.Unlock()
}

func (f *fixtures) wasMocked(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mocked[path]
}

// recorded returns the caller's recorded output for a step path: by full
// path first, then by the step's own id (the last path element).
func (f *fixtures) recorded(path string) (any, bool) {
	keys := []string{path}
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' {
			keys = append(keys, path[i+1:])
			break
		}
	}
	for _, k := range keys {
		if raw, ok := f.req.Outputs[k]; ok {
			if v, err := expression.DecodeJSON(raw); err == nil {
				return v, true
			}
		}
	}
	return nil, false
}

func (f *fixtures) sample(connector, action string) any {
	a, err := f.registry.Action(connector, action)
	if err != nil || len(a.OutputSample) == 0 {
		return map[string]any{}
	}
	v, err := expression.DecodeJSON(a.OutputSample)
	if err != nil {
		return map[string]any{}
	}
	return v
}

func (f *fixtures) action(ctx context.Context, req interpreter.ActionRequest) (interpreter.StepOutput, error) {
	if out, handled, err := f.fromMock(ctx, req.Step); handled {
		return out, err
	}
	if f.req.Live {
		return f.real.Action(ctx, req)
	}
	f.markMocked(req.Step)
	return interpreter.StepOutput{Output: f.sample(req.Connector, req.Action), Attempt: 1}, nil
}

func (f *fixtures) http(ctx context.Context, req interpreter.HTTPRequest) (interpreter.StepOutput, error) {
	if out, handled, err := f.fromMock(ctx, req.Step); handled {
		return out, err
	}
	if f.req.Live {
		return f.real.HTTP(ctx, req)
	}
	f.markMocked(req.Step)
	return interpreter.StepOutput{Output: maps.Clone(httpMock), Attempt: 1}, nil
}

// deliver sends an outgoing webhook once (live) or mocks it, and never
// records a delivery row: a test must not fill the dead-letter list.
//
// A mocked retryable failure is not dead: the step's delivery schedule
// goes on (in virtual time), as it would for a 503 from the receiver.
func (f *fixtures) deliver(ctx context.Context, req interpreter.DeliverRequest) (interpreter.DeliverResult, error) {
	if out, handled, err := f.fromMock(ctx, req.Action.Step); handled {
		var app *temporal.ApplicationError
		if errors.As(err, &app) {
			return interpreter.DeliverResult{Dead: app.NonRetryable(), Error: app.Error()}, nil
		}
		return interpreter.DeliverResult{Delivered: true, Output: out.Output}, nil
	}
	out, err := f.action(ctx, req.Action)
	if err != nil {
		return interpreter.DeliverResult{Dead: true, Error: err.Error()}, nil
	}
	return interpreter.DeliverResult{Delivered: true, Output: out.Output}, nil
}

func (f *fixtures) saveRun(_ context.Context, req interpreter.SaveRunRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.logs == nil {
		f.logs = map[string]interpreter.RunLog{}
	}
	f.logs[req.Log.RunID] = req.Log
	return nil
}

func (f *fixtures) lastLog(runID string) (interpreter.RunLog, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.logs[runID]
	return l, ok
}

// approvalLinks makes placeholder approval links: a dry run decides
// nothing, and its notify steps (mocked) only need to see where a link
// goes.
func (f *fixtures) approvalLinks(_ context.Context, req interpreter.ApprovalLinksRequest) (interpreter.ApprovalLinks, error) {
	out := interpreter.ApprovalLinks{Links: map[string]string{}}
	for _, who := range req.Approvers {
		out.Links[who] = "https://hookflow.example" + interpreter.ApprovalPath + "dry-run-link-for-" + url.PathEscape(who)
	}
	return out, nil
}

// registerWait does nothing: no event arrives in a dry run.
func (f *fixtures) registerWait(context.Context, interpreter.WaitRegistration) error { return nil }
