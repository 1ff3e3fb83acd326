// Package cloudevents is the CloudEvents connector: a trigger that accepts
// events over the CloudEvents HTTP protocol binding (binary, structured and
// batched content modes), answers the HTTP Web Hooks abuse-protection
// handshake, and dedupes on source + id; and Encode, which the webhook
// connector's send action uses to deliver its events as CloudEvents.
//
// Parsing and encoding use the CNCF SDK (github.com/cloudevents/sdk-go/v2).
// Its binding packages read a message from an http.Header and an
// io.Reader, so the extractor hands them the raw bytes the ingest pipeline
// already read and verified: nothing is read from the network twice, and
// nothing is parsed before the verifier ran. The SDK's HTTP server
// (client.StartReceiver, the protocol's OptionsHandler) is not used: the
// pipeline owns the socket, the body limits and the inbox.
package cloudevents

import (
	"github.com/hookflow/hookflow/connectors"
)

// Name is the connector's name in definitions.
const Name = "cloudevents"

// New returns the CloudEvents connector's spec.
func New() *connectors.Spec {
	return &connectors.Spec{
		Name:  Name,
		Title: "CloudEvents",
		Description: "Start workflows from any system that emits CloudEvents over HTTP (Knative, Azure Event Grid, " +
			"Argo Events, Dapr and others): binary, structured and batched modes, with the webhook validation handshake.",
		Icon:       "/ui/icons/cloudevents.svg",
		DocsURL:    "https://github.com/cloudevents/spec/blob/main/cloudevents/bindings/http-protocol-binding.md",
		Credential: TriggerCredential,
		Triggers:   []*connectors.Trigger{Trigger()},
	}
}
