package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Effects that must happen once. An increment or an append is not
// idempotent, and the activity that makes one can run twice for one step:
// Temporal retries an activity whose worker died after the write but
// before reporting it. The interpreter keeps a record of every such
// effect's result in the blobs table under an effect id and checks it
// before writing, but a record written after the write leaves a window in
// which a crash repeats the effect. IncrementKVOnce and AppendKVOnce close
// it: the write and its record commit in one transaction, and a second
// call with the same effect id writes nothing and returns the first
// call's record.
//
// The record is claimed first (an insert that does nothing when the id
// exists), so two calls racing on PostgreSQL serialize on that row: the
// second waits for the first to commit and then finds its record.

// EffectRecord encodes the result of a once-only write for keeping; the
// bytes are what a repeated call gets back.
type EffectRecord func(result any) ([]byte, error)

// once runs write inside a transaction that claims effect; when effect
// was already recorded it returns the record and runs nothing.
func (s *Store) once(ctx context.Context, effect string, write func(tx *sqlx.Tx) ([]byte, error)) (prior []byte, err error) {
	if effect == "" {
		return nil, fmt.Errorf("empty effect id: %w", ErrInvalidArgument)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO blobs (id, data, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			effect, []byte{}, ms(now()))
		if err != nil {
			return fmt.Errorf("claiming effect %s: %w", effect, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("claiming effect %s: %w", effect, err)
		} else if n == 0 {
			if err := tx.GetContext(ctx, &prior, s.q(`SELECT data FROM blobs WHERE id = ?`), effect); err != nil {
				return fmt.Errorf("reading the record of effect %s: %w", effect, err)
			}
			if prior == nil {
				prior = []byte{}
			}
			return nil
		}
		record, err := write(tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE blobs SET data = ? WHERE id = ?`), record, effect); err != nil {
			return fmt.Errorf("recording effect %s: %w", effect, err)
		}
		return nil
	})
	return prior, err
}

// IncrementKVOnce is IncrementKV made at most once per effect id: it
// returns the new total, or, when effect was recorded before, prior (the
// bytes record made of that first total) and writes nothing.
func (s *Store) IncrementKVOnce(ctx context.Context, effect string, record EffectRecord, store, key string, by int64, ttl time.Duration) (n int64, prior []byte, err error) {
	prior, err = s.once(ctx, effect, func(tx *sqlx.Tx) ([]byte, error) {
		var err error
		if n, err = s.incrementKV(ctx, tx, store, key, by, ttl); err != nil {
			return nil, err
		}
		return record(n)
	})
	if err != nil {
		return 0, nil, err
	}
	return n, prior, nil
}

// AppendKVOnce is AppendKV made at most once per effect id: it returns
// the list, or, when effect was recorded before, prior (the bytes record
// made of that first list) and writes nothing.
func (s *Store) AppendKVOnce(ctx context.Context, effect string, record EffectRecord, store, key string, item []byte, maxItems int, ttl time.Duration) (list []json.RawMessage, prior []byte, err error) {
	it, maxItems, err := checkAppend(store, key, item, maxItems)
	if err != nil {
		return nil, nil, err
	}
	prior, err = s.once(ctx, effect, func(tx *sqlx.Tx) ([]byte, error) {
		var err error
		if list, err = s.appendKV(ctx, tx, store, key, it, maxItems, ttl); err != nil {
			return nil, fmt.Errorf("appending to key %q of store %q: %w", key, store, err)
		}
		return record(list)
	})
	if err != nil {
		return nil, nil, err
	}
	return list, prior, nil
}
