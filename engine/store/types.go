package store

import (
	"encoding/json"
	"time"
)

// Default and maximum page sizes for list methods. A zero Limit means
// DefaultListLimit; anything above MaxListLimit is clamped so that one API
// call can never load an unbounded number of rows.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// ListOptions pages through a list. Cursor is the opaque value returned as
// nextCursor by the previous call; empty means the first page. Lists are
// ordered newest first (created_at DESC, id DESC), and that order is stable
// across pages even while new rows arrive.
type ListOptions struct {
	Limit  int
	Cursor string
}

// API key scopes, from most to least powerful.
const (
	ScopeAdmin  = "admin"
	ScopeEditor = "editor"
	ScopeViewer = "viewer"
)

// APIKey is a stored API key. Only a SHA-256 hash of the secret is kept;
// Prefix is the first characters of the plaintext, for display.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Workflow is a workflow with its current version's definition.
type Workflow struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Active         bool       `json:"active"`
	CurrentVersion int        `json:"current_version"`
	Definition     []byte     `json:"-"` // definition JSON of CurrentVersion
	Hash           string     `json:"hash"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
}

// WorkflowVersion is one immutable version of a workflow's definition.
type WorkflowVersion struct {
	WorkflowID string    `json:"workflow_id"`
	Version    int       `json:"version"`
	Definition []byte    `json:"-"`
	Hash       string    `json:"hash"`
	CreatedAt  time.Time `json:"created_at"`
	// Author is who saved the version (the API key's name, see
	// WithAuthor); empty when unknown.
	Author string `json:"author,omitempty"`
}

// Defaults for new webhook endpoints.
const (
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB, as issue 5 asks
	// DefaultRateLimit of 0 means "no per-endpoint limit".
	DefaultRateLimit = 0
	DefaultRateBurst = 0
)

// Endpoint is a webhook URL (/hooks/{token}) that feeds a workflow.
type Endpoint struct {
	ID           string     `json:"id"`
	WorkflowID   string     `json:"workflow_id"`
	Token        string     `json:"token"`
	Enabled      bool       `json:"enabled"`
	MaxBodyBytes int64      `json:"max_body_bytes"`
	RateLimit    float64    `json:"rate_limit"` // events per second; 0 = unlimited
	RateBurst    int        `json:"rate_burst"`
	IPAllowlist  []string   `json:"ip_allowlist"` // CIDRs; empty = everyone
	Sample       []byte     `json:"-"`            // last body captured by listen mode
	SampleAt     *time.Time `json:"sample_at,omitempty"`
	// PreviousToken is the token before the last rotation with a grace
	// period; /hooks/{PreviousToken} keeps working until
	// PreviousTokenUntil. Empty when there is none.
	PreviousToken      string     `json:"previous_token,omitempty"`
	PreviousTokenUntil *time.Time `json:"previous_token_until,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// EndpointSettings are the mutable settings of an Endpoint. Nil fields are
// left unchanged by UpdateEndpoint.
type EndpointSettings struct {
	Enabled      *bool
	MaxBodyBytes *int64
	RateLimit    *float64
	RateBurst    *int
	IPAllowlist  *[]string
}

// Credential is an encrypted credential. The store never sees plaintext:
// Ciphertext is produced by engine/secrets under the key named KeyID.
// Hint holds masked display values (JSON object), safe to show in the API.
type Credential struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Connector  string          `json:"connector"`
	Ciphertext []byte          `json:"-"`
	KeyID      string          `json:"key_id"`
	Hint       json.RawMessage `json:"hint"`
	// Status is "" for credentials typed by hand and, for OAuth 2
	// connections, one of CredentialConnected, CredentialReconnect and
	// CredentialDisconnected.
	Status string `json:"status,omitempty"`
	// Version is bumped by every write; token refreshes compare and swap
	// on it (SwapCredentialSecret).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// The states of an OAuth 2 credential (Credential.Status).
const (
	CredentialConnected    = "connected"
	CredentialReconnect    = "reconnect"
	CredentialDisconnected = "disconnected"
)

// CredentialCiphertext is the part of a credential that key rotation needs.
type CredentialCiphertext struct {
	ID         string
	KeyID      string
	Ciphertext []byte
}

// Event verification results.
const (
	VerificationOK      = "ok"
	VerificationFailed  = "failed"
	VerificationSkipped = "skipped"
)

// Event statuses. An accepted event starts as EventPending; the dispatcher
// moves it to EventDispatched once Temporal has the workflow, and the run's
// summary moves it to running/completed/failed/filtered.
const (
	EventPending    = "pending"
	EventDispatched = "dispatched"
	EventRunning    = "running"
	EventCompleted  = "completed"
	EventFailed     = "failed"
	EventIgnored    = "ignored"   // no trigger wanted it; no run
	EventRejected   = "rejected"  // verification or validation failed; no run
	EventDuplicate  = "duplicate" // same dedupe key as DuplicateOf; no run
	EventFiltered   = "filtered"  // a filter step stopped the run
	// EventUnparseable is an authenticated delivery hookflow could not
	// turn into an event (not JSON, no event id, over a body limit). It
	// is kept and answered 2xx, because refusing the provider's genuine
	// event only makes it retry for days; it starts no run until it is
	// replayed after a fix. Reason says what was wrong.
	EventUnparseable = "unparseable"
)

// Event is one delivery in the event inbox/log.
type Event struct {
	ID               string            `json:"id"` // "evt_…"; generated when empty; sorts by time
	EndpointID       string            `json:"endpoint_id,omitempty"`
	WorkflowID       string            `json:"workflow_id,omitempty"`
	WorkflowVersion  int               `json:"workflow_version,omitempty"`
	Connector        string            `json:"connector,omitempty"`
	ProviderEventID  string            `json:"provider_event_id,omitempty"`
	DedupeKey        string            `json:"dedupe_key,omitempty"` // empty = no dedupe (stored as NULL)
	EventType        string            `json:"event_type,omitempty"`
	ReceivedAt       time.Time         `json:"received_at"`       // set to now when zero
	Headers          map[string]string `json:"headers,omitempty"` // already redacted by the caller
	Body             []byte            `json:"-"`
	Verification     string            `json:"verification"`
	Reason           string            `json:"reason,omitempty"`
	Status           string            `json:"status"` // EventPending when empty
	RunID            string            `json:"run_id,omitempty"`
	DispatchAttempts int               `json:"dispatch_attempts"`
	NextDispatchAt   *time.Time        `json:"next_dispatch_at,omitempty"` // for pending events; now when nil
	ReplayOf         string            `json:"replay_of,omitempty"`
	DuplicateOf      string            `json:"duplicate_of,omitempty"`
	UpdatedAt        time.Time         `json:"updated_at"`
	// BatchID is the batch the dispatcher assigned the event to (see
	// AssignBatch); "" for an event started on its own. Internal: the
	// API does not show which path a run took.
	BatchID string `json:"-"`
}

// InsertResult reports what InsertEvents did with one event.
type InsertResult struct {
	// ID is the id of the event that owns the dedupe key: the new event when
	// Duplicate is false, the earlier event when Duplicate is true.
	ID string
	// Duplicate is true when an event with the same (endpoint, dedupe key)
	// already existed; no new pending event was created.
	Duplicate bool
	// LogID is the id of the row that logs this delivery. It equals ID for
	// inserted events; for duplicates it is a separate row with status
	// "duplicate" and DuplicateOf = ID, so every delivery stays visible.
	LogID string
}

// EventFilter selects events for ListEvents. Zero fields match everything.
// Since is inclusive, Until exclusive, both on ReceivedAt.
type EventFilter struct {
	WorkflowID      string
	EndpointID      string
	Status          string
	EventType       string
	ProviderEventID string
	ReplayOf        string
	Since           time.Time
	Until           time.Time
	// IncludeBody loads headers and body; lists leave them out by default
	// because bodies can be large.
	IncludeBody bool
	// Match keeps only events whose body matches (see SearchEvents);
	// ListEvents ignores it.
	Match BodyMatch
	ListOptions
}

// Run statuses.
const (
	RunRunning   = "running"
	RunCompleted = "completed"
	RunFailed    = "failed"
	RunFiltered  = "filtered"
	RunCancelled = "cancelled"
	RunTimedOut  = "timed_out"
)

// Run is the summary of one interpreter run. ID is the Temporal workflow id.
type Run struct {
	ID              string          `json:"id"`
	TemporalRunID   string          `json:"temporal_run_id,omitempty"`
	WorkflowID      string          `json:"workflow_id"`
	WorkflowVersion int             `json:"workflow_version"`
	EventID         string          `json:"event_id,omitempty"`
	Status          string          `json:"status"`
	StartedAt       time.Time       `json:"started_at"`
	EndedAt         *time.Time      `json:"ended_at,omitempty"`
	Error           string          `json:"error,omitempty"`
	Output          json.RawMessage `json:"output,omitempty"`
	Steps           json.RawMessage `json:"steps,omitempty"` // the step log
	RetryOf         string          `json:"retry_of,omitempty"`
	UpdatedAt       time.Time       `json:"updated_at"`
	// Name is the run's rendered trigger.run_name; NameWarning says why
	// the fallback name was used instead. WorkflowName is read from the
	// workflow when the run is loaded, never written.
	Name         string `json:"name,omitempty"`
	NameWarning  string `json:"name_warning,omitempty"`
	WorkflowName string `json:"workflow_name,omitempty"`
	// ExecutionID is the Temporal workflow id of the batch execution that
	// carries the run; "" when the run has its own (ID). Internal, like
	// Event.BatchID.
	ExecutionID string `json:"-"`
}

// Execution is the Temporal workflow id that carries the run.
func (r Run) Execution() string {
	if r.ExecutionID != "" {
		return r.ExecutionID
	}
	return r.ID
}

// RunFilter selects runs for ListRuns. Zero fields match everything.
// Since is inclusive, Until exclusive, both on StartedAt.
type RunFilter struct {
	WorkflowID string
	Status     string
	EventID    string
	Since      time.Time
	Until      time.Time
	// Match keeps only runs whose event body matches (see SearchRuns);
	// ListRuns ignores it.
	Match BodyMatch
	ListOptions
}

// Outgoing delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed" // last attempt failed, more are scheduled
	DeliveryDead      = "dead"   // retry schedule exhausted: the dead-letter list
)

// Delivery is one outgoing webhook message and the state of its attempts.
type Delivery struct {
	ID            string            `json:"id"` // "dlv_…" when empty; callers may pass a deterministic id to make creation idempotent
	Destination   string            `json:"destination"`
	WorkflowID    string            `json:"workflow_id,omitempty"`
	RunID         string            `json:"run_id,omitempty"`
	StepID        string            `json:"step_id,omitempty"`
	Headers       map[string]string `json:"headers,omitempty"`
	Payload       []byte            `json:"-"`
	Attempts      int               `json:"attempts"`
	Status        string            `json:"status"`
	LastError     string            `json:"last_error,omitempty"`
	LastStatus    int               `json:"last_status,omitempty"` // HTTP status of the last attempt
	LatencyMS     int64             `json:"latency_ms"`            // of the last attempt
	NextAttemptAt *time.Time        `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	// ResumedRunID is the run a manual retry that succeeded started to
	// continue the delivery's failed run after its step (retry_of links
	// the two runs).
	ResumedRunID string `json:"resumed_run_id,omitempty"`
}

// DeliveryAttempt is the outcome of one HTTP attempt of a Delivery.
type DeliveryAttempt struct {
	Status        string // DeliverySucceeded, DeliveryFailed or DeliveryDead
	HTTPStatus    int
	Error         string
	Latency       time.Duration
	NextAttemptAt *time.Time // when the next attempt is due (DeliveryFailed)
	Response      string     // the start of the receiver's reply body, if any
}

// DeliveryAttemptLog is one recorded HTTP attempt of a Delivery, as
// ListDeliveryAttempts returns it.
type DeliveryAttemptLog struct {
	Attempt     int       `json:"attempt"` // 1 for the first attempt
	Status      string    `json:"status"`  // the delivery's status after it
	HTTPStatus  int       `json:"http_status,omitempty"`
	Error       string    `json:"error,omitempty"`
	Response    string    `json:"response,omitempty"`
	LatencyMS   int64     `json:"latency_ms"`
	AttemptedAt time.Time `json:"attempted_at"`
}

// DeliveryFilter selects deliveries. Zero fields match everything.
type DeliveryFilter struct {
	Destination string
	Status      string
	WorkflowID  string
	RunID       string
	ListOptions
}

// DestinationHealth aggregates the deliveries to one destination URL.
type DestinationHealth struct {
	Destination  string     `json:"destination"`
	Deliveries   int        `json:"deliveries"`
	Succeeded    int        `json:"succeeded"`
	Failed       int        `json:"failed"` // failed + dead
	Dead         int        `json:"dead"`
	Pending      int        `json:"pending"`
	Attempts     int        `json:"attempts"`
	SuccessRate  float64    `json:"success_rate"` // succeeded / (succeeded + failed + dead); 0 with none finished
	AvgLatencyMS float64    `json:"avg_latency_ms"`
	LastError    string     `json:"last_error,omitempty"`
	LastErrorAt  *time.Time `json:"last_error_at,omitempty"`
	LastAttempt  *time.Time `json:"last_attempt_at,omitempty"`
}
