package twilio_test

import (
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/twilio"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, twilio.New())
}

// TestAckIsEmptyTwiML pins the reply Twilio reads: 200, text/xml, an empty
// <Response/> (Twilio's "do nothing" TwiML), never hookflow's JSON receipt.
func TestAckIsEmptyTwiML(t *testing.T) {
	ack := twilio.Trigger().Ack
	if ack == nil {
		t.Fatal("Trigger().Ack is nil: Twilio would get hookflow's JSON receipt and log error 12300")
	}
	if ack.Status != http.StatusOK {
		t.Errorf("status = %d, want 200", ack.Status)
	}
	if ack.ContentType != "text/xml; charset=utf-8" {
		t.Errorf("content type = %q, want text/xml", ack.ContentType)
	}
	if got, want := string(ack.Body), `<?xml version="1.0" encoding="UTF-8"?><Response/>`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}
