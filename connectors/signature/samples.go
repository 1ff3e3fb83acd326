package signature

import (
	"encoding/json"

	"github.com/hookflow/hookflow/connectors"
)

// SamplesFrom runs ex over recorded deliveries and keeps the first event
// body of each type. Triggers build their Samples this way from the same
// testdata their tests use, so the samples the UI offers for field picking
// are exactly what a workflow would receive. A delivery that fails to
// extract is skipped; each provider's tests check its samples are complete.
func SamplesFrom(ex connectors.Extractor, options connectors.Values, reqs ...*connectors.Request) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, r := range reqs {
		events, err := ex.Extract(r, options)
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
