// Package credentials finds the credential a workflow names and opens it.
// It is the one lookup that the webhook pipeline (a trigger's signing
// secret), the interpreter's activities (an action's or an http step's
// credential) and the management API (GET /api/v1/credentials/{ref})
// share, so all of them agree on which credential a reference means.
//
// # Precedence: a name wins over an id
//
// A reference is a credential's name or its id. Workflows refer to
// credentials by name: the editor's credential picker writes the name
// ("Workflows refer to the credential by this name"), and saving a
// definition checks each credential it names by name, connector
// included. So Resolve looks a reference up as a name first, and as an id
// only when no credential has that name. Names and ids are each unique,
// so the order matters only when a credential is named like another
// credential's id; the reference then means the named credential, the one
// the definition was checked against, and the API shows that same one.
// (Before, the pipeline and the activities took the name first while the
// API took the id first.)
package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

// Errors Open returns, checked with errors.Is. A credential that does not
// exist wraps store.ErrNotFound. Any other error is the store failing to
// answer, which may pass.
var (
	// ErrNoKeyring means the process has no secret key, so no credential
	// can be opened.
	ErrNoKeyring = errors.New("no secret key is configured")
	// ErrUnusable means the stored credential cannot be decrypted (a key
	// missing from the keyring, an altered record) or is not a JSON
	// object of field values. Retrying does not help.
	ErrUnusable = errors.New("the stored credential cannot be opened")
)

// Finder reads credentials; *store.Store is one. Each method returns an
// error wrapping store.ErrNotFound when no credential matches.
type Finder interface {
	GetCredentialByName(ctx context.Context, name string) (store.Credential, error)
	GetCredential(ctx context.Context, id string) (store.Credential, error)
}

// Resolve finds the credential ref refers to: the credential named ref,
// else the one whose id is ref (see the package documentation). A
// reference that matches neither gives an error wrapping
// store.ErrNotFound.
func Resolve(ctx context.Context, st Finder, ref string) (store.Credential, error) {
	c, err := st.GetCredentialByName(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		c, err = st.GetCredential(ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Credential{}, &classed{msg: fmt.Sprintf("credential %q does not exist", ref), class: store.ErrNotFound}
	}
	if err != nil {
		return store.Credential{}, fmt.Errorf("reading credential %q: %w", ref, err)
	}
	return c, nil
}

// Open resolves ref and decrypts the credential's field values with kr.
// The values are secrets: callers keep them in memory only and never log
// them. The credential record comes back too, for its connector.
func Open(ctx context.Context, st Finder, kr *secrets.Keyring, ref string) (store.Credential, connectors.Values, error) {
	c, err := Resolve(ctx, st, ref)
	if err != nil {
		return store.Credential{}, nil, err
	}
	if kr == nil {
		return store.Credential{}, nil, &classed{msg: fmt.Sprintf("decrypting credential %q: %s", ref, ErrNoKeyring), class: ErrNoKeyring}
	}
	plain, err := kr.Decrypt(c.Ciphertext)
	if err != nil {
		return store.Credential{}, nil, &classed{msg: fmt.Sprintf("decrypting credential %q: %s", ref, err), class: ErrUnusable, cause: err}
	}
	var v connectors.Values
	err = json.Unmarshal(plain, &v)
	clear(plain)
	if err != nil {
		// The plaintext is never echoed: it is the secret.
		return store.Credential{}, nil, &classed{msg: fmt.Sprintf("decoding credential %q: not a JSON object of field values", ref), class: ErrUnusable}
	}
	return c, v, nil
}

// classed is an error with its own message that is also its class (and
// its cause, when there is one) for errors.Is and errors.As.
type classed struct {
	msg   string
	class error
	cause error
}

func (e *classed) Error() string { return e.msg }

func (e *classed) Unwrap() []error {
	if e.cause == nil {
		return []error{e.class}
	}
	return []error{e.class, e.cause}
}
