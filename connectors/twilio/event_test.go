package twilio

import (
	"net/url"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

func TestExtract(t *testing.T) {
	form := func(body string) *connectors.Request {
		return connectortest.NewRequest(body, "Content-Type", "application/x-www-form-urlencoded")
	}
	// The bodySHA256 variant: Twilio posts JSON and says so in the URL.
	asJSON := func(body string) *connectors.Request {
		r := form(body)
		r.URL, _ = url.Parse("https://x.example/h?bodySHA256=abc")
		return r
	}
	connectortest.RunExtract(t, Extract, []connectortest.ExtractCase{
		{Name: "voice call", Request: form("CallSid=CA1234567890ABCDE&CallStatus=ringing&From=%2B12349013030"), Want: []string{"CA1234567890ABCDE:ringing call.ringing"}},
		{Name: "JSON variant", Request: asJSON(`{"MessageSid":"SM99","MessageStatus":"failed"}`), Want: []string{"SM99:failed sms.failed"}},
		{Name: "JSON variant malformed", Request: asJSON(`{"MessageSid":`), WantErr: "reading Twilio webhook: malformed JSON body: unexpected end of JSON input (at byte 14)"},
		{Name: "no sid", Request: form("Body=hi"), WantErr: "reading Twilio webhook: neither MessageSid, SmsSid nor CallSid is present"},
		{Name: "malformed form", Request: form("Body=%zz"), WantErr: `reading Twilio webhook: malformed form body: invalid URL escape "%zz"`},
	})
}

func TestExtractFormToJSON(t *testing.T) {
	r := &connectors.Request{Body: []byte("MessageSid=SM1&Body=Hello+there%21&From=%2B14155551234&MediaUrl=a&MediaUrl=b")}
	events, err := Extract(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := events[0].Body
	if got := gjson.GetBytes(b, "Body").String(); got != "Hello there!" {
		t.Errorf("Body = %q", got)
	}
	if got := gjson.GetBytes(b, "From").String(); got != "+14155551234" {
		t.Errorf("From = %q", got)
	}
	if got := gjson.GetBytes(b, "MediaUrl").Raw; got != `["a","b"]` {
		t.Errorf("MediaUrl = %s", got)
	}
}
