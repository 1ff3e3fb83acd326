package jira_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/jira"
)

// ExampleNew registers the Jira connector, as connectors/all does, and
// lists its actions and the credential fields a user fills in.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(jira.New()); err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := reg.Connector("jira")
	for _, a := range spec.Actions {
		fmt.Println("action:", a.Name)
	}
	for _, f := range spec.Credential {
		fmt.Printf("credential: %s (secret %v)\n", f.Name, f.Secret)
	}
	// Output:
	// action: create_issue
	// action: add_comment
	// action: transition_issue
	// credential: site (secret false)
	// credential: email (secret false)
	// credential: api_token (secret true)
	// credential: webhook_secret (secret true)
}
