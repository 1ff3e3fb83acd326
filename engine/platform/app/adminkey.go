package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookflow/hookflow/engine/store"
)

// AdminKeySetting is the store setting that holds the ID (never the
// plaintext) of the admin API key `hookflow dev` created.
const AdminKeySetting = "dev.admin_api_key_id"

// EnsureAdminKey makes sure the dev admin API key exists. It returns the
// plaintext only when it created a key (first start, or reset is true); the
// store keeps just its hash, so later starts return "". With reset the old key
// is revoked first.
func EnsureAdminKey(ctx context.Context, st *store.Store, reset bool) (string, error) {
	id, ok, err := st.GetSetting(ctx, AdminKeySetting)
	if err != nil {
		return "", fmt.Errorf("reading admin key setting: %w", err)
	}
	if ok && !reset {
		return "", nil
	}
	if ok && reset {
		if err := st.RevokeAPIKey(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("revoking old admin key: %w", err)
		}
	}
	key, plaintext, err := st.CreateAPIKey(ctx, "admin (hookflow dev)", store.ScopeAdmin)
	if err != nil {
		return "", fmt.Errorf("creating admin key: %w", err)
	}
	if err := st.PutSetting(ctx, AdminKeySetting, key.ID); err != nil {
		return "", fmt.Errorf("saving admin key setting: %w", err)
	}
	return plaintext, nil
}
