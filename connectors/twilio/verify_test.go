package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"testing"

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

// A status callback with repeated parameters, and its signature computed
// with twilio-python's algorithm (see TestVerify).
const (
	dupBody = "Body=hi&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm.jpg&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm.jpg&To=%2B18005551212&Tag=b&Tag=a&Tag=b"
	dupSig  = "okSV6O09ut62Rr3deUI1aD532jg="
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
	cred := func(token string) connectors.Values { return connectors.Values{CredentialAuthToken: token} }
	req := func(rawURL, sig, body string) *connectors.Request {
		r := connectortest.NewRequest(body, HeaderSignature, sig)
		r.URL, _ = url.Parse(rawURL)
		return r
	}
	connectortest.RunVerify(t, Verifier{}, []connectortest.VerifyCase{
		{Name: "documented example", Credential: cred(docToken), Request: req(docURL, docSig, docBody)},
		{Name: "parameters in another order", Credential: cred(docToken), Request: req(docURL, docSig, "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE&From=%2B12349013030&Caller=%2B12349013030")},
		{Name: "signed with :443, received without", Credential: cred(docToken), Request: req(docURL, signURL(docToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212"), docBody)},
		{Name: "received with :443", Credential: cred(docToken), Request: req("https://mycompany.com:443/myapp.php?foo=1&bar=2", docSig, docBody)},
		{Name: "extra parameter", Credential: cred(docToken), Request: req(docURL, docSig, docBody+"&Extra=1"), Want: "bad signature"},
		{Name: "internal URL behind a proxy", Credential: cred(docToken), Request: req("http://10.0.0.7:8080/myapp.php?foo=1&bar=2", docSig, docBody), Want: "bad signature"},
		{Name: "malformed form body", Credential: cred(docToken), Request: req(docURL, docSig, "a=%zz"), Want: "malformed form body"},
		// twilio-python's RequestValidator.compute_signature signs
		// sorted(set(values)) for each name: identical repeats count once,
		// distinct repeats are sorted. dupSig was computed with that
		// algorithm (Python's hmac over the deduplicated string), not with
		// this package.
		{Name: "repeated identical values signed once", Credential: cred(docToken), Request: req(docURL, dupSig, dupBody)},
		{Name: "repeated values in another order", Credential: cred(docToken), Request: req(docURL, dupSig, "Tag=a&Tag=b&To=%2B18005551212&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm.jpg&Body=hi&Tag=b&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm.jpg")},
		{Name: "a distinct repeated value is still signed", Credential: cred(docToken), Request: req(docURL, dupSig, dupBody+"&Tag=c"), Want: "bad signature"},
		{Name: "JSON body with bodySHA256", Credential: cred(docToken), Request: req(jsonURL, jsonSig, jsonBody)},
		{Name: "JSON body tampered", Credential: cred(docToken), Request: req(jsonURL, jsonSig, `{"property": "evil", "boolean": true}`), Want: "body does not match bodySHA256"},
		{Name: "JSON body wrong token", Credential: cred("54321"), Request: req(jsonURL, jsonSig, jsonBody), Want: "bad signature"},
	})
}
