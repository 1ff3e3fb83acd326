package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func TestParsePostgresURL(t *testing.T) {
	got, err := parsePostgresURL("postgres://app:s3cret@db.internal/temporal?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	if got.host != "db.internal" || got.port != "5432" || got.user != "app" || got.password != "s3cret" ||
		got.database != "temporal" || got.attrs["sslmode"] != "require" {
		t.Fatalf("parsed %+v", got)
	}
	if u := got.url("postgres"); u != "postgres://app:s3cret@db.internal:5432/postgres?sslmode=require" {
		t.Fatalf("admin URL = %s", u)
	}
	for _, bad := range []string{"mysql://x/y", "postgres://host", "postgres:///temporal", "::"} {
		if _, err := parsePostgresURL(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestTemporalOnPostgres sets up a fresh pair of databases twice (the
// second run must be a no-op), refuses to start on a database that was
// never set up, then starts the server with several history shards and
// runs a workflow through it, as the production topology does. It needs
// PostgreSQL: HOOKFLOW_TEST_POSTGRES_URL (set by .ci/run).
func TestTemporalOnPostgres(t *testing.T) {
	base := os.Getenv("HOOKFLOW_TEST_POSTGRES_URL")
	if base == "" {
		t.Log("HOOKFLOW_TEST_POSTGRES_URL is not set: the PostgreSQL persistence of the Temporal server is not exercised")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	admin, err := parsePostgresURL(base)
	if err != nil {
		t.Fatal(err)
	}
	name := "hf_temporal_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	target := admin
	target.database = name
	rawURL := target.url(name)
	t.Cleanup(func() { dropDatabases(t, admin, name, name+VisibilitySuffix) })

	_, err = Start(ctx, Config{PostgresURL: rawURL, Port: freePort(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "hookflow temporal setup-schema") {
		t.Fatalf("starting on a database that was never set up: %v; want an error naming setup-schema", err)
	}
	for i := range 2 {
		if err := SetupPostgres(ctx, rawURL); err != nil {
			t.Fatalf("setup %d: %v", i+1, err)
		}
	}
	port := freePort(t)
	srv, err := Start(ctx, Config{PostgresURL: rawURL, Port: port, Shards: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("starting on PostgreSQL: %v", err)
	}
	defer srv.Stop()

	c, err := client.Dial(client.Options{HostPort: srv.Address()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, "pg-test", worker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context, who string) (string, error) {
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return "", err
		}
		return "hello " + who, nil
	}, workflow.RegisterOptions{Name: "greet"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for i := range 6 { // several workflow ids, so more than one shard serves them
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("greet-%d", i), TaskQueue: "pg-test"}, "greet", "pg")
		if err != nil {
			t.Fatalf("starting workflow %d: %v", i, err)
		}
		var got string
		if err := run.Get(ctx, &got); err != nil || got != "hello pg" {
			t.Fatalf("workflow %d = %q, %v", i, got, err)
		}
	}
	var shards int
	db, err := sql.Open("postgres", rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM shards`).Scan(&shards); err != nil || shards != 3 {
		t.Fatalf("shards in the database = %d, %v; want 3", shards, err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func dropDatabases(t *testing.T, admin postgresTarget, names ...string) {
	db, err := sql.Open("postgres", admin.url("postgres"))
	if err != nil {
		t.Log(err)
		return
	}
	defer db.Close()
	for _, n := range names {
		_, _ = db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, n)
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + n); err != nil {
			t.Logf("dropping %s: %v", n, err)
		}
	}
}
