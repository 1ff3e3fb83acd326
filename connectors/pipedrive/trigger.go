package pipedrive

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

// TriggerCredential lists the credential fields the webhook trigger reads.
var TriggerCredential = []connectors.Field{
	{Name: CredentialWebhookUsername, Title: "Webhook user name", Type: connectors.TypeString, Example: "hookflow",
		Help: "The HTTP auth user name you give the webhook in Pipedrive; any word you choose."},
	connectors.SecretField(CredentialWebhookPassword, "Webhook password",
		"A long random password you choose and give the webhook in Pipedrive as its HTTP auth password."),
}

// Events are the webhooks v2 event names for the common entities.
var Events = []string{
	"create.deal", "change.deal", "delete.deal", "create.person", "change.person", "delete.person",
	"create.organization", "change.organization", "delete.organization", "create.activity", "change.activity",
	"delete.activity", "create.lead", "change.lead", "delete.lead", "create.note", "change.note",
	"create.product", "change.product", "added.deal", "updated.deal", "deleted.deal", "merged.deal",
	"added.person", "updated.person",
}

// Trigger returns the Pipedrive webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Pipedrive webhook",
		Description: "Starts a run when a deal, person, organization, activity or lead is created, changed or deleted " +
			"(type create.deal, change.person…; webhooks v1's added.deal, updated.deal… too). trigger.data is the record " +
			"and trigger.previous what changed. Pipedrive does NOT sign webhooks: hookflow authenticates them by the " +
			"HTTP Basic user name and password set on the webhook, which prove the sender knows them but cover neither " +
			"the body's integrity nor replays; duplicates are dropped by webhook, entity, id and timestamp.",
		Setup: strings.Join([]string{
			"1. Choose a user name and a long random password; put them in the credential's \"Webhook user name\" and \"Webhook password\" fields and save it.",
			"2. In Pipedrive open Settings → Tools and apps → Webhooks → Create new webhook (or use the API with version \"2.0\").",
			"3. Pick the event action and object (for example change and deal), paste this workflow's webhook URL as the Endpoint URL, and enter the same HTTP Auth user name and password.",
			"4. Save, then change a record to test.",
		}, "\n"),
		Events:           Events,
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{"Authorization"},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
