package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/credentials"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
)

const titleInvalidCredential = "the credential is invalid"

// CredentialInput creates or updates a credential. On update, empty Name
// and Connector keep the current ones, and Values are merged into the
// stored values: a field set to null is removed, absent fields are kept
// (so a user can rotate one secret without retyping the others). A merge
// that changes the host the credential's secrets go to (its base_url, a
// Shopify shop) must set every secret again in the same request.
type CredentialInput struct {
	Name      string          `json:"name"`
	Connector string          `json:"connector"`
	Values    json.RawMessage `json:"values"`
}

// ErrNoKeyring is returned by credential writes in a process configured
// without a secret key.
var ErrNoKeyring = errors.New("credentials need a secret key (HOOKFLOW_SECRET_KEY)")

// CreateCredential validates values against the connector's credential
// spec, encrypts them and stores them with a masked hint.
func (s *Service) CreateCredential(ctx context.Context, in CredentialInput) (store.Credential, error) {
	var errs []definition.Error
	if strings.TrimSpace(in.Name) == "" {
		errs = append(errs, definition.Error{Path: "name", Message: "required"})
	}
	if in.Connector == "" {
		errs = append(errs, definition.Error{Path: "connector", Message: "required"})
	}
	if len(errs) > 0 {
		return store.Credential{}, &ValidationError{Title: titleInvalidCredential, Errors: errs}
	}
	spec, err := s.credentialSpec(in.Connector)
	if err != nil {
		return store.Credential{}, err
	}
	values := connectors.Values{}
	if len(in.Values) > 0 && string(in.Values) != "null" {
		if values, err = decodeValues(in.Values); err != nil {
			return store.Credential{}, invalid(titleInvalidCredential, "values", "must be a JSON object of field values")
		}
	}
	return s.sealAndSave(ctx, "", in.Name, spec, values, nil)
}

func (s *Service) credentialSpec(connector string) (*connectors.Spec, error) {
	spec, ok := s.Registry.Connector(connector)
	if !ok {
		return nil, invalid(titleInvalidCredential, "connector",
			fmt.Sprintf("unknown connector %q (known: %s)", connector, strings.Join(s.Registry.Names(), ", ")))
	}
	return spec, nil
}

// sealAndSave validates, encrypts and writes (creates when id is "").
// keep holds stored values that are not the connector's fields (an OAuth
// connection's refresh token and expiry): sealed along, never validated.
func (s *Service) sealAndSave(ctx context.Context, id, name string, spec *connectors.Spec, values, keep connectors.Values) (store.Credential, error) {
	if s.Keyring == nil {
		return store.Credential{}, ErrNoKeyring
	}
	clean, err := connectors.ValidateCredential(spec.Credential, values)
	if err == nil {
		err = spec.CheckCredentialBaseURL(clean)
	}
	if err != nil {
		var ve *connectors.ValidationError
		if errors.As(err, &ve) {
			out := &ValidationError{Title: titleInvalidCredential}
			for _, fe := range ve.Errors {
				out.Errors = append(out.Errors, definition.Error{
					Path: "values" + strings.TrimPrefix(fe.Path, "credential"), Message: fe.Problem})
			}
			return store.Credential{}, out
		}
		return store.Credential{}, invalid(titleInvalidCredential, "values", err.Error())
	}
	sealed := clean
	if len(keep) > 0 {
		sealed = maps.Clone(clean)
		maps.Copy(sealed, keep)
	}
	plain, err := json.Marshal(sealed)
	if err != nil {
		return store.Credential{}, fmt.Errorf("encoding credential values: %w", err)
	}
	ciphertext, err := s.Keyring.Encrypt(plain)
	clear(plain)
	if err != nil {
		return store.Credential{}, err
	}
	hint, err := json.Marshal(Hint(spec.Credential, clean))
	if err != nil {
		return store.Credential{}, fmt.Errorf("encoding credential hint: %w", err)
	}
	if id == "" {
		return s.Store.CreateCredential(ctx, store.Credential{Name: name, Connector: spec.Name, Ciphertext: ciphertext,
			KeyID: s.Keyring.CurrentKeyID(), Hint: hint})
	}
	return s.Store.UpdateCredential(ctx, id, store.CredentialUpdate{Name: name, Ciphertext: ciphertext,
		KeyID: s.Keyring.CurrentKeyID(), Hint: hint})
}

// Hint is the display form of credential values: secret fields masked
// with secrets.Mask, other fields (account ids, base URLs) as they are.
// Fields the spec does not know are treated as secret.
func Hint(fields []connectors.Field, values connectors.Values) map[string]any {
	secret := map[string]bool{}
	known := map[string]bool{}
	for _, f := range fields {
		known[f.Name] = true
		secret[f.Name] = f.Secret
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]any, len(values))
	for _, k := range keys {
		v := values[k]
		if secret[k] || (!known[k] && k != "base_url") {
			out[k] = secrets.Mask(fmt.Sprint(v))
			continue
		}
		out[k] = v
	}
	return out
}

// UpdateCredential merges in.Values into the stored values (see
// CredentialInput), re-validates the whole set and re-encrypts it. A
// credential's connector cannot change.
func (s *Service) UpdateCredential(ctx context.Context, id string, in CredentialInput) (store.Credential, error) {
	cur, err := s.Store.GetCredential(ctx, id)
	if err != nil {
		return store.Credential{}, err
	}
	if in.Connector != "" && in.Connector != cur.Connector {
		return store.Credential{}, invalid(titleInvalidCredential, "connector",
			fmt.Sprintf("a credential's connector cannot change (it is %q); create a new credential instead", cur.Connector))
	}
	spec, err := s.credentialSpec(cur.Connector)
	if err != nil {
		return store.Credential{}, err
	}
	if len(in.Values) == 0 || string(in.Values) == "null" {
		if in.Name == "" || in.Name == cur.Name {
			return cur, nil
		}
		return s.Store.UpdateCredential(ctx, id, store.CredentialUpdate{Name: in.Name})
	}
	if s.Keyring == nil {
		return store.Credential{}, ErrNoKeyring
	}
	patch, err := decodeValues(in.Values)
	if err != nil {
		return store.Credential{}, invalid(titleInvalidCredential, "values", "must be a JSON object of field values")
	}
	plain, err := s.Keyring.Decrypt(cur.Ciphertext)
	if err != nil {
		return store.Credential{}, err
	}
	values, err := decodeValues(plain)
	clear(plain)
	if err != nil {
		return store.Credential{}, fmt.Errorf("decoding stored credential %s: %w", id, err)
	}
	before := spec.CredentialOrigin(values)
	stored := maps.Clone(values)
	for k, v := range patch {
		if v == nil {
			delete(values, k)
			continue
		}
		values[k] = v
	}
	// A mode change (the webhook credential's auth from bearer to basic)
	// leaves stored fields of the old mode behind; drop those the request
	// did not set, so the user need not null each one. A value the request
	// sets for a field that does not apply is still refused.
	for _, f := range spec.Credential {
		if _, set := patch[f.Name]; !set && !connectors.Applies(f, spec.Credential, values) {
			delete(values, f.Name)
		}
	}
	// A base_url the connector refuses is reported by sealAndSave, naming
	// the field; only a host it would accept needs the secrets again.
	if after := spec.CredentialOrigin(values); after != before && spec.CheckCredentialBaseURL(values) == nil {
		if err := secretsRetyped(spec, stored, patch, before, after); err != nil {
			return store.Credential{}, err
		}
	}
	// An OAuth connection's bookkeeping (refresh token, expiry) is not the
	// connector's fields: it is kept as stored, and a request cannot set it.
	var keep connectors.Values
	if credentials.IsOAuth(cur) {
		keep = connectors.Values{}
		for _, k := range []string{credentials.FieldRefreshToken, credentials.FieldExpiry, credentials.FieldTokenType} {
			if v, ok := stored[k]; ok {
				if _, patched := patch[k]; !patched {
					keep[k] = v
					delete(values, k)
				}
			}
		}
	}
	return s.sealAndSave(ctx, id, in.Name, spec, values, keep)
}

// secretsRetyped refuses a change of the host a credential's secrets go to
// (a base_url, a Shopify shop) unless the same request sets every secret
// the credential holds. Otherwise anyone who may edit a credential, but was
// never shown its secrets, could point it at a host they control and have
// the next run deliver the secrets there.
func secretsRetyped(spec *connectors.Spec, stored, patch connectors.Values, before, after string) error {
	out := &ValidationError{Title: titleInvalidCredential}
	for _, f := range spec.Credential {
		if !f.Secret || stored.String(f.Name) == "" {
			continue
		}
		if v, ok := patch[f.Name]; ok && v != nil {
			continue
		}
		out.Errors = append(out.Errors, definition.Error{Path: "values." + f.Name, Message: fmt.Sprintf(
			"enter this secret again: this change sends the credential to %s instead of %s, and saved secrets are not carried over to a new host",
			originName(after), originName(before))})
	}
	if len(out.Errors) > 0 {
		return out
	}
	return nil
}

func originName(origin string) string {
	if origin == "" {
		return "no host"
	}
	return origin
}

// DeleteCredential deletes a credential unless an active workflow names
// it, in which case it returns an *InUseError naming them.
func (s *Service) DeleteCredential(ctx context.Context, id string) error {
	cred, err := s.Store.GetCredential(ctx, id)
	if err != nil {
		return err
	}
	inUse := &InUseError{Credential: cred.Name}
	err = s.eachActiveWorkflow(ctx, func(w store.Workflow) error {
		def, errs := definition.Parse(w.Definition)
		if def == nil {
			return fmt.Errorf("reading workflow %s: %v", w.ID, definition.Errors(errs))
		}
		if names := credentialNames(def); names[cred.Name] || names[cred.ID] {
			inUse.Workflows = append(inUse.Workflows, WorkflowRef{ID: w.ID, Name: w.Name})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(inUse.Workflows) > 0 {
		return inUse
	}
	return s.Store.DeleteCredential(ctx, id)
}

// ResolveCredential finds the credential ref refers to with the one rule
// workflows use (engine/credentials.Resolve): by name, else by id. So
// GET /credentials/{ref} shows the credential a workflow naming ref would
// use. An unknown ref gives an error wrapping store.ErrNotFound.
func (s *Service) ResolveCredential(ctx context.Context, ref string) (store.Credential, error) {
	return credentials.Resolve(ctx, s.Store, ref)
}
