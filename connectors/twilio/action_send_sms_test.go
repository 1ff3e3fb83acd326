package twilio_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/twilio"
)

func TestSendSMS(t *testing.T) {
	sample := ""
	for _, a := range twilio.New().Actions {
		if a.Name == "send_sms" {
			sample = string(a.OutputSample)
		}
	}
	tests := []struct {
		name               string
		cred               connectors.Values
		input              connectors.Values
		wantUser, wantPass string
		wantForm           url.Values
	}{
		{
			name:     "from_number_with_auth_token",
			input:    connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "Your order #1001 has shipped."},
			wantUser: testAccount, wantPass: testAuthToken,
			wantForm: url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "Body": {"Your order #1001 has shipped."}},
		},
		{
			name: "messaging_service_with_api_key_mms_and_callback",
			cred: connectors.Values{twilio.CredentialAccountSID: testAccount, twilio.CredentialAPIKeySID: testKeySID, twilio.CredentialAPIKeySecret: testKeySecret},
			input: connectors.Values{"to": "+14155552671", "messaging_service_sid": "MG0123456789abcdef0123456789abcdef", "body": "Receipt",
				"media_urls":      []any{"https://shop.example.com/1001.jpg", "https://shop.example.com/1001.pdf"},
				"status_callback": "https://hooks.example.com/hooks/abc123"},
			wantUser: testKeySID, wantPass: testKeySecret,
			wantForm: url.Values{"To": {"+14155552671"}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}, "Body": {"Receipt"},
				"MediaUrl":       {"https://shop.example.com/1001.jpg", "https://shop.example.com/1001.pdf"},
				"StatusCallback": {"https://hooks.example.com/hooks/abc123"}},
		},
		{
			name:     "media_only",
			input:    connectors.Values{"to": "+14155552671", "from": "+14155550100", "media_urls": []any{"https://shop.example.com/1001.jpg"}},
			wantUser: testAccount, wantPass: testAuthToken,
			wantForm: url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "MediaUrl": {"https://shop.example.com/1001.jpg"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Call(connectors.Invocation{Action: "send_sms", Input: tc.input, Credential: tc.cred})
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, "POST", got.Method)
			assert.Equal(t, "/2010-04-01/Accounts/"+testAccount+"/Messages.json", got.Path)
			user, pass, _ := got.BasicAuth()
			assert.Equal(t, tc.wantUser, user)
			assert.Equal(t, tc.wantPass, pass)
			assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
			assert.Equal(t, tc.wantForm, got.Form())
			assert.JSONEq(t, sample, connectortest.JSON(t, out), "output differs from the declared output sample")
			assert.Equal(t, "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", out.(map[string]any)["sid"])
		})
	}
}

func TestSendSMSErrors(t *testing.T) {
	tests := []struct {
		name      string
		cred      connectors.Values
		input     connectors.Values
		limited   bool
		class     connectors.Class
		want      string
		wait      time.Duration
		noRequest bool
	}{
		{name: "invalid_to_keeps_code_and_link", input: connectors.Values{"to": "+1555000", "from": "+14155550100", "body": "x"},
			class: connectors.ClassPermanent, want: "Twilio error 21211: The 'To' number +1555 is not a valid phone number. (https://www.twilio.com/docs/errors/21211)"},
		{name: "wrong_token", cred: connectors.Values{twilio.CredentialAccountSID: testAccount, twilio.CredentialAuthToken: "ffffffffffffffffffffffffffffffff"},
			input: connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "x"},
			class: connectors.ClassPermanent, want: "Twilio error 20003: Authenticate (the Account SID and Auth Token, or the API key, do not match)"},
		{name: "429_without_retry_after", input: connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "x"}, limited: true,
			class: connectors.ClassRateLimited, want: "Twilio error 20429: Too Many Requests", wait: connectors.DefaultRateLimitWait},
		{name: "no_sender", input: connectors.Values{"to": "+14155552671", "body": "x"},
			class: connectors.ClassPermanent, want: "input.from: required unless messaging_service_sid is given", noRequest: true},
		{name: "no_content", input: connectors.Values{"to": "+14155552671", "from": "+14155550100"},
			class: connectors.ClassPermanent, want: "input.body: required unless media_urls are given", noRequest: true},
		{name: "to_not_e164", input: connectors.Values{"to": "415 555 2671", "from": "+14155550100", "body": "x"},
			class: connectors.ClassPermanent, want: "input.to: Twilio needs phone numbers in E.164 form", noRequest: true},
		{name: "body_too_long", input: connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": strings.Repeat("x", 1601)},
			class: connectors.ClassPermanent, want: "input.body: has 1601 characters; Twilio accepts at most 1600", noRequest: true},
		{name: "media_url_not_http", input: connectors.Values{"to": "+14155552671", "from": "+14155550100", "media_urls": []any{"file:///etc/passwd"}},
			class: connectors.ClassPermanent, want: "input.media_urls[0]: must be an http:// or https:// URL", noRequest: true},
		{name: "no_auth_token_nor_key", cred: connectors.Values{twilio.CredentialAccountSID: testAccount},
			input: connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "x"},
			class: connectors.ClassPermanent, want: "credential.auth_token: required (or an API key SID and secret)", noRequest: true},
		{name: "key_without_secret", cred: connectors.Values{twilio.CredentialAccountSID: testAccount, twilio.CredentialAPIKeySID: testKeySID},
			input: connectors.Values{"to": "+14155552671", "from": "+14155550100", "body": "x"},
			class: connectors.ClassPermanent, want: "credential.api_key_secret: required when api_key_sid is set", noRequest: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.rateLimited = tc.limited
			_, err := f.Call(connectors.Invocation{Action: "send_sms", Input: tc.input, Credential: tc.cred})
			require.Error(t, err)
			ce := connectors.AsError(err)
			require.NotNil(t, ce, "error %v is not classified", err)
			assert.Equal(t, tc.class, ce.Class, "error: %v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), testAuthToken)
			if tc.wait != 0 {
				assert.Equal(t, tc.wait, ce.RetryAfter)
			}
			if tc.noRequest {
				assert.Empty(t, f.Requests())
			}
		})
	}
}
