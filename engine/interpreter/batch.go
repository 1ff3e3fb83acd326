package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
)

// Batches: many runs in one Temporal execution.
//
// A run with its own execution costs Temporal a StartWorkflowExecution
// and its transaction, a workflow task, two visibility writes and a
// mutable-state read: about 6 ms of CPU, which capped `hookflow dev` at
// ~165 runs/s on two cores whatever hookflow itself did. A batch carries
// up to the dispatcher's batch size of events of one workflow version in
// one execution (BatchWorkflow): each event's run has its own runner, run
// id, run log, summary, effect records, idempotency keys and metrics,
// and runs the same code (runner.execute) as a run with its own
// execution; Temporal's per-execution cost is paid once per batch.
//
// Inside a batch a few lanes (BatchInput.Lanes) run the runs one after
// another, and the ended runs' summaries are saved together (SaveRuns).
// Both bound what the SDK costs per run: it wakes every coroutine of an
// execution on each local activity's result, so a coroutine per run made
// a run's cost grow with its batch.
//
// Only definitions whose every step finishes on its own share an
// execution (Batchable): a run that waits for an event, an approval or a
// reply, sleeps, calls another workflow, delivers on a schedule or is
// ordered gets its own, as before. A step that retries keeps its batch
// open, and nothing else: the other runs go on and their summaries are
// saved within saveDelay.
//
// How an event runs once: see store.AssignBatch. The batch's workflow id
// is derived from the batch id, which the store fixed with its events
// before the first start.

// BatchWorkflowName is the workflow type of a batch.
const BatchWorkflowName = "hookflow.Batch"

// SignalCancelRun cancels one run of a batch (its run id is the signal's
// value); the others go on. A run with its own execution is cancelled by
// cancelling the execution instead.
const SignalCancelRun = "cancel-run"

// BatchInput is the input of BatchWorkflow: one pinned definition and the
// events to run it for, each under its own run id.
type BatchInput struct {
	// BatchID is the store's batch id (store.AssignBatch); the execution
	// runs as BatchWorkflowID(BatchID).
	BatchID    string          `json:"batch_id"`
	WorkflowID string          `json:"workflow_id"`
	Version    int             `json:"version"`
	Definition json.RawMessage `json:"definition"`
	Hash       string          `json:"hash"`
	Options    Options         `json:"options,omitzero"`
	Runs       []BatchRun      `json:"runs"`
	// Lanes is how many of the runs run at once (DefaultBatchLanes when
	// 0). It is part of the input, not a worker setting, because it
	// decides the order of the batch's commands: a replay must use the
	// value the batch started with.
	Lanes int `json:"lanes,omitempty"`
}

// BatchRun is one event of a batch and the run id the dispatcher gave its
// run (the id a run with its own execution would have had).
type BatchRun struct {
	RunID string    `json:"run_id"`
	Event EventInfo `json:"event"`
}

// BatchResult is what a batch returns: each run's status, in input order.
// Outputs stay in the runs' summaries, which keeps the result small.
type BatchResult struct {
	Runs []BatchRunResult `json:"runs"`
}

// BatchRunResult is the end of one run of a batch.
type BatchRunResult struct {
	RunID  string `json:"run_id"`
	Status string `json:"status"`
}

// BatchWorkflowID is the Temporal workflow id of a batch.
func BatchWorkflowID(batchID string) string { return "hookflow-batch/" + idPart(batchID) }

// runInput is the RunInput of one run of the batch. Every run is listed by
// the dispatcher (store.MarkBatchDispatched).
func (in BatchInput) runInput(br BatchRun) RunInput {
	return RunInput{RunID: br.RunID, WorkflowID: in.WorkflowID, Version: in.Version, Definition: in.Definition,
		Hash: in.Hash, Event: br.Event, Options: in.Options, Listed: true}
}

// BatchWorkflow returns the workflow function of a batch, registered as
// BatchWorkflowName; registry plays the part it plays for RunWorkflow.
func BatchWorkflow(registry *connectors.Registry) func(workflow.Context, BatchInput) (BatchResult, error) {
	return func(ctx workflow.Context, in BatchInput) (BatchResult, error) {
		return batchWorkflow(ctx, in, registry)
	}
}

func batchWorkflow(ctx workflow.Context, in BatchInput, registry *connectors.Registry) (BatchResult, error) {
	// One version for the whole batch: its runs start together.
	version := workflow.GetVersion(ctx, versionChangeID, workflow.DefaultVersion, interpreterVersion)
	execution := workflow.GetInfo(ctx).WorkflowExecution.ID
	var saves []SaveRunRequest
	runners := make([]*runner, len(in.Runs))
	byID := make(map[string]*runner, len(in.Runs))
	for i, br := range in.Runs {
		r := newRunner(ctx, in.runInput(br), registry, version, br.RunID)
		r.execution = execution
		r.saver = func(req SaveRunRequest) { saves = append(saves, req) }
		runners[i] = r
		byID[br.RunID] = r
	}
	if err := setBatchHandlers(ctx, byID); err != nil {
		return BatchResult{}, err
	}
	res := BatchResult{Runs: make([]BatchRunResult, len(runners))}

	// Cancelling one run: a run not begun yet is cancelled as it begins.
	cancels := map[string]workflow.CancelFunc{}
	cancelled := map[string]bool{}
	cancelCh := workflow.GetSignalChannel(ctx, SignalCancelRun)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var runID string
			cancelCh.Receive(gctx, &runID)
			cancelled[runID] = true
			if cancel, ok := cancels[runID]; ok {
				cancel()
			}
		}
	})

	// A few lanes run the runs one after another. The SDK wakes every
	// coroutine of an execution on each event (a local activity's result
	// among them), so a coroutine per run would cost each run time in
	// proportion to the batch's size; lanes bound that to their number.
	next, ended := 0, 0
	for range min(in.lanes(), len(runners)) {
		workflow.Go(ctx, func(gctx workflow.Context) {
			for next < len(runners) {
				i := next
				next++
				r := runners[i]
				rctx, cancel := workflow.WithCancel(gctx)
				cancels[r.runID] = cancel
				if cancelled[r.runID] {
					cancel()
				}
				out, _ := r.execute(rctx)
				cancel()
				r.release()
				delete(cancels, r.runID)
				res.Runs[i] = BatchRunResult{RunID: r.runID, Status: out.Status}
				ended++
			}
		})
	}

	// The summaries: whatever runs ended since the last save go in one
	// local activity (one store transaction), until every run has ended
	// and every summary is saved. Saves outlive a cancelled batch, like
	// a run's own end.
	sctx, cancelSaves := workflow.NewDisconnectedContext(ctx)
	defer cancelSaves()
	lctx := workflow.WithLocalActivityOptions(sctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: saveRunTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10, MaximumInterval: time.Minute},
	})
	for {
		// Enough summaries for one call, or every run ended; a batch
		// held open by a slow run saves what it has after saveDelay.
		full := func() bool { return len(saves) >= maxSavesPerCall || ended == len(runners) }
		if !full() {
			_ = workflow.Await(sctx, func() bool { return len(saves) > 0 || full() })
			if !full() {
				if _, err := workflow.AwaitWithTimeout(sctx, saveDelay, full); err != nil {
					break
				}
			}
		}
		if len(saves) == 0 {
			break
		}
		n := min(len(saves), maxSavesPerCall)
		batch := saves[:n:n]
		saves = saves[n:]
		if err := workflow.ExecuteLocalActivity(lctx, ActivitySaveRuns, batch).Get(sctx, nil); err != nil {
			// As for one run: a store down for the whole retry budget
			// costs these summaries, never the runs.
			workflow.GetLogger(ctx).Warn("saving run summaries failed", "runs", n, "error", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, temporal.NewCanceledError()
	}
	return res, nil
}

// Named limits of a batch. maxSavesPerCall and saveDelay decide the
// batch's commands (how many SaveRuns calls, and when a timer), so a
// change to either must be guarded by workflow.GetVersion like any
// interpreter change; DefaultBatchLanes travels in the input (the
// dispatcher sets BatchInput.Lanes), so it may change freely.
const (
	// DefaultBatchLanes is how many runs of a batch run at once (see
	// BatchInput.Lanes).
	DefaultBatchLanes = 4
	// maxSavesPerCall bounds the summaries one SaveRuns call writes.
	maxSavesPerCall = 64
	// saveDelay is the longest an ended run's summary waits for others
	// to share its SaveRuns call while the batch goes on.
	saveDelay = time.Second
)

// release drops what an ended run of a batch no longer needs: its
// decoded event, vars and last output. The batch holds its ended runs
// until its slowest run ends, and these are most of a run's memory; the
// log and the step outputs stay, because the run's queries still answer
// from them until the batch closes.
func (r *runner) release() {
	r.trigger, r.event, r.vars, r.lastOut, r.def = nil, nil, nil, nil, nil
	r.srcCache = nil
}

// lanes is the input's Lanes or DefaultBatchLanes.
func (in BatchInput) lanes() int {
	if in.Lanes > 0 {
		return in.Lanes
	}
	return DefaultBatchLanes
}

// setBatchHandlers installs the queries of a batch: QueryRunLog and
// QueryStepOutputs, each for the run whose id is the query's argument.
func setBatchHandlers(ctx workflow.Context, byID map[string]*runner) error {
	find := func(runID string) (*runner, error) {
		r, ok := byID[runID]
		if !ok {
			return nil, fmt.Errorf("this batch carries no run %q", runID)
		}
		return r, nil
	}
	if err := workflow.SetQueryHandler(ctx, QueryRunLog, func(runID string) (RunLog, error) {
		r, err := find(runID)
		if err != nil {
			return RunLog{}, err
		}
		return r.liveLog(), nil
	}); err != nil {
		return fmt.Errorf("setting run-log query: %w", err)
	}
	if err := workflow.SetQueryHandler(ctx, QueryStepOutputs, func(runID string) (map[string]json.RawMessage, error) {
		r, err := find(runID)
		if err != nil {
			return nil, err
		}
		return r.stepOutputs(), nil
	}); err != nil {
		return fmt.Errorf("setting step-outputs query: %w", err)
	}
	return nil
}

// Batchable says whether runs of def may share a batch execution, and if
// not, why. The answer depends only on the definition and on which
// actions deliver durably (registry), so every dispatcher of a deployment
// gives the same one. The trigger's ordering, sequence and concurrency
// options are the dispatcher's business (they need its gate); they also
// make a definition unbatchable here, so one call says it all.
func Batchable(def *definition.Definition, registry *connectors.Registry) (bool, string) {
	t := def.Trigger
	switch {
	case t.Respond == definition.RespondOnComplete:
		return false, "the trigger replies synchronously"
	case t.OrderKey != "":
		return false, "the trigger orders runs by order_key"
	case t.Sequence != "":
		return false, "the trigger checks a sequence"
	case t.Concurrency != nil && t.Concurrency.Limit > 0:
		return false, "the trigger limits concurrent runs"
	}
	if def.Settings.RunTimeout != "" {
		// A run timeout is a per-run timer; it works in a batch, but a
		// definition that needs one may run long.
		return false, "the workflow sets a run timeout"
	}
	var why string
	var walk func(steps []*definition.Step) bool
	walk = func(steps []*definition.Step) bool {
		for _, s := range steps {
			if reason := ownExecution(s, registry); reason != "" {
				why = fmt.Sprintf("step %q %s", s.ID, reason)
				return false
			}
			if !walk(s.Steps) || !walk(s.Notify) {
				return false
			}
			for _, b := range s.Branches {
				if !walk(b.Steps) {
					return false
				}
			}
		}
		return true
	}
	if !walk(def.Steps) {
		return false, why
	}
	return true, ""
}

// ownExecution says why a step needs its run to have its own execution,
// or "": a step that waits for something from outside (an event, an
// approval, a reply), sleeps, calls another workflow or delivers on a
// schedule keeps its run going for an unbounded time, and signals,
// updates and child workflows address the run's own execution.
func ownExecution(s *definition.Step, registry *connectors.Registry) string {
	switch s.Type {
	case definition.KindWaitForEvent:
		return "waits for an event or an approval"
	case definition.KindDelay:
		return "sleeps"
	case definition.KindRespond:
		return "replies synchronously"
	case definition.KindCallWorkflow:
		return "calls another workflow"
	case definition.KindLoop:
		if s.Delay != "" {
			return "sleeps between iterations"
		}
	case definition.KindAction:
		if registry != nil && registry.DurableDelivery(s.Connector, s.Action) != nil {
			return "delivers on a retry schedule"
		}
	}
	return ""
}

// StartBatch starts a batch under BatchWorkflowID(in.BatchID). A batch
// that already exists under that id, running or finished, counts as
// success: the store fixed its events before its first start (see
// store.AssignBatch), so the one that exists carries the same runs.
func StartBatch(ctx context.Context, c client.Client, taskQueue string, in BatchInput) error {
	if in.BatchID == "" || len(in.Runs) == 0 {
		return errors.New("starting a batch: it needs a batch id and at least one run")
	}
	id := BatchWorkflowID(in.BatchID)
	opts := startOptions(id, taskQueue)
	opts.EnableEagerStart = true
	if _, err := c.ExecuteWorkflow(ctx, opts, BatchWorkflowName, in); err != nil {
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) || temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return nil
		}
		return fmt.Errorf("starting batch %s: %w", id, err)
	}
	return nil
}

// CancelRun cancels a run: its own execution, or its coroutine in the
// batch execution that carries it.
func CancelRun(ctx context.Context, c client.Client, execution, runID string) error {
	if execution == "" || execution == runID {
		return c.CancelWorkflow(ctx, runID, "")
	}
	return c.SignalWorkflow(ctx, execution, "", SignalCancelRun, runID)
}

// queryArgs are the arguments of a run query: none for a run with its own
// execution, the run id for one in a batch.
func queryArgs(execution, runID string) []any {
	if execution == "" || execution == runID {
		return nil
	}
	return []any{runID}
}
