package connectors

import (
	"strings"
	"testing"
)

func TestWebhookURL(t *testing.T) {
	hosts := []string{"discord.com", "*.webhook.office.com"}
	prefixes := []string{"/api/webhooks/", "/webhookb2/"}
	const secret = "s3cr3t-token"
	cases := []struct {
		name, raw, want string
	}{
		{"discord", "https://discord.com/api/webhooks/1/" + secret, ""},
		{"teams subdomain", "https://acme.webhook.office.com/webhookb2/" + secret, ""},
		{"bare wildcard domain", "https://webhook.office.com/webhookb2/" + secret, "credential.url: the host webhook.office.com is not one of"},
		{"foreign host", "https://discord.com.evil.test/api/webhooks/1/" + secret, "credential.url: the host discord.com.evil.test is not one of"},
		{"plain http", "http://discord.com/api/webhooks/1/" + secret, "credential.url: must start with https://"},
		{"other path", "https://discord.com/api/channels/1/" + secret, "credential.url: a webhook URL's path starts with /api/webhooks/ or /webhookb2/"},
		{"empty", "", "credential.url: required"},
		{"not a URL", "discord webhook " + secret, "credential.url: not a URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := WebhookURL(Values{"url": tc.raw}, "url", hosts, prefixes)
			if tc.want == "" {
				if err != nil || got != tc.raw {
					t.Fatalf("got %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the error leaks the URL's secret: %v", err)
			}
		})
	}
}

func TestWebhookTarget(t *testing.T) {
	const hook = "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t"
	got, err := WebhookTarget(&Call{BaseURL: hook}, hook)
	if err != nil || got != hook {
		t.Fatalf("unoverridden: %q, %v", got, err)
	}
	got, err = WebhookTarget(&Call{BaseURL: "http://127.0.0.1:9/"}, hook)
	if err != nil || got != "http://127.0.0.1:9/v1/spaces/AAA/messages?key=k&token=t" {
		t.Fatalf("overridden: %q, %v", got, err)
	}
}
