package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/connectortest"
)

// Twilio's documented example (Security → "Validating signatures from
// Twilio"): auth token 12345, this URL and these parameters.
const (
	docToken = "12345"
	docURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
	docBody  = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212"
	docSig   = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
)

// signURL computes HMAC-SHA1 of data with crypto/hmac directly.
func signURL(token, data string) string {
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	jsonBody := `{"property": "value", "boolean": true}`
	sum := sha256.Sum256([]byte(jsonBody))
	jsonURL := "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + hex.EncodeToString(sum[:])
	jsonSig := signURL(docToken, jsonURL)
	cases := []struct {
		name  string
		token string
		url   string
		sig   string
		body  string
		want  string
	}{
		{"documented example", docToken, docURL, docSig, docBody, ""},
		{"parameters in another order", docToken, docURL, docSig, "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE&From=%2B12349013030&Caller=%2B12349013030", ""},
		{"signed with :443, received without", docToken, docURL, signURL(docToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212"), docBody, ""},
		{"received with :443", docToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", docSig, docBody, ""},
		{"extra parameter", docToken, docURL, docSig, docBody + "&Extra=1", "bad signature"},
		{"internal URL behind a proxy", docToken, "http://10.0.0.7:8080/myapp.php?foo=1&bar=2", docSig, docBody, "bad signature"},
		{"malformed form body", docToken, docURL, docSig, "a=%zz", "malformed form body"},
		{"JSON body with bodySHA256", docToken, jsonURL, jsonSig, jsonBody, ""},
		{"JSON body tampered", docToken, jsonURL, jsonSig, `{"property": "evil", "boolean": true}`, "body does not match bodySHA256"},
		{"JSON body wrong token", "54321", jsonURL, jsonSig, jsonBody, "bad signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			h := http.Header{}
			if tc.sig != "" {
				h.Set("X-Twilio-Signature", tc.sig)
			}
			r := &connectors.Request{Method: "POST", URL: u, Header: h, Body: []byte(tc.body)}
			if got := connectortest.Reason(t, Verifier{}.Verify(r, connectors.Values{"auth_token": tc.token}, time.Now())); got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}
