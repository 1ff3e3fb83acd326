package gitlab_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/gitlab"
)

// ExampleNew registers the GitLab connector, as connectors/all does, and
// lists its actions and the credential fields a user fills in; the
// catalog adds base_url, since GitLab can be self-managed.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(gitlab.New()); err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range reg.Catalog().Connectors {
		for _, a := range c.Actions {
			fmt.Println("action:", a.Name)
		}
		for _, f := range c.Credential.Fields {
			fmt.Printf("credential: %s (secret %v)\n", f.Name, f.Secret)
		}
	}
	// Output:
	// action: create_issue
	// action: add_comment
	// action: add_labels
	// credential: access_token (secret true)
	// credential: webhook_token (secret true)
	// credential: base_url (secret false)
}
