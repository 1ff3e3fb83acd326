package drift_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/drift"
)

func TestTriggerConformance(t *testing.T) {
	connectortest.RunTriggers(t, drift.New())
}

// signed is a Drift delivery signed the way Drift documents: hex
// HMAC-SHA1 of timestamp+body under the client secret.
func signed(body, ts, secret string) *connectors.Request {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(ts + body))
	return connectortest.NewRequest(body, drift.HeaderSignature, hex.EncodeToString(m.Sum(nil)), drift.HeaderTimestamp, ts)
}

func TestVerifyTokenAndTimestampForms(t *testing.T) {
	cred := connectors.Values{"verification_token": "vtok-1", "client_secret": "cs-1"}
	at := time.UnixMilli(1764522252300)
	body := `{"orgId":1,"type":"new_message","data":{"id":5},"token":"vtok-1"}`
	connectortest.RunVerify(t, drift.Verifier{}, []connectortest.VerifyCase{
		{Name: "milliseconds", Request: signed(body, "1764522252300", "cs-1"), Credential: cred, Now: at},
		{Name: "seconds", Request: signed(body, "1764522252", "cs-1"), Credential: cred, Now: at},
		{Name: "signed but wrong token", Request: signed(strings.Replace(body, "vtok-1", "vtok-2", 1), "1764522252300", "cs-1"), Credential: cred, Now: at, Want: "bad credentials"},
		{Name: "signed but no token", Request: signed(`{"orgId":1,"type":"new_message","data":{"id":5}}`, "1764522252300", "cs-1"), Credential: cred, Now: at, Want: "bad credentials"},
		{Name: "token not configured", Request: signed(body, "1764522252300", "cs-1"), Credential: connectors.Values{"client_secret": "cs-1"}, Now: at, Want: "credential has no verification_token"},
		{Name: "seconds, stale", Request: signed(body, "1764522252", "cs-1"), Credential: cred, Now: at.Add(6 * time.Minute), Want: "stale timestamp"},
	})
}

func TestTokenIsNotInTheEventBody(t *testing.T) {
	events, err := drift.Extract(connectortest.NewRequest(`{"orgId":1,"type":"new_message","data":{"id":5},"token":"vtok-1"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if gjson.GetBytes(events[0].Body, "token").Exists() || events[0].ID != "new_message:5" {
		t.Fatalf("event = %s %s", events[0].ID, events[0].Body)
	}
	connectortest.RunExtract(t, drift.Extract, []connectortest.ExtractCase{
		{Name: "no type", Request: connectortest.NewRequest(`{"data":{}}`), WantErr: `reading Drift webhook: "type" is missing`},
		{Name: "array", Request: connectortest.NewRequest(`[1]`), WantErr: "reading Drift webhook: the body is not a JSON object"},
	})
}
