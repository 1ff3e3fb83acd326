package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Prepared statements for the queries every run executes. The SQLite
// driver compiles a statement's text on every call that is not prepared,
// and under load the profile had that compilation at about half of the
// store's time; a statement prepared once is compiled once per connection.
// Only fixed query texts belong here: a text built per call (IN lists,
// filters) would grow the cache without bound.

type stmtKey struct {
	db    *sqlx.DB
	query string
}

// prepared returns the statement for query (already rebound) on db,
// preparing it on first use. Statements live until Close.
func (s *Store) prepared(ctx context.Context, db *sqlx.DB, query string) (*sqlx.Stmt, error) {
	key := stmtKey{db, query}
	if st, ok := s.stmts.Load(key); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(key, st); loaded {
		_ = st.Close() // another caller prepared it first
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// execPrepared runs a fixed write statement ('?' placeholders) on the write
// pool, or in tx when tx is not nil. In a transaction it uses the
// statement only if it is already prepared (see warm): preparing on the
// write pool would wait for the connection the transaction holds.
func (s *Store) execPrepared(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (sql.Result, error) {
	q := s.q(query)
	if tx != nil {
		if st, ok := s.stmts.Load(stmtKey{s.db, q}); ok {
			return tx.StmtxContext(ctx, st.(*sqlx.Stmt)).ExecContext(ctx, args...)
		}
		return tx.ExecContext(ctx, q, args...)
	}
	st, err := s.prepared(ctx, s.db, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// getPrepared runs a fixed single-row read ('?' placeholders) into dest,
// on the read pool, or in tx when tx is not nil (see execPrepared).
func (s *Store) getPrepared(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	q := s.q(query)
	if tx != nil {
		if st, ok := s.stmts.Load(stmtKey{s.db, q}); ok {
			return tx.StmtxContext(ctx, st.(*sqlx.Stmt)).GetContext(ctx, dest, args...)
		}
		return tx.GetContext(ctx, dest, q, args...)
	}
	st, err := s.prepared(ctx, s.rdb, q)
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}

// selectPrepared runs a fixed statement that returns rows into dest (a
// slice), in tx, with the statement if it is prepared (see execPrepared).
func (s *Store) selectPrepared(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	q := s.q(query)
	if st, ok := s.stmts.Load(stmtKey{s.db, q}); ok {
		return tx.StmtxContext(ctx, st.(*sqlx.Stmt)).SelectContext(ctx, dest, args...)
	}
	return tx.SelectContext(ctx, dest, q, args...)
}

// warm prepares fixed queries on the write pool ahead of a transaction
// that runs them, so that execPrepared and getPrepared find them there.
func (s *Store) warm(ctx context.Context, queries ...string) error {
	for _, query := range queries {
		if _, err := s.prepared(ctx, s.db, s.q(query)); err != nil {
			return err
		}
	}
	return nil
}

// closeStatements closes every prepared statement; Close calls it before
// closing the pools.
func (s *Store) closeStatements() {
	s.stmts.Range(func(k, v any) bool {
		_ = v.(*sqlx.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}
