package connectors

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
)

// OAuth declares that a connector's credential can be an OAuth 2 "connect
// account" connection (authorization code grant, RFC 6749 §4.1, with
// PKCE, RFC 7636) instead of a token pasted by hand. The engine
// (engine/credentials) runs the flow, stores the tokens encrypted in the
// credential and refreshes them; the access token reaches the connector's
// actions in the credential field TokenField, so an action reads it the
// same way whether the user pasted it or connected the account.
//
// The client id and secret are not part of the spec: an admin registers
// hookflow with the provider and configures them per connector
// (--oauth-clients / HOOKFLOW_OAUTH_CLIENTS).
type OAuth struct {
	// AuthURL is the provider's authorization endpoint.
	AuthURL string `json:"auth_url"`
	// TokenURL is its token endpoint (code exchange and refresh).
	TokenURL string `json:"token_url"`
	// RevokeURL, when set, is an RFC 7009 revocation endpoint called when
	// the user disconnects the account.
	RevokeURL string `json:"revoke_url,omitempty"`
	// Scopes are requested in the authorization URL.
	Scopes []string `json:"scopes,omitempty"`
	// PKCE sends an S256 code challenge; the engine always keeps the
	// verifier, so set it wherever the provider accepts PKCE.
	PKCE bool `json:"pkce,omitempty"`
	// AuthParams are extra query parameters of the authorization URL
	// (access_type=offline, prompt=consent).
	AuthParams map[string]string `json:"auth_params,omitempty"`
	// ClientAuthInBody sends the client id and secret as form fields of
	// token requests (RFC 6749 §2.3.1's alternative) instead of HTTP Basic
	// auth, for providers that accept only that (HubSpot).
	ClientAuthInBody bool `json:"client_auth_in_body,omitempty"`
	// TokenField is the credential field the access token goes to;
	// "access_token" when empty.
	TokenField string `json:"token_field,omitempty"`
	// ExtraFields copies members of the token response besides the
	// tokens into credential fields, by response member name: Salesforce
	// answers with the org's instance_url, which its actions call, so
	// {"instance_url": "instance_url"}. Each target must be a non-secret
	// credential field other than TokenField (the catalog shows it). A
	// member missing from a response (a refresh response that omits it)
	// leaves the stored value as it was; a present one must be a string.
	ExtraFields map[string]string `json:"extra_fields,omitempty"`
}

// AccessTokenField returns the credential field the access token goes to.
func (o *OAuth) AccessTokenField() string {
	if o.TokenField == "" {
		return "access_token"
	}
	return o.TokenField
}

// checkOAuth returns the problems of a spec's OAuth declaration.
func checkOAuth(s *Spec) []string {
	o := s.OAuth
	if o == nil {
		return nil
	}
	var probs []string
	for _, u := range []struct{ name, v string }{{"auth_url", o.AuthURL}, {"token_url", o.TokenURL}, {"revoke_url", o.RevokeURL}} {
		if u.v == "" && u.name == "revoke_url" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || p.Scheme != "https" || p.Host == "" {
			probs = append(probs, fmt.Sprintf("oauth.%s: want an https:// URL, got %q", u.name, u.v))
		}
	}
	found := false
	for _, f := range s.Credential {
		if f.Name == o.AccessTokenField() {
			found = true
			if !f.Secret {
				probs = append(probs, fmt.Sprintf("oauth.token_field: credential field %q must be secret", f.Name))
			}
		}
	}
	if !found {
		probs = append(probs, fmt.Sprintf("oauth.token_field: %q is not a credential field", o.AccessTokenField()))
	}
	for _, member := range slices.Sorted(maps.Keys(o.ExtraFields)) {
		target := o.ExtraFields[member]
		where := fmt.Sprintf("oauth.extra_fields.%s", member)
		switch {
		case member == "" || member == "access_token" || member == "refresh_token" || member == "expires_in" || member == "token_type":
			probs = append(probs, fmt.Sprintf("oauth.extra_fields: %q is a token member the engine stores itself", member))
			continue
		case target == o.AccessTokenField():
			probs = append(probs, fmt.Sprintf("%s: %q is the access token's field", where, target))
			continue
		}
		f, ok := fieldNamed(s.Credential, target)
		switch {
		case !ok:
			probs = append(probs, fmt.Sprintf("%s: %q is not a credential field", where, target))
		case f.Secret:
			// The values are shown to users as connection details and
			// copied from a response the provider does not sign; a secret
			// belongs in the encrypted token fields.
			probs = append(probs, fmt.Sprintf("%s: credential field %q is secret; extra fields hold connection details", where, target))
		}
	}
	return probs
}

func fieldNamed(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
