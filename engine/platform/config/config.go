// Package config holds every hookflow setting in one struct.
//
// Each setting is both a command-line flag and a HOOKFLOW_* environment
// variable; a flag given on the command line wins over the environment, and
// the environment wins over the named defaults below. The list of settings is
// data (see Settings), so --help, the README and the tests all come from the
// same table.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Named defaults. Every limit can be changed through a flag or environment
// variable.
const (
	DefaultDataDir           = ".hookflow"
	DefaultHTTPAddr          = ":8080"
	DefaultPublicURL         = "http://localhost:8080"
	DefaultTemporalAddress   = "127.0.0.1:7233"
	DefaultTemporalNamespace = "default"
	DefaultTaskQueue         = "hookflow"
	DefaultTemporalPort      = 7233
	DefaultTemporalLogLevel  = "warn"
	DefaultTemporalShards    = 4
	// DefaultRemoteDispatchWorkers is the dispatch concurrency of a server
	// without a co-located worker: each start is a round trip to a remote
	// Temporal (several database commits on PostgreSQL), so concurrency,
	// not CPU, bounds how fast it starts runs. Measured with hookflow-bench
	// -mode topology: 2 per server started 17 runs/s.
	DefaultRemoteDispatchWorkers  = 16
	DefaultTemporalConnectTimeout = 30 * time.Second
	DefaultLogLevel               = "info"
	DefaultLogFormat              = "text"
	DefaultEventRetention         = 30 * 24 * time.Hour
	// DefaultAlertInterval is how often API processes evaluate the health
	// alert rules (health.DefaultInterval).
	DefaultAlertInterval = 15 * time.Second
	DefaultMaxBodyBytes  = 1 << 20
	// DefaultMaxBodyDepth and DefaultInlineBodyBytes are the webhook
	// pipeline's (triggers.DefaultMaxBodyDepth, DefaultInlineBodyBytes).
	DefaultMaxBodyDepth    = 64
	DefaultInlineBodyBytes = 256 << 10
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultHTTPReadHeaderTimeout bounds how long a client may take to
	// send a request's headers.
	DefaultHTTPReadHeaderTimeout = 10 * time.Second
	// DefaultHTTPBodyTimeout bounds how long a client may take to send a
	// request body, counted from the end of its headers. Providers give up
	// on a delivery themselves within seconds and retry, so a body still
	// arriving after this long is not worth a connection; it allows the
	// default 1 MiB body at 280 kbit/s and the 64 MiB endpoint ceiling at
	// 18 Mbit/s.
	DefaultHTTPBodyTimeout = 30 * time.Second
	// DefaultHTTPIdleTimeout is how long a kept-alive connection may wait
	// for its next request.
	DefaultHTTPIdleTimeout = 2 * time.Minute
	// DefaultMaxInFlightWebhooks caps webhook bodies being received at
	// once. A body normally arrives within a millisecond, so only slow
	// senders or a flood reach the cap; each slot may buffer up to the
	// endpoint's body cap, so at the default 1 MiB this bounds that memory
	// to 256 MiB.
	DefaultMaxInFlightWebhooks = 256
	// DefaultTLSChallengeAddr is where automatic certificates answer ACME
	// http-01 challenges: the certificate authority connects to port 80.
	DefaultTLSChallengeAddr = ":80"
	// TLSCacheDirName is the folder in the data folder that keeps automatic
	// certificates when --tls-cache-dir is not set.
	TLSCacheDirName = "autocert"
	// DefaultDevMemoryLimitMiB is the soft memory limit of `hookflow dev`,
	// which shares one machine with everything else a developer runs.
	// Other commands have none unless asked (DefaultMemoryLimitMiB).
	// Measured with a 10-second burst of 100,000 events: 288 kept the
	// drain's peak RSS at 462–470 MiB (the binary's mapped code and
	// SQLite's caches are another ~170 MiB) at an unchanged drain rate;
	// 280 cost the drain about 15%.
	DefaultDevMemoryLimitMiB = 288
	DefaultMemoryLimitMiB    = 0
	// DefaultWorkerPollers is the number of workflow-task and of
	// activity-task pollers. The SDK's default of 2 each caps a worker at
	// two task hand-overs per round trip, which left activity tasks queued
	// in Temporal at 200 runs/s.
	DefaultWorkerPollers = 8
	// DefaultExpressionTimeout is expression.DefaultTimeout: one costly
	// evaluation may hold a worker slot for this long.
	DefaultExpressionTimeout = 50 * time.Millisecond

	// SQLiteFileName is the store's database file inside the data folder.
	SQLiteFileName = "hookflow.db"
	// SecretKeyFileName is where `hookflow dev` keeps a generated secret key.
	SecretKeyFileName = "secret.key"
	// SecretKeyBytes is the length of a generated secret key before base64.
	SecretKeyBytes = 32
)

// Config is the whole configuration of a hookflow process. Not every command
// uses every field; each command registers only the groups it needs.
type Config struct {
	// DataDir is the folder for everything kept on local disk: the SQLite
	// store, the embedded Temporal database and the generated secret key.
	DataDir string
	// HTTPAddr is where the API, UI and webhook endpoints listen.
	HTTPAddr string
	// HealthAddr is where a worker-only process serves /healthz and
	// /readyz; empty turns that listener off. API processes serve them on
	// HTTPAddr.
	HealthAddr string
	// PprofAddr is where the process serves net/http/pprof (CPU, heap,
	// goroutine, block and mutex profiles); empty turns it off. The
	// endpoints have no authentication, so bind it to loopback.
	PprofAddr string
	// PublicURL is the base URL external apps use to reach this server; webhook
	// URLs are built from it.
	PublicURL string
	// DatabaseURL selects the store: "sqlite:PATH", a plain file path, or
	// "postgres://…". Empty means SQLite inside DataDir.
	DatabaseURL string
	// AutoMigrate applies pending store migrations when `server` starts.
	AutoMigrate bool

	// Temporal client settings (server and worker).
	TemporalAddress        string
	TemporalNamespace      string
	TemporalTLS            bool
	TemporalTLSCert        string
	TemporalTLSKey         string
	TemporalTLSCA          string
	TemporalTLSServerName  string
	TemporalAPIKey         string
	TemporalConnectTimeout time.Duration
	// TaskQueue is the Temporal task queue the worker polls and the API
	// starts workflows on.
	TaskQueue string

	// MemoryLimitMiB is the Go runtime's soft memory limit in MiB; 0
	// leaves it unset. GOMEMLIMIT in the environment wins over it.
	MemoryLimitMiB int
	// ExpressionTimeout bounds one evaluation in the interpreter's Resolve
	// activity (see expression.Budget).
	ExpressionTimeout time.Duration
	// WorkerPollers is how many workflow-task polls, and how many
	// activity-task polls, the worker keeps open.
	WorkerPollers int

	// Embedded Temporal server (dev and temporal commands).
	TemporalPort     int
	TemporalLogLevel string
	// TemporalPostgresURL keeps the embedded server's data in PostgreSQL.
	TemporalPostgresURL string
	// TemporalShards is its history shard count (PostgreSQL only).
	TemporalShards int

	// LogLevel and LogFormat configure hookflow's own logs.
	LogLevel  string
	LogFormat string

	// SecretKey encrypts credentials at rest (base64 of 32 random bytes).
	SecretKey string

	// SSRFAllow lists CIDRs and host names that user-typed URLs (http steps,
	// outgoing webhooks) may reach even though they are private or loopback.
	SSRFAllow []string
	// ConnectorBaseURLs overrides provider API base URLs by connector name,
	// for fakes in tests and for corporate proxies.
	ConnectorBaseURLs map[string]string
	// OAuthClients holds, by connector name, "CLIENT_ID:CLIENT_SECRET" of
	// the OAuth 2 app an admin registered with that provider; a connector
	// that declares OAuth offers "Connect <app>" only when it has one.
	// Its redirect URL is OAuthRedirectURL.
	OAuthClients map[string]string
	// AllowHTTP lists destinations (host names, IPs, CIDRs, or "*") that
	// outgoing calls may reach over plain http://; every other http:// URL
	// is refused. SSRFAllow entries and ConnectorBaseURLs hosts are allowed
	// too.
	AllowHTTP []string

	// EventRetention is how long received events and run summaries are kept.
	EventRetention time.Duration
	// AlertInterval is how often API processes evaluate the health alert
	// rules and refresh the backlog, in-flight and waiting gauges.
	AlertInterval time.Duration
	// MaxBodyBytes caps the size of an incoming webhook or API request body.
	MaxBodyBytes int64
	// MaxBodyDepth bounds how deeply a webhook's JSON body may nest.
	MaxBodyDepth int
	// InlineBodyBytes is the largest event body (as encoded) carried in a
	// run's Temporal input; larger bodies travel by reference.
	InlineBodyBytes int

	// HTTPReadHeaderTimeout, HTTPBodyTimeout and HTTPIdleTimeout bound how
	// long a client may take over a request's headers, over its body, and
	// between requests on a kept-alive connection.
	HTTPReadHeaderTimeout time.Duration
	HTTPBodyTimeout       time.Duration
	HTTPIdleTimeout       time.Duration
	// DispatchWorkers is how many runs the process starts at once; 0
	// picks by role (see DefaultRemoteDispatchWorkers).
	DispatchWorkers int
	// DispatchBatch is the most events one batch execution carries (0:
	// the triggers default; 1: no batches).
	DispatchBatch int
	// MaxInFlightWebhooks caps webhook deliveries whose bodies are being
	// received at once; more get 503 with Retry-After.
	MaxInFlightWebhooks int
	// TrustedProxies lists the CIDRs or addresses of reverse proxies whose
	// X-Forwarded-For header is believed by endpoint IP allowlists.
	TrustedProxies []string

	// TLSCert and TLSKey serve HTTPS from a PEM certificate chain and key,
	// re-read when they change.
	TLSCert string
	TLSKey  string
	// TLSAutoHosts serves HTTPS with certificates obtained automatically
	// from an ACME certificate authority for these host names.
	TLSAutoHosts []string
	// TLSCacheDir keeps automatic certificates; empty means
	// TLSCacheDirName in DataDir.
	TLSCacheDir string
	// TLSACMEDirectory is the certificate authority's directory URL; empty
	// means Let's Encrypt.
	TLSACMEDirectory string
	// TLSACMEEmail is the contact given to the certificate authority.
	TLSACMEEmail string
	// TLSChallengeAddr is the plain-HTTP listener of automatic
	// certificates (http-01 challenges, redirects to HTTPS); empty turns
	// it off, leaving tls-alpn-01 on the HTTPS port.
	TLSChallengeAddr string
	// ShutdownTimeout bounds the graceful drain of HTTP requests and worker
	// tasks after SIGINT or SIGTERM.
	ShutdownTimeout time.Duration
}

// Upper bounds of settings whose larger values would let through what a
// run cannot take.
const (
	// MaxBodyDepthLimit stays well below the depth where Go's decoder
	// (10,000) and Temporal's payload decoding give up.
	MaxBodyDepthLimit = 1000
	// MaxInlineBodyBytes keeps an inline body and a definition together
	// under Temporal's 2 MiB payload limit.
	MaxInlineBodyBytes = 1 << 20
)

// Default returns the configuration with every named default applied.
func Default() Config {
	return Config{
		DataDir:                DefaultDataDir,
		HTTPAddr:               DefaultHTTPAddr,
		PublicURL:              DefaultPublicURL,
		AutoMigrate:            true,
		TemporalAddress:        DefaultTemporalAddress,
		TemporalNamespace:      DefaultTemporalNamespace,
		TemporalConnectTimeout: DefaultTemporalConnectTimeout,
		TaskQueue:              DefaultTaskQueue,
		TemporalPort:           DefaultTemporalPort,
		TemporalLogLevel:       DefaultTemporalLogLevel,
		TemporalShards:         DefaultTemporalShards,
		LogLevel:               DefaultLogLevel,
		LogFormat:              DefaultLogFormat,
		EventRetention:         DefaultEventRetention,
		AlertInterval:          DefaultAlertInterval,
		MaxBodyBytes:           DefaultMaxBodyBytes,
		MaxBodyDepth:           DefaultMaxBodyDepth,
		InlineBodyBytes:        DefaultInlineBodyBytes,
		ShutdownTimeout:        DefaultShutdownTimeout,
		HTTPReadHeaderTimeout:  DefaultHTTPReadHeaderTimeout,
		HTTPBodyTimeout:        DefaultHTTPBodyTimeout,
		HTTPIdleTimeout:        DefaultHTTPIdleTimeout,
		MaxInFlightWebhooks:    DefaultMaxInFlightWebhooks,
		TLSChallengeAddr:       DefaultTLSChallengeAddr,
		WorkerPollers:          DefaultWorkerPollers,
		ExpressionTimeout:      DefaultExpressionTimeout,
		MemoryLimitMiB:         DefaultMemoryLimitMiB,
	}
}

// StoreURL is the database URL the store opens: DatabaseURL, or SQLite in the
// data folder when it is empty.
func (c Config) StoreURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + filepath.Join(c.DataDir, SQLiteFileName)
}

// TemporalDBPath is the embedded Temporal server's SQLite file.
func (c Config) TemporalDBPath() string {
	return filepath.Join(c.DataDir, "temporal.db")
}

// WebhookBaseURL is the prefix of every webhook URL, e.g.
// http://localhost:8080/hooks/.
func (c Config) WebhookBaseURL() string {
	return strings.TrimRight(c.PublicURL, "/") + "/hooks/"
}

// OAuthRedirectURL is the redirect (callback) URL to register with OAuth 2
// providers: the public URL plus /oauth/callback.
func (c Config) OAuthRedirectURL() string {
	return strings.TrimRight(c.PublicURL, "/") + "/oauth/callback"
}

// TLSEnabled reports whether the HTTP listener serves HTTPS.
func (c Config) TLSEnabled() bool {
	return c.TLSCert != "" || c.TLSKey != "" || len(c.TLSAutoHosts) > 0
}

// TLSCacheFolder is where automatic certificates are kept.
func (c Config) TLSCacheFolder() string {
	if c.TLSCacheDir != "" {
		return c.TLSCacheDir
	}
	return filepath.Join(c.DataDir, TLSCacheDirName)
}

// TemporalTLSEnabled reports whether the Temporal client dials with TLS: when
// asked to, when any certificate option is set, or when an API key is used
// (API keys are only sent over TLS).
func (c Config) TemporalTLSEnabled() bool {
	return c.TemporalTLS || c.TemporalTLSCert != "" || c.TemporalTLSKey != "" ||
		c.TemporalTLSCA != "" || c.TemporalTLSServerName != "" || c.TemporalAPIKey != ""
}

// Validate checks the settings and names the offending flag in its error.
func (c Config) Validate() error {
	var errs []error
	bad := func(flag, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s (%s): %s", flag, EnvName(flag), fmt.Sprintf(format, args...)))
	}
	if c.DataDir == "" {
		bad("data-dir", "must not be empty")
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("public-url", "%q is not an absolute http(s) URL", c.PublicURL)
	}
	if c.DatabaseURL != "" {
		if _, err := DescribeDatabaseURL(c.DatabaseURL); err != nil {
			bad("database-url", "%v", err)
		}
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		bad("temporal-tls-cert", "a client certificate needs both --temporal-tls-cert and --temporal-tls-key")
	}
	if c.TemporalPort <= 0 || c.TemporalPort > 65535 {
		bad("temporal-port", "%d is not a TCP port", c.TemporalPort)
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		bad("log-level", "%v", err)
	}
	if c.DispatchWorkers < 0 {
		bad("dispatch-workers", "%d is negative", c.DispatchWorkers)
	}
	if c.DispatchBatch < 0 || c.DispatchBatch > 1000 {
		bad("dispatch-batch", "%d is not a batch size (0 to 1000)", c.DispatchBatch)
	}
	if c.TemporalShards < 1 || c.TemporalShards > 16384 {
		bad("temporal-shards", "%d is not a shard count (1 to 16384)", c.TemporalShards)
	}
	if c.TemporalPostgresURL != "" && !strings.HasPrefix(c.TemporalPostgresURL, "postgres://") && !strings.HasPrefix(c.TemporalPostgresURL, "postgresql://") {
		bad("temporal-postgres-url", "must be a postgres:// URL")
	}
	if _, err := ParseLevel(c.TemporalLogLevel); err != nil {
		bad("temporal-log-level", "%v", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format", "%q must be text or json", c.LogFormat)
	}
	if c.TaskQueue == "" {
		bad("task-queue", "must not be empty")
	}
	if c.ExpressionTimeout <= 0 {
		bad("expression-timeout", "must be positive, got %s", c.ExpressionTimeout)
	}
	if c.WorkerPollers <= 0 {
		bad("worker-pollers", "must be positive")
	}
	if c.MemoryLimitMiB < 0 {
		bad("memory-limit-mib", "must not be negative")
	}
	if c.EventRetention <= 0 {
		bad("event-retention", "must be positive")
	}
	if c.AlertInterval < time.Second {
		bad("alert-interval", "must be at least 1s")
	}
	if c.MaxBodyBytes <= 0 {
		bad("max-body-bytes", "must be positive")
	}
	if c.MaxBodyDepth < 1 || c.MaxBodyDepth > MaxBodyDepthLimit {
		bad("max-body-depth", "must be between 1 and %d (deeper bodies cannot be decoded by the run)", MaxBodyDepthLimit)
	}
	if c.InlineBodyBytes < 1 || c.InlineBodyBytes > MaxInlineBodyBytes {
		bad("inline-body-bytes", "must be between 1 and %d (Temporal refuses payloads over 2 MiB, and the run input also carries the definition)", MaxInlineBodyBytes)
	}
	if c.ShutdownTimeout <= 0 {
		bad("shutdown-timeout", "must be positive")
	}
	if c.TemporalConnectTimeout <= 0 {
		bad("temporal-connect-timeout", "must be positive")
	}
	if c.HTTPReadHeaderTimeout <= 0 {
		bad("http-read-header-timeout", "must be positive")
	}
	if c.HTTPBodyTimeout <= 0 {
		bad("http-body-timeout", "must be positive")
	}
	if c.HTTPIdleTimeout <= 0 {
		bad("http-idle-timeout", "must be positive")
	}
	if c.MaxInFlightWebhooks <= 0 {
		bad("max-inflight-webhooks", "must be positive")
	}
	for _, p := range c.TrustedProxies {
		if !validAddrOrCIDR(p) {
			bad("trusted-proxies", "%q is not an IP address or CIDR", p)
		}
	}
	errs = append(errs, c.validateTLS()...)
	return errors.Join(errs...)
}

// validateTLS checks the HTTPS settings.
func (c Config) validateTLS() []error {
	var errs []error
	bad := func(flag, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s (%s): %s", flag, EnvName(flag), fmt.Sprintf(format, args...)))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls-cert", "HTTPS from files needs both --tls-cert and --tls-key")
	}
	if (c.TLSCert != "" || c.TLSKey != "") && len(c.TLSAutoHosts) > 0 {
		bad("tls-auto-host", "give either certificate files (--tls-cert, --tls-key) or host names for automatic certificates, not both")
	}
	for _, h := range c.TLSAutoHosts {
		if msg := checkPublicHost(h); msg != "" {
			bad("tls-auto-host", "%q %s", h, msg)
		}
	}
	if c.TLSACMEDirectory != "" {
		if u, err := url.Parse(c.TLSACMEDirectory); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("tls-acme-directory", "%q is not an absolute https URL", c.TLSACMEDirectory)
		}
	}
	if c.TLSACMEEmail != "" && !strings.Contains(c.TLSACMEEmail, "@") {
		bad("tls-acme-email", "%q is not an email address", c.TLSACMEEmail)
	}
	return errs
}

// checkPublicHost says what is wrong with a host name for an automatic
// certificate, or "". Certificate authorities issue these only for public
// DNS names, so an address, a port or a single label is a mistake.
func checkPublicHost(h string) string {
	switch {
	case strings.Contains(h, "://") || strings.ContainsAny(h, "/:"):
		return "must be a bare host name such as hooks.example.com, without scheme, port or path"
	case net.ParseIP(h) != nil:
		return "is an IP address; automatic certificates need a DNS name"
	case !strings.Contains(strings.Trim(h, "."), "."):
		return "is not a public DNS name (it has no dot)"
	}
	return ""
}

// validAddrOrCIDR reports whether s is an IP address or a CIDR.
func validAddrOrCIDR(s string) bool {
	if strings.Contains(s, "/") {
		_, err := netip.ParsePrefix(s)
		return err == nil
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// ParseLevel parses debug, info, warn or error.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%q is not a log level (debug, info, warn, error)", s)
	}
	return l, nil
}

// NewLogger builds hookflow's logger from LogLevel and LogFormat.
func (c Config) NewLogger() *slog.Logger {
	level, err := ParseLevel(c.LogLevel)
	if err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// DescribeDatabaseURL returns a one-line description of a database URL that
// is safe to print: the dialect and host (or file), never the password.
func DescribeDatabaseURL(databaseURL string) (string, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		u, err := url.Parse(databaseURL)
		if err != nil {
			// url.Parse echoes its input in errors, which may hold a password.
			return "", errors.New("postgres URL cannot be parsed")
		}
		host := u.Host
		if host == "" {
			host = "localhost"
		}
		return fmt.Sprintf("postgres at %s/%s", host, strings.TrimPrefix(u.Path, "/")), nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return "sqlite file " + strings.TrimPrefix(databaseURL, "sqlite:"), nil
	case strings.Contains(databaseURL, "://"):
		scheme, _, _ := strings.Cut(databaseURL, "://")
		return "", fmt.Errorf("unsupported database scheme %q (use sqlite:PATH or postgres://…)", scheme)
	default:
		return "sqlite file " + databaseURL, nil
	}
}

// EnsureSecretKey returns the configured secret key. When none is configured
// and generate is true (hookflow dev), it reads the key kept in the data
// folder, creating it on first use. Without generate a missing key is an
// error, because a server that invents its own key could not read credentials
// written by its peers.
func (c Config) EnsureSecretKey(generate bool) (string, error) {
	if c.SecretKey != "" {
		return c.SecretKey, nil
	}
	path := filepath.Join(c.DataDir, SecretKeyFileName)
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if key == "" {
			return "", fmt.Errorf("reading secret key: %s is empty", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading secret key: %w", err)
	}
	if !generate {
		return "", fmt.Errorf("no secret key: set %s (base64 of %d random bytes)", EnvName("secret-key"), SecretKeyBytes)
	}
	raw := make([]byte, SecretKeyBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generating secret key: %w", err)
	}
	key := base64.StdEncoding.EncodeToString(raw)
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("creating data folder: %w", err)
	}
	if err := writeFileAtomic(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing secret key: %w", err)
	}
	return key, nil
}

// writeFileAtomic writes through a temporary file and a rename, so a crash
// never leaves a half-written file behind.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
