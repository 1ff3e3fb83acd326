package shopify

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	// Each success case gets a fresh documented fake, since some actions
	// change the order.
	proxy := func(w http.ResponseWriter, r *http.Request) {
		newFake(t, 0).Config.Handler.ServeHTTP(w, r)
	}
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialShop: "my-store", CredentialAccessToken: testToken},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"errors": message})
			return "application/json; charset=utf-8", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"get_order":              {Input: connectors.Values{"order_id": 450789469}, Success: proxy},
			"add_order_tags":         {Input: connectors.Values{"order_id": "450789469", "tags": []any{"vip"}}, Success: sharedFake(t)},
			"add_order_note":         {Input: connectors.Values{"order_id": 450789469, "note": "hello"}, Success: sharedFake(t)},
			"create_fulfillment":     {Input: connectors.Values{"order_id": 450789469, "tracking_number": "1Z"}, Success: sharedFake(t)},
			"find_customer_by_email": {Input: connectors.Values{"email": "bob.norman@mail.example.com"}, Success: proxy},
		},
	})
}

// sharedFake serves a multi-request action from one fake store.
func sharedFake(t *testing.T) http.HandlerFunc {
	f := newFake(t, 0)
	return f.Config.Handler.ServeHTTP
}

func TestFieldErrorsBecomeMessages(t *testing.T) {
	err := checkResponse(&connectors.HTTPResponse{Status: 422, Header: http.Header{},
		Body: []byte(`{"errors":{"tags":["is too long"],"note":["is invalid"]}}`)})
	ce := connectors.AsError(err)
	if ce == nil || ce.Class != connectors.ClassPermanent || ce.Message != "tags: is too long; note: is invalid" {
		t.Fatalf("err = %#v", err)
	}
}
