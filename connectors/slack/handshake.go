package slack

import (
	"encoding/json"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

// Handshake answers the Events API's url_verification request, which Slack
// sends when the Request URL is saved, by echoing its challenge.
//
// Slack signs these requests like any other, so the challenge is echoed
// only when the signature verifies (checked against r.Received, the time
// the request arrived). An unsigned or forged url_verification is not
// handled here and falls through to the verifier, which rejects it with
// 401 and logs why. That way an endpoint with a wrong signing secret fails
// loudly at setup in Slack, instead of passing the handshake and then
// rejecting every real event.
func Handshake(r *connectors.Request, credential connectors.Values) (*connectors.Response, bool) {
	if r.Method != http.MethodPost || !gjson.ValidBytes(r.Body) {
		return nil, false
	}
	res := gjson.GetManyBytes(r.Body, "type", "challenge")
	if res[0].String() != "url_verification" || res[1].Type != gjson.String {
		return nil, false
	}
	if verifier.Verify(r, credential, r.Received) != nil {
		return nil, false
	}
	body, _ := json.Marshal(map[string]string{"challenge": res[1].Str})
	return &connectors.Response{Status: http.StatusOK, ContentType: "application/json", Body: body}, true
}
