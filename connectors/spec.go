// Package connectors is the SDK that every hookflow integration is written
// against. A connector is data (a Spec: credential fields, triggers, actions
// with typed input fields) plus code (verifiers, extractors and action Run
// functions). The same Spec drives definition validation, the API catalog and
// the UI forms, so nothing about a connector is declared twice.
//
// A connector author adds one folder under connectors/ and one line in
// connectors/all; nothing else in the codebase changes.
package connectors

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// FieldType is the JSON type a field accepts.
type FieldType string

// The field types a spec can declare. They mirror JSON Schema's types so the
// catalog can publish them unchanged.
const (
	TypeString  FieldType = "string"
	TypeNumber  FieldType = "number"
	TypeInteger FieldType = "integer"
	TypeBoolean FieldType = "boolean"
	TypeObject  FieldType = "object"
	TypeArray   FieldType = "array"
	TypeAny     FieldType = "any"
)

// Field declares one input of an action, one credential field or one
// trigger option. Validation, the API catalog and the UI forms are all
// generated from it.
type Field struct {
	Name     string    `json:"name"`
	Title    string    `json:"title,omitempty"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required,omitempty"`
	Secret   bool      `json:"secret,omitempty"`
	Default  any       `json:"default,omitempty"`
	Example  any       `json:"example,omitempty"`
	Enum     []string  `json:"enum,omitempty"`
	Help     string    `json:"help,omitempty"`
	// Pattern is a regular expression a string value must match, and
	// PatternHelp is the message shown when it does not, for example
	// "Stripe secret keys start with sk_".
	Pattern     string `json:"pattern,omitempty"`
	PatternHelp string `json:"pattern_help,omitempty"`
	// ForActions marks a credential field that only the connector's
	// actions read (an API token), as opposed to the trigger's webhook
	// secret. A Required ForActions field may be left empty when a
	// credential is saved, so a credential used only for a trigger asks
	// only for the trigger's secret; an action step using such a
	// credential fails with a permanent error naming the field (see
	// ValidateActionCredential).
	ForActions bool `json:"for_actions,omitempty"`
	// When, if set, makes the field apply only while another field of the
	// same list has one of the listed values: the generic webhook
	// credential's HMAC settings apply only when its auth mode is hmac. A
	// field that does not apply is hidden by the UI, gets no default and
	// is not required; a value given for it is refused when saved.
	When *Condition `json:"when,omitempty"`
}

// Spec is everything a connector declares about itself.
type Spec struct {
	Name        string `json:"name"` // stable identifier used in definitions, e.g. "stripe"
	Title       string `json:"title"`
	Description string `json:"description"`
	Icon        string `json:"icon,omitempty"`     // a bundled icon: /ui/icons/<name>.svg (api/ui/static/icons)
	DocsURL     string `json:"docs_url,omitempty"` // provider API reference
	// Credential lists the fields a saved credential for this connector
	// holds. Secret fields are encrypted at rest and never returned by the API.
	Credential []Field `json:"credential,omitempty"`
	// BaseURL is the provider API's default base URL. Its host is where a
	// credential's secrets go: see CredentialBaseURL for when a
	// credential's own "base_url" may change it. An admin override
	// (RegistryConfig.BaseURLs) wins over both; tests use it to point a
	// connector at a fake.
	BaseURL string `json:"base_url,omitempty"`
	// APIHosts lists more hosts of the provider's real API that a
	// credential's base_url may name, beside BaseURL's host: Twilio's
	// regional edges ("*.twilio.com"; a leading "*." matches any
	// subdomain).
	APIHosts []string `json:"api_hosts,omitempty"`
	// SelfHosted is true for providers that customers can also run on
	// their own servers (a self-hosted Telegram Bot API server): a
	// credential's base_url may then name any host. Calls to such a host
	// run on the SSRF-guarded client, and changing it requires the
	// credential's secrets again.
	SelfHosted bool `json:"self_hosted,omitempty"`
	// BaseURLFrom derives the base URL from the credential, for providers
	// whose API host depends on the account (Shopify's
	// https://{shop}.myshopify.com). Its result must be on BaseURL's host
	// or one of APIHosts. The error names the credential field to fix.
	BaseURLFrom func(credential Values) (string, error) `json:"-"`
	// OriginFrom is for connectors whose secrets go to a server the
	// credential names other than by a base URL, such as an SMTP host and
	// port: it returns that server as "scheme://host:port", or "" when
	// the credential names none. CredentialOrigin returns it, so changing
	// the server on a saved credential requires the secrets again, as a
	// base_url change does.
	OriginFrom func(credential Values) string `json:"-"`
	// UserURLs is true for connectors that call URLs users type (http,
	// webhook): their actions get the SSRF-guarded client in Call.HTTP.
	UserURLs bool `json:"user_urls,omitempty"`
	// OAuth, when set, lets a credential of this connector be connected
	// with OAuth 2 instead of typed (see OAuth).
	OAuth    *OAuth     `json:"oauth,omitempty"`
	Triggers []*Trigger `json:"triggers,omitempty"`
	Actions  []*Action  `json:"actions,omitempty"`
}

// Values holds decoded credential or option values by field name.
type Values map[string]any

// String returns the value of name as a string, or "" when it is absent.
func (v Values) String(name string) string {
	s, _ := v[name].(string)
	return s
}

// Action is one thing a connector can do, such as "post_message".
type Action struct {
	Name         string          `json:"name"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Input        []Field         `json:"input"`
	OutputSample json.RawMessage `json:"output_sample,omitempty"`
	// Run performs the action. It is called from a Temporal activity, so it
	// may be called more than once for one step: use call.IdempotencyKey
	// where the provider supports it. Errors should be classified with
	// Retryable, Permanent or RateLimited (the shared HTTP client does this);
	// an unclassified error is treated as retryable.
	Run RunFunc `json:"-"`
	// Durable, when set, makes each Run one attempt of a delivery whose
	// retries the engine schedules itself (see DurableDelivery).
	Durable DurableDelivery `json:"-"`
}

// RunFunc performs an action. See Action.Run for the contract.
type RunFunc func(ctx context.Context, call *Call) (any, error)

// Call is what an action receives.
type Call struct {
	// Input holds the step's rendered input, already checked against the
	// action's Input fields with defaults applied.
	Input Values
	// Credential holds the decrypted credential values, or nil when the step
	// names no credential. Never log it or return it.
	Credential Values
	// IdempotencyKey is stable across retries of the same step of the same
	// run (derived from the run id and step id), so a retried call does not
	// act twice where the provider supports idempotency keys.
	IdempotencyKey string
	// HTTP is the shared client that every connector uses for outgoing calls.
	HTTP *Client
	// BaseURL is the provider base URL after any override.
	BaseURL string
}

// Request is one incoming webhook delivery as a trigger sees it: the raw
// bytes, before anything has parsed them.
type Request struct {
	Method string
	// URL is the full public URL the provider called, built from the
	// configured public base URL (needed by Twilio and HubSpot signatures
	// behind a proxy).
	URL      *url.URL
	Header   http.Header
	Body     []byte
	Received time.Time
}

// Event is one logical event extracted from a delivery. One delivery can
// carry several (HubSpot batches, WhatsApp messages).
type Event struct {
	// ID is the provider's own event id, used as the dedupe key.
	ID string
	// Type is the provider's event type, e.g. "payment_intent.succeeded".
	Type string
	// Body is the JSON value the workflow sees as `trigger`.
	Body json.RawMessage
}

// Response is a reply written directly to the webhook caller, as in a
// handshake.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	// Header holds more reply headers, for handshakes that answer in
	// headers (the CloudEvents webhook validation's
	// WebHook-Allowed-Origin). Content-Type and Content-Length come from
	// the fields above and are not taken from here.
	Header http.Header
}

// Verifier checks that a delivery really comes from the provider. It is
// called with the raw bytes before anything parses them. It returns nil when
// the delivery is authentic, or a *VerifyError whose Reason says what was
// wrong ("missing header", "bad signature", "stale timestamp"); the reason
// is logged and must never contain the secret. Comparisons are constant time.
type Verifier interface {
	Verify(r *Request, credential Values, now time.Time) error
}

// Authenticator is an optional interface of a Verifier whose check depends
// on the credential: the generic webhook verifier with auth "none" accepts
// every delivery without authenticating it. The pipeline calls
// Authenticates after Verify returned nil, to decide what a body it cannot
// parse means: an authenticated delivery is the provider's real event and
// is kept (status "unparseable", answered 2xx so the provider stops
// retrying), an unauthenticated one is refused with 400. A Verifier that
// does not implement Authenticator always authenticates.
type Authenticator interface {
	Authenticates(credential Values) bool
}

// SecretHeaders is an optional interface of a Verifier whose credential
// names a header that carries a secret (a shared token in a header the
// user chose): the pipeline redacts the headers it returns in the event
// log, as it redacts Trigger.SignatureHeaders. It must not fail; names are
// matched without case.
type SecretHeaders interface {
	SecretHeaders(credential Values) []string
}

// Authenticates reports whether v's acceptance of a delivery, under
// credential, means the delivery is authentic (see Authenticator).
func Authenticates(v Verifier, credential Values) bool {
	if a, ok := v.(Authenticator); ok {
		return a.Authenticates(credential)
	}
	return true
}

// Extractor turns a verified delivery into events: it finds each event's
// id and type and splits batched deliveries. It returns an error only for a
// body that cannot be understood (malformed JSON, for example).
type Extractor interface {
	Extract(r *Request, options Values) ([]Event, error)
}

// ExtractorFunc is a function that is an Extractor, in the style of
// http.HandlerFunc: most providers' extraction is one function with no
// configuration of its own.
type ExtractorFunc func(r *Request, options Values) ([]Event, error)

var _ Extractor = ExtractorFunc(nil)

// Extract calls f.
func (f ExtractorFunc) Extract(r *Request, options Values) ([]Event, error) { return f(r, options) }

// Handshaker answers provider handshakes (Slack url_verification, Meta's
// hub.challenge) that need no workflow run. handled is false for ordinary
// deliveries, which then continue through verification.
type Handshaker interface {
	Handshake(r *Request, credential Values) (resp *Response, handled bool)
}

// HandshakerFunc is a function that is a Handshaker.
type HandshakerFunc func(r *Request, credential Values) (resp *Response, handled bool)

var _ Handshaker = HandshakerFunc(nil)

// Handshake calls f.
func (f HandshakerFunc) Handshake(r *Request, credential Values) (*Response, bool) {
	return f(r, credential)
}

// Trigger describes how a provider's webhooks arrive.
type Trigger struct {
	Name        string `json:"name"` // e.g. "webhook"
	Title       string `json:"title"`
	Description string `json:"description"`
	// Setup tells a non-developer how to connect the provider: where to
	// paste the URL, which secret to copy into the credential.
	Setup string `json:"setup"`
	// Options are trigger-level settings a definition may set.
	Options []Field `json:"options,omitempty"`
	// Events lists the event types the provider is known to send, for the UI.
	Events []string `json:"events,omitempty"`
	// Samples holds sample event bodies by event type.
	Samples map[string]json.RawMessage `json:"samples,omitempty"`
	// FormBody is true when the provider sends form-encoded bodies (Twilio),
	// so the ingestion pipeline must not demand JSON.
	FormBody bool `json:"form_body,omitempty"`
	// BodyTypes lists the media types of a provider whose bodies are
	// neither JSON nor forms, such as Salesforce's SOAP "text/xml"; the
	// pipeline then accepts them (see AcceptsMediaType). As with FormBody,
	// the extractor turns the body into JSON events, and the pipeline
	// checks those against its limits instead of the raw body.
	BodyTypes []string `json:"body_types,omitempty"`
	// AnyContentType is true when the provider's body may be of any media
	// type (a CloudEvent in binary mode carries its data as the body, XML
	// or text as much as JSON), so the pipeline leaves the content type to
	// the extractor instead of demanding JSON.
	AnyContentType bool `json:"any_content_type,omitempty"`
	// SignatureHeaders are headers that carry secrets or signatures, and
	// are redacted in the event log.
	SignatureHeaders []string `json:"signature_headers,omitempty"`

	// Ack, when set, is the reply to every delivery the pipeline accepts
	// (stored, duplicate, ignored or kept unparseable) instead of hookflow's
	// 202 JSON receipt. Providers that read the reply need it: Twilio
	// executes the TwiML it gets back, Salesforce resends an outbound
	// message until it receives the SOAP acknowledgement. Refusals (bad
	// signature, oversized body) keep hookflow's own error replies.
	Ack *Response `json:"-"`

	Verifier   Verifier   `json:"-"`
	Extractor  Extractor  `json:"-"`
	Handshaker Handshaker `json:"-"` // optional
}

// VerifyError is the error a Verifier returns for an inauthentic delivery.
type VerifyError struct {
	Reason string
}

func (e *VerifyError) Error() string { return "verifying webhook: " + e.Reason }

// Reject returns a *VerifyError with the given reason.
func Reject(reason string) error { return &VerifyError{Reason: reason} }

// SecretField declares a secret string credential field, the shape of
// nearly every webhook signing secret: encrypted at rest, masked in the
// API, never in logs. help tells a non-developer where to find it.
func SecretField(name, title, help string) Field {
	return Field{Name: name, Title: title, Type: TypeString, Secret: true, Help: help}
}

// MergeFields returns own followed by the fields of more whose names own
// does not already declare. A connector uses it to add its trigger's
// credential fields (a webhook signing secret) to the fields its actions
// need, so one credential serves both sides and no field is declared twice.
func MergeFields(own, more []Field) []Field {
	out := append([]Field(nil), own...)
	seen := make(map[string]bool, len(own))
	for _, f := range own {
		seen[f.Name] = true
	}
	for _, f := range more {
		if !seen[f.Name] {
			seen[f.Name] = true
			out = append(out, f)
		}
	}
	return out
}
