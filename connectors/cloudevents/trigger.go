package cloudevents

import (
	"embed"
	"sort"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// testdata holds the recorded deliveries (see connectors.DeliveriesFile)
// the trigger's samples come from.
//
//go:embed testdata
var testdata embed.FS

// Trigger returns the CloudEvents trigger.
func Trigger() *connectors.Trigger {
	ex := connectors.ExtractorFunc(Extract)
	samples := connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), ex)
	events := make([]string, 0, len(samples))
	for typ := range samples {
		events = append(events, typ)
	}
	sort.Strings(events)
	return &connectors.Trigger{
		Name:  "webhook",
		Title: "CloudEvents",
		Description: "Starts a run for each CloudEvent delivered over HTTP, in binary mode (ce-* headers, the body is the data), " +
			"structured mode (application/cloudevents+json) or batched mode (application/cloudevents-batch+json, one run per event). " +
			"Events are deduplicated on source + id. CloudEvents are not signed: deliveries are authenticated by a bearer token " +
			"(Authorization header or access_token query parameter, as the CloudEvents webhook spec allows) or a secret header, " +
			"compared in constant time; the body's integrity rests on TLS. The workflow sees trigger.ce (the attributes: id, source, " +
			"type, subject, time, extensions) and trigger.data (the data; trigger.data_base64 for binary data). " +
			"The webhook validation handshake (OPTIONS with WebHook-Request-Origin) is answered.",
		Setup: strings.Join([]string{
			"1. In the credential choose how the sender authenticates: bearer (a token the sender sends as \"Authorization: Bearer <token>\"), " +
				"header (a token in a header you name) or none; generate a long random token.",
			"2. In the sending system (a Knative Trigger/SinkBinding, an Event Grid subscription, a Dapr or Argo Events sink) set the sink URL to this workflow's webhook URL and configure the same token.",
			"3. Senders that validate the endpoint first (Event Grid's CloudEvents schema, the CloudEvents webhook spec) send an OPTIONS request; hookflow answers it. " +
				"To restrict who may deliver, list the sender's origin (e.g. eventgrid.azure.net) under Allowed origins.",
			"4. Send a test event and check the events log; filter by event type with the trigger's events list (the ce type, e.g. com.github.pull_request.opened).",
		}, "\n"),
		Events:           events,
		Samples:          samples,
		AnyContentType:   true,
		SignatureHeaders: []string{"Authorization", DefaultTokenHeader},
		Verifier:         Verifier{},
		Extractor:        ex,
		Handshaker:       connectors.HandshakerFunc(Handshake),
	}
}
