package cloudevents

import (
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Credential fields.
const (
	CredentialAuth           = "auth"            // bearer | header | none
	CredentialToken          = "token"           // bearer and header: the shared secret
	CredentialHeader         = "header"          // header: the header carrying it
	CredentialAllowedOrigins = "allowed_origins" // handshake: origins granted, comma separated
	CredentialAllowedRate    = "allowed_rate"    // handshake: requests per minute granted
)

// The authentication modes. The CloudEvents HTTP Web Hooks specification
// (section 3.3) names two ways for a sender to authorize a delivery: an
// OAuth 2 bearer token in the Authorization header (RFC 6750 §2.1), or the
// access_token query parameter (§2.3); AuthBearer accepts either. Many
// emitters (Knative sinks, Event Grid) instead send a static secret in a
// header of the subscriber's choosing: AuthHeader. CloudEvents itself signs
// nothing, so no mode protects the body's integrity; dedupe on source + id
// stops replays of an event already accepted.
const (
	AuthBearer = "bearer"
	AuthHeader = "header"
	AuthNone   = "none"
)

// QueryAccessToken is the query parameter RFC 6750 §2.3 defines.
const QueryAccessToken = "access_token"

// DefaultTokenHeader is the header of AuthHeader when the credential names
// none.
const DefaultTokenHeader = "X-Webhook-Token"

var tokenModes = &connectors.Condition{Field: CredentialAuth, Values: []string{AuthBearer, AuthHeader}}

// TriggerCredential lists the credential fields the trigger reads.
var TriggerCredential = []connectors.Field{
	{Name: CredentialAuth, Title: "Authentication", Type: connectors.TypeString, Enum: []string{AuthBearer, AuthHeader, AuthNone},
		Default: AuthBearer,
		Help: "bearer: the sender sends \"Authorization: Bearer <token>\" or ?access_token=<token> (the CloudEvents webhook spec's options); " +
			"header: the sender puts the token in a header you name; none: anyone with the URL (CloudEvents are not signed)."},
	{Name: CredentialToken, Title: "Token", Type: connectors.TypeString, Secret: true, Required: true, When: tokenModes,
		Help: "A long random string you choose and configure as the sender's bearer token or secret header value."},
	{Name: CredentialHeader, Title: "Token header", Type: connectors.TypeString, Default: DefaultTokenHeader, Example: "X-Event-Secret",
		When: &connectors.Condition{Field: CredentialAuth, Values: []string{AuthHeader}}},
	{Name: CredentialAllowedOrigins, Title: "Allowed origins", Type: connectors.TypeString, Example: "eventgrid.azure.net",
		Help: "For the webhook validation handshake: the sender origins (WebHook-Request-Origin) allowed to deliver, comma separated. Empty allows any."},
	{Name: CredentialAllowedRate, Title: "Allowed rate", Type: connectors.TypeInteger, Example: 120,
		Help: "For the handshake: the requests per minute granted to a sender (WebHook-Allowed-Rate). Empty grants no limit."},
}

// Verifier checks the delivery's token as the credential's auth mode says,
// in constant time. It never reads the body: CloudEvents carry no
// signature.
type Verifier struct{}

var (
	_ connectors.Verifier      = Verifier{}
	_ connectors.Authenticator = Verifier{}
	_ connectors.SecretHeaders = Verifier{}
)

// SecretHeaders implements connectors.SecretHeaders: in header mode the
// header the user named carries the token, and must not reach the event
// log in clear.
func (Verifier) SecretHeaders(c connectors.Values) []string {
	if authMode(c) != AuthHeader {
		return nil
	}
	if h := c.String(CredentialHeader); h != "" {
		return []string{h}
	}
	return []string{DefaultTokenHeader}
}

// Authenticates implements connectors.Authenticator: auth none accepts
// anyone.
func (Verifier) Authenticates(c connectors.Values) bool { return authMode(c) != AuthNone }

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, c connectors.Values, _ time.Time) error {
	switch mode := authMode(c); mode {
	case AuthNone:
		return nil
	case AuthBearer:
		token := c.String(CredentialToken)
		if token == "" {
			return signature.MissingSecret(CredentialToken)
		}
		if r.Header.Get("Authorization") == "" && r.URL != nil {
			if q := r.URL.Query().Get(QueryAccessToken); q != "" {
				if !signature.Equal(q, token) {
					return connectors.Reject(signature.ReasonBadCredentials)
				}
				return nil
			}
		}
		return signature.VerifyBearer(r.Header, token)
	case AuthHeader:
		token := c.String(CredentialToken)
		if token == "" {
			return signature.MissingSecret(CredentialToken)
		}
		header := c.String(CredentialHeader)
		if header == "" {
			header = DefaultTokenHeader
		}
		return signature.VerifyToken(r.Header, header, token)
	default:
		return connectors.Reject(`credential auth "` + mode + `" is not one of bearer, header, none`)
	}
}

func authMode(c connectors.Values) string {
	if m := strings.ToLower(strings.TrimSpace(c.String(CredentialAuth))); m != "" {
		return m
	}
	return AuthBearer
}
