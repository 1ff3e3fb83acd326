package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/telegram"
)

func TestSendMessage(t *testing.T) {
	keyboard := []any{[]any{
		map[string]any{"text": "Refund", "callback_data": "refund:1001"},
		map[string]any{"text": "Open order", "url": "https://shop.example.com/orders/1001"},
	}}
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody string
	}{
		{
			name: "html_with_inline_keyboard",
			input: connectors.Values{"chat_id": 123456789, "text": "Order <b>#1001</b> was paid", "parse_mode": "HTML",
				"inline_keyboard": keyboard, "disable_notification": true},
			wantBody: `{"chat_id":123456789,"text":"Order <b>#1001</b> was paid","parse_mode":"HTML","disable_notification":true,
				"reply_markup":{"inline_keyboard":[[{"text":"Refund","callback_data":"refund:1001"},{"text":"Open order","url":"https://shop.example.com/orders/1001"}]]}}`,
		},
		{
			name:     "rendered_chat_id_string_is_sent_as_a_number",
			input:    connectors.Values{"chat_id": "-1001234567890", "text": "hi"},
			wantBody: `{"chat_id":-1001234567890,"text":"hi"}`,
		},
		{
			name:     "channel_username",
			input:    connectors.Values{"chat_id": "@shop_news", "text": "hi", "protect_content": true},
			wantBody: `{"chat_id":"@shop_news","text":"hi","protect_content":true}`,
		},
		{
			name: "reply_without_preview_in_a_topic",
			input: connectors.Values{"chat_id": 123456789, "text": "see https://example.com", "reply_to_message_id": 4241,
				"disable_link_preview": true, "message_thread_id": 7},
			wantBody: `{"chat_id":123456789,"text":"see https://example.com","reply_parameters":{"message_id":4241},
				"link_preview_options":{"is_disabled":true},"message_thread_id":7}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Invoke("send_message", tc.input)
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST", reqs[0].Method)
			assert.Equal(t, "/bot"+testToken+"/sendMessage", reqs[0].Path)
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.JSONEq(t, tc.wantBody, string(reqs[0].Body))
			assert.JSONEq(t, string(connectortest.OutputSample(t, telegram.New(), "send_message")), connectortest.JSON(t, out), "output differs from the declared output sample")
		})
	}
}

func TestSendMessageErrors(t *testing.T) {
	tests := []struct {
		name      string
		token     string
		input     connectors.Values
		answer    string
		class     connectors.Class
		want      string
		wait      time.Duration
		noRequest bool
	}{
		{name: "chat_not_found", input: connectors.Values{"chat_id": 404, "text": "hi"},
			class: connectors.ClassPermanent, want: "Bad Request: chat not found"},
		{name: "wrong_token_is_permanent_and_not_leaked", token: "999:AAwrongwrongwrongwrong", input: connectors.Values{"chat_id": 1, "text": "hi"},
			class: connectors.ClassPermanent, want: "Unauthorized (the bot token is wrong or was revoked"},
		{name: "flood_wait_uses_retry_after_from_the_body", input: connectors.Values{"chat_id": 1, "text": "hi"},
			answer: "testdata/api_error_too_many_requests.json", class: connectors.ClassRateLimited, want: "Too Many Requests: retry after 5", wait: 5 * time.Second},
		{name: "migrated_group_names_the_new_id", input: connectors.Values{"chat_id": -123, "text": "hi"},
			answer: "testdata/api_error_migrated.json", class: connectors.ClassPermanent, want: "supergroup with chat_id -1001234567890"},
		{name: "chat_id_garbage", input: connectors.Values{"chat_id": "ada", "text": "hi"},
			class: connectors.ClassPermanent, want: "input.chat_id: want a numeric chat id or @channelusername", noRequest: true},
		{name: "chat_id_fraction", input: connectors.Values{"chat_id": 1.5, "text": "hi"},
			class: connectors.ClassPermanent, want: "input.chat_id: want an integer chat id", noRequest: true},
		{name: "text_too_long", input: connectors.Values{"chat_id": 1, "text": strings.Repeat("é", 4097)},
			class: connectors.ClassPermanent, want: "input.text: has 4097 characters; Telegram accepts at most 4096", noRequest: true},
		{name: "keyboard_row_not_an_array", input: connectors.Values{"chat_id": 1, "text": "hi", "inline_keyboard": []any{map[string]any{"text": "x"}}},
			class: connectors.ClassPermanent, want: "input.inline_keyboard[0]: want an array of buttons (a row)", noRequest: true},
		{name: "button_without_text", input: connectors.Values{"chat_id": 1, "text": "hi", "inline_keyboard": []any{[]any{map[string]any{"callback_data": "x"}}}},
			class: connectors.ClassPermanent, want: "input.inline_keyboard[0][0].text: required", noRequest: true},
		{name: "button_with_two_actions", input: connectors.Values{"chat_id": 1, "text": "hi", "inline_keyboard": []any{[]any{map[string]any{"text": "a", "callback_data": "x", "url": "https://e.com"}}}},
			class: connectors.ClassPermanent, want: "input.inline_keyboard[0][0]: needs exactly one of url, callback_data, web_app…, got 2", noRequest: true},
		{name: "callback_data_too_long", input: connectors.Values{"chat_id": 1, "text": "hi", "inline_keyboard": []any{[]any{map[string]any{"text": "a", "callback_data": strings.Repeat("x", 65)}}}},
			class: connectors.ClassPermanent, want: "input.inline_keyboard[0][0].callback_data: must be 1-64 bytes, got 65", noRequest: true},
		{name: "parse_mode_not_in_enum", input: connectors.Values{"chat_id": 1, "text": "hi", "parse_mode": "markdown"},
			class: connectors.ClassPermanent, want: "input.parse_mode: must be one of MarkdownV2, HTML, Markdown", noRequest: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.answer != "" {
				f.answerWith(tc.answer)
			}
			token := testToken
			if tc.token != "" {
				token = tc.token
			}
			_, err := f.Call(connectors.Invocation{Action: "send_message", Input: tc.input,
				Credential: connectors.Values{telegram.CredentialBotToken: token}})
			require.Error(t, err)
			ce := connectors.AsError(err)
			require.NotNil(t, ce, "error %v is not classified", err)
			assert.Equal(t, tc.class, ce.Class, "error: %v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), token, "the bot token leaked into the error")
			assert.NotContains(t, err.Error(), "/bot")
			if tc.wait != 0 {
				assert.Equal(t, tc.wait, ce.RetryAfter)
			}
			if tc.noRequest {
				assert.Empty(t, f.Requests())
			}
		})
	}
}
