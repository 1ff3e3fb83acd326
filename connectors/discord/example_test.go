package discord_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/discord"
)

// ExampleNew registers the Discord connector and shows that a credential
// whose webhook URL is not Discord's is refused before anything is sent,
// with an error that names the field but not the URL.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(discord.New()); err != nil {
		fmt.Println(err)
		return
	}
	_, err := reg.NewCall(connectors.Invocation{Connector: "discord", Action: "post_message",
		Input:      connectors.Values{"content": "hi"},
		Credential: connectors.Values{"webhook_url": "https://discord.example.net/api/webhooks/1/secret"}})
	fmt.Println(err)
	// Output:
	// permanent: validating discord credential: credential.webhook_url: a Discord webhook URL looks like https://discord.com/api/webhooks/ID/TOKEN
}
