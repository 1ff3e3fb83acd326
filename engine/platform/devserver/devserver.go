// Package devserver runs a Temporal server inside the hookflow process, with
// SQLite persistence in the data folder or, for the production topology,
// PostgreSQL (postgres.go). It backs `hookflow dev` and `hookflow temporal`.
//
// This is the only hookflow package that imports go.temporal.io/server. That
// import pulls in about 1,500 packages and makes every binary that links it
// about 200 MB, so keep workflow code and tests that need no real server out
// of packages that import this one.
package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	_ "modernc.org/sqlite" // the "sqlite" driver, the one Temporal's plugin uses
)

// Named defaults for Config.
const (
	DefaultHost      = "127.0.0.1"
	DefaultPort      = 7233
	DefaultNamespace = "default"
	DefaultLogLevel  = "warn"
	// DefaultBusyTimeout is how long a SQLite statement waits for the write
	// lock before failing with SQLITE_BUSY.
	DefaultBusyTimeout = 10 * time.Second
	// DefaultTransferMaxPollRPS raises history.transferProcessorMaxPollRPS.
	// With the server's default every workflow task waits about 45 ms for the
	// transfer queue; with 200 a one-activity workflow finishes in 12–17 ms.
	DefaultTransferMaxPollRPS = 200
	// DefaultHistoryCacheSize bounds history.hostLevelCacheMaxSize, the
	// number of workflows whose state the history service keeps in memory.
	// It is enough for every run in flight at a few hundred runs/s.
	DefaultHistoryCacheSize = 4096
	// DefaultPostgresMaxConns caps each of the server's PostgreSQL pools
	// (history, visibility): enough for the shards' concurrent writes,
	// well under PostgreSQL's default of 100 connections.
	DefaultPostgresMaxConns = 20

	// DatabaseFileName is the Temporal database inside the data folder. WAL
	// mode keeps recent writes in DatabaseFileName+"-wal", so a backup must
	// copy the -wal and -shm files too.
	DatabaseFileName = "temporal.db"
	// VisibilityFileName is Temporal's visibility database (workflow
	// listings), kept apart from DatabaseFileName so that its writes run
	// on a connection of their own; back it up the same way.
	VisibilityFileName = "temporal-visibility.db"
	// ClusterIDFileName keeps the cluster ID, which must not change once the
	// database holds cluster metadata.
	ClusterIDFileName = "temporal-cluster-id"

	clusterName = "active"
)

// Config configures an embedded server. Zero fields take the defaults above.
type Config struct {
	// DataDir holds the Temporal database and cluster ID. Required.
	DataDir string
	// Host is the IP the frontend and internal services bind to.
	Host string
	// Port is the frontend gRPC port clients dial.
	Port int
	// Namespace is registered on start if it does not exist yet.
	Namespace string
	// LogLevel filters Temporal's own logs: debug, info, warn or error.
	LogLevel string
	// Logger receives Temporal's logs; nil means slog.Default().
	Logger *slog.Logger
	// BusyTimeout is SQLite's busy_timeout.
	BusyTimeout time.Duration
	// PostgresURL, when set, keeps Temporal's data in PostgreSQL instead
	// of SQLite files in DataDir; SetupPostgres must have prepared it.
	PostgresURL string
	// Shards is the number of history shards (PostgreSQL only; SQLite
	// uses one). It must equal the count the cluster was first started
	// with: Temporal refuses any other.
	Shards int
	// MaxConns caps each PostgreSQL connection pool (PostgreSQL only).
	MaxConns int
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	log      *logger
	unlock   func()
	address  string
	stopOnce sync.Once
	stopErr  error
}

// PortInUseError reports a port that another process already listens on.
type PortInUseError struct {
	Addr string
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %s is busy (is another hookflow or Temporal running?): %v", e.Addr, e.Err)
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// Start opens (or creates) the database in cfg.DataDir and starts the server.
// It checks the frontend port first and returns a *PortInUseError naming it
// when it is taken, because Temporal itself would end the process from its
// logger instead of returning an error. ctx bounds the start-up only.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	if cfg.DataDir == "" && cfg.PostgresURL == "" {
		return nil, errors.New("starting embedded Temporal: DataDir is required")
	}
	level, err := parseLevel(cfg.LogLevel)
	if err != nil {
		return nil, fmt.Errorf("starting embedded Temporal: %w", err)
	}
	frontend := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	if err := checkPortFree(frontend); err != nil {
		return nil, err
	}
	// Three internal services and the frontend's HTTP API.
	internal, err := freePorts(cfg.Host, 4)
	if err != nil {
		return nil, fmt.Errorf("choosing internal Temporal ports: %w", err)
	}

	p, err := preparePersistence(ctx, cfg)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			p.unlock()
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	serverCfg := buildConfig(cfg, p, frontend, internal)
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(frontend),
		primitives.HistoryService:  static.SingleLocalHost(net.JoinHostPort(cfg.Host, strconv.Itoa(internal[0]))),
		primitives.MatchingService: static.SingleLocalHost(net.JoinHostPort(cfg.Host, strconv.Itoa(internal[1]))),
		primitives.WorkerService:   static.SingleLocalHost(net.JoinHostPort(cfg.Host, strconv.Itoa(internal[2]))),
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.TransferProcessorMaxPollRPS.Key():   DefaultTransferMaxPollRPS,
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key(): DefaultTransferMaxPollRPS,
		dynamicconfig.TimerProcessorMaxPollRPS.Key():      DefaultTransferMaxPollRPS,
		// One node, one worker process: a task queue split into the default
		// four partitions makes a poller on one partition miss tasks added
		// to another, which then go through the database and forwarding
		// instead of a sync match.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// The default keeps up to 128,000 workflows' mutable state in
		// memory; after a burst of short runs that is hundreds of MiB of
		// finished runs nobody reads again.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): DefaultHistoryCacheSize,
		// With external payloads enabled, history walks every payload of
		// every event it writes to total the externally stored ones, which
		// hookflow never uses: 3.6% of CPU under load, most of it growing
		// the stacks of the walk.
		dynamicconfig.ExternalPayloadsEnabled.Key(): false,
	}
	if cfg.PostgresURL != "" {
		// A namespace registered at start (registerNamespace) is served
		// after the services' next cache refresh; 10 s by default.
		dyn[dynamicconfig.NamespaceCacheRefreshInterval.Key()] = time.Second
	}
	logger := newLogger(cfg.Logger, level)

	opts := []temporal.ServerOption{
		temporal.WithConfig(serverCfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dyn),
	}
	if p.sqliteVisibility != nil {
		opts = append(opts, temporal.WithCustomVisibilityStoreFactory(&visibilityFactory{sql: *p.sqliteVisibility}))
	}
	srv, err := temporal.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("creating embedded Temporal: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("starting embedded Temporal: %w", err)
	}
	started = true
	server := &Server{srv: srv, log: logger, address: frontend, unlock: p.unlock}
	if cfg.PostgresURL != "" {
		// SQLite's namespace is written with the schema; PostgreSQL's is
		// registered through the running frontend, as Temporal's own
		// set-up does.
		if err := registerNamespace(ctx, frontend, cfg.Namespace); err != nil {
			_ = server.Stop()
			return nil, err
		}
	}
	return server, nil
}

// persistence is where a server keeps its data.
type persistence struct {
	clusterID string
	shards    int
	main      *config.SQL
	// visibility is PostgreSQL's visibility database; sqliteVisibility
	// is SQLite's, served by hookflow's custom store (visibility.go).
	visibility       *config.SQL
	sqliteVisibility *config.SQL
	unlock           func()
}

// preparePersistence opens SQLite in the data folder (creating it on
// first start, and locking the folder against a second server), or checks
// that the PostgreSQL databases were set up.
func preparePersistence(ctx context.Context, cfg Config) (*persistence, error) {
	if cfg.PostgresURL != "" {
		t, err := parsePostgresURL(cfg.PostgresURL)
		if err != nil {
			return nil, err
		}
		id, err := postgresClusterID(ctx, t, false)
		if err != nil {
			return nil, err
		}
		return &persistence{clusterID: id, shards: cfg.Shards, main: t.sql(t.database, cfg.MaxConns),
			visibility: t.sql(t.database+VisibilitySuffix, cfg.MaxConns), unlock: func() {}}, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data folder: %w", err)
	}
	unlock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	p := &persistence{shards: 1, unlock: unlock}
	ok := false
	defer func() {
		if !ok {
			unlock()
		}
	}()
	if p.clusterID, err = loadClusterID(cfg.DataDir); err != nil {
		return nil, err
	}
	if p.main, err = prepareDatabase(cfg); err != nil {
		return nil, err
	}
	if p.sqliteVisibility, err = prepareVisibilityDatabase(cfg); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

// Address is the host:port a Temporal client dials.
func (s *Server) Address() string { return s.address }

// Stop shuts the server down. It is safe to call more than once; later calls
// return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		// Internal pollers warn about every closed connection while the
		// services stop one by one; that noise says nothing to the user.
		s.log.level.Set(slog.LevelError)
		if err := s.srv.Stop(); err != nil {
			s.stopErr = fmt.Errorf("stopping embedded Temporal: %w", err)
		}
		s.unlock()
	})
	return s.stopErr
}

func withDefaults(cfg Config) Config {
	if cfg.Host == "" {
		cfg.Host = DefaultHost
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = DefaultLogLevel
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BusyTimeout == 0 {
		cfg.BusyTimeout = DefaultBusyTimeout
	}
	if cfg.Shards <= 0 {
		cfg.Shards = DefaultPostgresShards
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultPostgresMaxConns
	}
	return cfg
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%q is not a log level (debug, info, warn, error)", s)
	}
	return l, nil
}

// checkPortFree binds addr for a moment to learn whether another process
// holds it.
func checkPortFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &PortInUseError{Addr: addr, Err: err}
	}
	return ln.Close()
}

// freePorts chooses n distinct free ports on host for Temporal's internal
// services, which bind them only later. They are picked below the
// kernel's ephemeral range: a port from that range (what listening on
// port 0 gives) can be handed to an outgoing connection in the moment
// between choosing and binding it, and Temporal's history service then
// fails to bind and crashes the process, which happened under parallel
// test packages. All listeners stay open until every port is chosen, so
// none is chosen twice. Without a readable range it falls back to the
// kernel's choice.
func freePorts(host string, n int) ([]int, error) {
	ports := make([]int, 0, n)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	lo, hi := belowEphemeral()
	for tries := 0; len(ports) < n && hi > lo && tries < 200; tries++ {
		port := lo + rand.IntN(hi-lo)
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			continue // taken: try another
		}
		lns = append(lns, ln)
		ports = append(ports, port)
	}
	for len(ports) < n {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// belowEphemeral is a range of ports under the kernel's ephemeral range
// (Linux's ip_local_port_range), or an empty one when that is unknown.
func belowEphemeral() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0
	}
	first, err := strconv.Atoi(f[0])
	if err != nil || first <= 12000 {
		return 0, 0
	}
	return first - 10000, first
}

// loadClusterID returns the cluster ID kept in dataDir, creating it on first
// start. Temporal stores the ID in its cluster metadata and refuses to start
// against the same database with a different one.
func loadClusterID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, ClusterIDFileName)
	b, err := os.ReadFile(path)
	if err == nil {
		id := strings.TrimSpace(string(b))
		if _, perr := uuid.Parse(id); perr != nil {
			return "", fmt.Errorf("reading cluster ID: %s does not hold a UUID", path)
		}
		return id, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading cluster ID: %w", err)
	}
	id := uuid.NewString()
	if err := writeFileAtomic(path, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("writing cluster ID: %w", err)
	}
	return id, nil
}

// sqlConfig is the persistence config for the SQLite file at path. One
// connection only: more connections give SQLITE_BUSY storms and shard
// reloads even in WAL mode.
func sqlConfig(path string, busy time.Duration, wal bool) *config.SQL {
	attrs := map[string]string{
		"mode":         "rwc",
		"synchronous":  "normal",
		"busy_timeout": strconv.FormatInt(busy.Milliseconds(), 10),
	}
	if wal {
		attrs["journal_mode"] = "wal"
	}
	return &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      path,
		ConnectAttributes: attrs,
		MaxConns:          1,
		MaxIdleConns:      1,
	}
}

// prepareDatabase creates the schema for a new database and registers the
// namespace. A new database is built in a temporary file and renamed into
// place, so a crash during the very first setup never leaves a file that
// looks initialised but is not.
func prepareDatabase(cfg Config) (*config.SQL, error) {
	path := filepath.Join(cfg.DataDir, DatabaseFileName)
	nsCfg, err := sqliteschema.NewNamespaceConfig(clusterName, cfg.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("building namespace %q: %w", cfg.Namespace, err)
	}
	if err := createDatabaseFile(cfg, path, nsCfg); err != nil {
		return nil, err
	}
	sqlCfg := sqlConfig(path, cfg.BusyTimeout, true)
	// Idempotent: registers the namespace when the configured one is new.
	if err := sqliteschema.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return nil, fmt.Errorf("registering namespace %q: %w", cfg.Namespace, err)
	}
	return sqlCfg, nil
}

// prepareVisibilityDatabase creates the visibility database when it is
// missing. Visibility lives in its own file because Temporal's SQLite
// visibility rows carry dozens of indexes and two full-text tables: in the
// main file their writes took the one connection away from workflow
// updates for a fifth of the server's time. In a file of its own the
// visibility queue writes on its own connection, in parallel. hookflow
// never lists workflows through visibility (runs live in its store), so a
// data folder from before the split only loses the old entries of
// `temporal workflow list`.
func prepareVisibilityDatabase(cfg Config) (*config.SQL, error) {
	path := filepath.Join(cfg.DataDir, VisibilityFileName)
	if err := createDatabaseFile(cfg, path, nil); err != nil {
		return nil, err
	}
	if err := slimVisibility(path, cfg.BusyTimeout); err != nil {
		return nil, err
	}
	return sqlConfig(path, cfg.BusyTimeout, true), nil
}

// keptVisibilityIndexes serve the listings people run against a dev
// server: all runs, by workflow id, by type and by status.
var keptVisibilityIndexes = []string{"default_idx", "by_workflow_id", "by_workflow_type", "by_status"}

// visibilityFTSTriggers keep Temporal's two full-text tables in step with
// the visibility table on every insert, update and delete.
var visibilityFTSTriggers = []string{"executions_visibility_ai", "executions_visibility_au", "executions_visibility_ad"}

// slimVisibility drops every index of the visibility table except
// keptVisibilityIndexes, and the full-text triggers. Temporal's SQLite
// schema indexes each of its ~50 predefined search attribute columns,
// which hookflow never sets; the profile showed SQLite compiling and
// maintaining them for a third of the visibility queue's time on every
// start and close of a run. The triggers copy the Text and KeywordList
// attributes (which hookflow never sets either) into two FTS5 tables:
// SQLite compiles all three trigger programs into every visibility write,
// and with them gone a run's two visibility writes cost about half as
// much. A query on such an attribute still works (by a scan), and a
// full-text or keyword-list match finds nothing. Idempotent, so every
// start applies it.
func slimVisibility(path string, busy time.Duration) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout%3D"+strconv.FormatInt(busy.Milliseconds(), 10))
	if err != nil {
		return fmt.Errorf("opening Temporal visibility database: %w", err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("listing visibility indexes: %w", err)
	}
	var drop []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("listing visibility indexes: %w", err)
		}
		if !slices.Contains(keptVisibilityIndexes, name) {
			drop = append(drop, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing visibility indexes: %w", err)
	}
	for _, name := range drop {
		// Names come from sqlite_master and are plain identifiers.
		if _, err := db.Exec(`DROP INDEX IF EXISTS "` + name + `"`); err != nil {
			return fmt.Errorf("dropping visibility index %s: %w", name, err)
		}
	}
	for _, name := range visibilityFTSTriggers {
		if _, err := db.Exec(`DROP TRIGGER IF EXISTS "` + name + `"`); err != nil {
			return fmt.Errorf("dropping visibility trigger %s: %w", name, err)
		}
	}
	return nil
}

// createDatabaseFile creates the Temporal schema (and the namespace, when
// ns is not nil) at path unless the file exists, building it under a
// temporary name that is renamed into place once complete.
func createDatabaseFile(cfg Config, path string, ns *sqliteschema.NamespaceConfig) error {
	_, statErr := os.Stat(path)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		tmp := path + ".setup"
		for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
			_ = os.Remove(tmp + suffix) // leftovers of a crashed setup
		}
		// The setup file uses the default rollback journal, so it is one
		// self-contained file by the time it is renamed.
		setup := sqlConfig(tmp, cfg.BusyTimeout, false)
		if err := sqliteschema.SetupSchema(setup); err != nil {
			return fmt.Errorf("creating Temporal schema in %s: %w", filepath.Base(path), err)
		}
		if ns != nil {
			if err := sqliteschema.CreateNamespaces(setup, ns); err != nil {
				return fmt.Errorf("registering namespace %q: %w", cfg.Namespace, err)
			}
		}
		if err := syncFile(tmp); err != nil {
			return fmt.Errorf("syncing Temporal database: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("moving Temporal database into place: %w", err)
		}
	case statErr != nil:
		return fmt.Errorf("checking Temporal database: %w", statErr)
	}
	return nil
}

func buildConfig(cfg Config, p *persistence, frontend string, internal []int) *config.Config {
	store, visibility := "sqlite", "sqlite-visibility"
	if p.sqliteVisibility == nil {
		store, visibility = "postgres", "postgres-visibility"
	}
	service := func(port int) config.Service {
		var s config.Service
		s.RPC.BindOnIP = cfg.Host
		s.RPC.GRPCPort = port
		return s
	}
	frontendService := service(cfg.Port)
	// The frontend HTTP API serves Nexus endpoints; without it Temporal warns
	// on every start.
	frontendService.RPC.HTTPPort = internal[3]
	httpAddr := net.JoinHostPort(cfg.Host, strconv.Itoa(internal[3]))
	c := &config.Config{}
	c.Global.Membership.MaxJoinDuration = 30 * time.Second
	c.Global.Membership.BroadcastAddress = cfg.Host
	c.Persistence.DefaultStore = store
	c.Persistence.VisibilityStore = visibility
	c.Persistence.NumHistoryShards = int32(p.shards)
	if p.sqliteVisibility != nil {
		// SQLite's visibility is Temporal's SQL store with prepared writes
		// (see visibility.go), plugged in as a custom store; its index name
		// is the database name, as the SQL store's is, so the search
		// attributes registered for the database still apply.
		c.Persistence.DataStores = map[string]config.DataStore{store: {SQL: p.main}, visibility: {
			CustomDataStoreConfig: &config.CustomDatastoreConfig{Name: visibilityStoreName, IndexName: p.sqliteVisibility.DatabaseName}}}
	} else {
		c.Persistence.DataStores = map[string]config.DataStore{store: {SQL: p.main}, visibility: {SQL: p.visibility}}
	}
	c.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            httpAddr,
				ClusterID:              p.clusterID,
			},
		},
	}
	c.DCRedirectionPolicy.Policy = "noop"
	c.Services = map[string]config.Service{
		string(primitives.FrontendService): frontendService,
		string(primitives.HistoryService):  service(internal[0]),
		string(primitives.MatchingService): service(internal[1]),
		string(primitives.WorkerService):   service(internal[2]),
	}
	c.Archival.History.State = "disabled"
	c.Archival.Visibility.State = "disabled"
	c.NamespaceDefaults.Archival.History.State = "disabled"
	c.NamespaceDefaults.Archival.Visibility.State = "disabled"
	c.PublicClient.HostPort = frontend
	return c
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
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
