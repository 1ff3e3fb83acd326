package github_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/github"
)

// ExampleNew registers the GitHub connector, as connectors/all does, and
// lists its actions and the credential fields a user fills in.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(github.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("github")
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, f := range spec.Credential {
		fmt.Printf("credential: %s (secret %v)\n", f.Name, f.Secret)
	}
	// Output:
	// action: create_issue
	// action: add_comment
	// action: add_labels
	// credential: token (secret true)
	// credential: webhook_secret (secret true)
}
