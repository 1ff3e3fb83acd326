package connectors

import (
	"fmt"
	"net/url"
	"strings"
)

// BaseURLField is the credential field that may point a connector at
// another host of its provider's API (Twilio's regional edges), or, for
// SelfHosted connectors, at a customer's own server. ValidateCredential
// accepts it for every connector; CheckCredentialBaseURL decides whether
// its value is honoured. Connectors never declare it themselves: the
// catalog publishes it for the connectors that can use it.
const BaseURLField = "base_url"

// CredentialBaseURL returns the base URL a credential's secrets go to when
// no admin override applies (see Registry.BaseURL), and whether it is a
// customer's own host (a SelfHosted connector's base_url) rather than the
// provider's API. A credential's base_url is honoured when its host is one
// of the provider's API hosts (BaseURL's host, APIHosts) or the connector
// is SelfHosted; any other host is refused with a *ValidationError naming
// credential.base_url, so an editor cannot send a credential's secrets to
// a host of their choosing.
func (s *Spec) CredentialBaseURL(cred Values) (base string, custom bool, err error) {
	if raw := cred.String(BaseURLField); raw != "" {
		u, err := parseBaseURL(raw)
		if err != nil {
			return "", false, fieldError("credential."+BaseURLField, BaseURLField, err.Error())
		}
		switch {
		case s.isAPIHost(u.Hostname()):
			return raw, false, nil
		case s.SelfHosted:
			return raw, true, nil
		}
		return "", false, fieldError("credential."+BaseURLField, BaseURLField, s.foreignHost(u.Hostname()))
	}
	if s.BaseURLFrom != nil {
		raw, err := s.BaseURLFrom(cred)
		if err != nil {
			return "", false, err
		}
		u, err := parseBaseURL(raw)
		if err != nil {
			return "", false, fmt.Errorf("the %s credential gives the base URL %q: %w", s.Title, raw, err)
		}
		if !s.isAPIHost(u.Hostname()) {
			return "", false, fmt.Errorf("the %s credential gives the host %s: %s", s.Title, u.Hostname(), s.foreignHost(u.Hostname()))
		}
		return raw, false, nil
	}
	return s.BaseURL, false, nil
}

// CheckCredentialBaseURL checks a credential's own base_url, as saving a
// credential does; it ignores fields that BaseURLFrom reads, since a
// credential used only by a trigger may leave them empty.
func (s *Spec) CheckCredentialBaseURL(cred Values) error {
	if cred.String(BaseURLField) == "" {
		return nil
	}
	_, _, err := s.CredentialBaseURL(cred)
	return err
}

// CredentialOrigin is the scheme and host ("https://api.telegram.org") a
// credential's secrets go to, ignoring admin overrides, or "" when it has
// none (a connector without a base URL, a credential that cannot be used
// yet, or one that CredentialBaseURL refuses). Changing it on a saved
// credential requires the credential's secrets again.
func (s *Spec) CredentialOrigin(cred Values) string {
	if s.OriginFrom != nil {
		return strings.ToLower(s.OriginFrom(cred))
	}
	base, _, err := s.CredentialBaseURL(cred)
	if err != nil || base == "" {
		return ""
	}
	u, err := parseBaseURL(base)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// hasBaseURL reports whether a credential's base_url means anything for
// this connector, which is when the catalog publishes the field.
func (s *Spec) hasBaseURL() bool { return s.BaseURL != "" || s.SelfHosted }

// apiHosts is BaseURL's host followed by APIHosts.
func (s *Spec) apiHosts() []string {
	var hosts []string
	if u, err := url.Parse(s.BaseURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, normalHost(u.Hostname()))
	}
	for _, h := range s.APIHosts {
		hosts = append(hosts, normalHost(h))
	}
	return hosts
}

// isAPIHost reports whether host is one of the provider's API hosts.
func (s *Spec) isAPIHost(host string) bool {
	host = normalHost(host)
	for _, h := range s.apiHosts() {
		if suffix, ok := strings.CutPrefix(h, "*"); ok {
			if strings.HasSuffix(host, suffix) && len(host) > len(suffix) {
				return true
			}
			continue
		}
		if host == h {
			return true
		}
	}
	return false
}

// foreignHost explains why a host is refused.
func (s *Spec) foreignHost(host string) string {
	hosts := s.apiHosts()
	if len(hosts) == 0 {
		return fmt.Sprintf("the %s connector takes no base URL; remove the field", s.Title)
	}
	return fmt.Sprintf("%s is not a host of the %s API (%s), and a %s credential's secrets only go there; "+
		"to use a proxy or a test server, an admin sets --connector-base-urls %s=URL",
		host, s.Title, strings.Join(hosts, ", "), s.Title, s.Name)
}

// parseBaseURL checks that s is an absolute http(s) URL.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("parsing: %w", redactURLError(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return u, nil
}
