package credentials_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func keyring(t *testing.T) *secrets.Keyring {
	t.Helper()
	k, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return secrets.NewKeyring(k)
}

// save stores a credential whose plaintext is plain, encrypted with kr.
func save(t *testing.T, st *store.Store, kr *secrets.Keyring, name, connector string, plain []byte) store.Credential {
	t.Helper()
	sealed, err := kr.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCredential(context.Background(), store.Credential{Name: name, Connector: connector, Ciphertext: sealed,
		KeyID: kr.CurrentKeyID(), Hint: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpen(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		kr := keyring(t)
		stripe := save(t, st, kr, "stripe-live", "stripe", []byte(`{"webhook_secret":"whsec_live"}`))
		// A credential named like another credential's id: the name wins.
		shadow := save(t, st, kr, stripe.ID, "slack", []byte(`{"signing_secret":"slack-secret"}`))
		save(t, st, keyring(t), "other-key", "stripe", []byte(`{"webhook_secret":"x"}`))
		save(t, st, kr, "not-an-object", "stripe", []byte(`["whsec_hidden"]`))

		tests := []struct {
			name      string
			ref       string
			kr        *secrets.Keyring
			wantID    string
			wantValue string // of the one field
			wantErr   string
			wantIs    error
		}{
			{name: "by name", ref: "stripe-live", kr: kr, wantID: stripe.ID, wantValue: "whsec_live"},
			{name: "by id when no credential has that name", ref: shadow.ID, kr: kr, wantID: shadow.ID, wantValue: "slack-secret"},
			{name: "a name wins over an id", ref: stripe.ID, kr: kr, wantID: shadow.ID, wantValue: "slack-secret"},
			{name: "unknown", ref: "nope", kr: kr, wantErr: `credential "nope" does not exist`, wantIs: store.ErrNotFound},
			{name: "no keyring", ref: "stripe-live", wantErr: `decrypting credential "stripe-live": no secret key is configured`, wantIs: credentials.ErrNoKeyring},
			{name: "encrypted with another key", ref: "other-key", kr: kr, wantErr: `decrypting credential "other-key": decrypting credential: record was encrypted with key`,
				wantIs: credentials.ErrUnusable},
			{name: "not an object", ref: "not-an-object", kr: kr, wantErr: `decoding credential "not-an-object": not a JSON object of field values`,
				wantIs: credentials.ErrUnusable},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c, v, err := credentials.Open(context.Background(), st, tc.kr, tc.ref)
				if tc.wantErr != "" {
					if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) || !errors.Is(err, tc.wantIs) {
						t.Fatalf("err = %v; want %q wrapping %v", err, tc.wantErr, tc.wantIs)
					}
					if strings.Contains(err.Error(), "whsec_hidden") {
						t.Fatalf("the error shows the secret: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if c.ID != tc.wantID || len(v) != 1 {
					t.Fatalf("opened %s %v, want %s", c.ID, v, tc.wantID)
				}
				for _, val := range v {
					if val != tc.wantValue {
						t.Fatalf("value %v, want %q", val, tc.wantValue)
					}
				}
			})
		}
	})
}

// brokenStore answers every read with an error, as a database that is down.
type brokenStore struct{}

var errDown = errors.New("connection refused")

func (brokenStore) GetCredentialByName(context.Context, string) (store.Credential, error) {
	return store.Credential{}, errDown
}

func (brokenStore) GetCredential(context.Context, string) (store.Credential, error) {
	return store.Credential{}, errDown
}

func TestResolveKeepsStoreFailuresApart(t *testing.T) {
	_, err := credentials.Resolve(context.Background(), brokenStore{}, "stripe-live")
	if err == nil || err.Error() != `reading credential "stripe-live": connection refused` || !errors.Is(err, errDown) ||
		errors.Is(err, store.ErrNotFound) || errors.Is(err, credentials.ErrUnusable) {
		t.Fatalf("err = %v; want the store's failure, not a missing or unusable credential", err)
	}
}

var _ credentials.Finder = (*store.Store)(nil)
