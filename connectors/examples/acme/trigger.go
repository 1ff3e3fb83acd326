package acme

import (
	"embed"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// testdata holds the recorded deliveries (connectors.DeliveriesFile) that
// the trigger's samples come from and its conformance tests replay.
//
//go:embed testdata
var testdata embed.FS

// ticketEvents is step 5 of the walkthrough: how Acme's webhooks arrive.
// Acme signs "<timestamp>.<raw body>" with HMAC-SHA256 under the webhook
// secret, in Acme-Signature as "sha256=<hex>", and sends the timestamp in
// Acme-Timestamp; the verifier is that scheme written as data.
func ticketEvents() *connectors.Trigger {
	return &connectors.Trigger{
		Name:        "webhook",
		Title:       "Acme ticket event",
		Description: "Starts a run for each ticket event Acme sends, deduplicated by the event id.",
		Setup:       "In the Acme dashboard open Settings → Webhooks, paste this workflow's webhook URL, and copy the signing secret into the Acme credential.",
		Events:      []string{"ticket.created", "ticket.updated", "ticket.closed"},
		Samples:     connectors.RecordedSamples(testdata, connectors.DeliveriesFile("webhook"), connectors.ExtractorFunc(extract)),
		// Headers that carry signatures are redacted in the event log.
		SignatureHeaders: []string{"Acme-Signature"},
		Verifier: signature.Keyed{Field: "webhook_secret", Scheme: signature.HMAC{
			Header: "Acme-Signature", Prefix: "sha256=",
			TimestampHeader: "Acme-Timestamp", Payload: "{timestamp}.{body}",
		}},
		Extractor: connectors.ExtractorFunc(extract),
	}
}

// extract reads one Acme event: its "id" is the dedupe key, so Acme's
// retries never run twice, and "type" is the event type. The workflow sees
// the whole event as trigger.
func extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	if err := signature.CheckJSON(r.Body); err != nil {
		return nil, fmt.Errorf("reading Acme event: %w", err)
	}
	res := gjson.GetManyBytes(r.Body, "id", "type")
	id, typ := signature.IDString(res[0]), res[1].String()
	if id == "" || typ == "" {
		return nil, fmt.Errorf(`reading Acme event: "id" and "type" are required`)
	}
	return []connectors.Event{{ID: id, Type: typ, Body: r.Body}}, nil
}
