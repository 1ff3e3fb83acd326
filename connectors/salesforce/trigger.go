package salesforce

import (
	"embed"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// testdata holds the recorded deliveries (see connectors.DeliveriesFile)
// the trigger's samples come from.
//
//go:embed testdata
var testdata embed.FS

// TriggerCredential lists the credential fields the Outbound Message
// trigger reads, for the connector spec to declare.
var TriggerCredential = []connectors.Field{
	{Name: CredentialOrganizationID, Title: "Organization ID", Type: connectors.TypeString, Example: "00D5g000004ABCDEAQ",
		Pattern: `^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$`, PatternHelp: "an organization id starts with 00D and has 15 or 18 characters",
		Help: "Setup → Company Information → Salesforce.com Organization ID. Messages from any other org are refused."},
	{Name: CredentialWebhookUsername, Title: "Webhook user name", Type: connectors.TypeString, Example: "salesforce",
		Help: "The user name you write into the endpoint URL (https://USER:PASSWORD@…); any word you choose."},
	connectors.SecretField(CredentialWebhookPassword, "Webhook password",
		"A long random password you choose and write into the endpoint URL (https://USER:PASSWORD@…). Set this or the webhook key."),
	connectors.SecretField(CredentialWebhookKey, "Webhook key",
		"A long random key you choose and append to the endpoint URL as ?key=…. Set this or the webhook password (or both)."),
}

// Events are common sObject types; a message for any other object
// (custom objects such as Invoice__c included) has that object's type.
var Events = []string{"Account", "Case", "Contact", "Lead", "Opportunity", "Order", "Task", "User"}

// Trigger returns the Outbound Message trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "outbound_message",
		Title: "Salesforce Outbound Message",
		Description: "Starts one run per record in a Salesforce Outbound Message (sent by a flow, workflow rule or approval " +
			"process when a record is created or changed); Salesforce batches up to 100 in one message. The type is the " +
			"object (Opportunity, Contact…) and the run sees the fields you chose to send under trigger.sobject. " +
			"Outbound Messages are NOT signed by Salesforce: hookflow authenticates them by a secret you put in the " +
			"endpoint URL (Basic auth user:password and/or a ?key= parameter) plus the Organization ID in the message; " +
			"it cannot detect a changed body or a late replay of a message it has not seen, and duplicates are dropped " +
			"by notification id. Every accepted message is answered with the SOAP acknowledgement Salesforce requires, " +
			"so it stops resending.",
		Setup: strings.Join([]string{
			"1. In Salesforce open Setup → Company Information and copy the Organization ID into the credential's \"Organization ID\" field.",
			"2. Choose a long random password (and a user name), put them in the credential's \"Webhook user name\" and \"Webhook password\" fields, and save it. Alternatively, or as well, set a \"Webhook key\".",
			"3. Setup → Outbound Messages → New Outbound Message: pick the object, the fields to send, and as Endpoint URL this workflow's webhook URL with the credentials written in: https://USER:PASSWORD@your-hookflow-host/hooks/… (with a webhook key, append ?key=YOUR_KEY).",
			"4. Leave \"Send Session ID\" off: hookflow never stores the session id. Add the outbound message as an action of a flow or workflow rule, and activate it.",
			"5. Change a record to test; Setup → Outbound Messages → View Message Delivery Status shows anything undelivered.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("outbound_message"), connectors.ExtractorFunc(Extract)),
		BodyTypes:        []string{"text/xml", "application/soap+xml"},
		SignatureHeaders: signatureHeaders,
		Ack:              Ack,
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
