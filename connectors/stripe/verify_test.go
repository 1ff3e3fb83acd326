package stripe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const secret = "whsec_test_5bfa2e6ac1c9c0a6a3d3c4e0b6b1e2f3"

// sign computes a Stripe signature with crypto/hmac directly, independent
// of the code under test.
func sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	body := string(connectortest.ReadFile(t, "testdata/payment_intent.succeeded.json"))
	now := time.Unix(1718000000, 0)
	ts := now.Unix()
	good := sign(secret, ts, []byte(body))
	cred := connectors.Values{CredentialWebhookSecret: secret}
	signed := func(header string) *connectors.Request {
		r := connectortest.NewRequest(body, HeaderSignature, header)
		r.Received = now
		return r
	}
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "rotation: second v1 matches", Credential: cred, Request: signed(fmt.Sprintf("t=%d,v1=%s,v1=%s,v0=%s", ts, sign("whsec_old", ts, []byte(body)), good, good))},
		{Name: "rotation: first v1 matches", Credential: cred, Request: signed(fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, good, sign("whsec_new", ts, []byte(body))))},
		{Name: "spaces after commas", Credential: cred, Request: signed(fmt.Sprintf("t=%d, v1=%s", ts, good))},
		{Name: "timestamp changed", Credential: cred, Request: signed(fmt.Sprintf("t=%d,v1=%s", ts+1, good)), Want: "bad signature"},
		{Name: "only v0", Credential: cred, Request: signed(fmt.Sprintf("t=%d,v0=%s", ts, good)), Want: "malformed header Stripe-Signature"},
		{Name: "no timestamp", Credential: cred, Request: signed("v1=" + good), Want: "malformed header Stripe-Signature"},
		{Name: "garbage", Credential: cred, Request: signed("hello"), Want: "malformed header Stripe-Signature"},
	})
}

func TestVerifyCustomTolerance(t *testing.T) {
	body := []byte(`{"id":"evt_1","type":"x"}`)
	now := time.Unix(1718000000, 0)
	h := http.Header{"Stripe-Signature": {fmt.Sprintf("t=%d,v1=%s", now.Unix(), sign(secret, now.Unix(), body))}}
	r := &connectors.Request{Header: h, Body: body}
	cred := connectors.Values{"webhook_secret": secret}
	if got := connectortest.Reason(t, Verifier{Tolerance: time.Minute}.Verify(r, cred, now.Add(61*time.Second))); got != "stale timestamp" {
		t.Fatalf("reason = %q, want stale timestamp", got)
	}
}

func BenchmarkVerifyAndExtract(b *testing.B) {
	body, err := os.ReadFile("testdata/payment_intent.succeeded.json")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(1718000000, 0)
	r := &connectors.Request{Method: "POST", Body: body, Header: http.Header{
		"Stripe-Signature": {fmt.Sprintf("t=%d,v1=%s", now.Unix(), sign(secret, now.Unix(), body))},
	}}
	cred := connectors.Values{"webhook_secret": secret}
	tr := Trigger()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := tr.Verifier.Verify(r, cred, now); err != nil {
			b.Fatal(err)
		}
		events, err := tr.Extractor.Extract(r, nil)
		if err != nil || len(events) != 1 {
			b.Fatal(events, err)
		}
	}
}
