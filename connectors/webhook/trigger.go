package webhook

import (
	"embed"
	"strings"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// testdata holds the recorded deliveries (see connectors.DeliveriesFile)
// the trigger's samples come from.
//
//go:embed testdata
var testdata embed.FS

// TriggerCredential lists the credential fields the incoming webhook
// trigger reads besides CredentialSecret and CredentialPreviousSecret (which
// the connector spec already declares; in hmac mode the secret is any
// string, not only whsec_), for the connector spec to declare.
var TriggerCredential = []connectors.Field{
	{Name: CredentialAuth, Title: "Incoming authentication", Type: connectors.TypeString,
		Enum: []string{AuthStandard, AuthHMAC, AuthBasic, AuthBearer, AuthNone}, Default: AuthStandard,
		Help: "How senders prove who they are: standard (Standard Webhooks webhook-signature with the signing secret), " +
			"hmac (a signature header of your choice with the signing secret), basic (username and password), " +
			"bearer (a token in the Authorization header) or none (anyone with the URL). Only the chosen mode's fields apply."},
	{Name: CredentialHeader, Title: "Signature header", Type: connectors.TypeString, Default: DefaultHMACHeader, Example: "X-Hub-Signature-256",
		When: hmacOnly},
	{Name: CredentialAlgorithm, Title: "HMAC algorithm", Type: connectors.TypeString, Enum: []string{"sha1", "sha256", "sha512"}, Default: "sha256",
		When: hmacOnly},
	{Name: CredentialEncoding, Title: "Signature encoding", Type: connectors.TypeString, Enum: []string{"hex", "base64"}, Default: "hex",
		When: hmacOnly},
	{Name: CredentialPrefix, Title: "Signature prefix", Type: connectors.TypeString, Example: "sha256=",
		Help: "Text before the signature in the header, removed before comparing.", When: hmacOnly},
	{Name: CredentialTimestampHeader, Title: "Timestamp header", Type: connectors.TypeString,
		Help: "Optional header with the Unix time of signing; deliveries more than 5 minutes off are refused.", When: hmacOnly},
	{Name: CredentialSignedPayload, Title: "Signed payload", Type: connectors.TypeString, Default: "{body}", Example: "{timestamp}.{body}",
		Help: "What the sender signs: {body}, {timestamp}, {method} and {url} are replaced.", When: hmacOnly},
	{Name: CredentialUsername, Title: "Username", Type: connectors.TypeString, Required: true,
		When: &connectors.Condition{Field: CredentialAuth, Values: []string{AuthBasic}}},
	{Name: CredentialPassword, Title: "Password", Type: connectors.TypeString, Secret: true, Required: true,
		When: &connectors.Condition{Field: CredentialAuth, Values: []string{AuthBasic}}},
	{Name: CredentialToken, Title: "Bearer token", Type: connectors.TypeString, Secret: true, Required: true,
		When: &connectors.Condition{Field: CredentialAuth, Values: []string{AuthBearer}}},
}

// hmacOnly is the condition of the hmac mode's settings: a Standard
// Webhooks secret shows and stores no HMAC header, algorithm or encoding.
var hmacOnly = &connectors.Condition{Field: CredentialAuth, Values: []string{AuthHMAC}}

// Trigger returns the generic incoming webhook trigger.
func Trigger() *connectors.Trigger {
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "Incoming webhook",
		Description: "Starts a run for each JSON request POSTed to this endpoint by any app. The credential chooses " +
			"how senders authenticate: an HMAC signature header (algorithm, encoding and prefix of your choice), " +
			"Standard Webhooks (webhook-id/webhook-timestamp/webhook-signature), Basic, Bearer, or none. " +
			"Each event's id, used to drop duplicates, is the value at the id path option when set, else the " +
			"Idempotency-Key header, else the webhook-id header, else a SHA-256 hash of the body — so an " +
			"identical retry is dropped, and two different requests with byte-identical bodies also count " +
			"as one unless they carry an id. The type is the value at the type path option, or \"webhook\".",
		Setup: strings.Join([]string{
			"1. Copy this workflow's webhook URL into the sending app's webhook or callback settings; it must send JSON with POST.",
			"2. Pick how the app authenticates in the credential: for a signing secret choose hmac and fill in the header name, algorithm and encoding the app documents, or Standard Webhooks for whsec_ secrets; Basic or Bearer if the app sends an Authorization header.",
			"3. If the app puts an event id in the body, set the id path (for example data.id) so its retries are recognised.",
			"4. Send a test request and check the events log.",
		}, "\n"),
		Options: []connectors.Field{
			{Name: OptionIDPath, Title: "Event id path", Type: connectors.TypeString, Example: "data.id",
				Help: "gjson path of the event's unique id in the body; used to drop duplicates."},
			{Name: OptionTypePath, Title: "Event type path", Type: connectors.TypeString, Example: "event",
				Help: "gjson path of the event's type in the body, for filtering by event type."},
		},
		Events:           []string{DefaultType},
		Samples:          connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(Extract)),
		SignatureHeaders: []string{"Authorization", signature.HeaderWebhookSignature, DefaultHMACHeader},
		Verifier:         Verifier{},
		Extractor:        connectors.ExtractorFunc(Extract),
	}
}
