package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestEventsLogShowsTheExactBytes stores bodies the way senders write
// them (indented JSON with <, > and &, a form post, bytes that are not
// UTF-8) and checks the events log gives each back byte for byte: in the
// event's JSON, never compacted or escaped, and from GET /events/{id}/body.
// A reformatting proxy is a common cause of signature failures, and only
// the exact bytes show it.
func TestEventsLogShowsTheExactBytes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		cases := []struct {
			name  string
			body  []byte
			field string // where the event's JSON carries it
		}{
			{name: "indented JSON with <>&", body: []byte("{\n  \"note\": \"<b>Tom & Jerry</b>\",\n  \"amount\": 1.50,\n  \"esc\": \"\\u00e9\"\n}\n"), field: "body"},
			{name: "form post", body: []byte("note=%3Cb%3E&who=Tom+%26+Jerry"), field: "body_text"},
			{name: "JSON that is not UTF-8", body: []byte("{\"n\":\"\xff\xfe\"}"), field: "body_base64"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ev := &store.Event{Connector: "webhook", Body: tc.body, Status: store.EventIgnored, Verification: store.VerificationOK}
				if _, err := st.InsertEvents(context.Background(), []*store.Event{ev}); err != nil {
					t.Fatal(err)
				}
				r := e.want(e.call("GET", "/api/v1/events/"+ev.ID, store.ScopeViewer, nil), http.StatusOK)
				switch tc.field {
				case "body":
					if !bytes.Contains(r.Raw, append([]byte(`"body":`), tc.body...)) {
						t.Fatalf("the event's JSON does not carry the body's exact bytes:\n%s", r.Raw)
					}
					var got struct {
						Body json.RawMessage `json:"body"`
					}
					if err := json.Unmarshal(r.Raw, &got); err != nil || !bytes.Equal(bytes.TrimSpace(got.Body), bytes.TrimSpace(tc.body)) {
						t.Fatalf("the event's JSON does not decode to the body (%v): %s", err, got.Body)
					}
				case "body_text":
					if r.str("body_text") != string(tc.body) {
						t.Fatalf("body_text %q, want %q", r.str("body_text"), tc.body)
					}
				case "body_base64":
					got, err := base64.StdEncoding.DecodeString(r.str("body_base64"))
					if err != nil || !bytes.Equal(got, tc.body) {
						t.Fatalf("body_base64 decodes to %q (%v), want %q", got, err, tc.body)
					}
				}
				raw := e.want(e.call("GET", "/api/v1/events/"+ev.ID+"/body", store.ScopeViewer, nil), http.StatusOK)
				if !bytes.Equal(raw.Raw, tc.body) {
					t.Fatalf("GET /events/{id}/body gave %q, want %q", raw.Raw, tc.body)
				}
				if ct := raw.Header.Get("Content-Type"); ct != "application/octet-stream" || raw.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Fatalf("raw body served as %q (nosniff %q)", ct, raw.Header.Get("X-Content-Type-Options"))
				}
			})
		}
		e.want(e.call("GET", "/api/v1/events/evt_nope/body", store.ScopeViewer, nil), http.StatusNotFound)
		e.want(e.call("GET", "/api/v1/events/evt_nope/body", "", nil), http.StatusUnauthorized)
	})
}
