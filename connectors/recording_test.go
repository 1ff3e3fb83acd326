package connectors_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hookflow/hookflow/connectors"
)

// typeExtractor yields one event typed by the "kind" query parameter of
// the delivery's URL, with the body as it is.
type typeExtractor struct{}

func (typeExtractor) Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		return nil, nil
	}
	return []connectors.Event{{ID: kind, Type: kind, Body: r.Body}}, nil
}

func TestReadDeliveries(t *testing.T) {
	fsys := fstest.MapFS{
		"testdata/webhook.deliveries.json": {Data: []byte(`{"deliveries": [
			{"name": "first", "url": "https://h.example/x?kind=a", "headers": {"x-sig": "s1"}, "body_file": "a.json", "received_at": "2024-06-10T06:13:20Z"},
			{"name": "second of a", "method": "put", "url": "https://h.example/x?kind=a", "body": "{\"n\":2}"},
			{"name": "b", "url": "https://h.example/x?kind=b", "body": "{\"n\":3}"}]}`)},
		"testdata/a.json":         {Data: []byte(`{"n":1}`)},
		"testdata/both.json":      {Data: []byte(`{"deliveries": [{"name": "both", "body": "{}", "body_file": "a.json"}]}`)},
		"testdata/missing.json":   {Data: []byte(`{"deliveries": [{"name": "gone", "body_file": "nope.json"}]}`)},
		"testdata/notjson.json":   {Data: []byte(`{"deliveries": [`)},
		"testdata/badurl.json":    {Data: []byte(`{"deliveries": [{"name": "u", "url": "http://[::1"}]}`)},
		"testdata/emptybody.json": {Data: []byte(`{"deliveries": [{"name": "e"}]}`)},
	}
	reqs, err := connectors.ReadDeliveries(fsys, connectors.DeliveriesFile("webhook"))
	if err != nil {
		t.Fatal(err)
	}
	first := reqs[0]
	if first.Method != http.MethodPost || string(first.Body) != `{"n":1}` || first.Header.Get("X-Sig") != "s1" ||
		!first.Received.Equal(time.Date(2024, 6, 10, 6, 13, 20, 0, time.UTC)) || first.URL.Host != "h.example" {
		t.Fatalf("first = %+v", first)
	}
	if reqs[1].Method != http.MethodPut {
		t.Errorf("method = %q, want PUT", reqs[1].Method)
	}
	samples := connectors.RecordedSamples(fsys, connectors.DeliveriesFile("webhook"), typeExtractor{})
	if got, _ := json.Marshal(samples); string(got) != `{"a":{"n":1},"b":{"n":3}}` {
		t.Errorf("samples = %s, want the first event of each type", got)
	}

	errs := []struct {
		name string
		file string
		want string
	}{
		{name: "body_and_body_file", file: "testdata/both.json", want: `delivery "both": set body or body_file, not both`},
		{name: "missing_body_file", file: "testdata/missing.json", want: `delivery "gone": reading body_file: open testdata/nope.json`},
		{name: "not_json", file: "testdata/notjson.json", want: "reading deliveries testdata/notjson.json: unexpected end of JSON input"},
		{name: "bad_url", file: "testdata/badurl.json", want: `delivery "u": parsing url:`},
		{name: "no_file", file: "testdata/none.json", want: "reading deliveries: open testdata/none.json"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := connectors.ReadDeliveries(fsys, tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if s := connectors.RecordedSamples(fsys, tc.file, typeExtractor{}); len(s) != 0 {
				t.Errorf("samples from a broken file = %v, want none", s)
			}
		})
	}
	if reqs, err := connectors.ReadDeliveries(fsys, "testdata/emptybody.json"); err != nil || reqs[0].URL != nil || len(reqs[0].Body) != 0 {
		t.Errorf("a delivery with only a name = %+v, %v", reqs, err)
	}
}
