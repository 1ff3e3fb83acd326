package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

const secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"

// sign computes the v3 signature with crypto/hmac directly.
func sign(secret, method, uri string, body []byte, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + uri))
	m.Write(body)
	m.Write([]byte(ts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	body, err := os.ReadFile("testdata/contact_batch.json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(1712847605123)
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	const public = "https://hooks.example.com/hooks/tok_abc?portal=33"
	good := sign(secret, "POST", public, body, ts)
	encodedURL := "https://hooks.example.com/hooks/tok_abc?next=a%3Ab%40c"
	decodedSig := sign(secret, "POST", "https://hooks.example.com/hooks/tok_abc?next=a:b@c", body, ts)
	cases := []struct {
		name   string
		secret string
		method string
		url    string
		sig    string
		ts     string
		body   []byte
		now    time.Time
		want   string
	}{
		{"listed characters decoded in URI", secret, "POST", encodedURL, decodedSig, ts, body, now, ""},
		{"different URL (proxy base URL not configured)", secret, "POST", "http://10.0.0.5:8080/hooks/tok_abc?portal=33", good, ts, body, now, "bad signature"},
		{"different method", secret, "PUT", public, good, ts, body, now, "bad signature"},
		{"timestamp changed", secret, "POST", public, good, strconv.FormatInt(now.UnixMilli()+1, 10), body, now, "bad signature"},
		{"timestamp not a number", secret, "POST", public, good, "soon", body, now, "malformed header X-HubSpot-Request-Timestamp"},
		{"seconds instead of ms is stale", secret, "POST", public, sign(secret, "POST", public, body, "1712847605"), "1712847605", body, now, "stale timestamp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.sig != "" {
				h.Set("X-HubSpot-Signature-v3", tc.sig)
			}
			if tc.ts != "" {
				h.Set("X-HubSpot-Request-Timestamp", tc.ts)
			}
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			r := &connectors.Request{Method: tc.method, URL: u, Header: h, Body: tc.body}
			if got := connectortest.Reason(t, Verifier{}.Verify(r, connectors.Values{"client_secret": tc.secret}, tc.now)); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}
