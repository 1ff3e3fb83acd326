package http

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"

	"github.com/hookflow/hookflow/connectors"
)

// Authenticate applies an http credential to req: basic, bearer, an API
// key header or an HMAC signature of req.Body, as its auth_type says
// (none, or no credential, sends nothing). It is the one implementation
// behind both the http.request action and the workflow's http step, so a
// credential authenticates the same way wherever it is used. Call it after
// the body is final, since hmac signs it.
//
// The credential is checked against the connector's credential fields
// first, which fills in defaults (the API key and signature header names)
// and refuses what the fields do not allow. Every header it sets is added
// to req.SecretHeaders, so a redirect to another host does not carry it.
// Errors name the credential field, never its value.
func Authenticate(req *connectors.HTTPRequest, cred connectors.Values) error {
	if cred == nil {
		return nil
	}
	cred, err := connectors.ValidateCredential(credentialFields(), cred)
	if err != nil {
		return err
	}
	set := func(name, value string) {
		if req.Header == nil {
			req.Header = map[string][]string{}
		}
		req.Header.Set(name, value)
		req.SecretHeaders = append(req.SecretHeaders, name)
	}
	switch cred.String("auth_type") {
	case "", AuthNone:
	case AuthBasic:
		if cred.String("username") == "" {
			return errors.New("credential.username: required for basic auth")
		}
		raw := cred.String("username") + ":" + cred.String("password")
		set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(raw)))
	case AuthBearer:
		if cred.String("token") == "" {
			return errors.New("credential.token: required for bearer auth")
		}
		set("Authorization", "Bearer "+cred.String("token"))
	case AuthAPIKey:
		if cred.String("api_key") == "" {
			return errors.New("credential.api_key: required for API key auth")
		}
		set(cred.String("api_key_header"), cred.String("api_key"))
	case AuthHMAC:
		secret := cred.String("hmac_secret")
		if secret == "" {
			return errors.New("credential.hmac_secret: required for HMAC auth")
		}
		set(cred.String("hmac_header"), cred.String("hmac_prefix")+Sign(cred.String("hmac_algorithm"), []byte(secret), req.Body))
	default:
		return fmt.Errorf("credential.auth_type: unknown auth type %q", cred.String("auth_type"))
	}
	return nil
}

// Sign returns the hex HMAC of body under secret with algorithm sha256
// (the default), sha1 or sha512, as receivers such as GitHub expect it.
func Sign(algorithm string, secret, body []byte) string {
	var h func() hash.Hash
	switch algorithm {
	case "sha1":
		h = sha1.New
	case "sha512":
		h = sha512.New
	default:
		h = sha256.New
	}
	mac := hmac.New(h, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
