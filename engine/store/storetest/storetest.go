// Package storetest gives tests fresh, migrated stores on every backend
// hookflow supports: always SQLite in a temporary folder, and PostgreSQL
// when HOOKFLOW_TEST_POSTGRES_URL is set. Each PostgreSQL store lives in
// its own new schema, dropped at cleanup, so parallel test runs never see
// each other's rows.
//
// Other packages (triggers, api) use it to run their tests on both
// backends:
//
//	storetest.ForEach(t, func(t *testing.T, s *store.Store) { ... })
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver for the admin connection
)

// PostgresEnv names the environment variable with the PostgreSQL URL for
// tests, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "HOOKFLOW_TEST_POSTGRES_URL"

// Backend is one database a test can run against.
type Backend struct {
	// Name is "sqlite" or "postgres"; it names subtests.
	Name string
	// URL opens this backend's database (a schema-scoped URL on
	// PostgreSQL), for tests that open a second Store on the same data.
	URL string
	// Store is opened and migrated; it is closed at test cleanup.
	Store *store.Store
}

// Backends returns a fresh, migrated store per backend. SQLite is always
// included. When HOOKFLOW_TEST_POSTGRES_URL is set, PostgreSQL is included
// too, and an unreachable server fails the test: it is never skipped.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{SQLite(t)}
	if os.Getenv(PostgresEnv) != "" {
		out = append(out, Postgres(t))
	}
	return out
}

// ForEach runs fn as a subtest once per backend, each with a fresh store.
func ForEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	names := []string{store.DialectSQLite}
	if os.Getenv(PostgresEnv) != "" {
		names = append(names, store.DialectPostgres)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var b Backend
			if name == store.DialectSQLite {
				b = SQLite(t)
			} else {
				b = Postgres(t)
			}
			fn(t, b.Store)
		})
	}
}

// SQLiteURL returns a database URL for a new SQLite file in t.TempDir().
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "hookflow.db")
}

// SQLite returns a fresh, migrated SQLite store in t.TempDir().
func SQLite(t testing.TB) Backend {
	t.Helper()
	u := SQLiteURL(t)
	return Backend{Name: store.DialectSQLite, URL: u, Store: open(t, u)}
}

// PostgresURL creates a new schema t_<random> in the database named by
// HOOKFLOW_TEST_POSTGRES_URL and returns a URL whose connections use it
// (lib/pq passes search_path as a run-time parameter). The schema is
// dropped at cleanup. It fails the test when the variable is unset or the
// server cannot be reached.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("%s is set but PostgreSQL cannot be opened: %s", PostgresEnv, redacted(err, base))
	}
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("%s is set but PostgreSQL is unreachable (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): %s",
			PostgresEnv, redacted(err, base))
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "t_" + hex.EncodeToString(rnd[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("creating test schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parsing %s: malformed URL", PostgresEnv)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a fresh, migrated PostgreSQL store in its own schema.
func Postgres(t testing.TB) Backend {
	t.Helper()
	u := PostgresURL(t)
	return Backend{Name: store.DialectPostgres, URL: u, Store: open(t, u)}
}

// Open opens (and migrates) another Store on an existing backend URL and
// closes it at cleanup; tests use it to play a second process.
func Open(t testing.TB, databaseURL string) *store.Store {
	t.Helper()
	return open(t, databaseURL)
}

func open(t testing.TB, databaseURL string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, databaseURL)
	if err != nil {
		t.Fatalf("opening test store: %v", err)
	}
	// Cleanup runs last-in first-out, so the store closes before its
	// schema is dropped.
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrating test store: %v", err)
	}
	return s
}

func redacted(err error, rawURL string) string {
	msg := err.Error()
	if u, perr := url.Parse(rawURL); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}
