package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

type credentialRow struct {
	ID         string `db:"id"`
	Name       string `db:"name"`
	Connector  string `db:"connector"`
	Ciphertext []byte `db:"ciphertext"`
	KeyID      string `db:"key_id"`
	Hint       string `db:"hint"`
	Version    int64  `db:"version"`
	Status     string `db:"status"`
	// RefreshUntil is read only by ClaimCredentialRefresh.
	RefreshUntil int64 `db:"refresh_until"`
	CreatedAt    int64 `db:"created_at"`
	UpdatedAt    int64 `db:"updated_at"`
}

func (r credentialRow) credential() Credential {
	return Credential{ID: r.ID, Name: r.Name, Connector: r.Connector, Ciphertext: r.Ciphertext, KeyID: r.KeyID,
		Hint: json.RawMessage(r.Hint), Status: r.Status, Version: r.Version, CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
}

func hintText(h json.RawMessage) (string, error) {
	if len(h) == 0 {
		return "{}", nil
	}
	if !json.Valid(h) {
		return "", fmt.Errorf("hint is not valid JSON: %w", ErrInvalidArgument)
	}
	return string(h), nil
}

// CreateCredential stores an already-encrypted credential. c.ID is
// generated; a name already in use gives ErrConflict.
func (s *Store) CreateCredential(ctx context.Context, c Credential) (Credential, error) {
	hint, err := hintText(c.Hint)
	if err != nil {
		return Credential{}, fmt.Errorf("creating credential %q: %w", c.Name, err)
	}
	if len(c.Ciphertext) == 0 {
		return Credential{}, fmt.Errorf("creating credential %q: empty ciphertext: %w", c.Name, ErrInvalidArgument)
	}
	t := now()
	c.ID, c.CreatedAt, c.UpdatedAt, c.Hint = NewID("cred"), t, t, json.RawMessage(hint)
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO credentials (id, name, connector, ciphertext, key_id, hint, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.Name, c.Connector, c.Ciphertext, c.KeyID, hint, c.Status, ms(t), ms(t))
	if isUnique(err) {
		return Credential{}, fmt.Errorf("creating credential %q: name already in use: %w", c.Name, ErrConflict)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("creating credential %q: %w", c.Name, err)
	}
	return c, nil
}

// GetCredential returns a credential by id, ciphertext included.
func (s *Store) GetCredential(ctx context.Context, id string) (Credential, error) {
	var r credentialRow
	if err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM credentials WHERE id = ?`), id); err != nil {
		return Credential{}, fmt.Errorf("getting credential %s: %w", id, notFound(err))
	}
	return r.credential(), nil
}

// GetCredentialByName returns a credential by its unique name; workflow
// definitions refer to credentials by name.
func (s *Store) GetCredentialByName(ctx context.Context, name string) (Credential, error) {
	var r credentialRow
	if err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM credentials WHERE name = ?`), name); err != nil {
		return Credential{}, fmt.Errorf("getting credential %q: %w", name, notFound(err))
	}
	return r.credential(), nil
}

// ListCredentials lists credentials newest first. Ciphertext is left
// empty: listing never needs secrets.
func (s *Store) ListCredentials(ctx context.Context, opts ListOptions) ([]Credential, string, error) {
	var w where
	suffix, limit, err := w.page("created_at", opts)
	if err != nil {
		return nil, "", fmt.Errorf("listing credentials: %w", err)
	}
	var rows []credentialRow
	q := `SELECT id, name, connector, key_id, hint, version, status, created_at, updated_at FROM credentials` + w.sql() + suffix
	if err := s.rdb.SelectContext(ctx, &rows, s.q(q), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing credentials: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(rows[limit-1].CreatedAt, rows[limit-1].ID)
	}
	out := make([]Credential, len(rows))
	for i, r := range rows {
		out[i] = r.credential()
	}
	return out, next, nil
}

// CredentialUpdate changes a credential. Nil/empty fields stay unchanged;
// Ciphertext and KeyID change together.
type CredentialUpdate struct {
	Name       string
	Ciphertext []byte
	KeyID      string
	Hint       json.RawMessage
	// Status, when not nil, sets Credential.Status.
	Status *string
}

// UpdateCredential applies u and returns the credential. A name taken by
// another credential gives ErrConflict.
func (s *Store) UpdateCredential(ctx context.Context, id string, u CredentialUpdate) (Credential, error) {
	var sets []string
	var args []any
	if u.Name != "" {
		sets, args = append(sets, "name = ?"), append(args, u.Name)
	}
	if len(u.Ciphertext) > 0 {
		sets, args = append(sets, "ciphertext = ?", "key_id = ?"), append(args, u.Ciphertext, u.KeyID)
	}
	if len(u.Hint) > 0 {
		hint, err := hintText(u.Hint)
		if err != nil {
			return Credential{}, fmt.Errorf("updating credential %s: %w", id, err)
		}
		sets, args = append(sets, "hint = ?"), append(args, hint)
	}
	if u.Status != nil {
		sets, args = append(sets, "status = ?"), append(args, *u.Status)
	}
	sets, args = append(sets, "updated_at = ?", "version = version + 1"), append(args, ms(now()))
	args = append(args, id)
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE credentials SET `+joinComma(sets)+` WHERE id = ?`), args...)
	if isUnique(err) {
		return Credential{}, fmt.Errorf("updating credential %s: name %q already in use: %w", id, u.Name, ErrConflict)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("updating credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Credential{}, fmt.Errorf("updating credential %s: %w", id, ErrNotFound)
	}
	return s.GetCredential(ctx, id)
}

// DeleteCredential removes a credential. Checking that no active workflow
// uses it is the caller's job (the API answers 409 naming them).
func (s *Store) DeleteCredential(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM credentials WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("deleting credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("deleting credential %s: %w", id, ErrNotFound)
	}
	return nil
}

// ListCredentialCiphertexts returns every credential's ciphertext and key
// id, for re-encryption under a new key.
func (s *Store) ListCredentialCiphertexts(ctx context.Context) ([]CredentialCiphertext, error) {
	var rows []credentialRow
	if err := s.rdb.SelectContext(ctx, &rows, `SELECT id, key_id, ciphertext FROM credentials ORDER BY id`); err != nil {
		return nil, fmt.Errorf("listing credential ciphertexts: %w", err)
	}
	out := make([]CredentialCiphertext, len(rows))
	for i, r := range rows {
		out[i] = CredentialCiphertext{ID: r.ID, KeyID: r.KeyID, Ciphertext: r.Ciphertext}
	}
	return out, nil
}

// UpdateCredentialCiphertext replaces a credential's ciphertext if it is
// still encrypted under oldKeyID (compare-and-set, so a concurrent edit is
// never overwritten with a stale re-encryption). A changed key id gives
// ErrConflict; an unknown id ErrNotFound.
func (s *Store) UpdateCredentialCiphertext(ctx context.Context, id, oldKeyID string, ciphertext []byte, newKeyID string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE credentials SET ciphertext = ?, key_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND key_id = ?`),
		ciphertext, newKeyID, ms(now()), id, oldKeyID)
	if err != nil {
		return fmt.Errorf("re-encrypting credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetCredential(ctx, id); err != nil {
			return fmt.Errorf("re-encrypting credential %s: %w", id, err)
		}
		return fmt.Errorf("re-encrypting credential %s: key id is no longer %q: %w", id, oldKeyID, ErrConflict)
	}
	return nil
}

// SwapCredentialSecret replaces a credential's ciphertext, hint and status
// if its version is still version (compare-and-swap), bumping the version
// and ending any refresh lease. It is how an OAuth token refresh writes
// its result: a concurrent edit or refresh makes it fail with ErrConflict
// instead of being overwritten. An unknown id gives ErrNotFound.
func (s *Store) SwapCredentialSecret(ctx context.Context, id string, version int64, ciphertext []byte, keyID string,
	hint json.RawMessage, status string) (Credential, error) {
	h, err := hintText(hint)
	if err != nil {
		return Credential{}, fmt.Errorf("swapping credential %s: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE credentials SET ciphertext = ?, key_id = ?, hint = ?, status = ?,
		refresh_until = 0, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`),
		ciphertext, keyID, h, status, ms(now()), id, version)
	if err != nil {
		return Credential{}, fmt.Errorf("swapping credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetCredential(ctx, id); err != nil {
			return Credential{}, fmt.Errorf("swapping credential %s: %w", id, err)
		}
		return Credential{}, fmt.Errorf("swapping credential %s: it changed since version %d: %w", id, version, ErrConflict)
	}
	return s.GetCredential(ctx, id)
}

// ClaimCredentialRefresh takes the refresh lease of a credential until
// until, if its version is still version and no other lease is running at
// at. It bumps the version, so the claim itself is a compare-and-swap
// that exactly one of several processes wins; the others get ErrConflict
// and wait for the winner's SwapCredentialSecret. The returned credential
// carries the version the winner must swap on.
func (s *Store) ClaimCredentialRefresh(ctx context.Context, id string, version int64, at, until time.Time) (Credential, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE credentials SET refresh_until = ?, version = version + 1
		WHERE id = ? AND version = ? AND refresh_until < ?`), ms(until), id, version, ms(at))
	if err != nil {
		return Credential{}, fmt.Errorf("claiming the refresh of credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetCredential(ctx, id); err != nil {
			return Credential{}, fmt.Errorf("claiming the refresh of credential %s: %w", id, err)
		}
		return Credential{}, fmt.Errorf("claiming the refresh of credential %s: another process holds it or it changed: %w", id, ErrConflict)
	}
	return s.GetCredential(ctx, id)
}
