package connectors_test

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

// oauthSpec is a minimal valid spec with an OAuth connection whose token
// response's instance_url is copied into the credential.
func oauthSpec(extra map[string]string) *connectors.Spec {
	return &connectors.Spec{
		Name: "crm", Title: "CRM", Description: "A CRM.",
		Credential: []connectors.Field{
			{Name: "access_token", Title: "Access token", Type: connectors.TypeString, Secret: true},
			{Name: "instance_url", Title: "Instance URL", Type: connectors.TypeString},
			{Name: "client_key", Title: "Client key", Type: connectors.TypeString, Secret: true},
		},
		OAuth: &connectors.OAuth{AuthURL: "https://crm.example.com/authorize", TokenURL: "https://crm.example.com/token",
			PKCE: true, ExtraFields: extra},
	}
}

func TestOAuthExtraFields(t *testing.T) {
	if err := connectors.CheckSpec(oauthSpec(map[string]string{"instance_url": "instance_url"})); err != nil {
		t.Fatalf("a valid extra field was refused: %v", err)
	}
	for _, tc := range []struct {
		extra map[string]string
		want  string
	}{
		{map[string]string{"instance_url": "org_url"}, `oauth.extra_fields.instance_url: "org_url" is not a credential field`},
		{map[string]string{"instance_url": "access_token"}, `oauth.extra_fields.instance_url: "access_token" is the access token's field`},
		{map[string]string{"key": "client_key"}, `oauth.extra_fields.key: credential field "client_key" is secret`},
		{map[string]string{"refresh_token": "instance_url"}, `oauth.extra_fields: "refresh_token" is a token member`},
	} {
		err := connectors.CheckSpec(oauthSpec(tc.extra))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("extra_fields %v: err = %v, want %q", tc.extra, err, tc.want)
		}
	}
}
