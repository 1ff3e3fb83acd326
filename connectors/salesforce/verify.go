package salesforce

import (
	"net/http"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields the Outbound Message trigger reads.
const (
	// CredentialOrganizationID is the org's id (Setup → Company
	// Information → Salesforce.com Organization ID), which every message
	// carries.
	CredentialOrganizationID = "organization_id"
	// CredentialWebhookUsername and CredentialWebhookPassword are HTTP
	// Basic credentials written into the endpoint URL
	// (https://user:password@host/hooks/…).
	CredentialWebhookUsername = "webhook_username"
	CredentialWebhookPassword = "webhook_password"
	// CredentialWebhookKey is a secret appended to the endpoint URL as
	// ?key=…, for senders that cannot put credentials in the URL.
	CredentialWebhookKey = "webhook_key"
)

// QueryKey is the query parameter that carries CredentialWebhookKey.
const QueryKey = "key"

// Reasons this verifier adds to the signature kit's.
const (
	ReasonMissingKey      = "missing query parameter " + QueryKey
	ReasonOrgMismatch     = "organization id does not match"
	ReasonMissingOrgInXML = "malformed body: no OrganizationId"
)

// Verifier authenticates Outbound Messages. Salesforce signs nothing (no
// HMAC, no timestamp), so a message is accepted only when
//
//   - it carries the shared secret the credential holds: HTTP Basic
//     credentials (webhook_password, with webhook_username) written into
//     the endpoint URL, and/or a ?key= query parameter (webhook_key). At
//     least one is required: the organization id alone is no secret, it
//     shows in every Salesforce URL and report;
//   - and its OrganizationId is the credential's org, compared on the 15
//     case-sensitive characters both id forms share.
//
// Not verified: the body's integrity (anyone holding the secret can send
// any XML) and its freshness. Retries and replays are caught by dedupe on
// the notification id instead. All comparisons are constant time.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, _ time.Time) error {
	password := credential.String(CredentialWebhookPassword)
	key := credential.String(CredentialWebhookKey)
	if password == "" && key == "" {
		return signature.MissingSecret(CredentialWebhookPassword + " or " + CredentialWebhookKey)
	}
	org := credential.String(CredentialOrganizationID)
	if org == "" {
		return signature.MissingSecret(CredentialOrganizationID)
	}
	if password != "" {
		if err := signature.VerifyBasic(r.Header, credential.String(CredentialWebhookUsername), password); err != nil {
			return err
		}
	}
	if key != "" {
		got := ""
		if r.URL != nil {
			got = r.URL.Query().Get(QueryKey)
		}
		if got == "" {
			return connectors.Reject(ReasonMissingKey)
		}
		if !signature.Equal(got, key) {
			return connectors.Reject(signature.ReasonBadCredentials)
		}
	}
	msg, err := parse(r.Body)
	if err != nil || msg.OrganizationID == "" {
		return connectors.Reject(ReasonMissingOrgInXML)
	}
	if !SameOrganization(msg.OrganizationID, org) {
		return connectors.Reject(ReasonOrgMismatch)
	}
	return nil
}

// SameOrganization reports whether two organization ids name the same
// org. Salesforce ids come in a 15-character case-sensitive form and an
// 18-character form that appends a checksum of the letters' case; both
// are accepted, compared on their first 15 characters in constant time.
func SameOrganization(a, b string) bool {
	if !validOrgID(a) || !validOrgID(b) {
		return false
	}
	return signature.Equal(a[:15], b[:15])
}

func validOrgID(id string) bool { return len(id) == 15 || len(id) == 18 }

// signatureHeaders are the headers that carry the secret.
var signatureHeaders = []string{http.CanonicalHeaderKey("Authorization")}
