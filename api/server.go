package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/services/runops"
	"github.com/hookflow/hookflow/engine/store"
)

// Named defaults of the API.
const (
	// DefaultListenTimeout is how long POST /endpoints/{id}/listen waits
	// when the caller gives no timeout.
	DefaultListenTimeout = 30 * time.Second
	// MaxListenTimeout caps a listen long-poll.
	MaxListenTimeout = 2 * time.Minute
	// DefaultTestTimeout bounds a test run (dry run) of a workflow.
	DefaultTestTimeout = 2 * time.Minute
	// Prefix is where the REST API is mounted.
	Prefix = "/api/v1"
)

// Triggers is what the API needs from the triggers service (package
// triggers). Every method may return an error wrapping store.ErrNotFound
// for an unknown id.
type Triggers interface {
	// Replay starts a new run of a logged event on a workflow version (0
	// means the current one) and returns the new event, marked replay_of.
	Replay(ctx context.Context, eventID string, version int) (store.Event, error)
	// RunManual records input as a manual event of the workflow, through
	// the same inbox as webhooks, and starts its run.
	RunManual(ctx context.Context, workflowID string, input json.RawMessage) (store.Event, error)
	// Listen waits up to timeout for the next delivery to an endpoint and
	// returns it (saved as the endpoint's sample); ok is false when none
	// arrived.
	Listen(ctx context.Context, endpointID string, timeout time.Duration) (ev store.Event, ok bool, err error)
}

// Runs controls runs in Temporal (package engine/services/runops).
type Runs interface {
	// LiveLog returns the step log of a running run, read from the run
	// itself (a Temporal query), as a JSON array of step records.
	LiveLog(ctx context.Context, runID string) (json.RawMessage, error)
	// Cancel asks a running run to stop; its summary records "cancelled".
	Cancel(ctx context.Context, runID string) error
	// Retry starts a new run of run's event, from the start or resuming
	// from a step, on the version o names, whose summary records
	// retry_of = run.ID, and returns the new run id. A run that cannot
	// resume gives an error wrapping store.ErrConflict.
	Retry(ctx context.Context, run store.Run, o runops.RetryOptions) (string, error)
	// RetryDelivery re-sends a failed or dead outgoing webhook once.
	RetryDelivery(ctx context.Context, d store.Delivery) error
	// Approve answers the approval a running run waits for; an error
	// wrapping store.ErrConflict means the run is no longer running.
	Approve(ctx context.Context, runID string, d interpreter.Decision) error
	// Approver says which approval of run a decision by the API key named
	// who answers, and refuses (runops.ErrNotApprover) one who is not
	// among its approvers.
	Approver(ctx context.Context, run store.Run, step, who string) (runops.Approval, error)
	// InspectLink verifies a signed approval link; UseLink decides with
	// it once (store.ErrConflict when it was used already).
	InspectLink(ctx context.Context, token string) (runops.Link, error)
	UseLink(ctx context.Context, token string, approved bool, comment string) (interpreter.ApprovalClaims, error)
	// Signal offers an event to the runs waiting for its type and key and
	// returns its event id (sig.EventID, or a fresh one when empty).
	Signal(ctx context.Context, sig interpreter.EventSignal) (string, error)
}

// TestRun is a dry run of a definition against a sample event.
type TestRun struct {
	WorkflowID string
	Version    int
	Definition json.RawMessage
	EventID    string
	EventType  string
	Headers    map[string]string
	Event      json.RawMessage
	Live       bool
	Outputs    map[string]json.RawMessage
	// Mocks and Expect are the raw "mocks" and "expect" members (see
	// dryrun.Mock and dryrun.Expectation); either may be empty.
	Mocks  json.RawMessage
	Expect json.RawMessage
}

// Tester runs a TestRun and returns its report (see engine/services/dryrun.Result).
type Tester func(ctx context.Context, t TestRun) (any, error)

// Config configures Mount. Manage is required; the others are optional:
// routes that need a missing service answer 503 naming it.
type Config struct {
	Manage   *manage.Service
	Triggers Triggers
	Runs     Runs
	Tester   Tester
	Logger   *slog.Logger
	// Metrics mounts GET /metrics (no key needed, like /healthz).
	Metrics bool
	// OAuth runs OAuth 2 "connect account" flows; nil leaves the OAuth
	// routes answering 503. OAuthRedirectURL is the callback URL admins
	// register with providers.
	OAuth            *credentials.OAuth
	OAuthRedirectURL string
	// Templates is the folder of workflow definitions (NAME.json) the
	// template gallery offers; nil means the examples embedded from
	// workflows/.
	Templates fs.FS
	// Changed, when set, is called after every successful write, so
	// caches of endpoints, versions and credentials (the triggers
	// service's route cache) see the change on the next delivery.
	Changed func()
}

type server struct {
	cfg Config
	log *slog.Logger
}

// Mount adds the REST API under /api/v1 (and GET /metrics when asked) to
// a router built by NewRouter.
func Mount(r *gin.Engine, cfg Config) error {
	if cfg.Manage == nil || cfg.Manage.Store == nil || cfg.Manage.Registry == nil {
		return errors.New("mounting the API: Config.Manage with a store and a registry is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &server{cfg: cfg, log: cfg.Logger}
	// Run ids are Temporal workflow ids such as
	// "hookflow-run/ep_…/evt_…": clients send them with the slashes
	// escaped (%2F), and routing on the raw path keeps them one segment.
	r.UseRawPath = true
	r.UnescapePathValues = true
	if cfg.Metrics {
		h := metrics.Handler()
		r.GET("/metrics", func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) })
	}
	r.GET(OAuthCallbackPath, s.oauthCallback)
	r.GET(interpreter.ApprovalPath+":token", s.approvalPage)
	r.POST(interpreter.ApprovalPath+":token", s.approvalDecide)
	v1 := r.Group(Prefix, countRequests, s.authenticate, s.notifyChanges)
	s.routes(v1)
	return nil
}

// countRequests feeds metrics.APIRequests with the route template (never
// the raw path, whose ids would explode the label set).
func countRequests(c *gin.Context) {
	c.Next()
	metrics.APIRequests.WithLabelValues(c.Request.Method, c.FullPath(), strconv.Itoa(c.Writer.Status())).Inc()
}

// notifyChanges calls Config.Changed after a successful write, except
// for the writes in unchanging.
func (s *server) notifyChanges(c *gin.Context) {
	c.Next()
	if s.cfg.Changed != nil && c.Request.Method != http.MethodGet && c.Writer.Status() < 300 && !unchanging[c.FullPath()] {
		s.cfg.Changed()
	}
}

// unchanging are the routes with a write method that change no workflow,
// endpoint or credential: they check, preview or test a definition, start
// or answer runs, and replay or retry what exists. Config.Changed empties
// the ingest's route and version caches, so every webhook after it loads
// and compiles again; the web UI's preview alone, called as an editor
// types, used to do that on every keystroke.
var unchanging = map[string]bool{
	Prefix + "/workflows/validate":         true,
	Prefix + "/workflows/test":             true,
	Prefix + "/workflows/:id/test":         true,
	Prefix + "/workflows/:id/run":          true,
	Prefix + "/preview":                    true,
	Prefix + "/events/replay":              true,
	Prefix + "/events/:id/replay":          true,
	Prefix + "/runs/:id/cancel":            true,
	Prefix + "/runs/:id/retry":             true,
	Prefix + "/runs/:id/approve":           true,
	Prefix + "/signals":                    true,
	Prefix + "/deliveries/:id/retry":       true,
	Prefix + "/data/:store/keys/*key":      true,
	Prefix + "/oauth/:connector/authorize": true,
}

// routes is the whole API surface; openapi.json documents exactly these
// routes (TestOpenAPIMatchesRoutes keeps them in step).
func (s *server) routes(v1 *gin.RouterGroup) {
	viewer, editor, admin := require(store.ScopeViewer), require(store.ScopeEditor), require(store.ScopeAdmin)

	v1.GET("/openapi.json", viewer, s.openAPI)
	v1.GET("/schema/workflow.json", viewer, s.workflowSchema)
	v1.GET("/step-kinds", viewer, s.listStepKinds)
	v1.GET("/connectors", viewer, s.listConnectors)
	v1.GET("/connectors/:name", viewer, s.getConnector)

	v1.GET("/api-keys", admin, s.listAPIKeys)
	v1.POST("/api-keys", admin, s.createAPIKey)
	v1.DELETE("/api-keys/:id", admin, s.revokeAPIKey)

	v1.GET("/workflows", viewer, s.listWorkflows)
	v1.POST("/workflows", editor, s.createWorkflow)
	v1.POST("/workflows/validate", viewer, s.validateWorkflow)
	v1.POST("/workflows/apply", editor, s.applyWorkflow)
	v1.POST("/workflows/test", editor, s.testDefinition)
	v1.GET("/workflows/:id", viewer, s.getWorkflow)
	v1.PUT("/workflows/:id", editor, s.updateWorkflow)
	v1.DELETE("/workflows/:id", editor, s.deleteWorkflow)
	v1.GET("/workflows/:id/versions", viewer, s.listVersions)
	v1.GET("/workflows/:id/versions/:version", viewer, s.getVersion)
	v1.POST("/workflows/:id/versions/:version/restore", editor, s.restoreVersion)
	v1.POST("/workflows/:id/activate", editor, s.activateWorkflow)
	v1.POST("/workflows/:id/deactivate", editor, s.deactivateWorkflow)
	v1.POST("/workflows/:id/test", editor, s.testWorkflow)
	v1.POST("/workflows/:id/run", editor, s.runWorkflow)
	v1.GET("/workflows/:id/endpoints", viewer, s.listWorkflowEndpoints)
	v1.POST("/workflows/import", editor, s.importWorkflow)
	v1.GET("/workflows/:id/export", viewer, s.exportWorkflow)

	v1.GET("/templates", viewer, s.listTemplates)
	v1.GET("/templates/:id", viewer, s.getTemplate)
	v1.POST("/templates/:id/use", editor, s.useTemplate)

	v1.GET("/endpoints/:id", viewer, s.getEndpoint)
	v1.PATCH("/endpoints/:id", editor, s.updateEndpoint)
	v1.POST("/endpoints/:id/rotate", editor, s.rotateEndpoint)
	v1.POST("/endpoints/:id/enable", editor, s.enableEndpoint)
	v1.POST("/endpoints/:id/disable", editor, s.disableEndpoint)
	v1.POST("/endpoints/:id/listen", editor, s.listenEndpoint)

	v1.GET("/events", viewer, s.listEvents)
	v1.POST("/events/replay", editor, s.bulkReplay)
	v1.GET("/events/:id", viewer, s.getEvent)
	v1.GET("/events/:id/body", viewer, s.getEventBody)
	v1.POST("/events/:id/replay", editor, s.replayEvent)

	v1.GET("/runs", viewer, s.listRuns)
	v1.GET("/runs/:id", viewer, s.getRun)
	v1.POST("/runs/:id/cancel", editor, s.cancelRun)
	v1.POST("/runs/:id/retry", editor, s.retryRun)
	v1.POST("/runs/:id/approve", editor, s.approveRun)
	v1.POST("/signals", editor, s.sendSignal)

	v1.GET("/credentials", viewer, s.listCredentials)
	v1.POST("/credentials", editor, s.createCredential)
	v1.GET("/credentials/:id", viewer, s.getCredential)
	v1.PATCH("/credentials/:id", editor, s.updateCredential)
	v1.DELETE("/credentials/:id", editor, s.deleteCredential)
	v1.POST("/credentials/:id/rotate", editor, s.rotateCredential)
	v1.POST("/credentials/:id/disconnect", editor, s.disconnectCredential)
	v1.GET("/oauth/connectors", viewer, s.oauthConnectors)
	v1.POST("/oauth/:connector/authorize", editor, s.oauthAuthorize)

	v1.GET("/deliveries", viewer, s.listDeliveries)
	v1.GET("/deliveries/health", viewer, s.deliveryHealth)
	v1.GET("/deliveries/:id", viewer, s.getDelivery)
	v1.GET("/deliveries/:id/attempts", viewer, s.listDeliveryAttempts)
	v1.POST("/deliveries/:id/retry", editor, s.retryDelivery)

	s.dataRoutes(v1)
	s.previewRoutes(v1)
	s.alertRoutes(v1, viewer, editor)
}

// unavailable answers 503 for a route whose service this process lacks.
func (s *server) unavailable(c *gin.Context, what string) {
	s.fail(c, fmt.Errorf("%s is %w", what, ErrUnavailable))
}
