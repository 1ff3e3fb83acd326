package square

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	proxy := func(w http.ResponseWriter, r *http.Request) { newFake(t).Config.Handler.ServeHTTP(w, r) }
	connectortest.Run(t, New(), connectortest.Fixtures{
		Credential: connectors.Values{CredentialAccessToken: testToken},
		ErrorBody: func(status int, message string) (string, []byte) {
			body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
				"category": "INVALID_REQUEST_ERROR", "code": "BAD_REQUEST", "detail": message}}})
			return "application/json", body
		},
		Actions: map[string]connectortest.ActionFixture{
			"retrieve_payment": {Input: connectors.Values{"payment_id": "KkAkhdMsgzn59SM8A89WgKwekxLZY"}, Success: proxy},
			"refund_payment": {Input: connectors.Values{"payment_id": "KkAkhdMsgzn59SM8A89WgKwekxLZY", "amount": 2500, "currency": "USD"},
				Success: proxy},
		},
	})
}

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, New())
}

func TestErrorsKeepSquaresCodeAndField(t *testing.T) {
	err := checkResponse(&connectors.HTTPResponse{Status: 400, Header: http.Header{},
		Body: []byte(`{"errors":[{"category":"INVALID_REQUEST_ERROR","code":"REFUND_AMOUNT_INVALID","detail":"The requested refund amount exceeds the amount available to refund.","field":"amount_money.amount"}]}`)})
	ce := connectors.AsError(err)
	want := "The requested refund amount exceeds the amount available to refund. (category INVALID_REQUEST_ERROR, code REFUND_AMOUNT_INVALID, field amount_money.amount)"
	if ce == nil || ce.Class != connectors.ClassPermanent || ce.Message != want {
		t.Fatalf("err = %#v, want permanent %q", err, want)
	}
	rl := connectors.AsError(checkResponse(&connectors.HTTPResponse{Status: 429, Header: http.Header{},
		Body: []byte(`{"errors":[{"category":"RATE_LIMIT_ERROR","code":"RATE_LIMITED","detail":"Rate limited."}]}`)}))
	if rl == nil || rl.Class != connectors.ClassRateLimited || rl.RetryAfter != rateLimitWait {
		t.Fatalf("429 without Retry-After = %#v, want rate limited with %s", rl, rateLimitWait)
	}
}
