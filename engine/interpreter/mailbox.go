package interpreter

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Named limits of the ordering mailbox and the wait router.
const (
	// MailboxEventsPerRun is how many runs a mailbox starts before it
	// continues as new, which keeps its history short.
	MailboxEventsPerRun = 200
	// MailboxIdleTimeout is how long an empty mailbox waits for the next
	// event before it closes (the next event starts it again).
	MailboxIdleTimeout = time.Minute
	// RouterMessagesPerRun is the wait router's continue-as-new threshold.
	RouterMessagesPerRun = 500
)

// MailboxItem is one queued run of an ordering mailbox.
type MailboxItem struct {
	Input RunInput `json:"input"`
}

// MailboxState is a mailbox's input: the runs still queued when it
// continued as new.
type MailboxState struct {
	Queue []MailboxItem `json:"queue,omitempty"`
}

// MailboxWorkflow runs the queued runs of one order key one after another,
// each as a child run under its own run id, in the order their signals
// arrived. A run that fails does not block the key; a duplicate (a run id
// that has already run) is skipped.
func MailboxWorkflow(ctx workflow.Context, st MailboxState) error {
	ch := workflow.GetSignalChannel(ctx, SignalEnqueue)
	queue := st.Queue
	drain := func() {
		for {
			var item MailboxItem
			if !ch.ReceiveAsync(&item) {
				return
			}
			queue = append(queue, item)
		}
	}
	logger := workflow.GetLogger(ctx)
	for handled := 0; ; handled++ {
		drain()
		if len(queue) == 0 {
			timerCtx, cancel := workflow.WithCancel(ctx)
			got := false
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
				var item MailboxItem
				c.Receive(ctx, &item)
				queue = append(queue, item)
				got = true
			})
			sel.AddFuture(workflow.NewTimer(timerCtx, MailboxIdleTimeout), func(workflow.Future) {})
			sel.Select(ctx)
			cancel()
			if !got {
				drain()
				if len(queue) == 0 {
					return nil
				}
			}
		}
		if handled >= MailboxEventsPerRun {
			drain()
			return workflow.NewContinueAsNewError(ctx, MailboxWorkflowName, MailboxState{Queue: queue})
		}
		item := queue[0]
		queue = queue[1:]
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            item.Input.RunID,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			// The run must finish even if the mailbox continues as new.
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		})
		err := workflow.ExecuteChildWorkflow(cctx, WorkflowName, item.Input).Get(ctx, nil)
		switch {
		case err == nil:
		case temporal.IsWorkflowExecutionAlreadyStartedError(err):
			logger.Info("skipping duplicate run", "run", item.Input.RunID)
		case temporal.IsCanceledError(err) && ctx.Err() != nil:
			return err
		default:
			var app *temporal.ApplicationError
			if !errors.As(err, &app) {
				logger.Warn("ordered run failed", "run", item.Input.RunID, "error", err)
			}
		}
	}
}

// RouterMessage is one message to a wait router: exactly one field is set.
type RouterMessage struct {
	Register   string       `json:"register,omitempty"`
	Unregister string       `json:"unregister,omitempty"`
	Deliver    *EventSignal `json:"deliver,omitempty"`
}

// RouterState is a wait router's input: its event type, key and the runs waiting.
type RouterState struct {
	EventType string   `json:"event_type"`
	Key       string   `json:"key"`
	Waiters   []string `json:"waiters,omitempty"`
}

// WaitRouterWorkflow keeps the runs waiting for one event type and
// correlation key and forwards each delivered event to all of them (each
// run's match expression then decides). It closes when no run waits and no
// message is pending, and continues as new after RouterMessagesPerRun.
func WaitRouterWorkflow(ctx workflow.Context, st RouterState) error {
	ch := workflow.GetSignalChannel(ctx, SignalRouter)
	waiters := st.Waiters
	for n := 0; ; n++ {
		var m RouterMessage
		if len(waiters) == 0 {
			if !ch.ReceiveAsync(&m) {
				return nil
			}
		} else if n >= RouterMessagesPerRun {
			if !ch.ReceiveAsync(&m) {
				return workflow.NewContinueAsNewError(ctx, WaitRouterWorkflowName, RouterState{EventType: st.EventType, Key: st.Key, Waiters: waiters})
			}
		} else {
			ch.Receive(ctx, &m)
		}
		switch {
		case m.Register != "":
			if !contains(waiters, m.Register) {
				waiters = append(waiters, m.Register)
			}
		case m.Unregister != "":
			waiters = remove(waiters, m.Unregister)
		case m.Deliver != nil:
			futures := make([]workflow.Future, len(waiters))
			for i, w := range waiters {
				futures[i] = workflow.SignalExternalWorkflow(ctx, w, "", SignalEvent, *m.Deliver)
			}
			kept := waiters[:0:0]
			for i, f := range futures {
				// A run that has ended cannot be signalled: forget it.
				if err := f.Get(ctx, nil); err == nil {
					kept = append(kept, waiters[i])
				}
			}
			waiters = kept
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func remove(list []string, s string) []string {
	out := list[:0:0]
	for _, e := range list {
		if e != s {
			out = append(out, e)
		}
	}
	return out
}

// RedeliverWorkflow re-sends one outgoing webhook delivery by hand (see
// RetryDelivery).
func RedeliverWorkflow(ctx workflow.Context, deliveryID string) (DeliverResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: DefaultActivityTimeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{classPermanent}},
	})
	var res DeliverResult
	err := workflow.ExecuteActivity(actx, ActivityRedeliver, deliveryID).Get(ctx, &res)
	if err != nil || !res.Delivered {
		return res, err
	}
	// A delivery that arrives now lets its failed run go on (see
	// ResumeAfterDelivery). Redeliveries started before this change
	// replay without the second activity.
	if workflow.GetVersion(ctx, redeliverResumeChangeID, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return res, nil
	}
	req := ResumeDeliveryRequest{DeliveryID: deliveryID, Output: mustJSON(res.Output)}
	if err := workflow.ExecuteActivity(actx, ActivityResumeDelivery, req).Get(ctx, &res.ResumedRun); err != nil {
		workflow.GetLogger(ctx).Warn("continuing the run of a redelivered delivery failed", "delivery", deliveryID, "error", err)
	}
	return res, nil
}

// redeliverResumeChangeID versions RedeliverWorkflow's second activity.
const redeliverResumeChangeID = "hookflow-redeliver-resume"
