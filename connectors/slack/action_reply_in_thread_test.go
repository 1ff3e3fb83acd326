package slack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

func TestReplyInThread(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody string
	}{
		{
			name:     "reply_defaults_to_thread_only",
			input:    connectors.Values{"channel": "C123ABC456", "thread_ts": "1503435956.000247", "text": "Refund issued"},
			wantBody: `{"channel":"C123ABC456","thread_ts":"1503435956.000247","text":"Refund issued","reply_broadcast":false}`,
		},
		{
			name:     "broadcast_to_channel",
			input:    connectors.Values{"channel": "C123ABC456", "thread_ts": "1503435956.000247", "text": "Refund issued", "reply_broadcast": true},
			wantBody: `{"channel":"C123ABC456","thread_ts":"1503435956.000247","text":"Refund issued","reply_broadcast":true}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Invoke("reply_in_thread", tc.input)
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST", reqs[0].Method)
			assert.Equal(t, "/chat.postMessage", reqs[0].Path)
			assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"))
			assert.Equal(t, "application/json; charset=utf-8", reqs[0].Header.Get("Content-Type"))
			assert.JSONEq(t, tc.wantBody, string(reqs[0].Body))
			assert.JSONEq(t, string(connectortest.OutputSample(t, slack.New(), "reply_in_thread")), connectortest.JSON(t, out))
			msg := out.(map[string]any)["message"].(map[string]any)
			assert.Equal(t, "1503435956.000247", msg["thread_ts"])
		})
	}
}

func TestReplyInThreadBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input connectors.Values
		want  string
	}{
		{name: "thread_ts_not_a_timestamp", input: connectors.Values{"channel": "C1", "thread_ts": "yesterday", "text": "x"},
			want: "input.thread_ts: a Slack message timestamp looks like 1503435956.000247"},
		{name: "thread_ts_missing", input: connectors.Values{"channel": "C1", "text": "x"},
			want: "input.thread_ts: required"},
		{name: "no_content", input: connectors.Values{"channel": "C1", "thread_ts": "1.2"},
			want: "input.text: required when blocks is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			_, err := f.Invoke("reply_in_thread", tc.input)
			require.Error(t, err)
			assert.Equal(t, connectors.ClassPermanent, connectors.ClassOf(err))
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, f.Requests())
		})
	}
}
