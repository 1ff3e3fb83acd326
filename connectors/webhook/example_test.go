package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
	"github.com/hookflow/hookflow/connectors/webhook"
)

// ExampleNew registers the webhook connector and sends one signed Standard
// Webhooks delivery, which the receiver verifies with the same secret. The
// retry schedule around this single attempt runs as durable Temporal timers
// in the interpreter.
func ExampleNew() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	// A fixed clock keeps the printed body stable; real senders use New().
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := signature.VerifyStandard(secret, r.Header, body, at, 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		fmt.Println("receiver verified", r.Header.Get("webhook-id") != "", string(body))
	}))
	defer receiver.Close()

	// Destinations are typed by users, so the SSRF guard refuses loopback
	// unless the registry allows it.
	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := reg.Register(webhook.NewWithClock(func() time.Time { return at })); err != nil {
		fmt.Println(err)
		return
	}
	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "webhook", Action: "send", RunID: "run-1", StepID: "notify",
		Input:      connectors.Values{"url": receiver.URL, "event_type": "order.paid", "data": map[string]any{"order_id": "1001"}},
		Credential: connectors.Values{"secret": secret},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status", out.(*webhook.Result).Status)
	// Output:
	// receiver verified true {"type":"order.paid","timestamp":"2026-01-02T03:04:05Z","data":{"order_id":"1001"}}
	// status 200
}
