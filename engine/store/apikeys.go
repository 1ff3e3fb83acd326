package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// APIKeyPrefix starts every plaintext API key, so leaked keys are easy to
// recognise by secret scanners.
const APIKeyPrefix = "hfk_"

// apiKeyDisplayLen is how many leading characters of the plaintext are kept
// for display (prefix plus 8 random characters).
const apiKeyDisplayLen = len(APIKeyPrefix) + 8

// lastUsedResolution bounds how often VerifyAPIKey writes last_used_at, so a
// busy key does not turn every API read into a write.
const lastUsedResolution = time.Minute

type apiKeyRow struct {
	ID         string `db:"id"`
	Name       string `db:"name"`
	Scope      string `db:"scope"`
	Prefix     string `db:"prefix"`
	KeyHash    string `db:"key_hash"`
	CreatedAt  int64  `db:"created_at"`
	LastUsedAt nullMS `db:"last_used_at"`
	RevokedAt  nullMS `db:"revoked_at"`
}

func (r apiKeyRow) key() APIKey {
	return APIKey{ID: r.ID, Name: r.Name, Scope: r.Scope, Prefix: r.Prefix, CreatedAt: fromMS(r.CreatedAt),
		LastUsedAt: fromMSPtr(r.LastUsedAt), RevokedAt: fromMSPtr(r.RevokedAt)}
}

func hashAPIKey(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

// ValidScope reports whether scope is one of ScopeAdmin, ScopeEditor,
// ScopeViewer.
func ValidScope(scope string) bool {
	return scope == ScopeAdmin || scope == ScopeEditor || scope == ScopeViewer
}

// CreateAPIKey makes a new key and returns it with its plaintext, which is
// shown to the user once and never stored: only its SHA-256 hash is kept.
func (s *Store) CreateAPIKey(ctx context.Context, name, scope string) (APIKey, string, error) {
	if !ValidScope(scope) {
		return APIKey{}, "", fmt.Errorf("creating api key: scope %q must be admin, editor or viewer: %w", scope, ErrInvalidArgument)
	}
	plaintext := APIKeyPrefix + randomToken(32)
	t := now()
	k := APIKey{ID: NewID("key"), Name: name, Scope: scope, Prefix: plaintext[:apiKeyDisplayLen], CreatedAt: t}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO api_keys (id, name, scope, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		k.ID, k.Name, k.Scope, k.Prefix, hashAPIKey(plaintext), ms(t))
	if err != nil {
		return APIKey{}, "", fmt.Errorf("creating api key: %w", err)
	}
	return k, plaintext, nil
}

// VerifyAPIKey returns the live key whose plaintext this is, and records
// that it was used. An unknown, malformed or revoked key gives ErrNotFound.
// The lookup is by hash, so timing reveals nothing about the secret, and
// the stored hash is compared again in constant time.
func (s *Store) VerifyAPIKey(ctx context.Context, plaintext string) (APIKey, error) {
	h := hashAPIKey(plaintext)
	var r apiKeyRow
	err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM api_keys WHERE key_hash = ?`), h)
	if err != nil {
		return APIKey{}, fmt.Errorf("verifying api key: %w", notFound(err))
	}
	if !hmac.Equal([]byte(r.KeyHash), []byte(h)) || r.RevokedAt.Valid {
		return APIKey{}, fmt.Errorf("verifying api key: %w", ErrNotFound)
	}
	t := now()
	if !r.LastUsedAt.Valid || t.Sub(fromMS(r.LastUsedAt.Int64)) >= lastUsedResolution {
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`), ms(t), r.ID); err != nil {
			return APIKey{}, fmt.Errorf("recording api key use: %w", err)
		}
		r.LastUsedAt = nullMS{Int64: ms(t), Valid: true}
	}
	return r.key(), nil
}

// ListAPIKeys lists keys, newest first, including revoked ones.
func (s *Store) ListAPIKeys(ctx context.Context, opts ListOptions) ([]APIKey, string, error) {
	var w where
	suffix, limit, err := w.page("created_at", opts)
	if err != nil {
		return nil, "", fmt.Errorf("listing api keys: %w", err)
	}
	var rows []apiKeyRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT * FROM api_keys`+w.sql()+suffix), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing api keys: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	return out, next, nil
}

// CountAPIKeys returns the number of live (unrevoked) keys with scope, or
// of all scopes when scope is empty. `hookflow dev` uses it to decide
// whether to generate the first admin key.
func (s *Store) CountAPIKeys(ctx context.Context, scope string) (int, error) {
	var w where
	w.add("revoked_at IS NULL")
	if scope != "" {
		w.add("scope = ?", scope)
	}
	var n int
	if err := s.rdb.GetContext(ctx, &n, s.q(`SELECT COUNT(*) FROM api_keys`+w.sql()), w.args...); err != nil {
		return 0, fmt.Errorf("counting api keys: %w", err)
	}
	return n, nil
}

// RevokeAPIKey revokes a key; it stops verifying at once. Revoking an
// unknown or already revoked key gives ErrNotFound.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), ms(now()), id)
	if err != nil {
		return fmt.Errorf("revoking api key %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoking api key %s: %w", id, ErrNotFound)
	}
	return nil
}
