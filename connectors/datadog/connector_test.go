package datadog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/connectors"
)

// The recommended payload template must be the JSON object the extractor
// reads: rendered with example values it yields the id and the type.
func TestPayloadTemplate(t *testing.T) {
	rendered := strings.NewReplacer("$ID", "100", "$EVENT_TYPE", "metric_alert_monitor", "$", "").Replace(PayloadTemplate)
	if !json.Valid([]byte(rendered)) {
		t.Fatalf("the template does not render to JSON:\n%s", rendered)
	}
	events, err := Extract(&connectors.Request{Body: []byte(rendered)}, nil)
	if err != nil || len(events) != 1 || events[0].ID != "100" || events[0].Type != "metric_alert_monitor" {
		t.Fatalf("events = %+v, %v", events, err)
	}
	if !strings.Contains(Trigger().Setup, PayloadTemplate) || !strings.Contains(Trigger().Description, "Not signed by Datadog") {
		t.Error("the trigger's texts do not give the template or say the deliveries are not signed")
	}
}

func TestCredentialForEachAuth(t *testing.T) {
	spec := New()
	for _, cred := range []connectors.Values{
		{CredentialToken: "tok"},
		{CredentialAuth: AuthBasic, CredentialUsername: "u", CredentialPassword: "p"},
	} {
		if _, err := connectors.ValidateCredential(spec.Credential, cred); err != nil {
			t.Errorf("%v: %v", cred, err)
		}
	}
	if _, err := connectors.ValidateCredential(spec.Credential, connectors.Values{CredentialAuth: "hmac"}); err == nil ||
		!strings.Contains(err.Error(), "credential.auth") {
		t.Errorf("unknown auth accepted: %v", err)
	}
}
