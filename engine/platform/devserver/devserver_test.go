package devserver

import (
	"bytes"
	"database/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/common/log/tag"
)

// The end-to-end tests of the running server (workflow through a real
// worker, restart, busy port) are in cmd/hookflow. These cover the parts
// that decide whether a data folder survives crashes.

func TestPrepareDatabaseRecoversFromCrashedSetup(t *testing.T) {
	dir := t.TempDir()
	cfg := withDefaults(Config{DataDir: dir})
	final := filepath.Join(dir, DatabaseFileName)
	// A crash during the very first setup leaves only the temporary file,
	// possibly half-written.
	if err := os.WriteFile(final+".setup", []byte("half a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := prepareDatabase(cfg); err != nil {
		t.Fatalf("prepareDatabase after a crashed setup: %v", err)
	}
	if _, err := os.Stat(final + ".setup"); !os.IsNotExist(err) {
		t.Errorf("temporary setup file left behind: %v", err)
	}
	info, err := os.Stat(final)
	if err != nil || info.Size() == 0 {
		t.Fatalf("database not in place: %v", err)
	}
	// A second start opens the existing file without recreating the schema
	// (which would fail on existing tables).
	if _, err := prepareDatabase(cfg); err != nil {
		t.Fatalf("prepareDatabase on an existing database: %v", err)
	}
}

func TestClusterIDIsKeptAcrossStarts(t *testing.T) {
	dir := t.TempDir()
	first, err := loadClusterID(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := loadClusterID(dir)
	if err != nil || second != first {
		t.Fatalf("second load = %q, %v; want %q", second, err, first)
	}
	if err := os.WriteFile(filepath.Join(dir, ClusterIDFileName), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadClusterID(dir); err == nil || !strings.Contains(err.Error(), ClusterIDFileName) {
		t.Fatalf("corrupt cluster ID: err = %v, want one naming the file", err)
	}
}

func TestSQLConfigUsesOneWALConnection(t *testing.T) {
	c := sqlConfig("/x/temporal.db", 5*time.Second, true)
	want := map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal", "busy_timeout": "5000"}
	for k, v := range want {
		if c.ConnectAttributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, c.ConnectAttributes[k], v)
		}
	}
	if c.MaxConns != 1 || c.MaxIdleConns != 1 {
		t.Errorf("connections = %d/%d, want 1/1", c.MaxConns, c.MaxIdleConns)
	}
}

func TestLoggerNeverExitsAndFilters(t *testing.T) {
	var buf bytes.Buffer
	l := newLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), slog.LevelWarn)
	l.Info("quiet")
	l.With(tag.NewStringTag("service", "frontend")).Fatal("port busy", tag.NewStringTag("addr", "127.0.0.1:7233"))
	l.Panic("still here")
	out := buf.String()
	// Reaching this line at all shows Fatal and Panic did not exit or panic.
	if strings.Contains(out, "quiet") {
		t.Errorf("info logged below warn: %s", out)
	}
	for _, want := range []string{"level=ERROR msg=\"port busy\"", "service=frontend", "addr=127.0.0.1:7233", "still here"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestVisibilityDatabaseIsSeparateAndReopens(t *testing.T) {
	dir := t.TempDir()
	cfg := withDefaults(Config{DataDir: dir})
	vis, err := prepareVisibilityDatabase(cfg)
	if err != nil {
		t.Fatalf("creating the visibility database: %v", err)
	}
	main, err := prepareDatabase(cfg)
	if err != nil {
		t.Fatalf("creating the main database: %v", err)
	}
	// Temporal's SQLite plugin shares one connection per DSN; a different
	// file is what gives visibility writes a connection of their own.
	if vis.DatabaseName == main.DatabaseName {
		t.Fatalf("visibility shares %s with the main database", vis.DatabaseName)
	}
	if filepath.Base(vis.DatabaseName) != VisibilityFileName {
		t.Errorf("visibility database %s, want %s", vis.DatabaseName, VisibilityFileName)
	}
	if _, err := prepareVisibilityDatabase(cfg); err != nil {
		t.Fatalf("reopening the visibility database: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+vis.DatabaseName)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var indexes []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, n)
	}
	rows.Close()
	want := slices.Sorted(slices.Values(keptVisibilityIndexes))
	if !slices.Equal(indexes, want) {
		t.Errorf("visibility indexes %v, want only %v", indexes, want)
	}
	var triggers int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'executions_visibility'`).Scan(&triggers); err != nil {
		t.Fatal(err)
	}
	if triggers != 0 {
		t.Errorf("visibility table keeps %d full-text triggers, want none", triggers)
	}
	c := buildConfig(cfg, &persistence{clusterID: "id", shards: 1, main: main, sqliteVisibility: vis}, "127.0.0.1:7233", []int{1, 2, 3, 4})
	visStore := c.Persistence.DataStores[c.Persistence.VisibilityStore]
	if got := visStore.GetIndexName(); got != vis.DatabaseName {
		t.Errorf("visibility store's index is %s, want the database %s", got, vis.DatabaseName)
	}
	if got := c.Persistence.DataStores[c.Persistence.DefaultStore].SQL.DatabaseName; got != main.DatabaseName {
		t.Errorf("default store points at %s, want %s", got, main.DatabaseName)
	}
}

// TestVisibilityColumns keeps the prepared visibility writes in step with
// Temporal's row: a column Temporal adds must be written too.
func TestVisibilityColumns(t *testing.T) {
	if !slices.Equal(visibilityColumns, sqlplugin.DbFields) {
		t.Fatalf("visibility writes set %v; Temporal's rows have %v", visibilityColumns, sqlplugin.DbFields)
	}
}
