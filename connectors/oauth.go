package connectors

import (
	"fmt"
	"net/url"
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
	return probs
}
