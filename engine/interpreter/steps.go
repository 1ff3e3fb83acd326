package interpreter

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
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
	rp := retryPolicy(s, r.opts)
	// The plan rides in the input only, which replay does not compare, so
	// it needs no interpreter version (see attempts.go).
	req = withPlan(req, planOf(rp, 0))
	if r.version < versionLocalCalls || t <= 0 || t > LocalCallMaxTimeout {
		return workflow.ExecuteActivity(r.stepCtx(ctx, s), activity, req)
	}
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
		if r.version >= versionRetryHandoff {
			// The regular activity's first attempt is the step's second:
			// it waits the policy's first interval (or the provider's
			// Retry-After) like every retry, and its own retries go on
			// with the backoff from there. Before, it started at once, 13
			// ms after a 1 s timeout with initial_interval 1 s.
			if err := workflow.Sleep(gctx, handoffDelay(err, rp)); err != nil {
				settle.Set(out, err)
				return
			}
			rest.InitialInterval = min(time.Duration(float64(rp.InitialInterval)*rp.BackoffCoefficient), rp.MaximumInterval)
		}
		actx := workflow.WithActivityOptions(gctx, workflow.ActivityOptions{StartToCloseTimeout: t, RetryPolicy: &rest})
		err = workflow.ExecuteActivity(actx, activity, withPlan(req, planOf(rp, 1))).Get(gctx, &out)
		out.Attempt++ // the local attempt came first
		settle.Set(out, err)
	})
	return f
}

// versionRetryHandoff is the first version in which a retry handed from a
// failed local attempt to a regular activity waits its interval first.
const versionRetryHandoff workflow.Version = 8

// handoffDelay is the wait before the step's second attempt: the delay a
// rate-limited failure asks for (Retry-After), else the first interval.
func handoffDelay(err error, rp *temporal.RetryPolicy) time.Duration {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.NextRetryDelay() > 0 {
		return app.NextRetryDelay()
	}
	return rp.InitialInterval
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
