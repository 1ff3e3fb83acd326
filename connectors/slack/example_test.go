package slack_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/slack"
)

// ExampleNew registers the Slack connector and runs post_message the way
// the engine's activity does. An admin's base URL override points the call
// at a stand-in for slack.com; a registry built without it talks to Slack.
// A credential's own base_url cannot move the bot token to another host.
func ExampleNew() {
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"channel":"C123ABC456","ts":"1503435956.000247"}`)
	}))
	defer stub.Close()

	reg, err := connectors.NewRegistryConfig(connectors.RegistryConfig{
		// The admin's base URL override (--connector-base-urls) points the
		// connector at the stand-in; plain http to it is allowed with it.
		BaseURLs: map[string]string{"slack": stub.URL},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := reg.Register(slack.New()); err != nil {
		fmt.Println(err)
		return
	}

	out, err := reg.Invoke(context.Background(), connectors.Invocation{
		Connector:  "slack",
		Action:     "post_message",
		Input:      connectors.Values{"channel": "C123ABC456", "text": "Order #1001 paid"},
		Credential: connectors.Values{"bot_token": "xoxb-example"},
		RunID:      "run-1",
		StepID:     "notify",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.(map[string]any)["ts"])

	_, err = reg.Invoke(context.Background(), connectors.Invocation{
		Connector: "slack", Action: "post_message",
		Input:      connectors.Values{"chanel": "C123ABC456", "text": "typo"},
		Credential: connectors.Values{"bot_token": "xoxb-example"},
	})
	fmt.Println(err)
	// Output:
	// 1503435956.000247
	// permanent: validating slack.post_message: input.channel: required; input.chanel: unknown field (did you mean "channel"?)
}
