package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one versioned schema change, embedded in the binary.
type Migration struct {
	Version int
	Name    string
	sql     string
}

// dialectTypes are the only DDL differences between the backends; migration
// files use {{name}} for them.
var dialectTypes = map[string]map[string]string{
	DialectSQLite:   {"{{bytes}}": "BLOB"},
	DialectPostgres: {"{{bytes}}": "BYTEA"},
}

// Migrations returns the embedded migrations in order. Files are named
// NNNN_name.sql; a file NNNN_name.<dialect>.sql replaces the portable file
// for that dialect, for the rare change that cannot be written portably.
func Migrations(dialect string) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("reading embedded migrations: %w", err)
	}
	byVersion := map[int]Migration{}
	specific := map[int]bool{}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		fileDialect := ""
		if i := strings.LastIndexByte(base, '.'); i >= 0 {
			fileDialect, base = base[i+1:], base[:i]
			if fileDialect != dialect {
				continue
			}
		}
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("reading migration %s: name must be NNNN_label.sql", name)
		}
		if prev, dup := byVersion[v]; dup && specific[v] == (fileDialect != "") {
			return nil, fmt.Errorf("reading migration %s: version %d already used by %s", name, v, prev.Name)
		}
		if specific[v] && fileDialect == "" {
			continue // the dialect's own file wins
		}
		data, err := migrationFS.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		text := string(data)
		for k, repl := range dialectTypes[dialect] {
			text = strings.ReplaceAll(text, k, repl)
		}
		byVersion[v] = Migration{Version: v, Name: label, sql: text}
		if fileDialect != "" {
			specific[v] = true
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies every embedded migration that the database lacks, in
// order. Each migration runs in one transaction together with its row in
// schema_migrations, so a crash never leaves one half-applied. It is
// idempotent and safe when several processes call it at once: on
// PostgreSQL each step holds a transaction-scoped advisory lock (per
// schema), on SQLite each step is an IMMEDIATE transaction.
func (s *Store) Migrate(ctx context.Context) error {
	migs, err := Migrations(s.dialect)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    BIGINT PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for _, m := range migs {
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			if err := s.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.GetContext(ctx, &n, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.Version, m.Name, ms(now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func (s *Store) lockMigrations(ctx context.Context, tx *sqlx.Tx) error {
	if s.dialect != DialectPostgres {
		return nil // the IMMEDIATE transaction already holds SQLite's write lock
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('hookflow.migrate.' || current_schema()))`); err != nil {
		return fmt.Errorf("taking migration lock: %w", err)
	}
	return nil
}

// SchemaVersion returns the highest applied migration version, or 0 for an
// empty database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var exists int
	var err error
	if s.dialect == DialectPostgres {
		err = s.rdb.GetContext(ctx, &exists, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`)
	} else {
		err = s.rdb.GetContext(ctx, &exists, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
	}
	if err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	if err := s.rdb.GetContext(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}
