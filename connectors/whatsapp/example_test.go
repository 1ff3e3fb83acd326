package whatsapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

// ExampleNew registers the WhatsApp connector and sends a template message.
// An admin's base URL override points it at a stand-in for graph.facebook.com.
func ExampleNew() {
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.EXAMPLE"}]}`)
	}))
	defer stub.Close()

	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{
		// The admin's base URL override (--connector-base-urls) points the
		// connector at the stand-in; plain http to it is allowed with it.
		BaseURLs: map[string]string{"whatsapp": stub.URL},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := reg.Register(whatsapp.New()); err != nil {
		fmt.Println(err)
		return
	}

	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "whatsapp",
		Action:    "send_template",
		Input: connectors.Values{
			"to": "+16505551234", "name": "order_shipped", "language": "en_US",
			"body_parameters": []any{"Ada", "#1001"},
		},
		Credential: connectors.Values{"access_token": "EAAexample", "phone_number_id": "106540352242922"},
		RunID:      "run-1",
		StepID:     "notify",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.(map[string]any)["message_id"])
	// Output:
	// POST /106540352242922/messages
	// wamid.EXAMPLE
}
