package interpreter

import (
	"context"
	"log/slog"
	"runtime"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Activity names. Like the workflow names they are part of the history of
// running workflows: never rename one.
const (
	ActivityAction       = "hookflow.Action"
	ActivityHTTP         = "hookflow.HTTP"
	ActivityResolve      = "hookflow.Resolve"
	ActivitySaveRun      = "hookflow.SaveRun"
	ActivitySaveRuns     = "hookflow.SaveRuns"
	ActivityLoadWorkflow = "hookflow.LoadWorkflow"
	ActivityRegisterWait = "hookflow.RegisterWait"
	ActivityDeliver      = "hookflow.Deliver"
	ActivityRedeliver    = "hookflow.Redeliver"
	ActivityData         = "hookflow.Data"
)

// Named defaults of Limits.
const (
	// DefaultBlobThreshold is the size of a step output (as JSON) above
	// which the activity that produced it stores it as a blob and history
	// keeps only {"$blob": id}.
	DefaultBlobThreshold = 64 << 10
)

// Limits bound what the activities do. Limits that change how a workflow
// runs live in Options instead, because they must not change under a
// running workflow.
type Limits struct {
	BlobThreshold int
	// ExpressionTimeout bounds one evaluation in the Resolve activity,
	// where an evaluation too costly for workflow code goes; 0 means
	// expression.DefaultTimeout.
	ExpressionTimeout time.Duration
}

// heavy holds a slot per piece of heavy work that a workflow's author can
// make as costly as its budgets allow: an evaluation in the Resolve
// activity (where costly ones go) and a whole dry run. With at most half
// of the cores (at least one) theirs, however many hostile expressions
// and test runs arrive at once, the other half keeps serving every other
// workflow.
var heavy = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// AcquireHeavy waits for a heavy-work slot (see heavy) and returns the
// function that gives it back. Dry runs take one for their whole run; an
// error means ctx ended first.
func AcquireHeavy(ctx context.Context) (release func(), err error) {
	select {
	case heavy <- struct{}{}:
		return func() { <-heavy }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l Limits) withDefaults() Limits {
	if l.BlobThreshold <= 0 {
		l.BlobThreshold = DefaultBlobThreshold
	}
	if l.ExpressionTimeout <= 0 {
		l.ExpressionTimeout = expression.DefaultTimeout
	}

	return l
}

// Deps are what the activities need. Store, Registry and Keyring are
// required for action steps; Temporal and TaskQueue for wait_for_event
// routing.
type Deps struct {
	Store    *store.Store
	Registry *connectors.Registry
	// Keyring decrypts credentials inside the action activity.
	Keyring *secrets.Keyring
	// OAuth gives the action activity fresh tokens of OAuth 2
	// credentials and refreshes them on a 401; nil makes a step using an
	// OAuth credential fail permanently, saying OAuth is not configured.
	OAuth *credentials.OAuth
	// HTTP is the client of http steps; nil means Registry.GuardedClient(),
	// which refuses internal addresses.
	HTTP *connectors.Client
	// Temporal and TaskQueue let activities register waits with the wait
	// router.
	Temporal  client.Client
	TaskQueue string
	Logger    *slog.Logger
	Limits    Limits
	// PublicURL starts the approval links approval waits make
	// (http://localhost:8080 when empty).
	PublicURL string
	// HeavySlotHeld says the caller already holds a heavy-work slot for
	// everything these activities do (a dry run), so Resolve takes none.
	HeavySlotHeld bool
}

// Register registers the interpreter's workflows and activities on a
// worker (or a test environment, which is also a worker.Registry).
func Register(w worker.Registry, deps Deps) {
	RegisterWorkflows(w, deps.Registry)
	RegisterActivities(w, NewActivities(deps))
}

// RegisterWorkflows registers the workflows only, for replayers and tests
// that mock every activity. registry is the connector registry workflow
// code asks for durable delivery (see RunWorkflow): give replayers the
// registry the workers have.
func RegisterWorkflows(w worker.WorkflowRegistry, registry *connectors.Registry) {
	w.RegisterWorkflowWithOptions(RunWorkflow(registry), workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterWorkflowWithOptions(BatchWorkflow(registry), workflow.RegisterOptions{Name: BatchWorkflowName})
	w.RegisterWorkflowWithOptions(MailboxWorkflow, workflow.RegisterOptions{Name: MailboxWorkflowName})
	w.RegisterWorkflowWithOptions(WaitRouterWorkflow, workflow.RegisterOptions{Name: WaitRouterWorkflowName})
	w.RegisterWorkflowWithOptions(RedeliverWorkflow, workflow.RegisterOptions{Name: RedeliverWorkflowName})
}

// RegisterActivities registers a's methods under the Activity* names.
func RegisterActivities(w worker.ActivityRegistry, a *Activities) {
	reg := func(fn any, name string) { w.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(a.Action, ActivityAction)
	reg(a.HTTP, ActivityHTTP)
	reg(a.Resolve, ActivityResolve)
	reg(a.SaveRun, ActivitySaveRun)
	reg(a.SaveRuns, ActivitySaveRuns)
	reg(a.LoadWorkflow, ActivityLoadWorkflow)
	reg(a.RegisterWait, ActivityRegisterWait)
	reg(a.Deliver, ActivityDeliver)
	reg(a.Redeliver, ActivityRedeliver)
	reg(a.Data, ActivityData)
	reg(a.Code, ActivityCode)
	reg(a.ApprovalLinks, ActivityApprovalLinks)
	reg(a.ResumeDelivery, ActivityResumeDelivery)
}
