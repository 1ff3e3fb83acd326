// Package messenger is the Facebook Messenger connector on Meta's
// Messenger Platform: a webhook trigger for a Page's conversations and an
// action that replies through the Send API.
//
// Messenger webhooks are Meta webhooks like WhatsApp's: the same
// X-Hub-Signature-256 scheme keyed by the app secret, and the same
// hub.challenge subscription handshake checked against a verify token. The
// trigger reuses the whatsapp package's handshake, header and credential
// fields rather than repeating them; only the payload (object "page",
// entry[].messaging[]) is Messenger's own.
package messenger

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

// Name is the connector's name in definitions.
const Name = "messenger"

// CredentialPageAccessToken is the Page access token the Send API takes.
const CredentialPageAccessToken = "page_access_token"

// New returns the Messenger connector's spec.
func New() *connectors.Spec {
	own := []connectors.Field{{
		Name: CredentialPageAccessToken, Title: "Page access token", Type: connectors.TypeString, Secret: true,
		Example: "EAAG…", Pattern: `^EA`, PatternHelp: "Meta access tokens start with EA",
		Help: "Meta App Dashboard → Messenger → Messenger API Settings → Access Tokens → your Page → Generate token " +
			"(permission pages_messaging). Needed by the send action; a credential used only for the trigger may leave it empty.",
	}}
	return &connectors.Spec{
		Name:        Name,
		Title:       "Facebook Messenger",
		Description: "Start workflows from messages and postbacks to your Facebook Page, and reply through the Send API.",
		Icon:        "/ui/icons/messenger.svg",
		DocsURL:     "https://developers.facebook.com/docs/messenger-platform/reference/send-api/",
		BaseURL:     whatsapp.DefaultBaseURL,
		Credential:  connectors.MergeFields(own, TriggerCredential),
		Triggers:    []*connectors.Trigger{Trigger()},
		Actions:     []*connectors.Action{sendMessageAction()},
	}
}

// rateLimitCodes are the Graph API codes for throttling: 4 (app), 17
// (user), 32 (page), 613 (calls within a window) and the Send API's 2022
// (too many messages to one person), with the wait used when Meta names
// none.
var rateLimitCodes = map[int64]time.Duration{4: time.Minute, 17: time.Minute, 32: time.Minute, 613: time.Minute, 2022: 10 * time.Second}

// retryableCodes are Meta's temporary failures: unknown (1), service
// unavailable (2) and the Send API's internal error (1200).
var retryableCodes = map[int64]bool{1: true, 2: true, 1200: true}

// hints explain the commonest permanent Send API errors.
var hints = map[int64]string{
	10:  "outside the 24-hour window a message needs messaging_type MESSAGE_TAG with a tag",
	100: "check the recipient id: it must be the page-scoped id (PSID) from the webhook's sender.id",
	190: "the Page access token expired or was revoked",
	551: "this person is not available to receive messages right now",
}

// checkResponse classifies Graph API error bodies by code, since Meta
// throttles with ordinary 400s.
func checkResponse(resp *connectors.HTTPResponse) error {
	e := resp.Get("error")
	if !e.IsObject() {
		return nil
	}
	code := e.Get("code").Int()
	msg := e.Get("message").String()
	if msg == "" {
		msg = "Graph API error"
	}
	if h, ok := hints[code]; ok {
		msg += " (" + h + ")"
	}
	ids := []string{fmt.Sprintf("code %d", code)}
	if sub := e.Get("error_subcode"); sub.Exists() {
		ids = append(ids, "subcode "+sub.String())
	}
	if trace := e.Get("fbtrace_id").String(); trace != "" {
		ids = append(ids, "fbtrace_id "+trace)
	}
	msg += " [" + strings.Join(ids, ", ") + "]"
	wait, throttled := rateLimitCodes[code]
	switch {
	case throttled || resp.Status == http.StatusTooManyRequests:
		if w, ok := connectors.RetryAfter(resp.Header, nil, time.Now()); ok {
			wait = w
		} else if wait == 0 {
			wait = connectors.DefaultRateLimitWait
		}
		return &connectors.Error{Class: connectors.ClassRateLimited, Status: resp.Status, RetryAfter: wait, Message: msg}
	case retryableCodes[code] || resp.Status >= 500:
		return connectors.NewError(connectors.ClassRetryable, resp.Status, msg)
	}
	return connectors.NewError(connectors.ClassPermanent, resp.Status, msg)
}
