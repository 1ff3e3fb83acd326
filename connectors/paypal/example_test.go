package paypal_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors/paypal"
)

// ExampleSignedString shows the text PayPal signs for a delivery: the
// transmission id and time from the headers, the webhook id from the
// credential, and the CRC32 of the raw body as an unsigned decimal.
func ExampleSignedString() {
	fmt.Println(paypal.SignedString("b2384410-f8d2-11ee-a6a4-9b4e6a3e1a2f", "2026-11-30T21:14:31Z",
		"8PT597110X687430LKGECATA", []byte(`{"id":"WH-1"}`)))
	// Output: b2384410-f8d2-11ee-a6a4-9b4e6a3e1a2f|2026-11-30T21:14:31Z|8PT597110X687430LKGECATA|838965618
}
