// Package email is the email (SMTP) connector: one action that sends an
// email through any SMTP server (a company relay, Gmail/Microsoft 365
// submission, Amazon SES, Mailgun, Postmark SMTP…), built on
// github.com/wneessen/go-mail.
//
// The server is named by the credential (host, port, username, password,
// TLS mode, default From). Because the host is typed by a user, the
// connection goes through the SSRF guard like any user-typed URL: an
// internal relay must be allowlisted by the admin. Replies are classified
// the SMTP way: a 5xx reply is permanent (the server refused for good),
// a 4xx reply is transient and retried (greylisting, a full mailbox
// queue, a rate limit), and so are network failures.
package email

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "email"

// Credential field names.
const (
	CredentialHost     = "host"
	CredentialPort     = "port"
	CredentialUsername = "username"
	CredentialPassword = "password"
	CredentialTLSMode  = "tls_mode"
	CredentialFrom     = "from"
)

// TLS modes a credential may choose.
const (
	// TLSStartTLS requires STARTTLS on the submission port (587): a
	// server that does not offer it is refused, so credentials never
	// travel in clear.
	TLSStartTLS = "starttls"
	// TLSOpportunistic uses STARTTLS when the server offers it and plain
	// SMTP otherwise; passwords are still only sent encrypted.
	TLSOpportunistic = "starttls_opportunistic"
	// TLSImplicit connects with TLS from the first byte (port 465).
	TLSImplicit = "tls"
	// TLSNone is plain SMTP, allowed only to a server on this machine
	// (localhost or a loopback address), such as a local relay.
	TLSNone = "none"
)

// DefaultTimeout bounds one send: connect, TLS, AUTH and the transfer.
const DefaultTimeout = 30 * time.Second

// options are what tests may change; production uses the zero value.
type options struct {
	// roots replaces the system roots for the server's certificate.
	roots *x509.CertPool
	// timeout replaces DefaultTimeout.
	timeout time.Duration
}

func (o options) tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, RootCAs: o.roots, MinVersion: tls.VersionTLS12}
}

// New returns the email connector's spec.
func New() *connectors.Spec { return newSpec(options{}) }

func newSpec(o options) *connectors.Spec {
	return &connectors.Spec{
		Name:        Name,
		Title:       "Email (SMTP)",
		Icon:        "/ui/icons/email.svg",
		Description: "Send email through any SMTP server: your company relay, Gmail or Microsoft 365 submission, Amazon SES, Mailgun or Postmark SMTP.",
		DocsURL:     "https://www.rfc-editor.org/rfc/rfc6409",
		// The SMTP host is typed by a user: actions get the SSRF-guarded
		// client, whose guard the SMTP dial uses too.
		UserURLs: true,
		// The password goes to the host the credential names: moving it
		// needs the password again.
		OriginFrom: origin,
		Credential: []connectors.Field{
			{Name: CredentialHost, Title: "SMTP host", Type: connectors.TypeString, Required: true, Example: "smtp.example.com",
				Pattern: `^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$`, PatternHelp: "a host name or IP address, without scheme or port"},
			{Name: CredentialPort, Title: "Port", Type: connectors.TypeInteger, Example: 587,
				Help: "587 for STARTTLS submission, 465 for implicit TLS, 25 for a local relay. Empty picks the usual port for the TLS mode."},
			{Name: CredentialUsername, Title: "Username", Type: connectors.TypeString, Example: "apikey",
				Help: "Empty for a relay that does not authenticate."},
			{Name: CredentialPassword, Title: "Password", Type: connectors.TypeString, Secret: true,
				Help: "The SMTP password or app password (Gmail and Microsoft 365 need an app password or SMTP AUTH enabled)."},
			{Name: CredentialTLSMode, Title: "TLS", Type: connectors.TypeString, Default: TLSStartTLS,
				Enum: []string{TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone},
				Help: "starttls (required, port 587), starttls_opportunistic, tls (implicit, port 465), or none (only to localhost)."},
			{Name: CredentialFrom, Title: "Default From", Type: connectors.TypeString, Example: "Shop <orders@shop.example.com>",
				Help: "Used when a step sets no from."},
		},
		Actions: []*connectors.Action{sendEmailAction(o)},
	}
}
