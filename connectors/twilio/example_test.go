package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/twilio"
)

// ExampleNew registers the Twilio connector and sends an SMS. The
// admin's base URL override points it at a stand-in for api.twilio.com.
func ExampleNew() {
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Println(r.Method, r.URL.Path, r.PostForm.Encode())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"sid":"SM00000000000000000000000000000001","status":"queued"}`)
	}))
	defer stub.Close()

	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{
		// The admin's base URL override (--connector-base-urls) points the
		// connector at the stand-in; plain http to it is allowed with it.
		BaseURLs: map[string]string{"twilio": stub.URL},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := reg.Register(twilio.New()); err != nil {
		fmt.Println(err)
		return
	}

	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "twilio",
		Action:    "send_sms",
		Input:     connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "Your order has shipped"},
		Credential: connectors.Values{
			"account_sid": "AC00000000000000000000000000000001", "auth_token": "example-token",
		},
		RunID:  "run-1",
		StepID: "sms",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.(map[string]any)["status"])
	// Output:
	// POST /2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json Body=Your+order+has+shipped&From=%2B14155550100&To=%2B14155552671
	// queued
}
