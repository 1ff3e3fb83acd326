package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	tlog "go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Temporal on PostgreSQL is the production topology's persistence: one or
// more `hookflow temporal` processes (or the upstream server) keep
// histories in PostgreSQL with as many history shards as the load needs,
// and any number of hookflow servers and workers share them. SQLite stays
// the single-machine default.
//
// A PostgreSQL URL names the Temporal database; the visibility database is
// the same name with VisibilitySuffix. SetupPostgres creates both (when
// the role may) and applies Temporal's own versioned schema, embedded in
// the server module, so the schema always matches the server hookflow
// links. Start never changes a schema: it refuses a database that
// SetupPostgres has not prepared, naming the command to run.

// VisibilitySuffix names the visibility database after the Temporal one.
const VisibilitySuffix = "_visibility"

// DefaultPostgresShards is the history shard count a PostgreSQL-backed
// server is set up with. A cluster's shard count is fixed when its
// database is first set up: more shards spread the history service's
// work (and its database locks) over more rows, so pick what the largest
// deployment will need: it cannot change later.
const DefaultPostgresShards = 4

// schema names inside the server module's embedded schema folder.
const (
	postgresSchema           = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
)

// clusterIDTable keeps the cluster ID inside the Temporal database, as
// ClusterIDFileName does for SQLite: Temporal refuses to start against
// cluster metadata written with another ID, and with PostgreSQL the data
// folder of whichever process starts the server is not the place for it.
const clusterIDTable = "hookflow_cluster_id"

// postgresTarget is a parsed PostgreSQL URL.
type postgresTarget struct {
	host, port, user, password, database string
	attrs                                map[string]string
}

func parsePostgresURL(raw string) (postgresTarget, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return postgresTarget{}, fmt.Errorf("the Temporal PostgreSQL URL must look like postgres://user:password@host:5432/temporal?sslmode=disable")
	}
	t := postgresTarget{host: u.Hostname(), port: u.Port(), user: u.User.Username(), attrs: map[string]string{}}
	t.password, _ = u.User.Password()
	if t.port == "" {
		t.port = "5432"
	}
	t.database = strings.TrimPrefix(u.Path, "/")
	if t.database == "" {
		return postgresTarget{}, fmt.Errorf("the Temporal PostgreSQL URL names no database (add /temporal to it)")
	}
	for k, v := range u.Query() {
		if len(v) > 0 {
			t.attrs[k] = v[0]
		}
	}
	return t, nil
}

// sql returns Temporal's persistence config for database db on t.
func (t postgresTarget) sql(db string, maxConns int) *config.SQL {
	return &config.SQL{
		PluginName:        pgplugin.PluginName,
		DatabaseName:      db,
		ConnectAddr:       net.JoinHostPort(t.host, t.port),
		ConnectProtocol:   "tcp",
		User:              t.user,
		Password:          t.password,
		ConnectAttributes: t.attrs,
		MaxConns:          maxConns,
		MaxIdleConns:      maxConns,
	}
}

// url returns a lib/pq URL for database db on t.
func (t postgresTarget) url(db string) string {
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(t.host, t.port), Path: "/" + db}
	if t.password != "" {
		u.User = url.UserPassword(t.user, t.password)
	} else if t.user != "" {
		u.User = url.User(t.user)
	}
	q := url.Values{}
	for k, v := range t.attrs {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// SetupPostgres prepares the Temporal and visibility databases named by
// rawURL: it creates them when missing (which needs CREATEDB; a DBA can
// create them beforehand instead), installs Temporal's schema on a new
// database and applies the versioned updates an existing one lacks, and
// records the cluster ID. It is idempotent, so deployments run it before
// every start and after every hookflow upgrade.
func SetupPostgres(ctx context.Context, rawURL string) error {
	t, err := parsePostgresURL(rawURL)
	if err != nil {
		return err
	}
	logger := tlog.NewNoopLogger()
	for _, s := range []struct{ db, schemaName string }{
		{t.database, postgresSchema},
		{t.database + VisibilitySuffix, postgresVisibilitySchema},
	} {
		if err := createDatabaseIfMissing(ctx, t, s.db); err != nil {
			return err
		}
		if err := applySchema(t, s.db, s.schemaName, logger); err != nil {
			return err
		}
	}
	_, err = postgresClusterID(ctx, t, true)
	return err
}

func createDatabaseIfMissing(ctx context.Context, t postgresTarget, name string) error {
	admin, err := sql.Open("postgres", t.url("postgres"))
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("connecting to PostgreSQL at %s:%s: %w", t.host, t.port, err)
	}
	if exists {
		return nil
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // created meanwhile by another setup
			return nil
		}
		return fmt.Errorf("creating database %s (or create it beforehand as a superuser): %w", name, err)
	}
	return nil
}

// applySchema brings database db to the newest version of schemaName: the
// version tables first, then every versioned change set not yet applied,
// exactly as Temporal's own SQL tool does with setup-schema -v 0.0 and
// update-schema.
func applySchema(t postgresTarget, db, schemaName string, logger tlog.Logger) error {
	conn, err := sqltool.NewConnection(t.sql(db, 1), logger)
	if err != nil {
		return fmt.Errorf("connecting to database %s: %w", db, err)
	}
	defer conn.Close()
	if _, err := conn.ReadSchemaVersion(); err != nil {
		// A new database: create the version tables at version 0.0.
		setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger)
		if err := setup.Run(); err != nil {
			return fmt.Errorf("creating Temporal's schema version tables in %s: %w", db, err)
		}
	}
	update := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: db, SchemaName: schemaName}, logger)
	if err := update.Run(); err != nil {
		return fmt.Errorf("updating Temporal's schema in %s: %w", db, err)
	}
	return nil
}

// postgresClusterID returns the cluster ID recorded in the Temporal
// database, creating it when create is set.
func postgresClusterID(ctx context.Context, t postgresTarget, create bool) (string, error) {
	db, err := sql.Open("postgres", t.url(t.database))
	if err != nil {
		return "", fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer db.Close()
	if create {
		if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+clusterIDTable+` (id TEXT NOT NULL, only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row))`); err != nil {
			return "", fmt.Errorf("recording the Temporal cluster ID: %w", err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO `+clusterIDTable+` (id) VALUES ($1) ON CONFLICT (only_row) DO NOTHING`, uuid.NewString()); err != nil {
			return "", fmt.Errorf("recording the Temporal cluster ID: %w", err)
		}
	}
	var id string
	if err := db.QueryRowContext(ctx, `SELECT id FROM `+clusterIDTable).Scan(&id); err != nil {
		return "", fmt.Errorf("database %s is not set up for Temporal (run `hookflow temporal setup-schema` with the same URL first): %w", t.database, err)
	}
	return id, nil
}

// NamespaceRetention is how long a PostgreSQL-backed server keeps a closed
// run's history. hookflow keeps its own run records, step logs and events
// for as long as its retention settings say, so Temporal's copy is only
// needed while a run can still be inspected with Temporal's own tools.
const NamespaceRetention = 72 * time.Hour

// registerNamespace registers namespace through the frontend at address
// unless it exists, and returns once the services serve it: a new
// namespace reaches their caches only at their next refresh
// (NamespaceCacheRefreshInterval), and a worker that polls before then is
// told the namespace does not exist.
func registerNamespace(ctx context.Context, address, namespace string) error {
	c, err := client.Dial(client.Options{HostPort: address, Namespace: namespace, Logger: quietSDKLogger{}})
	if err != nil {
		return fmt.Errorf("connecting to the Temporal server to register namespace %q: %w", namespace, err)
	}
	defer c.Close()
	svc := c.WorkflowService()
	deadline := time.Now().Add(time.Minute)
	registered := false
	for {
		if !registered {
			_, err = svc.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
				Namespace:                        namespace,
				WorkflowExecutionRetentionPeriod: durationpb.New(NamespaceRetention),
			})
			var exists *serviceerror.NamespaceAlreadyExists
			registered = err == nil || errors.As(err, &exists)
		}
		if registered {
			// DescribeTaskQueue goes through the namespace cache, as a
			// worker's polls do.
			_, err = svc.DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
				Namespace: namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: "hookflow-namespace-probe"}})
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("registering Temporal namespace %q: %w", namespace, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// quietSDKLogger drops the SDK client's logs: registration retries while
// the services join say nothing useful.
type quietSDKLogger struct{}

func (quietSDKLogger) Debug(string, ...any) {}
func (quietSDKLogger) Info(string, ...any)  {}
func (quietSDKLogger) Warn(string, ...any)  {}
func (quietSDKLogger) Error(string, ...any) {}
