package messenger_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/messenger"
)

const testToken = "EAAGfakePageToken0123456789"

var credential = connectors.Values{messenger.CredentialPageAccessToken: testToken}

// graphError is the Graph API's error body.
func graphError(code int, subcode int, message string) map[string]any {
	e := map[string]any{"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjK"}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	return map[string]any{"error": e}
}

// serveSendAPI answers POST /me/messages as the Send API documents it.
func serveSendAPI(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		connectortest.WriteJSON(w, http.StatusBadRequest, graphError(190, 0, "Invalid OAuth access token."))
		return
	}
	if r.URL.Path != "/me/messages" {
		connectortest.WriteJSON(w, http.StatusBadRequest, graphError(100, 0, "Unknown path components"))
		return
	}
	in := connectortest.JSONBody(r)
	rcpt, _ := in["recipient"].(map[string]any)
	connectortest.WriteJSON(w, http.StatusOK, map[string]any{"recipient_id": rcpt["id"], "message_id": "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM"})
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, messenger.New(), connectortest.Fixtures{
		Credential: credential,
		Actions: map[string]connectortest.ActionFixture{
			"send_message": {Input: connectors.Values{"recipient_id": "6789012345678901", "text": "hi"}, Success: serveSendAPI},
		},
	})
}

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, messenger.New())
}

func TestSendMessage(t *testing.T) {
	f := connectortest.NewFake(t, messenger.New(), credential, serveSendAPI)
	out, err := f.InvokeJSON("send_message", connectors.Values{"recipient_id": "6789012345678901", "text": "Your order ships tomorrow."})
	if err != nil {
		t.Fatal(err)
	}
	if out["message_id"] != "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM" {
		t.Fatalf("out = %v", out)
	}
	req := f.Requests()[0]
	want := `{"message":{"text":"Your order ships tomorrow."},"messaging_type":"RESPONSE","recipient":{"id":"6789012345678901"}}`
	if got := connectortest.JSON(t, req.JSON()); got != want || req.Query.Get("access_token") != "" {
		t.Fatalf("sent %s?%s, want %s with the token in a header", got, req.Query.Encode(), want)
	}
	for _, tc := range []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{"tag missing", connectors.Values{"recipient_id": "1", "text": "x", "messaging_type": "MESSAGE_TAG"}, "input.tag: required when messaging_type is MESSAGE_TAG"},
		{"tag without MESSAGE_TAG", connectors.Values{"recipient_id": "1", "text": "x", "tag": "HUMAN_AGENT"}, "input.tag: only used with messaging_type MESSAGE_TAG"},
		{"too long", connectors.Values{"recipient_id": "1", "text": strings.Repeat("x", 2001)}, "input.text: Messenger takes at most 2000 characters, got 2001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Invoke("send_message", tc.input); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGraphErrors(t *testing.T) {
	cases := []struct {
		name  string
		body  map[string]any
		class connectors.Class
		wait  time.Duration
		want  string
	}{
		{"outside the window", graphError(10, 2018278, "(#10) This message is sent outside of allowed window."), connectors.ClassPermanent, 0,
			"outside the 24-hour window a message needs messaging_type MESSAGE_TAG with a tag) [code 10, subcode 2018278, fbtrace_id AbCdEfGhIjK]"},
		{"page rate limit", graphError(613, 0, "Calls to this api have exceeded the rate limit."), connectors.ClassRateLimited, time.Minute, "[code 613"},
		{"temporary send failure", graphError(1200, 0, "Temporary send message failure. Please try again later"), connectors.ClassRetryable, 0, "code 1200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := connectortest.NewFake(t, messenger.New(), credential, func(w http.ResponseWriter, r *http.Request) {
				connectortest.WriteJSON(w, http.StatusBadRequest, tc.body)
			})
			_, err := f.Invoke("send_message", connectors.Values{"recipient_id": "1", "text": "x"})
			ce := connectors.AsError(err)
			if ce == nil || ce.Class != tc.class || ce.RetryAfter != tc.wait || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestExtractRefusesOtherObjects(t *testing.T) {
	connectortest.RunExtract(t, messenger.Extract, []connectortest.ExtractCase{
		{Name: "instagram", Request: connectortest.NewRequest(`{"object":"instagram","entry":[]}`),
			WantErr: `reading Messenger notification: object is "instagram", want "page" (Instagram and other objects have their own triggers)`},
		{Name: "echo", Request: connectortest.NewRequest(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"1"},"timestamp":5,"message":{"mid":"m_1","is_echo":true,"text":"hi"}}]}]}`),
			Want: []string{"m_1 message.echo"}},
		{Name: "reaction", Request: connectortest.NewRequest(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"7"},"timestamp":5,"reaction":{"mid":"m_1","action":"react","emoji":"👍"}}]}]}`),
			Want: []string{"m_1:reaction:react:7 reaction"}},
		{Name: "unknown item", Request: connectortest.NewRequest(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"7"},"timestamp":5}]}]}`),
			WantErr: "reading Messenger notification: entry[0].messaging[0] is none of [message postback delivery read reaction optin referral account_linking]"},
	})
}
