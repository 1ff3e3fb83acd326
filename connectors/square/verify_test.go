package square

import (
	"net/url"
	"testing"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Square's SDKs (square-go-sdk, square-nodejs-sdk, square-python-sdk…)
// all test WebhooksHelper.verifySignature with the vector below:
// base64(HMAC-SHA256(signature key, notification URL + body)). The same
// vector is matched here, plus the SDKs' "escaped characters" case, which
// shows the body is signed as sent (">id<" is not re-escaped).
const (
	sdkBody   = `{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}`
	sdkSig    = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="
	sdkKey    = "Ibxx_5AKakO-3qeNVR61Dw"
	sdkURL    = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"
	escBody   = `{"data":{"type":"webhooks","id":">id<"}}`
	escSig    = "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U="
	escKey    = "signature-key"
	escURL    = "https://webhook.site/webhooks"
	proxyHost = "https://hookflow.internal:8443/hooks/tok_square"
)

func at(raw, body string, header ...string) *connectors.Request {
	r := connectortest.NewRequest(body, header...)
	r.URL, _ = url.Parse(raw)
	return r
}

func TestVerifySDKVectors(t *testing.T) {
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "sdk_vector_with_request_url", Request: at(sdkURL, sdkBody, HeaderSignature, sdkSig),
			Credential: connectors.Values{CredentialSignatureKey: sdkKey}},
		{Name: "sdk_vector_with_registered_url_behind_a_proxy", Request: at(proxyHost, sdkBody, HeaderSignature, sdkSig),
			Credential: connectors.Values{CredentialSignatureKey: sdkKey, CredentialNotificationURL: sdkURL}},
		{Name: "proxy_url_without_registered_url_fails", Request: at(proxyHost, sdkBody, HeaderSignature, sdkSig),
			Credential: connectors.Values{CredentialSignatureKey: sdkKey}, Want: signature.ReasonBadSignature},
		{Name: "sdk_escaped_characters_vector", Request: at(escURL, escBody, HeaderSignature, escSig),
			Credential: connectors.Values{CredentialSignatureKey: escKey}},
		{Name: "url_with_a_trailing_slash_is_a_different_url", Request: at(sdkURL+"/", sdkBody, HeaderSignature, sdkSig),
			Credential: connectors.Values{CredentialSignatureKey: sdkKey}, Want: signature.ReasonBadSignature},
		{Name: "signature_not_base64", Request: at(sdkURL, sdkBody, HeaderSignature, "not base64!"),
			Credential: connectors.Values{CredentialSignatureKey: sdkKey}, Want: "malformed header X-Square-Hmacsha256-Signature"},
		{Name: "legacy_sha1_header_alone_is_not_enough", Request: at(sdkURL, sdkBody, "X-Square-Signature", "2kRE5qRU2tR+tBGlDwMEw2avJ7QM="),
			Credential: connectors.Values{CredentialSignatureKey: sdkKey}, Want: "missing header X-Square-Hmacsha256-Signature"},
	})
}
