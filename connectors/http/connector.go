// Package http is the generic HTTP request connector: the step users reach
// for when no dedicated connector exists. Its URL is typed by the user, so
// it always runs on the SSRF-guarded client. Authentication lives in an
// optional credential so that passwords and tokens never enter workflow
// history.
package http

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "http"

// Auth types a credential can choose.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
	AuthAPIKey = "api_key"
	AuthHMAC   = "hmac"
)

// New returns the http connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "HTTP request",
		Icon:        "/ui/icons/http.svg",
		Description: "Call any HTTP API: any method, headers, query, JSON, form or raw body, with optional authentication.",
		DocsURL:     "https://developer.mozilla.org/en-US/docs/Web/HTTP",
		UserURLs:    true,
		Credential:  credentialFields(),
		Actions:     []*connectors.Action{requestAction()},
	}
}

// credentialFields are the fields of an http credential, read by
// Authenticate.
func credentialFields() []connectors.Field {
	return []connectors.Field{
		{Name: "auth_type", Title: "Authentication", Type: connectors.TypeString, Default: AuthNone,
			Enum: []string{AuthNone, AuthBasic, AuthBearer, AuthAPIKey, AuthHMAC},
			Help: "How requests made with this credential authenticate."},
		{Name: "username", Title: "Username", Type: connectors.TypeString, Help: "For basic auth."},
		{Name: "password", Title: "Password", Type: connectors.TypeString, Secret: true, Help: "For basic auth."},
		{Name: "token", Title: "Bearer token", Type: connectors.TypeString, Secret: true, Help: "Sent as Authorization: Bearer <token>."},
		{Name: "api_key_header", Title: "API key header", Type: connectors.TypeString, Default: "X-API-Key",
			Pattern: `^[A-Za-z0-9-]+$`, PatternHelp: "a header name has only letters, digits and dashes"},
		{Name: "api_key", Title: "API key", Type: connectors.TypeString, Secret: true},
		{Name: "hmac_secret", Title: "HMAC secret", Type: connectors.TypeString, Secret: true,
			Help: "The body is signed with HMAC and the signature sent in the signature header."},
		{Name: "hmac_header", Title: "Signature header", Type: connectors.TypeString, Default: "X-Signature-256",
			Pattern: `^[A-Za-z0-9-]+$`, PatternHelp: "a header name has only letters, digits and dashes"},
		{Name: "hmac_algorithm", Title: "HMAC algorithm", Type: connectors.TypeString, Default: "sha256",
			Enum: []string{"sha256", "sha1", "sha512"}},
		{Name: "hmac_prefix", Title: "Signature prefix", Type: connectors.TypeString, Example: "sha256=",
			Help: "Text put before the hex signature, as GitHub's sha256= prefix."},
	}
}
