package connectors

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// DeliveriesFile is where a connector package keeps the recorded
// deliveries of one of its triggers: testdata/<trigger>.deliveries.json.
//
// The file is the trigger's single source of sample data. The trigger
// embeds it and builds its Samples from it (RecordedSamples), and
// connectortest.RunTriggers replays it as golden vectors: each delivery
// must verify, refuse a wrong secret, a tampered body and a missing
// header, extract the events the file documents, and give a provider
// retry the same dedupe key. Besides the deliveries, the file holds what
// only the tests read (the credential the deliveries are signed with, the
// expected events, handshakes); see connectortest for its whole format.
func DeliveriesFile(trigger string) string {
	return path.Join("testdata", trigger+".deliveries.json")
}

// RecordedDelivery is one webhook request as the provider sends it, as
// written in a deliveries file.
type RecordedDelivery struct {
	// Name says what the delivery is, e.g. "payment_intent.succeeded" or
	// "the same event, retried".
	Name string `json:"name"`
	// Method defaults to POST.
	Method string `json:"method,omitempty"`
	// URL is the public URL the provider called; schemes that sign it
	// (HubSpot, Twilio) need it.
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the raw body; BodyFile names a file beside the deliveries
	// file holding it instead, so a recorded payload is kept once.
	Body     string `json:"body,omitempty"`
	BodyFile string `json:"body_file,omitempty"`
	// ReceivedAt is when the delivery arrived. For schemes that sign a
	// timestamp it is the signed time, which verifiers compare to the
	// clock.
	ReceivedAt time.Time `json:"received_at"`
}

// Request builds the *Request the ingestion pipeline would hand the
// trigger. dir is the folder of the deliveries file in fsys, where
// BodyFile is read from.
func (d *RecordedDelivery) Request(fsys fs.FS, dir string) (*Request, error) {
	body := []byte(d.Body)
	if d.BodyFile != "" {
		if d.Body != "" {
			return nil, fmt.Errorf("delivery %q: set body or body_file, not both", d.Name)
		}
		var err error
		if body, err = fs.ReadFile(fsys, path.Join(dir, d.BodyFile)); err != nil {
			return nil, fmt.Errorf("delivery %q: reading body_file: %w", d.Name, err)
		}
	}
	r := &Request{Method: strings.ToUpper(d.Method), Header: http.Header{}, Body: body, Received: d.ReceivedAt}
	if r.Method == "" {
		r.Method = http.MethodPost
	}
	for k, v := range d.Headers {
		r.Header.Set(k, v)
	}
	if d.URL != "" {
		u, err := url.Parse(d.URL)
		if err != nil {
			return nil, fmt.Errorf("delivery %q: parsing url: %w", d.Name, err)
		}
		r.URL = u
	}
	return r, nil
}

// ReadDeliveries reads the deliveries recorded in the file at file in
// fsys, as requests in file order.
func ReadDeliveries(fsys fs.FS, file string) ([]*Request, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("reading deliveries: %w", err)
	}
	var rec struct {
		Deliveries []RecordedDelivery `json:"deliveries"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("reading deliveries %s: %w", file, err)
	}
	reqs := make([]*Request, 0, len(rec.Deliveries))
	for i := range rec.Deliveries {
		r, err := rec.Deliveries[i].Request(fsys, path.Dir(file))
		if err != nil {
			return nil, fmt.Errorf("reading deliveries %s: %w", file, err)
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

// RecordedSamples runs ex over the deliveries recorded in file (see
// DeliveriesFile) and keeps the first event body of each type: the samples
// the UI offers for field picking are then exactly what a workflow
// receives from the deliveries the connector's tests verify. Deliveries
// are extracted without trigger options, as a new workflow has none.
//
// A trigger builds its Samples with it at start-up, so it does not fail:
// a file that is missing or does not parse, or a delivery that does not
// extract, gives no samples, and connectortest.RunTriggers fails on that.
func RecordedSamples(fsys fs.FS, file string, ex Extractor) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	reqs, err := ReadDeliveries(fsys, file)
	if err != nil {
		return out
	}
	for _, r := range reqs {
		events, err := ex.Extract(r, nil)
		if err != nil {
			continue
		}
		for _, e := range events {
			if _, ok := out[e.Type]; !ok {
				out[e.Type] = e.Body
			}
		}
	}
	return out
}
