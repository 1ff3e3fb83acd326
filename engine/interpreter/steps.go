package interpreter

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors/webhook"
	"github.com/hookflow/hookflow/engine/definition"
)

// The outgoing-webhook connector whose retries run as durable timers.
const (
	webhookConnector = "webhook"
	webhookSend      = "send"
)

// retryPolicy maps a step's retry onto Temporal's. Permanent errors are
// never retried; rate-limited errors carry their own next delay.
func retryPolicy(s *definition.Step, o Options) *temporal.RetryPolicy {
	rp := &temporal.RetryPolicy{
		InitialInterval:        DefaultInitialInterval,
		BackoffCoefficient:     DefaultBackoff,
		MaximumInterval:        DefaultMaxInterval,
		MaximumAttempts:        int32(o.MaxAttempts),
		NonRetryableErrorTypes: []string{classPermanent, classEvaluation},
	}
	if s.Retry == nil {
		return rp
	}
	if s.Retry.MaxAttempts > 0 {
		rp.MaximumAttempts = int32(s.Retry.MaxAttempts)
	}
	if d := s.Retry.InitialInterval.Value(); d > 0 {
		rp.InitialInterval = d
	}
	if s.Retry.Backoff >= 1 {
		rp.BackoffCoefficient = s.Retry.Backoff
	}
	if d := s.Retry.MaxInterval.Value(); d > 0 {
		rp.MaximumInterval = d
	}
	if rp.MaximumInterval < rp.InitialInterval {
		rp.MaximumInterval = rp.InitialInterval
	}
	rp.NonRetryableErrorTypes = append(rp.NonRetryableErrorTypes, s.Retry.NonRetryable...)
	return rp
}

func (r *runner) stepCtx(ctx workflow.Context, s *definition.Step) workflow.Context {
	timeout := s.Timeout.Value()
	if timeout <= 0 {
		timeout = r.opts.ActivityTimeout
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         retryPolicy(s, r.opts),
	})
}

// LocalCallMaxTimeout is the longest step timeout that still runs a call
// (an http or action step) as a local activity. A local activity runs
// inside the workflow task: no activity task, no trip through matching and
// no second workflow task to hear the result, which halves the Temporal
// work of a one-call run. A step that may take longer, or that sets no
// timeout (DefaultActivityTimeout), runs as a regular activity, so a slow
// call never holds a workflow task open.
const LocalCallMaxTimeout = 10 * time.Second

// call runs a step's activity: local when the run's version allows it and
// the step's own timeout is at most LocalCallMaxTimeout, regular
// otherwise. From version 5 the local activity makes one attempt only: a
// call that fails and may be retried continues as a regular activity with
// the rest of the step's retry budget, so a downstream outage parks runs
// on Temporal's retry timers instead of holding their workflow tasks open
// (version 4 retried locally, and a 10 s sink outage at 100 runs/s left
// the worker heartbeating hundreds of open workflow tasks).
func (r *runner) call(ctx workflow.Context, s *definition.Step, activity string, req any) workflow.Future {
	t := s.Timeout.Value()
	if r.version < versionLocalCalls || t <= 0 || t > LocalCallMaxTimeout {
		return workflow.ExecuteActivity(r.stepCtx(ctx, s), activity, req)
	}
	rp := retryPolicy(s, r.opts)
	if r.version < versionLocalOnce {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: t, RetryPolicy: rp})
		return workflow.ExecuteLocalActivity(lctx, activity, req)
	}
	once := *rp
	once.MaximumAttempts = 1
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: t, RetryPolicy: &once})
	local := workflow.ExecuteLocalActivity(lctx, activity, req)
	if rp.MaximumAttempts == 1 {
		return local
	}
	f, settle := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(gctx workflow.Context) {
		var out StepOutput
		err := local.Get(gctx, &out)
		if err == nil || !retryable(err, rp) {
			settle.Set(out, err)
			return
		}
		rest := *rp
		if rest.MaximumAttempts > 1 {
			rest.MaximumAttempts--
		}
		actx := workflow.WithActivityOptions(gctx, workflow.ActivityOptions{StartToCloseTimeout: t, RetryPolicy: &rest})
		err = workflow.ExecuteActivity(actx, activity, req).Get(gctx, &out)
		out.Attempt++ // the local attempt came first
		settle.Set(out, err)
	})
	return f
}

// retryable reports whether a failed local attempt may be tried again
// under rp: not cancelled, not a non-retryable application error.
func retryable(err error, rp *temporal.RetryPolicy) bool {
	if temporal.IsCanceledError(err) {
		return false
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return !app.NonRetryable() && !slices.Contains(rp.NonRetryableErrorTypes, app.Type())
	}
	return true
}

// activityFailure turns an activity's error into a stepFailure with the
// connector's class, message and the attempts made. Cancellation passes
// through unchanged.
func activityFailure(err error) error {
	if err == nil || temporal.IsCanceledError(err) {
		return err
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		var n int
		if app.HasDetails() {
			_ = app.Details(&n)
		}
		return &stepFailure{Message: app.Message(), Class: app.Type(), Attempts: n}
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return &stepFailure{Message: fmt.Sprintf("timed out (%s)", te.TimeoutType()), Class: errTypeTimeout}
	}
	return &stepFailure{Message: err.Error(), Class: classRetryable}
}

func (r *runner) doAction(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, error) {
	rendered, err := r.eval(ctx, f, s, opRender, s.Input)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	input, _ := rendered.(map[string]any)
	r.log.Steps[rec].Input = logValue(input, r.opts.LogValueBytes)
	req := ActionRequest{RunID: r.runID, WorkflowID: r.in.WorkflowID, Step: f.prefix + s.ID,
		Connector: s.Connector, Action: s.Action, Credential: s.Credential, Input: input}
	if s.Connector == webhookConnector && s.Action == webhookSend {
		return r.doDelivery(ctx, s, req, rec)
	}
	var out StepOutput
	err = r.call(ctx, s, ActivityAction, req).Get(ctx, &out)
	if err != nil {
		return nil, activityFailure(err)
	}
	r.log.Steps[rec].Attempts = out.Attempt
	return out.Output, nil
}

func (r *runner) doHTTP(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, error) {
	req := HTTPRequest{RunID: r.runID, Step: f.prefix + s.ID, Method: s.Method, Credential: s.Credential}
	var err error
	if req.URL, err = r.renderString(ctx, f, s, s.URL); err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	render := func(name string, m map[string]string) (map[string]string, error) {
		out := make(map[string]string, len(m))
		for _, k := range sortedKeys(m) {
			v, err := r.renderString(ctx, f, s, m[k])
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, k, err)
			}
			out[k] = v
		}
		return out, nil
	}
	if req.Headers, err = render("headers", s.Headers); err != nil {
		return nil, err
	}
	if req.Query, err = render("query", s.Query); err != nil {
		return nil, err
	}
	if s.Body != nil {
		if req.Body, err = r.eval(ctx, f, s, opRender, s.Body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	}
	r.log.Steps[rec].Input = logValue(map[string]any{"method": req.Method, "url": req.URL, "headers": req.Headers,
		"query": req.Query, "body": req.Body}, r.opts.LogValueBytes)
	var out StepOutput
	if err := r.call(ctx, s, ActivityHTTP, req).Get(ctx, &out); err != nil {
		return nil, activityFailure(err)
	}
	r.log.Steps[rec].Attempts = out.Attempt
	return out.Output, nil
}

// doDelivery sends an outgoing webhook on its retry schedule. Each wait is
// a durable timer, so a delivery due in 10 hours survives restarts; each
// attempt is recorded in the store's deliveries, and the delivery is marked
// dead when the schedule runs out (or the receiver gives a permanent
// error), which fails the step.
func (r *runner) doDelivery(ctx workflow.Context, s *definition.Step, req ActionRequest, rec int) (any, error) {
	schedule := []time.Duration(webhook.DefaultSchedule)
	if raw, ok := req.Input["retry_schedule"].(string); ok && raw != "" {
		parsed, err := webhook.ParseSchedule(raw)
		if err != nil {
			return nil, failf(classPermanent, "retry_schedule: %v", err)
		}
		schedule = []time.Duration(parsed)
	}
	if s.Retry != nil && s.Retry.MaxAttempts > 0 && s.Retry.MaxAttempts < len(schedule) {
		schedule = schedule[:s.Retry.MaxAttempts]
	}
	timeout := s.Timeout.Value()
	if timeout <= 0 {
		timeout = r.opts.ActivityTimeout
	}
	// The activity's own retries only cover store hiccups; HTTP failures
	// come back as results and follow the schedule.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent}},
	})
	dreq := DeliverRequest{Action: req, DeliveryID: DeliveryID(r.runID, req.Step)}
	var last DeliverResult
	for i, wait := range schedule {
		if i > 0 && wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		dreq.Attempt = i + 1
		dreq.NextDelay = 0
		if i+1 < len(schedule) {
			dreq.NextDelay = schedule[i+1]
		}
		if err := workflow.ExecuteActivity(actx, ActivityDeliver, dreq).Get(ctx, &last); err != nil {
			return nil, activityFailure(err)
		}
		r.log.Steps[rec].Attempts = i + 1
		if last.Delivered {
			return last.Output, nil
		}
		if last.Dead {
			break
		}
	}
	return nil, &stepFailure{Message: fmt.Sprintf("delivery %s is dead after %d attempts: %s", dreq.DeliveryID, r.log.Steps[rec].Attempts, last.Error),
		Class: classPermanent, Attempts: r.log.Steps[rec].Attempts}
}
