package twilio

import (
	"embed"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// testdata holds the recorded deliveries (see connectors.DeliveriesFile)
// the trigger's samples come from.
//
//go:embed testdata
var testdata embed.FS

// TriggerCredential lists the credential fields the webhook trigger reads,
// for the connector spec to declare.
var TriggerCredential = []connectors.Field{connectors.SecretField(CredentialAuthToken, "Auth Token",
	"In the Twilio Console home page, under Account Info → Auth Token (the primary one).")}

// Events are the event types this trigger produces.
var Events = []string{
	"sms.received", "sms.queued", "sms.sending", "sms.sent", "sms.delivered", "sms.undelivered",
	"sms.failed", "sms.read", "call.ringing", "call.in-progress", "call.completed",
}

// Trigger returns the Twilio SMS webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Twilio SMS",
		Description: "Starts a run for each SMS your Twilio number receives (sms.received), and for status " +
			"callbacks of messages you send (sms.delivered, sms.failed…). Requests are checked against " +
			"X-Twilio-Signature with your Auth Token and deduplicated by MessageSid (plus the status for " +
			"callbacks). The form fields become the trigger object: trigger.Body is the text, trigger.From the sender.",
		Setup: strings.Join([]string{
			"1. In the Twilio Console copy the Auth Token from Account Info and paste it into the Twilio credential's \"Auth Token\" field.",
			"2. Open Phone Numbers → Manage → Active numbers → your number → Messaging configuration.",
			"3. Under \"A message comes in\" choose Webhook, paste this workflow's webhook URL exactly, method HTTP POST, and save.",
			"4. For delivery statuses, pass the same URL as StatusCallback when sending messages.",
			"The URL is part of the signature, so it must match character for character; behind a proxy set hookflow's public base URL.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		FormBody:         true,
		SignatureHeaders: []string{HeaderSignature},
		// Twilio executes the TwiML it gets back: an empty <Response/>
		// tells it to do nothing more (no auto-reply SMS), where hookflow's
		// JSON receipt would be logged by Twilio as error 12300 (invalid
		// Content-Type) on every message.
		Ack:       EmptyTwiML(),
		Verifier:  Verifier{},
		Extractor: connectors.ExtractorFunc(Extract),
	}
}

// EmptyTwiMLBody is the TwiML document that tells Twilio to take no further
// action for a message or status callback.
const EmptyTwiMLBody = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// EmptyTwiML is the reply to every accepted Twilio delivery: 200 with an
// empty TwiML <Response/> as text/xml, which Twilio documents as the way
// to acknowledge a messaging webhook without replying.
func EmptyTwiML() *connectors.Response {
	return &connectors.Response{Status: http.StatusOK, ContentType: "text/xml; charset=utf-8", Body: []byte(EmptyTwiMLBody)}
}
