package slack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

func TestUpdateMessage(t *testing.T) {
	f := newFake(t)
	blocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": ":white_check_mark: handled"}}}
	out, err := f.Invoke("update_message", connectors.Values{
		"channel": "C123ABC456", "ts": "1401383885.000061", "text": "Updated text you carefully authored", "blocks": blocks,
	})
	require.NoError(t, err)
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/chat.update", reqs[0].Path)
	assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "application/json; charset=utf-8", reqs[0].Header.Get("Content-Type"))
	assert.JSONEq(t, `{"channel":"C123ABC456","ts":"1401383885.000061","text":"Updated text you carefully authored",
		"blocks":[{"type":"section","text":{"type":"mrkdwn","text":":white_check_mark: handled"}}]}`, string(reqs[0].Body))
	assert.JSONEq(t, string(connectortest.OutputSample(t, slack.New(), "update_message")), connectortest.JSON(t, out))
}

func TestUpdateMessageErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		class  connectors.Class
		want   string
	}{
		{name: "not_the_bots_message", answer: `{"ok":false,"error":"cant_update_message"}`,
			class: connectors.ClassPermanent, want: "cant_update_message: a bot can only update messages it posted itself"},
		{name: "message_gone", answer: `{"ok":false,"error":"message_not_found"}`,
			class: connectors.ClassPermanent, want: "message_not_found"},
		{name: "service_unavailable_retries", answer: `{"ok":false,"error":"service_unavailable"}`,
			class: connectors.ClassRetryable, want: "service_unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.answer(200, tc.answer)
			_, err := f.Invoke("update_message", connectors.Values{"channel": "C1", "ts": "1401383885.000061", "text": "x"})
			require.Error(t, err)
			assert.Equal(t, tc.class, connectors.ClassOf(err))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestUpdateMessageRefusesSenderFields(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("update_message", connectors.Values{"channel": "C1", "ts": "1.2", "text": "x", "username": "bot"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "input.username: unknown field")
	assert.Empty(t, f.Requests())
}
