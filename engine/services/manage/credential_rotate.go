package manage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/engine/store"
)

// PreviousPrefix names the field a connector declares to keep a secret's
// previous value during a rotation: the webhook connector's
// "previous_secret" is still accepted when verifying signatures, so the
// sender can switch to the new secret without rejected deliveries.
const PreviousPrefix = "previous_"

// SecretRotation is the body of a secret rotation: the secret field to
// replace and its new value.
type SecretRotation struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// RotationResult is a rotated credential; KeptPrevious says the old value
// was moved to the connector's previous_<field>, where it is still
// accepted until the user clears it.
type RotationResult struct {
	store.Credential
	KeptPrevious string `json:"kept_previous,omitempty"`
}

// RotateCredentialSecret replaces one secret of a credential. When the
// connector declares previous_<field> (see PreviousPrefix) and the secret
// was set, the old value moves there, so verification keeps accepting it;
// otherwise the old value stops working at once. The value is validated
// like any credential write.
func (s *Service) RotateCredentialSecret(ctx context.Context, id string, r SecretRotation) (RotationResult, error) {
	cur, err := s.Store.GetCredential(ctx, id)
	if err != nil {
		return RotationResult{}, err
	}
	spec, err := s.credentialSpec(cur.Connector)
	if err != nil {
		return RotationResult{}, err
	}
	var secretNames []string
	isSecret, hasPrevious := false, false
	for _, f := range spec.Credential {
		if f.Secret && !strings.HasPrefix(f.Name, PreviousPrefix) {
			secretNames = append(secretNames, f.Name)
			isSecret = isSecret || f.Name == r.Field
		}
		hasPrevious = hasPrevious || f.Name == PreviousPrefix+r.Field
	}
	if !isSecret {
		return RotationResult{}, invalid(titleInvalidCredential, "field",
			fmt.Sprintf("%q is not a secret of a %s credential (secrets: %s)", r.Field, cur.Connector, strings.Join(secretNames, ", ")))
	}
	if strings.TrimSpace(r.Value) == "" {
		return RotationResult{}, invalid(titleInvalidCredential, "value", "type the new secret value")
	}
	patch := map[string]any{r.Field: r.Value}
	kept := ""
	if hasPrevious {
		if s.Keyring == nil {
			return RotationResult{}, ErrNoKeyring
		}
		plain, err := s.Keyring.Decrypt(cur.Ciphertext)
		if err != nil {
			return RotationResult{}, err
		}
		values, err := decodeValues(plain)
		clear(plain)
		if err != nil {
			return RotationResult{}, fmt.Errorf("decoding stored credential %s: %w", id, err)
		}
		if old, ok := values[r.Field].(string); ok && old != "" && old != r.Value {
			kept = PreviousPrefix + r.Field
			patch[kept] = old
		}
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return RotationResult{}, fmt.Errorf("encoding rotation: %w", err)
	}
	c, err := s.UpdateCredential(ctx, id, CredentialInput{Values: raw})
	if err != nil {
		return RotationResult{}, err
	}
	return RotationResult{Credential: c, KeptPrevious: kept}, nil
}
