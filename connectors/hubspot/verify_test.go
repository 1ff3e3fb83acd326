package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
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
	body := connectortest.ReadFile(t, "testdata/contact_batch.json")
	now := time.UnixMilli(1712847605123)
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	const public = "https://hooks.example.com/hooks/tok_abc?portal=33"
	good := sign(secret, "POST", public, body, ts)
	cred := connectors.Values{CredentialClientSecret: secret}
	req := func(method, rawURL, sig, ts string) *connectors.Request {
		r := connectortest.NewRequest(string(body), HeaderSignatureV3, sig, HeaderTimestamp, ts)
		r.Method, r.Received = method, now
		r.URL, _ = url.Parse(rawURL)
		return r
	}
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "listed characters decoded in URI", Credential: cred,
			Request: req("POST", "https://hooks.example.com/hooks/tok_abc?next=a%3Ab%40c", sign(secret, "POST", "https://hooks.example.com/hooks/tok_abc?next=a:b@c", body, ts), ts)},
		{Name: "different URL (proxy base URL not configured)", Credential: cred,
			Request: req("POST", "http://10.0.0.5:8080/hooks/tok_abc?portal=33", good, ts), Want: "bad signature"},
		{Name: "different method", Credential: cred, Request: req("PUT", public, good, ts), Want: "bad signature"},
		{Name: "timestamp changed", Credential: cred, Request: req("POST", public, good, strconv.FormatInt(now.UnixMilli()+1, 10)), Want: "bad signature"},
		{Name: "timestamp not a number", Credential: cred, Request: req("POST", public, good, "soon"), Want: "malformed header X-HubSpot-Request-Timestamp"},
		{Name: "seconds instead of ms is stale", Credential: cred,
			Request: req("POST", public, sign(secret, "POST", public, body, "1712847605"), "1712847605"), Want: "stale timestamp"},
	})
}
