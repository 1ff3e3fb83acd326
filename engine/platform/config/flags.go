package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Group is a set of settings a command can register. Commands combine groups
// with |, so `hookflow worker` never shows HTTP flags it would ignore.
type Group uint

// The setting groups.
const (
	GroupCore           Group = 1 << iota // data folder, logging, shutdown
	GroupHTTP                             // API processes: listen address, public URL, body limit, timeouts, TLS, migrations, retention
	GroupStore                            // database URL
	GroupTemporalClient                   // address, namespace, TLS, API key
	GroupEmbedded                         // embedded Temporal server
	GroupSecrets                          // credential encryption key
	GroupQueue                            // task queue (worker and API)
	GroupHealth                           // health listener of worker-only processes
	GroupConnectors                       // outgoing calls: SSRF allowlist, provider base URLs
	GroupDebug                            // long-running processes: profiling listener, memory limit
	GroupWorker                           // processes that run the Temporal worker: pollers, cache

	// GroupAll is every group.
	GroupAll = GroupCore | GroupHTTP | GroupStore | GroupTemporalClient | GroupEmbedded | GroupSecrets | GroupQueue | GroupHealth | GroupConnectors | GroupDebug | GroupWorker
)

// Setting describes one configuration value: its flag name, environment
// variable, help text and where it lives in Config.
type Setting struct {
	Flag  string
	Env   string
	Usage string
	Group Group
	// Secret settings never show their value in --help.
	Secret bool
	bind   func(c *Config) flag.Value
}

// EnvName is the environment variable for a flag: --temporal-tls-ca becomes
// HOOKFLOW_TEMPORAL_TLS_CA.
func EnvName(flagName string) string {
	return "HOOKFLOW_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Settings returns the table of every setting, in the order --help shows them.
func Settings() []Setting {
	s := []Setting{
		{Flag: "data-dir", Group: GroupCore, Usage: "folder for local data: SQLite store, embedded Temporal, generated secret key",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.DataDir) }},
		{Flag: "log-level", Group: GroupCore, Usage: "hookflow log level: debug, info, warn or error",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.LogLevel) }},
		{Flag: "log-format", Group: GroupCore, Usage: "log format: text or json",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.LogFormat) }},
		{Flag: "shutdown-timeout", Group: GroupCore, Usage: "how long SIGINT/SIGTERM waits for HTTP requests and worker tasks to drain",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.ShutdownTimeout) }},

		{Flag: "http-addr", Group: GroupHTTP, Usage: "listen address of the API, UI and webhook endpoints",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.HTTPAddr) }},
		{Flag: "health-addr", Group: GroupHealth, Usage: "listen address for /healthz and /readyz of a worker (empty: off)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.HealthAddr) }},
		{Flag: "pprof-addr", Group: GroupDebug, Usage: "listen address of Go's net/http/pprof profiling endpoints under /debug/pprof/ (empty: off; never expose it publicly)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.PprofAddr) }},
		{Flag: "public-url", Group: GroupHTTP, Usage: "base URL external apps use to reach hookflow; webhook URLs are built from it",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.PublicURL) }},
		{Flag: "max-body-bytes", Group: GroupHTTP, Usage: "largest accepted API request body in bytes, and the body cap of webhook endpoints that set none",
			bind: func(c *Config) flag.Value { return (*int64Value)(&c.MaxBodyBytes) }},

		{Flag: "max-body-depth", Group: GroupHTTP, Usage: "deepest nesting of a webhook's JSON body; a deeper one gets 400 (or, when signed, is kept as unparseable)",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.MaxBodyDepth) }},
		{Flag: "inline-body-bytes", Group: GroupHTTP, Usage: "largest event body, as encoded, carried inside a run's Temporal input; larger bodies are stored and loaded by reference",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.InlineBodyBytes) }},
		{Flag: "http-read-header-timeout", Group: GroupHTTP, Usage: "how long a client may take to send a request's headers",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.HTTPReadHeaderTimeout) }},
		{Flag: "http-body-timeout", Group: GroupHTTP, Usage: "how long a client may take to send a request body, counted from the end of its headers; a slower one gets 400 and its connection closed",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.HTTPBodyTimeout) }},
		{Flag: "http-idle-timeout", Group: GroupHTTP, Usage: "how long a kept-alive connection may wait for its next request",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.HTTPIdleTimeout) }},
		{Flag: "dispatch-workers", Group: GroupHTTP, Usage: "runs a process starts in Temporal at once (0: 2 when the process runs the worker too, as dev does, so starts leave its CPU to the runs; 16 for a server without one, whose starts wait on a remote Temporal)",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.DispatchWorkers) }},
		{Flag: "dispatch-batch", Group: GroupHTTP, Usage: "most events of one workflow version one Temporal execution carries (0: 128; 1: every run in its own execution). Only workflows whose steps never wait, sleep, reply or call another workflow are batched",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.DispatchBatch) }},
		{Flag: "max-inflight-webhooks", Group: GroupHTTP, Usage: "webhook deliveries whose bodies may be received at once; more get 503 with Retry-After",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.MaxInFlightWebhooks) }},
		{Flag: "trusted-proxies", Group: GroupHTTP, Usage: "comma-separated IP addresses or CIDRs of reverse proxies whose X-Forwarded-For header endpoint IP allowlists believe (empty: the connection's address is the caller)",
			bind: func(c *Config) flag.Value { return (*listValue)(&c.TrustedProxies) }},
		{Flag: "tls-cert", Group: GroupHTTP, Usage: "certificate chain file (PEM) to serve HTTPS with; re-read when it changes",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TLSCert) }},
		{Flag: "tls-key", Group: GroupHTTP, Usage: "private key file (PEM) of --tls-cert; re-read when it changes",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TLSKey) }},
		{Flag: "tls-auto-host", Group: GroupHTTP, Usage: "comma-separated public host names to serve HTTPS for with certificates obtained automatically from an ACME certificate authority",
			bind: func(c *Config) flag.Value { return (*listValue)(&c.TLSAutoHosts) }},
		{Flag: "tls-cache-dir", Group: GroupHTTP, Usage: "folder that keeps automatic certificates and the ACME account key (default: autocert in the data folder)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TLSCacheDir) }},
		{Flag: "tls-acme-directory", Group: GroupHTTP, Usage: "directory URL of the ACME certificate authority (default: Let's Encrypt)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TLSACMEDirectory) }},
		{Flag: "tls-acme-email", Group: GroupHTTP, Usage: "contact email given to the certificate authority for expiry notices (optional)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TLSACMEEmail) }},
		{Flag: "tls-challenge-addr", Group: GroupHTTP, Usage: "plain-HTTP listen address that answers ACME http-01 challenges and redirects to HTTPS, with --tls-auto-host (empty: off; tls-alpn-01 on the HTTPS port still works)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TLSChallengeAddr) }},

		{Flag: "database-url", Group: GroupStore, Secret: true, Usage: "store database: sqlite:PATH or postgres://user:pass@host:5432/db (default: SQLite in the data folder)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.DatabaseURL) }},
		{Flag: "auto-migrate", Group: GroupHTTP, Usage: "apply pending store migrations when the server starts",
			bind: func(c *Config) flag.Value { return (*boolValue)(&c.AutoMigrate) }},
		{Flag: "alert-interval", Group: GroupHTTP, Usage: "how often API processes evaluate the health alert rules and refresh the backlog, in-flight and waiting gauges",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.AlertInterval) }},
		{Flag: "event-retention", Group: GroupHTTP, Usage: "how long received events, finished runs and deliveries, and stored step outputs are kept (e.g. 720h or 30d); pruned in small batches",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.EventRetention) }},

		{Flag: "temporal-address", Group: GroupTemporalClient, Usage: "host:port of the Temporal frontend",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalAddress) }},
		{Flag: "temporal-namespace", Group: GroupTemporalClient | GroupEmbedded, Usage: "Temporal namespace",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalNamespace) }},
		{Flag: "task-queue", Group: GroupQueue, Usage: "Temporal task queue the worker polls",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TaskQueue) }},
		{Flag: "memory-limit-mib", Group: GroupDebug, Usage: "soft limit of the Go heap in MiB: the garbage collector works harder as the process nears it (0: none; GOMEMLIMIT, when set, wins)",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.MemoryLimitMiB) }},
		{Flag: "expression-timeout", Group: GroupWorker, Usage: "wall-clock budget of one expression, template or mapping that needs more work than workflow code allows; over it, the step fails (permanent, on_error applies)",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.ExpressionTimeout) }},
		{Flag: "worker-pollers", Group: GroupWorker, Usage: "concurrent long polls the worker keeps open for workflow tasks, and as many for activity tasks",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.WorkerPollers) }},
		{Flag: "temporal-tls", Group: GroupTemporalClient, Usage: "dial Temporal with TLS (implied by any other TLS option or an API key)",
			bind: func(c *Config) flag.Value { return (*boolValue)(&c.TemporalTLS) }},
		{Flag: "temporal-tls-cert", Group: GroupTemporalClient, Usage: "client certificate file (PEM) for mTLS to Temporal",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalTLSCert) }},
		{Flag: "temporal-tls-key", Group: GroupTemporalClient, Usage: "client private key file (PEM) for mTLS to Temporal",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalTLSKey) }},
		{Flag: "temporal-tls-ca", Group: GroupTemporalClient, Usage: "CA certificate file (PEM) that signs the Temporal server certificate",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalTLSCA) }},
		{Flag: "temporal-tls-server-name", Group: GroupTemporalClient, Usage: "server name expected in the Temporal server certificate",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalTLSServerName) }},
		{Flag: "temporal-api-key", Group: GroupTemporalClient, Secret: true, Usage: "API key for Temporal Cloud (sent as a bearer token over TLS)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalAPIKey) }},
		{Flag: "temporal-connect-timeout", Group: GroupTemporalClient, Usage: "how long a starting worker keeps retrying to reach Temporal",
			bind: func(c *Config) flag.Value { return (*durationValue)(&c.TemporalConnectTimeout) }},

		{Flag: "temporal-port", Group: GroupEmbedded, Usage: "frontend port of the embedded Temporal server (on 127.0.0.1)",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.TemporalPort) }},
		{Flag: "temporal-log-level", Group: GroupEmbedded, Usage: "log level of the embedded Temporal server",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalLogLevel) }},
		{Flag: "temporal-postgres-url", Group: GroupEmbedded, Secret: true, Usage: "keep the embedded Temporal server's data in PostgreSQL (postgres://user:pass@host:5432/temporal; the visibility database is <name>_visibility) instead of SQLite in the data folder; prepare it once with `hookflow temporal setup-schema`",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.TemporalPostgresURL) }},
		{Flag: "temporal-shards", Group: GroupEmbedded, Usage: "history shards of a PostgreSQL-backed Temporal server; fixed when the cluster first starts (SQLite always uses 1)",
			bind: func(c *Config) flag.Value { return (*intValue)(&c.TemporalShards) }},

		{Flag: "ssrf-allow", Group: GroupConnectors, Usage: "comma-separated CIDRs or host names that http steps and outgoing webhooks may reach although they are private or loopback (e.g. 127.0.0.1/32,10.0.0.0/8)",
			bind: func(c *Config) flag.Value { return (*listValue)(&c.SSRFAllow) }},
		{Flag: "allow-http", Group: GroupConnectors, Usage: "comma-separated host names, IPs or CIDRs that http steps, outgoing webhooks and connectors may call over plain http:// (\"*\" for any); every other http:// URL is refused. --ssrf-allow entries and --connector-base-urls hosts are allowed too",
			bind: func(c *Config) flag.Value { return (*listValue)(&c.AllowHTTP) }},
		{Flag: "connector-base-urls", Group: GroupConnectors, Usage: "comma-separated connector=URL overrides of provider API base URLs (e.g. slack=http://127.0.0.1:9000), for fakes and proxies",
			bind: func(c *Config) flag.Value { return (*mapValue)(&c.ConnectorBaseURLs) }},

		{Flag: "oauth-clients", Group: GroupSecrets, Secret: true, Usage: "comma-separated connector=CLIENT_ID:CLIENT_SECRET of the OAuth 2 apps an admin registered with each provider (e.g. hubspot=1a2b…:3c4d…), which enable \"Connect <app>\"; the provider's redirect URL is <public-url>/oauth/callback",
			bind: func(c *Config) flag.Value { return (*mapValue)(&c.OAuthClients) }},
		{Flag: "secret-key", Group: GroupSecrets, Secret: true, Usage: "key that encrypts credentials at rest, base64 of 32 bytes (dev generates one into the data folder)",
			bind: func(c *Config) flag.Value { return (*stringValue)(&c.SecretKey) }},
	}
	for i := range s {
		s[i].Env = EnvName(s[i].Flag)
	}
	return s
}

// Register adds the settings of groups to fs, bound to cfg. Values already in
// cfg become the defaults shown by --help.
func Register(fs *flag.FlagSet, cfg *Config, groups Group) {
	for _, s := range Settings() {
		if s.Group&groups == 0 {
			continue
		}
		v := s.bind(cfg)
		usage := fmt.Sprintf("%s (env %s)", s.Usage, s.Env)
		if s.Secret {
			// flag prints non-zero defaults; a secret's value must never appear.
			v = secretValue{v}
		}
		fs.Var(v, s.Flag, usage)
	}
}

// Parse loads cfg for one command: defaults already in cfg, then HOOKFLOW_*
// variables from getenv, then the flags in args. A flag wins over the
// environment because it is applied last. Errors name the flag or variable.
func Parse(fs *flag.FlagSet, cfg *Config, groups Group, args []string, getenv func(string) string) error {
	Register(fs, cfg, groups)
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, s := range Settings() {
		if s.Group&groups == 0 {
			continue
		}
		raw := getenv(s.Env)
		if raw == "" {
			continue
		}
		if err := s.bind(cfg).Set(raw); err != nil {
			return fmt.Errorf("environment %s: %w", s.Env, err)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return cfg.Validate()
}

// ErrUsage wraps command-line parse errors. The flag package has already
// printed the message and the usage, so callers only set the exit code.
var ErrUsage = errors.New("bad command line")

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

// listValue is a comma-separated list; empty entries are dropped.
type listValue []string

func (v *listValue) String() string { return strings.Join(*v, ",") }
func (v *listValue) Set(s string) error {
	*v = nil
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*v = append(*v, part)
		}
	}
	return nil
}

// mapValue is a comma-separated list of key=value pairs.
type mapValue map[string]string

func (v *mapValue) String() string {
	keys := make([]string, 0, len(*v))
	for k := range *v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+(*v)[k])
	}
	return strings.Join(parts, ",")
}
func (v *mapValue) Set(s string) error {
	m := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(val) == "" {
			return fmt.Errorf("%q is not name=value", part)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	*v = m
	return nil
}

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v = intValue(n)
	return nil
}

type int64Value int64

func (v *int64Value) String() string { return strconv.FormatInt(int64(*v), 10) }
func (v *int64Value) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v = int64Value(n)
	return nil
}

type boolValue bool

func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*v = boolValue(b)
	return nil
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*v = durationValue(d)
	return nil
}

// ParseDuration is time.ParseDuration plus a whole-day form ("30d"), which is
// how people write retention periods.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 10s, 5m, 720h, 30d)", s)
	}
	return d, nil
}

// secretValue hides a secret flag's value from --help and from any code that
// prints flag values.
type secretValue struct{ flag.Value }

func (v secretValue) String() string { return "" }
func (v secretValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
