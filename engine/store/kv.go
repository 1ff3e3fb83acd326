package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The data store's limits. A value is JSON of at most MaxKVValueBytes; a
// key is at most MaxKVKeyBytes; an appended list keeps at most
// DefaultKVListItems elements unless the append asks for another bound of
// at most MaxKVListItems (the oldest elements are dropped first).
const (
	MaxKVValueBytes    = 256 << 10
	MaxKVKeyBytes      = 512
	DefaultKVListItems = 1000
	MaxKVListItems     = 10000
)

// PrivateStorePrefix starts the name of a workflow's private store
// ("workflow:<workflow id>"). A named store cannot contain ':', so no
// named store can reach a workflow's private one.
const PrivateStorePrefix = "workflow:"

// PrivateStore is the name of workflow id's own store.
func PrivateStore(workflowID string) string { return PrivateStorePrefix + workflowID }

var storeNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// ValidStoreName checks the name of a named (shared) store: letters,
// digits, '_', '.' and '-', starting with a letter or digit, at most 100
// characters.
func ValidStoreName(name string) error {
	if !storeNameRE.MatchString(name) {
		return fmt.Errorf("store name %q: want letters, digits, _, . and -, starting with a letter or digit, at most 100 characters: %w",
			name, ErrInvalidArgument)
	}
	return nil
}

// KV is one key of the data store.
type KV struct {
	Store     string          `json:"store"`
	Key       string          `json:"key"`
	Value     json.RawMessage `json:"value"`
	ExpiresAt *time.Time      `json:"expires_at,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// KVStore is one store of the data store and how many live keys it holds.
type KVStore struct {
	Name string `json:"name"`
	Keys int    `json:"keys"`
}

type kvRow struct {
	Store     string `db:"store"`
	Key       string `db:"key"`
	Value     string `db:"value"`
	ExpiresAt int64  `db:"expires_at"`
	CreatedAt int64  `db:"created_at"`
	UpdatedAt int64  `db:"updated_at"`
}

func (r kvRow) kv() KV {
	out := KV{Store: r.Store, Key: r.Key, Value: json.RawMessage(r.Value),
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
	if r.ExpiresAt != 0 {
		t := fromMS(r.ExpiresAt)
		out.ExpiresAt = &t
	}
	return out
}

func checkKV(store, key string) error {
	if store == "" {
		return fmt.Errorf("store: is required: %w", ErrInvalidArgument)
	}
	if key == "" {
		return fmt.Errorf("key: is empty: %w", ErrInvalidArgument)
	}
	if len(key) > MaxKVKeyBytes {
		return fmt.Errorf("key: is %d bytes, over the limit of %d: %w", len(key), MaxKVKeyBytes, ErrInvalidArgument)
	}
	return nil
}

// checkValue makes sure value is one JSON value within MaxKVValueBytes and
// returns it compacted.
func checkValue(value []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, value); err != nil || buf.Len() == 0 {
		return "", fmt.Errorf("value: is not valid JSON: %w", ErrInvalidArgument)
	}
	if buf.Len() > MaxKVValueBytes {
		return "", fmt.Errorf("value: is %d bytes of JSON, over the limit of %d: %w", buf.Len(), MaxKVValueBytes, ErrInvalidArgument)
	}
	return buf.String(), nil
}

// expiry is the expires_at of a key written at t with ttl (0: never).
func expiry(t time.Time, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return ms(t.Add(ttl))
}

// GetKV returns the live value of key in store; ErrNotFound when it is
// missing or has expired.
func (s *Store) GetKV(ctx context.Context, store, key string) (KV, error) {
	if err := checkKV(store, key); err != nil {
		return KV{}, err
	}
	var r kvRow
	err := s.rdb.GetContext(ctx, &r, s.q(`SELECT store, key, value, expires_at, created_at, updated_at FROM kv
		WHERE store = ? AND key = ? AND (expires_at = 0 OR expires_at > ?)`), store, key, ms(now()))
	if errors.Is(err, sql.ErrNoRows) {
		return KV{}, fmt.Errorf("key %q of store %q: %w", key, store, ErrNotFound)
	}
	if err != nil {
		return KV{}, fmt.Errorf("reading key %q of store %q: %w", key, store, err)
	}
	return r.kv(), nil
}

// PutKV sets key in store to value (JSON), replacing any previous value;
// ttl > 0 makes the key expire after it, 0 keeps it until deleted. Setting
// the same value again has the same effect, so a retried put is harmless.
func (s *Store) PutKV(ctx context.Context, store, key string, value []byte, ttl time.Duration) (KV, error) {
	if err := checkKV(store, key); err != nil {
		return KV{}, err
	}
	v, err := checkValue(value)
	if err != nil {
		return KV{}, err
	}
	t := now()
	var r kvRow
	err = s.db.GetContext(ctx, &r, s.q(`INSERT INTO kv (store, key, value, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (store, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
			created_at = CASE WHEN kv.expires_at <> 0 AND kv.expires_at <= excluded.updated_at THEN excluded.created_at ELSE kv.created_at END,
			updated_at = excluded.updated_at
		RETURNING store, key, value, expires_at, created_at, updated_at`),
		store, key, v, expiry(t, ttl), ms(t), ms(t))
	if err != nil {
		return KV{}, fmt.Errorf("writing key %q of store %q: %w", key, store, err)
	}
	return r.kv(), nil
}

// DeleteKV deletes key from store and reports whether a live key was
// there. Deleting a missing key is not an error, so a retried delete is
// harmless.
func (s *Store) DeleteKV(ctx context.Context, store, key string) (bool, error) {
	if err := checkKV(store, key); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM kv WHERE store = ? AND key = ? AND (expires_at = 0 OR expires_at > ?)`),
		store, key, ms(now()))
	if err != nil {
		return false, fmt.Errorf("deleting key %q of store %q: %w", key, store, err)
	}
	n, _ := res.RowsAffected()
	// An expired row is gone for readers already; drop it too.
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM kv WHERE store = ? AND key = ?`), store, key); err != nil {
		return false, fmt.Errorf("deleting key %q of store %q: %w", key, store, err)
	}
	return n > 0, nil
}

// IncrementKV adds by to the integer under key in store in one statement
// (an upsert), so concurrent increments from any number of runs and
// processes all count. A missing or expired key starts from 0 and, with
// ttl > 0, expires ttl after it was created (a fixed window, as for rate
// counters); an existing key keeps its expiry. A value that is not an
// integer is refused with ErrInvalidArgument and left alone.
func (s *Store) IncrementKV(ctx context.Context, store, key string, by int64, ttl time.Duration) (int64, error) {
	return s.incrementKV(ctx, s.db, store, key, by, ttl)
}

func (s *Store) incrementKV(ctx context.Context, q sqlx.QueryerContext, store, key string, by int64, ttl time.Duration) (int64, error) {
	if err := checkKV(store, key); err != nil {
		return 0, err
	}
	t := now()
	// The WHERE of DO UPDATE leaves a non-integer value untouched and
	// returns no row, which is how it is told apart. On SQLite it also
	// refuses a sum that would overflow, which SQLite would otherwise turn
	// into a real number; PostgreSQL raises an error instead.
	isInt := `CAST(CAST(kv.value AS INTEGER) AS TEXT) = kv.value
		AND (CAST(excluded.value AS INTEGER) <= 0 OR CAST(kv.value AS INTEGER) <= 9223372036854775807 - CAST(excluded.value AS INTEGER))
		AND (CAST(excluded.value AS INTEGER) >= 0 OR CAST(kv.value AS INTEGER) >= -9223372036854775807 - 1 - CAST(excluded.value AS INTEGER))`
	add := `CAST(CAST(kv.value AS INTEGER) + excluded.value AS TEXT)`
	if s.dialect == DialectPostgres {
		isInt = `kv.value ~ '^-{0,1}[0-9]{1,19}$'` // no '?': the query is rebound
		add = `(CAST(kv.value AS BIGINT) + CAST(excluded.value AS BIGINT))::text`
	}
	expired := `kv.expires_at <> 0 AND kv.expires_at <= excluded.updated_at`
	var r kvRow
	err := sqlx.GetContext(ctx, q, &r, s.q(`INSERT INTO kv (store, key, value, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (store, key) DO UPDATE SET
			value = CASE WHEN `+expired+` THEN excluded.value ELSE `+add+` END,
			expires_at = CASE WHEN `+expired+` THEN excluded.expires_at ELSE kv.expires_at END,
			created_at = CASE WHEN `+expired+` THEN excluded.created_at ELSE kv.created_at END,
			updated_at = excluded.updated_at
		WHERE (`+expired+`) OR `+isInt+`
		RETURNING store, key, value, expires_at, created_at, updated_at`),
		store, key, strconv.FormatInt(by, 10), expiry(t, ttl), ms(t), ms(t))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("incrementing key %q of store %q: its value is not an integer, or the total would leave the 64-bit integer range: %w", key, store, ErrInvalidArgument)
	}
	var pqe *pq.Error
	if errors.As(err, &pqe) && pqe.Code == "22003" { // numeric_value_out_of_range
		return 0, fmt.Errorf("incrementing key %q of store %q: the total would leave the 64-bit integer range: %w", key, store, ErrInvalidArgument)
	}
	if err != nil {
		return 0, fmt.Errorf("incrementing key %q of store %q: %w", key, store, err)
	}
	n, err := strconv.ParseInt(r.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("incrementing key %q of store %q: stored %q is not an integer", key, store, r.Value)
	}
	return n, nil
}

// AppendKV appends item (one JSON value) to the JSON array under key in
// store and returns the array. A missing or expired key starts as []; a
// list longer than maxItems (<= 0 means DefaultKVListItems; at most
// MaxKVListItems) keeps its newest maxItems elements. The read and the write happen in
// one transaction holding the row (PostgreSQL FOR UPDATE, SQLite's write
// lock), so concurrent appends all land. A value that is not an array is
// refused with ErrInvalidArgument and left alone.
func (s *Store) AppendKV(ctx context.Context, store, key string, item []byte, maxItems int, ttl time.Duration) ([]json.RawMessage, error) {
	it, maxItems, err := checkAppend(store, key, item, maxItems)
	if err != nil {
		return nil, err
	}
	var list []json.RawMessage
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		list, err = s.appendKV(ctx, tx, store, key, it, maxItems, ttl)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appending to key %q of store %q: %w", key, store, err)
	}
	return list, nil
}

// checkAppend checks AppendKV's arguments and returns the item as text
// and the list bound to use.
func checkAppend(store, key string, item []byte, maxItems int) (string, int, error) {
	if err := checkKV(store, key); err != nil {
		return "", 0, err
	}
	it, err := checkValue(item)
	if err != nil {
		return "", 0, err
	}
	switch {
	case maxItems <= 0:
		maxItems = DefaultKVListItems
	case maxItems > MaxKVListItems:
		return "", 0, fmt.Errorf("max_items: %d is over the limit of %d: %w", maxItems, MaxKVListItems, ErrInvalidArgument)
	}
	return it, maxItems, nil
}

// appendKV is AppendKV's read and write, inside tx.
func (s *Store) appendKV(ctx context.Context, tx *sqlx.Tx, store, key, it string, maxItems int, ttl time.Duration) ([]json.RawMessage, error) {
	var list []json.RawMessage
	err := func() error {
		t := now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO kv (store, key, value, expires_at, created_at, updated_at)
			VALUES (?, ?, '[]', ?, ?, ?) ON CONFLICT (store, key) DO NOTHING`), store, key, expiry(t, ttl), ms(t), ms(t)); err != nil {
			return err
		}
		lock := ""
		if s.dialect == DialectPostgres {
			lock = " FOR UPDATE"
		}
		var r kvRow
		if err := tx.GetContext(ctx, &r, s.q(`SELECT store, key, value, expires_at, created_at, updated_at FROM kv
			WHERE store = ? AND key = ?`+lock), store, key); err != nil {
			return err
		}
		created, expires := r.CreatedAt, r.ExpiresAt
		if r.ExpiresAt != 0 && r.ExpiresAt <= ms(t) {
			r.Value, created, expires = "[]", ms(t), expiry(t, ttl)
		}
		list = nil
		if err := json.Unmarshal([]byte(r.Value), &list); err != nil || list == nil && strings.TrimSpace(r.Value) != "[]" {
			return fmt.Errorf("its value is not a JSON array: %w", ErrInvalidArgument)
		}
		list = append(list, json.RawMessage(it))
		if len(list) > maxItems {
			list = list[len(list)-maxItems:]
		}
		raw, err := json.Marshal(list)
		if err != nil {
			return err
		}
		if len(raw) > MaxKVValueBytes {
			return fmt.Errorf("the list would be %d bytes of JSON, over the limit of %d: %w", len(raw), MaxKVValueBytes, ErrInvalidArgument)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE kv SET value = ?, expires_at = ?, created_at = ?, updated_at = ? WHERE store = ? AND key = ?`),
			string(raw), expires, created, ms(t), store, key)
		return err
	}()
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []json.RawMessage{}
	}
	return list, nil
}

// KVListOptions selects keys of one store: those starting with Prefix,
// in key order, Limit at a time from Cursor.
type KVListOptions struct {
	Prefix string
	Limit  int
	Cursor string
}

// ListKV lists the live keys of store, in key order, with their values,
// and the cursor of the next page ("" after the last).
func (s *Store) ListKV(ctx context.Context, store string, opts KVListOptions) ([]KV, string, error) {
	limit := clampLimit(opts.Limit)
	w := &where{}
	w.add("store = ?", store)
	w.add("(expires_at = 0 OR expires_at > ?)", ms(now()))
	if opts.Prefix != "" {
		// A range rather than LIKE: prefixes may hold % and _, and a range
		// uses the primary key on both databases.
		w.add("key >= ?", opts.Prefix)
		if end, ok := prefixEnd(opts.Prefix); ok {
			w.add("key < ?", end)
		}
	}
	if opts.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(opts.Cursor)
		if err != nil || len(raw) == 0 {
			return nil, "", fmt.Errorf("decoding cursor: %w", ErrInvalidCursor)
		}
		w.add("key > ?", string(raw))
	}
	var rows []kvRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT store, key, value, expires_at, created_at, updated_at FROM kv`+
		w.sql()+` ORDER BY key LIMIT `+strconv.Itoa(limit+1)), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing keys of store %q: %w", store, err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(rows[limit-1].Key))
	}
	out := make([]KV, len(rows))
	for i, r := range rows {
		out[i] = r.kv()
	}
	return out, next, nil
}

// prefixEnd is the smallest string greater than every string starting
// with p, if there is one.
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// ListKVStores lists every store that holds a live key, by name, with
// its key count.
func (s *Store) ListKVStores(ctx context.Context) ([]KVStore, error) {
	var rows []struct {
		Name string `db:"store"`
		Keys int    `db:"n"`
	}
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT store, COUNT(*) AS n FROM kv
		WHERE expires_at = 0 OR expires_at > ? GROUP BY store ORDER BY store`), ms(now())); err != nil {
		return nil, fmt.Errorf("listing stores: %w", err)
	}
	out := make([]KVStore, len(rows))
	for i, r := range rows {
		out[i] = KVStore{Name: r.Name, Keys: r.Keys}
	}
	return out, nil
}

// SweepKV deletes up to batch keys that expired before t and returns how
// many it deleted. Readers already treat them as missing; the sweep only
// reclaims their space.
func (s *Store) SweepKV(ctx context.Context, t time.Time, batch int) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM kv WHERE (store, key) IN (SELECT store, key FROM kv
		WHERE expires_at <> 0 AND expires_at <= ? LIMIT `+strconv.Itoa(batch)+`)`), ms(t))
	if err != nil {
		return 0, fmt.Errorf("sweeping expired keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
