package twilio

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// CredentialAuthToken is the credential field holding the account's
// primary Auth Token, which signs every webhook.
const CredentialAuthToken = "auth_token"

// HeaderSignature carries Twilio's signature.
const HeaderSignature = "X-Twilio-Signature"

// QueryBodySHA256 is the query parameter Twilio adds to the URL when it
// sends a JSON body: the hex SHA-256 of that body.
const QueryBodySHA256 = "bodySHA256"

// Verifier checks X-Twilio-Signature: base64 HMAC-SHA1 under the auth token
// of the full URL Twilio called followed by every distinct POST parameter,
// sorted by name, as name+value (see sortedParams for repeated names). For JSON bodies Twilio instead signs the URL alone,
// which then carries bodySHA256, the hex SHA-256 of the body, checked here
// too.
//
// The URL must be the public one configured in Twilio (connectors.Request
// URL, built from hookflow's public base URL behind a proxy). Like Twilio's
// own libraries, a URL is also tried with its default port added or
// removed, since Twilio may sign either form.
type Verifier struct{}

var _ connectors.Verifier = Verifier{}

// Verify implements connectors.Verifier.
func (Verifier) Verify(r *connectors.Request, credential connectors.Values, _ time.Time) error {
	token := credential.String(CredentialAuthToken)
	if token == "" {
		return signature.MissingSecret(CredentialAuthToken)
	}
	sig := r.Header.Get(HeaderSignature)
	if sig == "" {
		return signature.MissingHeader(HeaderSignature)
	}
	if r.URL == nil {
		return signature.BadSignature()
	}
	var params []byte
	if want := r.URL.Query().Get(QueryBodySHA256); want != "" {
		sum := sha256.Sum256(r.Body)
		if !signature.Equal(strings.ToLower(want), hex.EncodeToString(sum[:])) {
			return connectors.Reject("body does not match " + QueryBodySHA256)
		}
	} else {
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return connectors.Reject("malformed form body")
		}
		params = sortedParams(form)
	}
	ok := false
	for _, u := range urlVariants(r.URL) {
		// Every variant is checked so the timing does not say which matched.
		if signature.Valid(signature.SHA1, signature.Base64, []byte(token), sig, []byte(u), params) {
			ok = true
		}
	}
	if !ok {
		return signature.BadSignature()
	}
	return nil
}

// sortedParams concatenates name+value for every parameter, sorted by name
// and, for repeated names, by value, with repeated identical values counted
// once. That last rule is twilio-python's RequestValidator.compute_signature
// (it iterates sorted(set(values)) for each sorted(set(params)) name): a
// form such as "MediaUrl=a&MediaUrl=a" is signed as "MediaUrla", and a
// verifier that signed every copy would refuse Twilio's genuine request.
func sortedParams(form url.Values) []byte {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vals := append([]string(nil), form[k]...)
		sort.Strings(vals)
		for i, v := range vals {
			if i > 0 && v == vals[i-1] {
				continue // an identical repeat is signed once
			}
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	return []byte(b.String())
}

// urlVariants returns u as given, and with its scheme's default port
// removed when it has one, or added when it has none.
func urlVariants(u *url.URL) []string {
	out := []string{u.String()}
	def := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if def == "" {
		return out
	}
	v := *u
	if port := u.Port(); port == "" {
		v.Host = net.JoinHostPort(u.Hostname(), def)
	} else if port == def {
		v.Host = u.Hostname()
		if strings.Contains(v.Host, ":") {
			v.Host = "[" + v.Host + "]"
		}
	} else {
		return out
	}
	return append(out, v.String())
}
