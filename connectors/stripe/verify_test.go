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
	body, err := os.ReadFile("testdata/payment_intent.succeeded.json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1718000000, 0)
	ts := now.Unix()
	good := sign(secret, ts, body)
	cases := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   string
	}{
		{"rotation: second v1 matches", secret, fmt.Sprintf("t=%d,v1=%s,v1=%s,v0=%s", ts, sign("whsec_old", ts, body), good, good), body, now, ""},
		{"rotation: first v1 matches", secret, fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, good, sign("whsec_new", ts, body)), body, now, ""},
		{"spaces after commas", secret, fmt.Sprintf("t=%d, v1=%s", ts, good), body, now, ""},
		{"timestamp changed", secret, fmt.Sprintf("t=%d,v1=%s", ts+1, good), body, now, "bad signature"},
		{"only v0", secret, fmt.Sprintf("t=%d,v0=%s", ts, good), body, now, "malformed header Stripe-Signature"},
		{"no timestamp", secret, "v1=" + good, body, now, "malformed header Stripe-Signature"},
		{"garbage", secret, "hello", body, now, "malformed header Stripe-Signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Stripe-Signature", tc.header)
			}
			r := &connectors.Request{Method: "POST", Header: h, Body: tc.body}
			got := connectortest.Reason(t, Verifier{}.Verify(r, connectors.Values{"webhook_secret": tc.secret}, tc.now))
			if got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
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
