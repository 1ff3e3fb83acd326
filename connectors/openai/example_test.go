package openai_test

import (
	"context"
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/openai"
)

// ExampleNew registers the connector and shows that a structured-output
// schema whose top level is not an object is refused, naming the field,
// before any request is made.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(openai.New()); err != nil {
		fmt.Println(err)
		return
	}
	_, err := reg.Invoke(context.Background(), connectors.Invocation{Connector: "openai", Action: "chat_completion",
		Input: connectors.Values{"prompt": "Classify: my card was charged twice",
			"json_schema": map[string]any{"type": "array", "items": map[string]any{"type": "string"}}},
		Credential: connectors.Values{"api_key": "sk-example", "model": "gpt-4o-mini"}})
	fmt.Println(err)
	// Output:
	// running openai.chat_completion: permanent: input.json_schema: the top level must be {"type": "object", …} (structured output replies are objects), got type array
}
