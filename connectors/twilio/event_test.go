package twilio

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
)

func TestExtract(t *testing.T) {
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	jsonURL, _ := url.Parse("https://x.example/h?bodySHA256=abc")
	cases := []struct {
		name     string
		url      *url.URL
		body     string
		wantID   string
		wantType string
		wantErr  string
	}{
		{"voice call", nil, "CallSid=CA1234567890ABCDE&CallStatus=ringing&From=%2B12349013030", "CA1234567890ABCDE:ringing", "call.ringing", ""},
		{"JSON variant", jsonURL, `{"MessageSid":"SM99","MessageStatus":"failed"}`, "SM99:failed", "sms.failed", ""},
		{"JSON variant malformed", jsonURL, `{"MessageSid":`, "", "", "reading Twilio webhook: malformed JSON body: unexpected end of JSON input (at byte 14)"},
		{"no sid", nil, "Body=hi", "", "", "reading Twilio webhook: neither MessageSid, SmsSid nor CallSid is present"},
		{"malformed form", nil, "Body=%zz", "", "", `reading Twilio webhook: malformed form body: invalid URL escape "%zz"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Extract(&connectors.Request{URL: tc.url, Header: form, Body: []byte(tc.body)}, nil)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].ID != tc.wantID || events[0].Type != tc.wantType {
				t.Fatalf("events = %+v", events)
			}
		})
	}
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
