package acme_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/testdata/connectors/acme"
)

// fakeAcme follows Acme's documented wire format: bearer auth, JSON body,
// {"error":{"message"}} errors.
func fakeAcme(t *testing.T, got *map[string]any) http.HandlerFunc {
	recorded, err := os.ReadFile("testdata/create_ticket.json")
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || r.URL.Path != "/v1/tickets" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"message":"no such route"}}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer acme_test_key" || r.Header.Get("Idempotency-Key") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"invalid API key"}}`)
			return
		}
		if got != nil {
			json.NewDecoder(r.Body).Decode(got)
		}
		w.WriteHeader(http.StatusCreated)
		w.Write(recorded)
	}
}

// Step 4 of the walkthrough: the conformance suite.
func TestConformance(t *testing.T) {
	connectortest.Run(t, acme.New(), connectortest.Fixtures{
		Credential: connectors.Values{"api_key": "acme_test_key"},
		Actions: map[string]connectortest.ActionFixture{
			"create_ticket": {
				Input:   connectors.Values{"subject": "Refund request", "priority": "high"},
				Success: fakeAcme(t, nil),
			},
		},
	})
}

func TestCreateTicket(t *testing.T) {
	var sent map[string]any
	fake := httptest.NewServer(fakeAcme(t, &sent))
	defer fake.Close()
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{BaseURLs: map[string]string{"acme": fake.URL}})
	if err != nil {
		t.Fatal(err)
	}
	reg.MustRegister(acme.New())
	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "acme", Action: "create_ticket", RunID: "run-1", StepID: "ticket",
		Input:      connectors.Values{"subject": "Refund request", "requester_email": "ada@example.com"},
		Credential: connectors.Values{"api_key": "acme_test_key"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tk := out.(acme.Ticket); tk.ID != "tkt_1001" || tk.Status != "open" {
		t.Fatalf("ticket = %+v", tk)
	}
	want := `{"priority":"normal","requester":{"email":"ada@example.com"},"subject":"Refund request"}`
	if got, _ := json.Marshal(sent); string(got) != want {
		t.Fatalf("request body = %s, want %s (priority defaults to normal)", got, want)
	}
}
