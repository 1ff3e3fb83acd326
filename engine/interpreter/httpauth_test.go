package interpreter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/store"
)

// saveCredential encrypts values and stores them as a credential of
// connector, as the credentials API does.
func (fx *fixture) saveCredential(t testing.TB, name, connector string, values map[string]any) {
	t.Helper()
	plain, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := fx.keyring.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.store.CreateCredential(context.Background(), store.Credential{Name: name, Connector: connector,
		Ciphertext: ct, KeyID: fx.keyring.CurrentKeyID(), Hint: json.RawMessage(`{}`)}); err != nil {
		t.Fatalf("creating credential %s: %v", name, err)
	}
}

// TestHTTPStepAppliesEveryAuthType runs an http step with each kind of http
// credential and checks what the receiver got: the step and the
// http.request action share one implementation, so api_key and hmac work
// in the step too.
func TestHTTPStepAppliesEveryAuthType(t *testing.T) {
	const body = `{"order":1234}`
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(body))
	signature := hex.EncodeToString(mac.Sum(nil))
	tests := []struct {
		name       string
		credential map[string]any
		header     string
		want       string
	}{
		{name: "bearer", credential: map[string]any{"auth_type": "bearer", "token": testSecret},
			header: "Authorization", want: "Bearer " + testSecret},
		{name: "basic", credential: map[string]any{"auth_type": "basic", "username": "ada", "password": testSecret},
			header: "Authorization", want: "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:"+testSecret))},
		{name: "api_key_default_header", credential: map[string]any{"auth_type": "api_key", "api_key": testSecret},
			header: "X-API-Key", want: testSecret},
		{name: "api_key_own_header", credential: map[string]any{"auth_type": "api_key", "api_key": testSecret, "api_key_header": "X-Shop-Key"},
			header: "X-Shop-Key", want: testSecret},
		{name: "hmac_over_the_body", credential: map[string]any{"auth_type": "hmac", "hmac_secret": testSecret, "hmac_prefix": "sha256="},
			header: "X-Signature-256", want: "sha256=" + signature},
		{name: "hmac_own_header", credential: map[string]any{"auth_type": "hmac", "hmac_secret": testSecret, "hmac_header": "X-Hub-Signature-256"},
			header: "X-Hub-Signature-256", want: signature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.saveCredential(t, "http-cred", "http", tc.credential)
			srv := newSink(t)
			def := fmt.Sprintf(`{"name": "h", "trigger": {"type": "webhook"}, "steps": [
				{"id": "call", "type": "http", "method": "POST", "url": "%s/orders", "credential": "http-cred",
					"body": {"order": "{{ trigger.order }}"}}]}`, srv.URL)
			_, err, l := run(t, fx.newEnv(t), input(t, def, `{"order": 1234}`))
			if err != nil {
				t.Fatal(err)
			}
			if len(srv.requests) != 1 {
				t.Fatalf("%d requests", len(srv.requests))
			}
			if srv.bodies[0] != body {
				t.Fatalf("body = %s, want %s (the signature is checked against it)", srv.bodies[0], body)
			}
			if got := srv.requests[0].Header.Get(tc.header); got != tc.want {
				t.Fatalf("%s = %q, want %q", tc.header, got, tc.want)
			}
			if strings.Contains(string(step(t, l, "call").Input), testSecret) {
				t.Error("the http step's logged input holds the credential")
			}
		})
	}
}

// TestHTTPStepRefusesOtherConnectorsCredentials checks that an http step
// cannot carry a provider credential to a URL of its choosing: only http
// credentials are meant for arbitrary URLs.
func TestHTTPStepRefusesOtherConnectorsCredentials(t *testing.T) {
	fx := newFixture(t)
	fx.saveCredential(t, "slack-bot", "slack", map[string]any{"token": testSecret, "bot_token": testSecret})
	srv := newSink(t)
	def := fmt.Sprintf(`{"name": "h", "trigger": {"type": "webhook"}, "steps": [
		{"id": "call", "type": "http", "url": "%s/collect", "credential": "slack-bot", "retry": {"max_attempts": 1}}]}`, srv.URL)
	_, err, l := run(t, fx.newEnv(t), input(t, def, `{}`))
	if err == nil {
		t.Fatal("an http step ran with a slack credential")
	}
	s := step(t, l, "call")
	want := `credential "slack-bot" belongs to connector "slack"; an http step takes an http credential`
	if s.Status != StepFailed || !strings.Contains(s.Error, want) {
		t.Fatalf("step = %s: %s, want %q", s.Status, s.Error, want)
	}
	if len(srv.requests) != 0 {
		t.Fatalf("the URL was called %d times", len(srv.requests))
	}
}
