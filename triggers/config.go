package triggers

import (
	"context"
	"log/slog"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/secrets"
)

// Named defaults of Config. Every one can be changed through Config.
const (
	// DefaultMaxBodyBytes caps a webhook body when the endpoint sets no cap.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxBodyDepth is how deeply a JSON body may nest. Real
	// providers' events nest about 10 levels (a Stripe event with an
	// expanded object is among the deepest); Go's decoder gives up at
	// 10,000 and Temporal's payload decoding earlier, so a deeper body
	// could be acknowledged but never run.
	DefaultMaxBodyDepth = 64
	// DefaultInlineBodyBytes is the largest body, as encoded in a run's
	// input, that travels inside the Temporal payload; a larger one is
	// stored as a blob and the run loads it by reference, so any body up
	// to the endpoint's cap can run (see interpreter.EventInfo.SetBody).
	DefaultInlineBodyBytes = interpreter.DefaultInlineBodyBytes
	// DefaultCommitBatch is the most events one group commit writes.
	DefaultCommitBatch = 256
	// DefaultCommitWait is how long the committer waits for more requests
	// to join a batch after the first one arrives. It bounds the latency
	// group commit adds; the database's own commit time usually dominates.
	DefaultCommitWait = time.Millisecond
	// DefaultCommitters is how many group commits run at once on SQLite,
	// which has one writer anyway; DefaultPostgresCommitters on
	// PostgreSQL, where concurrent transactions share WAL flushes.
	DefaultCommitters         = 1
	DefaultPostgresCommitters = 8
	// DefaultCommitQueue bounds the requests waiting to be committed;
	// beyond it new requests get 503 at once instead of queueing without
	// limit.
	DefaultCommitQueue = 8192
	// DefaultCommitTimeout bounds one group-commit transaction.
	DefaultCommitTimeout = 10 * time.Second
	// DefaultDispatchWorkers start runs concurrently. Two keep a co-located
	// worker fed (a start is one round trip, and with eager start the run's
	// first task comes back with it) without starting runs faster than the
	// machine completes them: with 8, the starts took the CPU that
	// acceptance needed, and 50 connections got 1,981 accepted/s at p99
	// 82 ms instead of 4,241–4,363 at p99 29–31 ms, for the same ~130
	// completed/s (hookflow-bench -mode load -conns 50 -duration 10s, and
	// -rate 150 -duration 30s).
	DefaultDispatchWorkers = 2
	// DefaultDispatchQueue bounds the in-memory queue of committed events
	// waiting for their run to start; when it is full the sweeper picks
	// them up from the inbox instead.
	DefaultDispatchQueue = 16384
	// DefaultBatchSize is the most events one batch execution carries
	// (see interpreter.BatchWorkflow): 128 runs make one start, a few
	// workflow tasks and ~260 history events, far from Temporal's
	// per-execution limits.
	DefaultBatchSize = 128
	// DefaultBatchWait is how long a gathering batch waits for more
	// events once a start slot is free, while events keep arriving; a
	// lone event in a quiet system goes at once.
	DefaultBatchWait = 50 * time.Millisecond
	// DefaultHotIngestRate is the acceptance rate (events/s) above which
	// the batcher holds completions to DefaultHotStartRate, so a burst is
	// acknowledged at full speed and drained after it. On two cores,
	// acceptance and completions both at 1,000/s is the most the machine
	// does; a burst of 3,000+/s needs the cores for acceptance.
	DefaultHotIngestRate = 1500
	DefaultHotStartRate  = 250
	// DefaultStartTimeout bounds one start call to Temporal.
	DefaultStartTimeout = 10 * time.Second
	// DefaultSweepInterval is how often the sweeper looks for due events.
	DefaultSweepInterval = time.Second
	// DefaultSweepGrace is how long a freshly committed event belongs to
	// the in-memory dispatcher before the sweeper may take it: long enough
	// that the fast path normally wins, short enough that a crash delays
	// an event only by this much.
	DefaultSweepGrace = 10 * time.Second
	// DefaultSweepBatch is how many events one sweep claims.
	DefaultSweepBatch = 200
	// DefaultSweepLease is how long a claimed event is reserved for the
	// claiming process before another may retry it.
	DefaultSweepLease = time.Minute
	// DefaultBackoffBase and DefaultBackoffMax shape the retry schedule of
	// a failed start: base·2^(attempt-1), capped, with ±20% jitter.
	DefaultBackoffBase = time.Second
	DefaultBackoffMax  = 5 * time.Minute
	// DefaultRouteCacheTTL is how long an endpoint lookup (endpoint,
	// workflow, definition, credential) is reused. Changes made through
	// the API are seen at once when it calls Invalidate; changes made
	// elsewhere are seen after at most this long.
	DefaultRouteCacheTTL = 2 * time.Second
	// DefaultMaxCachedRoutes bounds the route cache (unknown tokens are
	// cached too, so guessing tokens cannot grow it without limit).
	DefaultMaxCachedRoutes = 10000
	// DefaultMaxPinnedVersions bounds the decoded workflow versions kept
	// for the ingest and dispatch paths (interpreter.Pins).
	DefaultMaxPinnedVersions = interpreter.DefaultPinnedVersions
	// DefaultRespondTimeout is how long respond: on_complete waits when the
	// trigger sets no respond_timeout.
	DefaultRespondTimeout = 30 * time.Second
	// DefaultRetention is how long events are kept.
	DefaultRetention = 30 * 24 * time.Hour
	// DefaultPruneInterval is how often the pruner runs.
	DefaultPruneInterval = time.Hour
	// DefaultPruneBatch is the rows one prune statement deletes.
	DefaultPruneBatch = 500
	// DefaultListenPoll is how often Listen also checks the inbox, so a
	// delivery received by another server process is seen too.
	DefaultListenPoll = 500 * time.Millisecond
	// DefaultMaxListeners bounds concurrent Listen calls per endpoint.
	DefaultMaxListeners = 16
	// DefaultMaxBulkReplay bounds one bulk replay.
	DefaultMaxBulkReplay = 1000
	// DefaultRetryAfter is the Retry-After sent with a 503.
	DefaultRetryAfter = 5 * time.Second
	// DefaultMaxEventsPerDelivery bounds how many events one delivery may
	// split into (HubSpot batches, WhatsApp messages).
	DefaultMaxEventsPerDelivery = 1000
)

// CredentialFunc resolves a credential named in a trigger to its decrypted
// values. It must never log them. A missing credential is an error.
type CredentialFunc func(ctx context.Context, name string) (connectors.Values, error)

// Config configures a Service. Zero fields take the named defaults.
type Config struct {
	// TaskQueue is the Temporal task queue runs start on. Required.
	TaskQueue string
	// PublicURL is the base URL providers call (scheme and host, with any
	// path prefix), used to rebuild the URL that Twilio and HubSpot sign
	// when hookflow runs behind a proxy. Empty means the request's own
	// Host header over http.
	PublicURL string
	// MaxBodyBytes is the body cap of endpoints that set none.
	MaxBodyBytes int64
	// MaxBodyDepth bounds the nesting depth of a JSON body.
	MaxBodyDepth int
	// InlineBodyBytes is the largest encoded body carried in a run's
	// input; larger ones go by reference.
	InlineBodyBytes int
	// TrustedProxies lists CIDRs whose X-Forwarded-For header is believed
	// when checking IP allowlists. Empty means the peer address is used.
	TrustedProxies []string

	CommitBatch int
	// Committers is the number of concurrent group commits; zero means
	// DefaultCommitters on SQLite and DefaultPostgresCommitters on
	// PostgreSQL.
	Committers    int
	CommitWait    time.Duration
	CommitQueue   int
	CommitTimeout time.Duration

	DispatchWorkers int
	DispatchQueue   int
	// BatchSize is the most events of one workflow version a batch
	// execution carries; 1 starts every run in its own execution.
	// BatchWait: see DefaultBatchWait.
	BatchSize int
	BatchWait time.Duration
	// HotIngestRate and HotStartRate: see DefaultHotIngestRate.
	HotIngestRate int
	HotStartRate  int
	StartTimeout  time.Duration
	SweepInterval time.Duration
	SweepGrace    time.Duration
	SweepBatch    int
	SweepLease    time.Duration
	BackoffBase   time.Duration
	BackoffMax    time.Duration

	RouteCacheTTL     time.Duration
	MaxCachedRoutes   int
	MaxPinnedVersions int
	RespondTimeout    time.Duration

	Retention     time.Duration
	PruneInterval time.Duration
	PruneBatch    int

	ListenPoll   time.Duration
	MaxListeners int

	MaxBulkReplay        int
	MaxEventsPerDelivery int
	RetryAfter           time.Duration

	// Keyring decrypts stored credentials for StoreCredentials.
	Keyring *secrets.Keyring
	// Starter starts runs; nil means TemporalStarter on the Service's
	// client and TaskQueue.
	Starter Starter
	// Signaller offers accepted events to waiting runs; nil means the
	// Starter when it implements Signaller (TemporalStarter does), else
	// events are not offered to waits.
	Signaller Signaller
	// Credentials resolves trigger credentials. Nil means the store's
	// credential named in the trigger, decrypted with Keyring (see
	// StoreCredentials).
	Credentials CredentialFunc
	// Now is the clock; nil means time.Now. Tests inject one to check
	// timestamp tolerances and dedupe across hours.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	setInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	setInt(&c.MaxBodyDepth, DefaultMaxBodyDepth)
	setInt(&c.InlineBodyBytes, DefaultInlineBodyBytes)
	setInt(&c.CommitBatch, DefaultCommitBatch)
	setDur(&c.CommitWait, DefaultCommitWait)
	setInt(&c.CommitQueue, DefaultCommitQueue)
	setDur(&c.CommitTimeout, DefaultCommitTimeout)
	setInt(&c.DispatchWorkers, DefaultDispatchWorkers)
	setInt(&c.DispatchQueue, DefaultDispatchQueue)
	setInt(&c.BatchSize, DefaultBatchSize)
	setDur(&c.BatchWait, DefaultBatchWait)
	setInt(&c.HotIngestRate, DefaultHotIngestRate)
	setInt(&c.HotStartRate, DefaultHotStartRate)
	setDur(&c.StartTimeout, DefaultStartTimeout)
	setDur(&c.SweepInterval, DefaultSweepInterval)
	setDur(&c.SweepGrace, DefaultSweepGrace)
	setInt(&c.SweepBatch, DefaultSweepBatch)
	setDur(&c.SweepLease, DefaultSweepLease)
	setDur(&c.BackoffBase, DefaultBackoffBase)
	setDur(&c.BackoffMax, DefaultBackoffMax)
	setDur(&c.RouteCacheTTL, DefaultRouteCacheTTL)
	setInt(&c.MaxCachedRoutes, DefaultMaxCachedRoutes)
	setInt(&c.MaxPinnedVersions, DefaultMaxPinnedVersions)
	setDur(&c.RespondTimeout, DefaultRespondTimeout)
	setDur(&c.Retention, DefaultRetention)
	setDur(&c.PruneInterval, DefaultPruneInterval)
	setInt(&c.PruneBatch, DefaultPruneBatch)
	setDur(&c.ListenPoll, DefaultListenPoll)
	setInt(&c.MaxListeners, DefaultMaxListeners)
	setInt(&c.MaxBulkReplay, DefaultMaxBulkReplay)
	setInt(&c.MaxEventsPerDelivery, DefaultMaxEventsPerDelivery)
	setDur(&c.RetryAfter, DefaultRetryAfter)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
