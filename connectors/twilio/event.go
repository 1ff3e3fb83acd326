package twilio

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Extract turns a Twilio webhook into one event. Twilio posts form
// fields; the workflow sees them as a JSON object of strings (a repeated
// field becomes an array), so trigger.Body is the SMS text and trigger.From
// the sender. Ids and types:
//
//   - an incoming message (SmsStatus/MessageStatus "received", or none):
//     id MessageSid, type "sms.received";
//   - a message status callback: id "MessageSid:status" (one message goes
//     through several statuses), type "sms.<status>" (sms.sent,
//     sms.delivered, sms.failed, sms.undelivered…);
//   - a voice call webhook: id "CallSid:CallStatus", type "call.<status>".
//
// A JSON body (the bodySHA256 variant) is passed through as it is, with the
// same fields read from it.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	var body json.RawMessage
	var get func(string) string
	if isJSON(r) {
		if err := signature.CheckJSON(r.Body); err != nil {
			return nil, fmt.Errorf("reading Twilio webhook: %w", err)
		}
		body = r.Body
		get = func(k string) string { return gjson.GetBytes(r.Body, gjson.Escape(k)).String() }
	} else {
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil, fmt.Errorf("reading Twilio webhook: malformed form body: %w", err)
		}
		obj := make(map[string]any, len(form))
		for k, v := range form {
			if len(v) == 1 {
				obj[k] = v[0]
			} else {
				obj[k] = v
			}
		}
		if body, err = json.Marshal(obj); err != nil {
			return nil, fmt.Errorf("reading Twilio webhook: encoding fields: %w", err)
		}
		get = form.Get
	}
	sid := firstOf(get("MessageSid"), get("SmsSid"))
	if sid != "" {
		status := strings.ToLower(firstOf(get("MessageStatus"), get("SmsStatus")))
		if status == "" || status == "received" {
			return []connectors.Event{{ID: sid, Type: "sms.received", Body: body}}, nil
		}
		return []connectors.Event{{ID: sid + ":" + status, Type: "sms." + status, Body: body}}, nil
	}
	if call := get("CallSid"); call != "" {
		status := strings.ToLower(firstOf(get("CallStatus"), "unknown"))
		return []connectors.Event{{ID: call + ":" + status, Type: "call." + status, Body: body}}, nil
	}
	return nil, fmt.Errorf("reading Twilio webhook: neither MessageSid, SmsSid nor CallSid is present")
}

func isJSON(r *connectors.Request) bool {
	if r.URL != nil && r.URL.Query().Has(QueryBodySHA256) {
		return true
	}
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json")
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
