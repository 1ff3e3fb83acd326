package connectors_test

import (
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/testdata/connectors/acme"
)

// TestWalkthroughConnectorRegisters keeps the README's walkthrough
// connector (testdata/connectors/acme, excluded from ./... because it lives
// under testdata) compiling and registering with every change to the SDK.
// Its own conformance tests run with: go test ./testdata/connectors/acme/
func TestWalkthroughConnectorRegisters(t *testing.T) {
	reg := connectors.NewRegistry()
	if err := reg.Register(acme.New()); err != nil {
		t.Fatal(err)
	}
	cat := reg.Catalog()
	if len(cat.Connectors) != 1 || cat.Connectors[0].Actions[0].Name != "create_ticket" {
		t.Fatalf("catalog = %+v", cat)
	}
}
