package acme_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/examples/acme"
)

// serveAcme follows Acme's documented wire format: bearer auth, an
// Idempotency-Key, JSON bodies, {"error":{"message"}} errors.
func serveAcme(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v1/tickets":
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"message":"no such route"}}`)
	case r.Header.Get("Authorization") != "Bearer acme_test_key" || r.Header.Get("Idempotency-Key") == "":
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"invalid API key"}}`)
	default:
		connectortest.ServeFile(http.StatusCreated, "application/json", "testdata/create_ticket.json")(w, r)
	}
}

// Step 4 of the walkthrough: the conformance suite.
func TestConformance(t *testing.T) {
	connectortest.Run(t, acme.New(), connectortest.Fixtures{
		Credential: connectors.Values{"api_key": "acme_test_key"},
		Actions: map[string]connectortest.ActionFixture{
			"create_ticket": {
				Input:   connectors.Values{"subject": "Refund request", "priority": "high"},
				Success: serveAcme,
			},
		},
	})
}

func TestCreateTicket(t *testing.T) {
	f := connectortest.NewFake(t, acme.New(), connectors.Values{"api_key": "acme_test_key"}, serveAcme)
	out, err := f.Invoke("create_ticket", connectors.Values{"subject": "Refund request", "requester_email": "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if tk := out.(acme.Ticket); tk.ID != "tkt_1001" || tk.Status != "open" {
		t.Fatalf("ticket = %+v", tk)
	}
	want := `{"priority":"normal","requester":{"email":"ada@example.com"},"subject":"Refund request"}`
	if got := connectortest.JSON(t, f.Requests()[0].JSON()); got != want {
		t.Fatalf("request body = %s, want %s (priority defaults to normal)", got, want)
	}
}
