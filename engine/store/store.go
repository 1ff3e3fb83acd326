// Package store is hookflow's persistence layer: workflows and their
// immutable versions, webhook endpoints, encrypted credentials, the event
// inbox/log, run summaries, API keys, blobs and outgoing-webhook deliveries.
//
// One set of portable SQL runs on SQLite (modernc.org/sqlite, the embedded
// default) and PostgreSQL (lib/pq); queries are written with '?' and passed
// through sqlx.Rebind. Timestamps are stored as BIGINT unix milliseconds in
// UTC, JSON as TEXT, and binary data as BLOB (SQLite) / BYTEA (PostgreSQL),
// which is the only type that differs between the two schemas.
//
// Every method is safe for concurrent use by many goroutines and, on
// PostgreSQL, by many processes. Errors are wrapped; test them with
// errors.Is against ErrNotFound, ErrConflict, ErrDuplicate and
// ErrInvalidCursor.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors. Every error the store returns for these conditions wraps
// one of them, so callers (the API maps them to 404/409/400) use errors.Is.
var (
	// ErrNotFound means the row does not exist (or was soft-deleted, or,
	// for API keys, was revoked).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write would break a uniqueness rule (a workflow
	// or credential name already in use) or lost an optimistic
	// compare-and-set race; the caller should re-read and decide.
	ErrConflict = errors.New("conflict")
	// ErrDuplicate means a row with the same caller-chosen identity already
	// exists (e.g. an event id or delivery id inserted twice).
	ErrDuplicate = errors.New("duplicate")
	// ErrInvalidCursor means a pagination cursor was not produced by this
	// store, or was altered.
	ErrInvalidCursor = errors.New("invalid cursor")
	// ErrInvalidArgument means a parameter is out of its allowed domain,
	// such as an unknown API key scope.
	ErrInvalidArgument = errors.New("invalid argument")
)

// Dialect names returned by Store.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Defaults of Options.
const (
	DefaultSQLiteBusyTimeout = 10 * time.Second
	DefaultSQLiteReaders     = 4
	DefaultPostgresMaxConns  = 20
	DefaultConnectTimeout    = 5 * time.Second
)

// Options tunes Open. The zero value uses the named defaults.
type Options struct {
	// SQLiteBusyTimeout is how long an SQLite write waits for another
	// process's lock before failing with SQLITE_BUSY.
	SQLiteBusyTimeout time.Duration
	// SQLiteReaders is the size of the SQLite read pool. Writes always go
	// through one connection, because SQLite allows one writer at a time and
	// serializing in Go avoids SQLITE_BUSY storms.
	SQLiteReaders int
	// PostgresMaxConns caps the PostgreSQL pool.
	PostgresMaxConns int
	// ConnectTimeout bounds the first ping in Open, so a wrong host fails fast.
	ConnectTimeout time.Duration
}

// Store is a handle on the hookflow database. Create it with Open.
type Store struct {
	db      *sqlx.DB // writes (and reads on PostgreSQL / in-memory SQLite)
	rdb     *sqlx.DB // reads; equals db unless SQLite on a file
	dialect string
	target  string   // redacted description of the database, for errors
	stmts   sync.Map // stmtKey → *sqlx.Stmt, see prepared
	// blobPuts groups concurrent PutBlob calls into one transaction.
	blobPuts blobGroup

	closeOnce sync.Once
	closeErr  error
}

// Open connects to databaseURL and checks that it answers. It does not
// migrate; call Migrate. Accepted forms:
//
//	sqlite:PATH, sqlite://PATH, sqlite::memory:, a plain file path → SQLite
//	postgres://… or postgresql://…                                   → PostgreSQL
//
// The error of a failed Open is one line that names the host or file it
// tried and never contains the password.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return OpenWithOptions(ctx, databaseURL, Options{})
}

// OpenWithOptions is Open with tuning options.
func OpenWithOptions(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	if opts.SQLiteBusyTimeout <= 0 {
		opts.SQLiteBusyTimeout = DefaultSQLiteBusyTimeout
	}
	if opts.SQLiteReaders <= 0 {
		opts.SQLiteReaders = DefaultSQLiteReaders
	}
	if opts.PostgresMaxConns <= 0 {
		opts.PostgresMaxConns = DefaultPostgresMaxConns
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if strings.TrimSpace(databaseURL) == "" {
		return nil, fmt.Errorf("opening database: empty database URL")
	}
	lower := strings.ToLower(databaseURL)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return openPostgres(ctx, databaseURL, opts)
	}
	return openSQLite(ctx, databaseURL, opts)
}

func openPostgres(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		// url.Parse errors quote the input, which may hold a password.
		return nil, fmt.Errorf("opening postgres database: malformed URL")
	}
	target := "postgres host " + u.Host
	if u.Host == "" {
		target = "postgres (no host in URL)"
	}
	q := u.Query()
	if q.Get("connect_timeout") == "" {
		secs := int(opts.ConnectTimeout / time.Second)
		if secs < 1 {
			secs = 1
		}
		q.Set("connect_timeout", fmt.Sprint(secs))
		u.RawQuery = q.Encode()
	}
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		return nil, fmt.Errorf("opening database at %s: %s", target, redact(err.Error(), u))
	}
	db.SetMaxOpenConns(opts.PostgresMaxConns)
	db.SetMaxIdleConns(opts.PostgresMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, rdb: db, dialect: DialectPostgres, target: target}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connecting to %s: %s", target, oneLine(redact(err.Error(), u)))
	}
	return s, nil
}

func openSQLite(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	path := databaseURL
	switch {
	case strings.HasPrefix(path, "sqlite://"):
		path = strings.TrimPrefix(path, "sqlite://")
	case strings.HasPrefix(path, "sqlite:"):
		path = strings.TrimPrefix(path, "sqlite:")
	case strings.HasPrefix(path, "file:"):
		path = strings.TrimPrefix(path, "file:")
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i] // our pragmas are fixed; ignore caller params
	}
	if path == "" {
		return nil, fmt.Errorf("opening sqlite database: empty path")
	}
	memory := path == ":memory:"
	target := "sqlite file " + path
	busy := opts.SQLiteBusyTimeout.Milliseconds()
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate", busy)
	var writeDSN, readDSN string
	if memory {
		// A private in-memory database lives in one connection, so reads and
		// writes share it.
		target = "sqlite in-memory database"
		writeDSN = "file::memory:?" + pragmas
	} else {
		writeDSN = "file:" + path + "?" + pragmas + "&_pragma=journal_mode(WAL)"
		readDSN = "file:" + path + "?" + fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=query_only(1)", busy)
	}
	db, err := sqlx.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", target, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, rdb: db, dialect: DialectSQLite, target: target}
	if err := pingSQLite(ctx, db, opts.SQLiteBusyTimeout); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("opening %s: %w", target, err)
	}
	if !memory {
		rdb, err := sqlx.Open("sqlite", readDSN)
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("opening %s for reading: %w", target, err)
		}
		rdb.SetMaxOpenConns(opts.SQLiteReaders)
		rdb.SetMaxIdleConns(opts.SQLiteReaders)
		s.rdb = rdb
	}
	return s, nil
}

// pingSQLite opens the first connection, retrying while the file is busy.
// Switching a new file to WAL and recovering an existing WAL can answer
// SQLITE_BUSY at once, without going through busy_timeout, when another
// process opens the same file at the same moment (two `hookflow server`
// processes starting together); the retry honours the same timeout.
func pingSQLite(ctx context.Context, db *sqlx.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	wait := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !isSQLiteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

func isSQLiteBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// redact removes the URL's password (and the URL itself) from a driver
// message; drivers sometimes echo the DSN.
func redact(msg string, u *url.URL) string {
	if u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Dialect reports the backend: DialectSQLite or DialectPostgres.
func (s *Store) Dialect() string { return s.dialect }

// DB returns the underlying (write) connection pool for advanced use, such
// as ad-hoc queries in tests. Queries must be written for Dialect().
func (s *Store) DB() *sqlx.DB { return s.db }

// Ping checks that the database answers; readiness probes call it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging %s: %w", s.target, err)
	}
	var one int
	if err := s.rdb.GetContext(ctx, &one, "SELECT 1"); err != nil {
		return fmt.Errorf("querying %s: %w", s.target, err)
	}
	return nil
}

// Close closes all connections. It is safe to call more than once; later
// calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeStatements()
		var errs []error
		if s.rdb != s.db {
			errs = append(errs, s.rdb.Close())
		}
		errs = append(errs, s.db.Close())
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("closing %s: %w", s.target, err)
		}
	})
	return s.closeErr
}

// q rebinds a '?' query for the dialect.
func (s *Store) q(query string) string {
	return s.db.Rebind(query)
}

// inTx runs fn in one transaction on the write pool and commits it when fn
// returns nil. On SQLite the transaction is BEGIN IMMEDIATE (_txlock), so it
// holds the write lock from the start and cannot deadlock on upgrade.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// isUnique reports whether err is a unique/primary-key violation.
func isUnique(err error) bool {
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		return pqe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		return pqe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
