package whatsapp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/whatsapp"
)

const incomingID = "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA="

func TestMarkRead(t *testing.T) {
	tests := []struct {
		name     string
		input    connectors.Values
		wantBody string
	}{
		{name: "read_receipt", input: connectors.Values{"message_id": incomingID},
			wantBody: `{"messaging_product":"whatsapp","status":"read","message_id":"` + incomingID + `"}`},
		{name: "with_typing_indicator", input: connectors.Values{"message_id": incomingID, "typing_indicator": true},
			wantBody: `{"messaging_product":"whatsapp","status":"read","message_id":"` + incomingID + `","typing_indicator":{"type":"text"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			out, err := f.Invoke("mark_read", tc.input)
			require.NoError(t, err)
			reqs := f.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST", reqs[0].Method)
			assert.Equal(t, "/"+testPhoneID+"/messages", reqs[0].Path)
			assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"))
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.JSONEq(t, tc.wantBody, string(reqs[0].Body))
			assert.JSONEq(t, string(connectortest.OutputSample(t, whatsapp.New(), "mark_read")), connectortest.JSON(t, out))
		})
	}
}

func TestMarkReadErrors(t *testing.T) {
	t.Run("not_a_message_id", func(t *testing.T) {
		f := newFake(t)
		_, err := f.Invoke("mark_read", connectors.Values{"message_id": "12345"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "input.message_id: WhatsApp message ids start with wamid.")
		assert.Empty(t, f.Requests())
	})
	t.Run("success_false_is_an_error", func(t *testing.T) {
		f := newFake(t)
		f.answer(200, "testdata/api_messages_text.json", nil) // a 200 without success:true
		_, err := f.Invoke("mark_read", connectors.Values{"message_id": incomingID})
		require.Error(t, err)
		assert.Equal(t, connectors.ClassPermanent, connectors.ClassOf(err))
		assert.Contains(t, err.Error(), "did not confirm the read receipt")
	})
}
