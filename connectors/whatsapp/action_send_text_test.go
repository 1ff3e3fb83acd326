package whatsapp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

func TestSendText(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantPath string
		wantBody string
	}{
		{
			name:     "plain",
			input:    connectors.Values{"to": "+16505551234", "text": "Your order #1001 has shipped 📦"},
			wantPath: "/" + testPhoneID + "/messages",
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"text",
				"text":{"body":"Your order #1001 has shipped 📦","preview_url":false}}`,
		},
		{
			name:     "typed_number_is_normalised_and_reply_quotes",
			input:    connectors.Values{"to": "+1 (650) 555-1234", "text": "see https://x.example", "preview_url": true, "reply_to_message_id": "wamid.ABC="},
			wantPath: "/" + testPhoneID + "/messages",
			wantBody: `{"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234","type":"text",
				"text":{"body":"see https://x.example","preview_url":true},"context":{"message_id":"wamid.ABC="}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Invoke("send_text", tc.input)
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST", reqs[0].Method)
			assert.Equal(t, tc.wantPath, reqs[0].Path)
			assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"))
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.JSONEq(t, tc.wantBody, string(reqs[0].Body))
			assert.JSONEq(t, string(connectortest.OutputSample(t, whatsapp.New(), "send_text")), connectortest.JSON(t, out), "output differs from the declared output sample")
		})
	}
}

func TestSendTextFromAnotherNumber(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("send_text", connectors.Values{"to": "+16505551234", "text": "hi", "phone_number_id": "999"})
	require.Error(t, err)
	require.Len(t, f.Requests(), 1)
	assert.Equal(t, "/999/messages", f.Requests()[0].Path)
	assert.Contains(t, err.Error(), "Object with ID does not exist")
	assert.Contains(t, err.Error(), "[code 100, subcode 33, fbtrace_id Fake0trace0id]")
}

func TestSendTextErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		status    int
		file      string
		header    http.Header
		class     connectors.Class
		want      string
		wait      time.Duration
		noRequest bool
	}{
		{name: "throughput_is_rate_limited_even_as_a_400", status: 400, file: "testdata/api_error_throughput.json",
			class: connectors.ClassRateLimited, want: "(#130429) Rate limit hit: Cloud API message throughput has been reached.", wait: 2 * time.Second},
		{name: "pair_rate_waits_six_seconds", status: 400, file: "testdata/api_error_pair_rate.json",
			class: connectors.ClassRateLimited, want: "pair rate limit hit", wait: 6 * time.Second},
		{name: "business_use_case_header_names_the_wait", status: 400, file: "testdata/api_error_throughput.json",
			header: http.Header{"X-Business-Use-Case-Usage": {`{"102290129340398":[{"type":"whatsapp_business_messaging","call_count":100,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":3}]}`}},
			class:  connectors.ClassRateLimited, want: "130429", wait: 3 * time.Minute},
		{name: "retry_after_wins", status: 400, file: "testdata/api_error_pair_rate.json", header: http.Header{"Retry-After": {"11"}},
			class: connectors.ClassRateLimited, want: "131056", wait: 11 * time.Second},
		{name: "outside_24h_window_is_permanent_with_hint", status: 400, file: "testdata/api_error_reengagement.json",
			class: connectors.ClassPermanent, want: "only a template message can be sent now"},
		{name: "something_went_wrong_is_retryable", status: 500, file: "testdata/api_error_unknown.json",
			class: connectors.ClassRetryable, want: "(#131000) Something went wrong"},
		{name: "recipient_not_allowed", input: connectors.Values{"to": "+15550000000", "text": "hi"},
			class: connectors.ClassPermanent, want: "add the recipient under API Setup"},
		{name: "to_not_a_number", input: connectors.Values{"to": "ada@example.com", "text": "hi"},
			class: connectors.ClassPermanent, want: "input.to: a phone number in international form", noRequest: true},
		{name: "text_too_long", input: connectors.Values{"to": "+16505551234", "text": strings.Repeat("a", 4097)},
			class: connectors.ClassPermanent, want: "input.text: has 4097 characters; WhatsApp accepts at most 4096", noRequest: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.file != "" {
				f.answer(tc.status, tc.file, tc.header)
			}
			input := tc.input
			if input == nil {
				input = connectors.Values{"to": "+16505551234", "text": "hi"}
			}
			_, err := f.Invoke("send_text", input)
			require.Error(t, err)
			ce := connectors.AsError(err)
			require.NotNil(t, ce, "error %v is not classified", err)
			assert.Equal(t, tc.class, ce.Class, "error: %v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), testToken)
			if tc.wait != 0 {
				assert.Equal(t, tc.wait, ce.RetryAfter)
			}
			if tc.noRequest {
				assert.Empty(t, f.Requests())
			}
		})
	}
}

func TestExpiredTokenIsPermanentWithHint(t *testing.T) {
	f := newFake(t)
	f.Credential[whatsapp.CredentialAccessToken] = "EAAexpired"
	_, err := f.Invoke("send_text", connectors.Values{"to": "+16505551234", "text": "hi"})
	require.Error(t, err)
	assert.Equal(t, connectors.ClassPermanent, connectors.ClassOf(err))
	assert.Contains(t, err.Error(), "the access token expired or was revoked")
	assert.NotContains(t, err.Error(), "EAAexpired")
}
