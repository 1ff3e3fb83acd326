package manage_test

import (
	"testing"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestSMTPServerChangesNeedThePasswordAgain covers the email connector,
// whose password goes to the SMTP server the credential names
// (connectors.Spec.OriginFrom) rather than to a base URL.
func TestSMTPServerChangesNeedThePasswordAgain(t *testing.T) {
	const password = "smtp-realsecretpassword"
	create := map[string]any{"host": "smtp.example.com", "username": "apikey", "password": password, "from": "orders@shop.example.com"}
	tests := []hostChange{
		{
			name: "host change needs the password", connector: "email", create: create,
			patch: map[string]any{"host": "smtp.collector.example"},
			wantErrors: []string{"values.password: enter this secret again: this change sends the credential to " +
				"smtp://smtp.collector.example:587 instead of smtp://smtp.example.com:587, and saved secrets are not carried over to a new host"},
		},
		{
			name: "port change needs the password", connector: "email", create: create,
			patch:      map[string]any{"port": 2525},
			wantErrors: []string{"values.password: enter this secret again: this change sends the credential to smtp://smtp.example.com:2525"},
		},
		{
			name: "host change with the password", connector: "email", create: create,
			patch:      map[string]any{"host": "smtp.eu.example.com", "password": password},
			wantStored: map[string]any{"host": "smtp.eu.example.com", "password": password},
		},
		{
			name: "changing the From keeps the password", connector: "email", create: create,
			patch:      map[string]any{"from": "hello@shop.example.com"},
			wantStored: map[string]any{"from": "hello@shop.example.com", "password": password},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, st *store.Store) {
				tc.check(t, newService(t, st), []string{password})
			})
		})
	}
}
