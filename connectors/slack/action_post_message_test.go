package slack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/slack"
)

func TestPostMessage(t *testing.T) {
	f := newFake(t)
	blocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*Order #1001* paid"}}}
	out, err := f.Invoke("post_message", connectors.Values{
		"channel": "C123ABC456", "text": "Order #1001 paid", "blocks": blocks,
		"unfurl_links": false, "unfurl_media": true, "icon_emoji": ":package:",
	})
	require.NoError(t, err)
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/chat.postMessage", got.Path)
	assert.Equal(t, "Bearer "+testToken, got.Header.Get("Authorization"))
	assert.Equal(t, "application/json; charset=utf-8", got.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"channel":"C123ABC456","text":"Order #1001 paid",
		"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Order #1001* paid"}}],
		"unfurl_links":false,"unfurl_media":true,"icon_emoji":":package:"}`, string(got.Body))
	assert.JSONEq(t, string(connectortest.OutputSample(t, slack.New(), "post_message")), connectortest.JSON(t, out), "output differs from the declared output sample")
	assert.Equal(t, "1503435956.000247", out.(map[string]any)["ts"])
}

func TestPostMessageTextOnlySendsNoOptionalFlags(t *testing.T) {
	f := newFake(t)
	_, err := f.Invoke("post_message", connectors.Values{"channel": "#general", "text": "hi"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"channel":"#general","text":"hi"}`, string(f.Requests()[0].Body))
}

func TestPostMessageErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     connectors.Values
		setup     func(f *fakeSlack)
		class     connectors.Class
		want      string
		wait      time.Duration
		noRequest bool
	}{
		{
			name:  "channel_not_found_is_permanent_with_hint",
			input: connectors.Values{"channel": "C_NOT_FOUND", "text": "hi"},
			class: connectors.ClassPermanent,
			want:  "channel_not_found: the channel does not exist or the bot cannot see it",
		},
		{
			name:  "missing_scope_names_the_scope",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) {
				f.answer(200, string(connectortest.ReadFile(t, "testdata/api_error_missing_scope.json")))
			},
			class: connectors.ClassPermanent,
			want:  "missing_scope: the app needs the chat:write scope",
		},
		{
			name:  "invalid_blocks_keeps_slacks_explanation",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) {
				f.answer(200, string(connectortest.ReadFile(t, "testdata/api_error_invalid_blocks.json")))
			},
			class: connectors.ClassPermanent,
			want:  "[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]",
		},
		{
			name:  "http_429_is_rate_limited_with_retry_after",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) { f.rateLimit = "12" },
			class: connectors.ClassRateLimited,
			want:  "ratelimited",
			wait:  12 * time.Second,
		},
		{
			name:  "ratelimited_in_a_200_is_rate_limited",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) { f.answer(200, `{"ok":false,"error":"ratelimited"}`) },
			class: connectors.ClassRateLimited,
			want:  "ratelimited",
			wait:  connectors.DefaultRateLimitWait,
		},
		{
			name:  "internal_error_is_retryable",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) { f.answer(200, `{"ok":false,"error":"internal_error"}`) },
			class: connectors.ClassRetryable,
			want:  "internal_error",
		},
		{
			name:  "fatal_error_is_not_retried_because_it_may_have_posted",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) { f.answer(200, `{"ok":false,"error":"fatal_error"}`) },
			class: connectors.ClassPermanent,
			want:  "fatal_error",
		},
		{
			name:  "a_200_that_is_not_slack_is_retryable",
			input: connectors.Values{"channel": "C1", "text": "hi"},
			setup: func(f *fakeSlack) { f.answer(200, `{"status":"maintenance"}`) },
			class: connectors.ClassRetryable,
			want:  "not a Slack Web API envelope",
		},
		{
			name:      "neither_text_nor_blocks_names_text",
			input:     connectors.Values{"channel": "C1"},
			class:     connectors.ClassPermanent,
			want:      "input.text: required when blocks is empty",
			noRequest: true,
		},
		{
			name:      "block_without_type_names_its_path",
			input:     connectors.Values{"channel": "C1", "blocks": []any{map[string]any{"type": "divider"}, map[string]any{"text": "x"}}},
			class:     connectors.ClassPermanent,
			want:      "input.blocks[1].type: required",
			noRequest: true,
		},
		{
			name:      "too_many_blocks",
			input:     connectors.Values{"channel": "C1", "blocks": manyBlocks(51)},
			class:     connectors.ClassPermanent,
			want:      "input.blocks: has 51 blocks; Slack accepts at most 50",
			noRequest: true,
		},
		{
			name:      "bad_icon_emoji",
			input:     connectors.Values{"channel": "C1", "text": "hi", "icon_emoji": "package"},
			class:     connectors.ClassPermanent,
			want:      "input.icon_emoji: an emoji is written as :name:",
			noRequest: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			_, err := f.Invoke("post_message", tc.input)
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
				assert.Empty(t, f.Requests(), "invalid input reached Slack")
			}
		})
	}
}

func manyBlocks(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"type": "divider"}
	}
	return out
}

func TestWrongTokenIsPermanent(t *testing.T) {
	f := newFake(t)
	_, err := f.Call(connectors.Invocation{
		Action:     "post_message",
		Input:      connectors.Values{"channel": "C1", "text": "hi"},
		Credential: connectors.Values{"bot_token": "xoxb-wrong-token"},
	})
	require.Error(t, err)
	assert.Equal(t, connectors.ClassPermanent, connectors.ClassOf(err))
	assert.True(t, strings.Contains(err.Error(), "invalid_auth: the bot token is not valid"), err.Error())
	assert.NotContains(t, err.Error(), "xoxb-wrong-token")
}

func TestMissingBotTokenNamesTheField(t *testing.T) {
	f := newFake(t)
	_, err := f.Call(connectors.Invocation{
		Action:     "post_message",
		Input:      connectors.Values{"channel": "C1", "text": "hi"},
		Credential: connectors.Values{"signing_secret": "trigger-only-secret"},
	})
	require.Error(t, err)
	assert.Equal(t, connectors.ClassPermanent, connectors.ClassOf(err))
	assert.Contains(t, err.Error(), "credential.bot_token: required to call the Web API")
	assert.Empty(t, f.Requests())
}
