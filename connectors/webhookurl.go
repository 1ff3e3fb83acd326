package connectors

import (
	"fmt"
	"net/url"
	"strings"
)

// WebhookURL checks a credential field that holds a whole endpoint URL
// with its secret in the path or query, as chat webhooks do (Discord,
// Microsoft Teams, Google Chat): it must be an https URL on one of hosts
// (a leading "*." matches any subdomain) whose path starts with one of
// pathPrefixes, when any are given. A connector's BaseURLFrom uses it, so
// the URL is checked wherever a base URL is. The error names the field and
// the host, never the URL, which is the secret.
func WebhookURL(cred Values, field string, hosts, pathPrefixes []string) (string, error) {
	raw := strings.TrimSpace(cred.String(field))
	if raw == "" {
		return "", fmt.Errorf("credential.%s: required", field)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("credential.%s: not a URL; paste the whole webhook URL", field)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("credential.%s: must start with https://", field)
	}
	host := normalHost(u.Hostname())
	ok := false
	for _, h := range hosts {
		h = normalHost(h)
		if suffix, wild := strings.CutPrefix(h, "*"); wild {
			ok = ok || (strings.HasSuffix(host, suffix) && len(host) > len(suffix))
		} else {
			ok = ok || host == h
		}
	}
	if !ok {
		return "", fmt.Errorf("credential.%s: the host %s is not one of %s", field, host, strings.Join(hosts, ", "))
	}
	if len(pathPrefixes) > 0 {
		ok = false
		for _, p := range pathPrefixes {
			ok = ok || strings.HasPrefix(u.Path, p)
		}
		if !ok {
			return "", fmt.Errorf("credential.%s: a webhook URL's path starts with %s", field, strings.Join(pathPrefixes, " or "))
		}
	}
	return raw, nil
}

// WebhookTarget returns where an action whose endpoint is a credential's
// webhook URL (see WebhookURL) sends: call.BaseURL when it is that URL,
// else, under an admin's base URL override (RegistryConfig.BaseURLs, as
// tests point connectors at fakes), the override followed by the webhook
// URL's path and query, so the secret in them still reaches the proxy.
func WebhookTarget(call *Call, webhookURL string) (string, error) {
	webhookURL = strings.TrimSpace(webhookURL)
	if call.BaseURL == webhookURL {
		return webhookURL, nil
	}
	u, err := url.Parse(webhookURL)
	if err != nil {
		return "", Permanent(fmt.Errorf("parsing the webhook URL: %w", redactURLError(err)))
	}
	target := strings.TrimRight(call.BaseURL, "/") + u.EscapedPath()
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	return target, nil
}
