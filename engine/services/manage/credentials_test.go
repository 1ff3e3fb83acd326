package manage_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// newService is a manage.Service over st with every built-in connector.
func newService(t *testing.T, st *store.Store) *manage.Service {
	t.Helper()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &manage.Service{Store: st, Registry: reg, Keyring: secrets.NewKeyring(key)}
}

func rawValues(t *testing.T, v map[string]any) json.RawMessage {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// storedValues decrypts what the store holds for a credential.
func storedValues(t *testing.T, svc *manage.Service, id string) connectors.Values {
	t.Helper()
	c, err := svc.Store.GetCredential(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := svc.Keyring.Decrypt(c.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	var v connectors.Values
	if err := json.Unmarshal(plain, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCredentialHostChangesNeedTheSecretsAgain(t *testing.T) {
	const (
		slackToken = "xoxb-1111-2222-realsecrettoken"
		tgToken    = "123456789:AAHrealsecrettoken"
		shopToken  = "shpat_realsecrettoken0123"
	)
	tests := []hostChange{
		{
			name: "foreign host refused for a provider API", connector: "slack",
			create: map[string]any{"bot_token": slackToken},
			patch:  map[string]any{"base_url": "http://collector.example/api"},
			wantErrors: []string{"values.base_url: collector.example is not a host of the Slack API (slack.com), and a Slack credential's secrets " +
				"only go there; to use a proxy or a test server, an admin sets --connector-base-urls slack=URL"},
		},
		{
			name: "foreign host refused even with the secret", connector: "slack",
			create:     map[string]any{"bot_token": slackToken},
			patch:      map[string]any{"base_url": "https://collector.example/api", "bot_token": slackToken},
			wantErrors: []string{"values.base_url: collector.example is not a host of the Slack API"},
		},
		{
			name: "foreign host refused on create", connector: "stripe",
			create:     map[string]any{"secret_key": "sk_live_realsecretkey0000", "base_url": "https://collector.example"},
			wantErrors: []string{"values.base_url: collector.example is not a host of the Stripe API (api.stripe.com)"},
		},
		{
			name: "self-hosted host change needs the token", connector: "telegram",
			create: map[string]any{"bot_token": tgToken},
			patch:  map[string]any{"base_url": "https://bots.collector.example"},
			wantErrors: []string{"values.bot_token: enter this secret again: this change sends the credential to " +
				"https://bots.collector.example instead of https://api.telegram.org, and saved secrets are not carried over to a new host"},
		},
		{
			name: "self-hosted host change with the token", connector: "telegram",
			create:     map[string]any{"bot_token": tgToken},
			patch:      map[string]any{"base_url": "https://bots.example.org", "bot_token": tgToken},
			wantStored: map[string]any{"base_url": "https://bots.example.org", "bot_token": tgToken},
		},
		{
			name: "every stored secret is needed", connector: "telegram",
			create: map[string]any{"bot_token": tgToken, "secret_token": "hook-secret-value"},
			patch:  map[string]any{"base_url": "https://bots.example.org", "bot_token": tgToken},
			wantErrors: []string{"values.secret_token: enter this secret again: this change sends the credential to " +
				"https://bots.example.org instead of https://api.telegram.org, and saved secrets are not carried over to a new host"},
		},
		{
			name: "removing a self-hosted base_url is a host change", connector: "telegram",
			create:     map[string]any{"bot_token": tgToken, "base_url": "https://bots.example.org"},
			patch:      map[string]any{"base_url": nil},
			wantErrors: []string{"values.bot_token: enter this secret again: this change sends the credential to https://api.telegram.org instead of https://bots.example.org"},
		},
		{
			name: "regional edge of the same provider", connector: "twilio",
			create: map[string]any{"account_sid": "AC00000000000000000000000000000001", "auth_token": "realsecretauthtoken"},
			patch:  map[string]any{"base_url": "https://api.dublin.ie1.twilio.com"},
			wantErrors: []string{"values.auth_token: enter this secret again: this change sends the credential to " +
				"https://api.dublin.ie1.twilio.com instead of https://api.twilio.com, and saved secrets are not carried over to a new host"},
		},
		{
			name: "shopify shop change needs the token", connector: "shopify",
			create: map[string]any{"shop": "my-store", "access_token": shopToken},
			patch:  map[string]any{"shop": "collector-store"},
			wantErrors: []string{"values.access_token: enter this secret again: this change sends the credential to " +
				"https://collector-store.myshopify.com instead of https://my-store.myshopify.com, and saved secrets are not carried over to a new host"},
		},
		{
			name: "same host, other path", connector: "whatsapp",
			create:     map[string]any{"access_token": "EAArealsecrettoken", "phone_number_id": "106540352242922"},
			patch:      map[string]any{"base_url": "https://graph.facebook.com/v22.0"},
			wantStored: map[string]any{"base_url": "https://graph.facebook.com/v22.0", "access_token": "EAArealsecrettoken"},
		},
		{
			name: "rotating one secret keeps the others", connector: "slack",
			create:     map[string]any{"bot_token": slackToken, "signing_secret": "signing-secret-value"},
			patch:      map[string]any{"bot_token": "xoxb-1111-2222-rotatedtoken"},
			wantStored: map[string]any{"bot_token": "xoxb-1111-2222-rotatedtoken", "signing_secret": "signing-secret-value"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, st *store.Store) {
				tc.check(t, newService(t, st), []string{slackToken, tgToken, shopToken})
			})
		})
	}
}

// hostChange is one case of TestCredentialHostChangesNeedTheSecretsAgain.
type hostChange struct {
	name      string
	connector string
	create    map[string]any
	patch     map[string]any
	// wantErrors are the starts of the exact "path: message" lines; none
	// means the patch is saved.
	wantErrors []string
	// wantStored, when set, is checked against the saved values.
	wantStored map[string]any
}

// check creates a credential, applies the patch (when not nil) and checks
// the outcome: the errors, or the saved values. No error may hold one of
// secretValues.
func (tc hostChange) check(t *testing.T, svc *manage.Service, secretValues []string) {
	t.Helper()
	ctx := context.Background()
	cred, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "c", Connector: tc.connector, Values: rawValues(t, tc.create)})
	if tc.patch != nil {
		if err != nil {
			t.Fatalf("creating: %v", err)
		}
		_, err = svc.UpdateCredential(ctx, cred.ID, manage.CredentialInput{Values: rawValues(t, tc.patch)})
	}
	if len(tc.wantErrors) == 0 {
		if err != nil {
			t.Fatalf("saving: %v", err)
		}
		got := storedValues(t, svc, cred.ID)
		for k, want := range tc.wantStored {
			if got[k] != want {
				t.Errorf("stored %s = %v, want %v", k, got[k], want)
			}
		}
		return
	}
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	if len(ve.Errors) != len(tc.wantErrors) {
		t.Fatalf("errors = %v, want %d", ve.Errors, len(tc.wantErrors))
	}
	for i, want := range tc.wantErrors {
		if got := ve.Errors[i].Error(); !strings.HasPrefix(got, want) {
			t.Errorf("error %d = %q, want it to start with %q", i, got, want)
		}
	}
	if tc.patch != nil {
		// Nothing of a refused patch is saved.
		got := storedValues(t, svc, cred.ID)
		for k, v := range tc.create {
			if got[k] != v {
				t.Errorf("after a refused patch, stored %s = %v, want %v", k, got[k], v)
			}
		}
	}
	for _, secret := range secretValues {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error leaks a secret: %v", err)
		}
	}
}

// TestResolveCredentialTakesTheNameFirst pins the one precedence of
// engine/credentials: the API resolves a reference as workflows do, by
// name first, so it shows the credential a workflow naming the reference
// would use, even when that name is another credential's id.
func TestResolveCredentialTakesTheNameFirst(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		stripe, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "stripe-live", Connector: "stripe",
			Values: rawValues(t, map[string]any{"secret_key": "sk_live_aaaaaaaaaaaa1111"})})
		if err != nil {
			t.Fatal(err)
		}
		shadow, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: stripe.ID, Connector: "slack",
			Values: rawValues(t, map[string]any{"bot_token": "xoxb-0000-aaaaaaaaaaaa"})})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, ref, wantID string
		}{
			{name: "a name", ref: "stripe-live", wantID: stripe.ID},
			{name: "an id no credential is named", ref: shadow.ID, wantID: shadow.ID},
			{name: "a name that is another credential's id", ref: stripe.ID, wantID: shadow.ID},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c, err := svc.ResolveCredential(ctx, tc.ref)
				if err != nil || c.ID != tc.wantID {
					t.Fatalf("ResolveCredential(%q) = %s, %v; want %s", tc.ref, c.ID, err, tc.wantID)
				}
			})
		}
		if _, err := svc.ResolveCredential(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown reference: err = %v, want store.ErrNotFound", err)
		}
	})
}

// A trigger-only credential saves with just the trigger's secret, and
// switching the webhook credential's mode drops the old mode's stored
// fields while a value for a field of another mode is refused by name.
func TestCredentialFieldsFollowTheirUse(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)

		tg, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "tg-trigger", Connector: "telegram",
			Values: rawValues(t, map[string]any{"secret_token": "hook-secret-value"})})
		if err != nil {
			t.Fatalf("a Telegram credential for the trigger alone was refused: %v", err)
		}
		if got := storedValues(t, svc, tg.ID); len(got) != 1 || got.String("secret_token") != "hook-secret-value" {
			t.Errorf("stored %v", got)
		}

		hook, err := svc.CreateCredential(ctx, manage.CredentialInput{Name: "hook", Connector: "webhook",
			Values: rawValues(t, map[string]any{"auth": "bearer", "token": "bearer-secret-1"})})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateCredential(ctx, hook.ID, manage.CredentialInput{
			Values: rawValues(t, map[string]any{"auth": "basic", "username": "shop", "password": "pw-secret-2"})}); err != nil {
			t.Fatalf("switching to basic: %v", err)
		}
		want := connectors.Values{"auth": "basic", "username": "shop", "password": "pw-secret-2"}
		if got := storedValues(t, svc, hook.ID); len(got) != len(want) || got.String("token") != "" || got.String("username") != "shop" {
			t.Errorf("stored %v, want %v", got, want)
		}
		_, err = svc.UpdateCredential(ctx, hook.ID, manage.CredentialInput{Values: rawValues(t, map[string]any{"header": "X-Sig"})})
		var ve *manage.ValidationError
		if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Path != "values.header" ||
			!strings.HasPrefix(ve.Errors[0].Message, "applies only when auth is hmac (it is basic)") {
			t.Errorf("an hmac setting in basic mode gave %v", err)
		}
	})
}

// Editing an OAuth connection's own fields (HubSpot's webhook client
// secret) keeps its refresh token and expiry, which are not the
// connector's fields and cannot be set through the API.
func TestUpdatingAnOAuthCredentialKeepsItsTokens(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st)
		plain, _ := json.Marshal(map[string]any{"access_token": "CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7O", "oauth_refresh_token": "rt-1", "oauth_expiry": "2026-03-01T13:00:00Z"})
		sealed, err := svc.Keyring.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.CreateCredential(ctx, store.Credential{Name: "hubspot-acme", Connector: "hubspot", Ciphertext: sealed,
			KeyID: svc.Keyring.CurrentKeyID(), Status: store.CredentialConnected})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateCredential(ctx, c.ID, manage.CredentialInput{
			Values: rawValues(t, map[string]any{"client_secret": "app-secret-1"})}); err != nil {
			t.Fatalf("editing an OAuth credential: %v", err)
		}
		got := storedValues(t, svc, c.ID)
		if got.String("oauth_refresh_token") != "rt-1" || got.String("access_token") != "CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7O" || got.String("client_secret") != "app-secret-1" {
			t.Errorf("stored %v", got)
		}
		_, err = svc.UpdateCredential(ctx, c.ID, manage.CredentialInput{Values: rawValues(t, map[string]any{"oauth_refresh_token": "forged"})})
		if err == nil || !strings.Contains(err.Error(), "oauth_refresh_token: unknown field") {
			t.Errorf("setting the refresh token through the API: %v", err)
		}
		after, _ := st.GetCredential(ctx, c.ID)
		if after.Status != store.CredentialConnected {
			t.Errorf("status after an edit = %q", after.Status)
		}
	})
}
