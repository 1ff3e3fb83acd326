package telegram_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/telegram"
)

func TestAnswerCallbackQuery(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody string
	}{
		{name: "silent_acknowledgement", input: connectors.Values{"callback_query_id": "4382bfdwdsb323b2d9"},
			wantBody: `{"callback_query_id":"4382bfdwdsb323b2d9","show_alert":false}`},
		{name: "alert_with_url_and_cache", input: connectors.Values{"callback_query_id": "4382bfdwdsb323b2d9", "text": "Refund started",
			"show_alert": true, "url": "https://t.me/order_bot?start=1001", "cache_time": 30},
			wantBody: `{"callback_query_id":"4382bfdwdsb323b2d9","text":"Refund started","show_alert":true,"url":"https://t.me/order_bot?start=1001","cache_time":30}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Invoke("answer_callback_query", tc.input)
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST", reqs[0].Method)
			assert.Equal(t, "/bot"+testToken+"/answerCallbackQuery", reqs[0].Path)
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.JSONEq(t, tc.wantBody, string(reqs[0].Body))
			assert.JSONEq(t, string(connectortest.OutputSample(t, telegram.New(), "answer_callback_query")), connectortest.JSON(t, out))
		})
	}
}

func TestAnswerCallbackQueryErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		want      string
		noRequest bool
	}{
		{name: "expired_query", input: connectors.Values{"callback_query_id": "expired"},
			want: "query is too old and response timeout expired"},
		{name: "text_too_long", input: connectors.Values{"callback_query_id": "q", "text": strings.Repeat("x", 201)},
			want: "input.text: has 201 characters; Telegram shows at most 200", noRequest: true},
		{name: "negative_cache_time", input: connectors.Values{"callback_query_id": "q", "cache_time": -1},
			want: "input.cache_time: must not be negative", noRequest: true},
		{name: "url_scheme", input: connectors.Values{"callback_query_id": "q", "url": "javascript:alert(1)"},
			want: "input.url: must be an http(s):// or tg:// URL", noRequest: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("answer_callback_query", tc.input)
			require.Error(t, err)
			assert.Equal(t, connectors.ClassPermanent, connectors.ClassOf(err))
			assert.Contains(t, err.Error(), tc.want)
			if tc.noRequest {
				assert.Empty(t, f.Requests())
			}
		})
	}
}
