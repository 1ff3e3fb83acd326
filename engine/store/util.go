package store

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// crockford is Crockford's base32 alphabet in lower case; it sorts the same
// as the numbers it encodes, which makes ids sortable by creation time.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns prefix + "_" + a 26-character ULID-like id: 48 bits of
// millisecond time followed by 80 random bits. Ids created in different
// milliseconds sort by time.
func NewID(prefix string) string {
	return newIDAt(prefix, time.Now())
}

func newIDAt(prefix string, t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("reading random bytes: %v", err)) // crypto/rand never fails on supported platforms
	}
	// Encode 128 bits as 26 base32 digits (the top digit carries 3 bits).
	var out [26]byte
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return prefix + "_" + string(out[:])
}

// randomToken returns n random bytes as unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("reading random bytes: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Time is stored as BIGINT unix milliseconds, UTC.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func msPtr(t *time.Time) sql.NullInt64 {
	if t == nil || t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMSPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// now is truncated to milliseconds so values round-trip exactly.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultListLimit
	case n > MaxListLimit:
		return MaxListLimit
	}
	return n
}

// cursor is the last row's sort key: (time in ms, id).
type cursor struct {
	at int64
	id string
}

func encodeCursor(at int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + ":" + id))
}

func decodeCursor(s string) (cursor, bool, error) {
	if s == "" {
		return cursor{}, false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false, fmt.Errorf("decoding cursor: %w", ErrInvalidCursor)
	}
	at, id, ok := strings.Cut(string(raw), ":")
	if !ok || id == "" {
		return cursor{}, false, fmt.Errorf("decoding cursor: %w", ErrInvalidCursor)
	}
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return cursor{}, false, fmt.Errorf("decoding cursor: %w", ErrInvalidCursor)
	}
	return cursor{at: n, id: id}, true, nil
}

// where builds a conjunction of '?' conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page adds the keyset condition for a (timeCol DESC, id DESC) order and
// returns the ORDER BY/LIMIT suffix; it fetches one extra row to learn
// whether another page exists.
func (w *where) page(timeCol string, opts ListOptions) (string, int, error) {
	return w.pageAs(timeCol, "id", opts)
}

// pageAs is page with a qualified id column, for joins.
func (w *where) pageAs(timeCol, idCol string, opts ListOptions) (string, int, error) {
	c, ok, err := decodeCursor(opts.Cursor)
	if err != nil {
		return "", 0, err
	}
	if ok {
		w.add("("+timeCol+" < ? OR ("+timeCol+" = ? AND "+idCol+" < ?))", c.at, c.at, c.id)
	}
	limit := clampLimit(opts.Limit)
	return fmt.Sprintf(" ORDER BY %s DESC, %s DESC LIMIT %d", timeCol, idCol, limit+1), limit, nil
}

func marshalJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding JSON column: %w", err)
	}
	return string(b), nil
}

func rawOrNull(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return string(b)
}

func rawJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// nullMS is a nullable millisecond timestamp column.
type nullMS = sql.NullInt64

func joinComma(parts []string) string { return strings.Join(parts, ", ") }
