package triggers

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// acceptAll is a verifier for the acknowledgement test: the reply, not
// authentication, is under test.
type acceptAll struct{}

func (acceptAll) Verify(*connectors.Request, connectors.Values, time.Time) error { return nil }

// TestTriggerAckReplacesTheReceipt checks that a trigger declaring Ack
// (Twilio's TwiML, Salesforce's SOAP acknowledgement) gets exactly that
// reply for a stored, a duplicate and an empty delivery, while refusals
// keep hookflow's own error replies.
func TestTriggerAckReplacesTheReceipt(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ack := &connectors.Response{Status: http.StatusOK, ContentType: "text/xml", Body: []byte(`<?xml version="1.0" encoding="UTF-8"?><Response/>`)}
		trig := &connectors.Trigger{Name: "webhook", Title: "Acked", Ack: ack, Verifier: acceptAll{},
			Extractor: connectors.ExtractorFunc(func(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
				var body struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(r.Body, &body); err != nil {
					return nil, err
				}
				if body.ID == "" {
					return nil, nil
				}
				return []connectors.Event{{ID: body.ID, Type: "thing", Body: r.Body}}, nil
			})}
		if err := e.reg.Register(&connectors.Spec{Name: "acked", Title: "Acked", Triggers: []*connectors.Trigger{trig}}); err != nil {
			t.Fatal(err)
		}
		ep := e.workflow("acked", `{"type":"webhook","connector":"acked"}`, store.NewEndpoint{MaxBodyBytes: 64})
		post := func(body string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return e.do(r)
		}
		for _, tc := range []struct{ name, body string }{
			{"stored", `{"id":"a1"}`},
			{"duplicate", `{"id":"a1"}`},
			{"empty", `{}`},
		} {
			w := post(tc.body)
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml" || w.Body.String() != string(ack.Body) {
				t.Fatalf("%s delivery: got %d %q %q, want the trigger's TwiML acknowledgement", tc.name, w.Code, w.Header().Get("Content-Type"), w.Body.String())
			}
		}
		e.starter.waitRun(t)
		var statuses []string
		for _, ev := range e.events(ep.ID) {
			statuses = append(statuses, ev.Status)
		}
		if strings.Count(strings.Join(statuses, ","), store.EventIgnored) != 1 || e.starter.count() != 1 {
			t.Fatalf("want one run and one ignored delivery behind the acknowledgements, got statuses %v and %d runs", statuses, e.starter.count())
		}
		if w := post(`{"id":"` + strings.Repeat("x", 100) + `"}`); w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("an oversized delivery must keep hookflow's refusal, got %d %s", w.Code, w.Body.String())
		}
	})
}

// TestBodyTypesAdmitsTheirMediaType checks that a trigger declaring
// BodyTypes (Salesforce's SOAP "text/xml") gets its deliveries through the
// content-type check, with the limits applied to the events its extractor
// builds, while a JSON-only trigger still refuses that media type.
func TestBodyTypesAdmitsTheirMediaType(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		extract := connectors.ExtractorFunc(func(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
			id, ok := strings.CutPrefix(string(r.Body), "<Id>")
			if !ok {
				return nil, errors.New("not a document")
			}
			id = strings.TrimSuffix(id, "</Id>")
			return []connectors.Event{{ID: id, Type: "thing", Body: json.RawMessage(`{"id":"` + id + `"}`)}}, nil
		})
		for _, tr := range []*connectors.Trigger{
			{Name: "webhook", Title: "XML", BodyTypes: []string{"text/xml"}, Verifier: acceptAll{}, Extractor: extract},
			{Name: "webhook", Title: "JSON", Verifier: acceptAll{}, Extractor: extract},
		} {
			name := strings.ToLower(tr.Title) + "_only"
			if err := e.reg.Register(&connectors.Spec{Name: name, Title: tr.Title, Triggers: []*connectors.Trigger{tr}}); err != nil {
				t.Fatal(err)
			}
		}
		post := func(connector string) *httptest.ResponseRecorder {
			ep := e.workflow(connector, `{"type":"webhook","connector":"`+connector+`"}`, store.NewEndpoint{})
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, strings.NewReader(`<Id>n1</Id>`))
			r.Header.Set("Content-Type", "text/xml; charset=utf-8")
			return e.do(r)
		}
		if w := post("xml_only"); w.Code != http.StatusAccepted {
			t.Fatalf("text/xml to a BodyTypes trigger: got %d %s, want 202", w.Code, w.Body.String())
		}
		w := post("json_only")
		if w.Code != http.StatusUnsupportedMediaType || !strings.Contains(w.Body.String(), "this endpoint accepts application/json") {
			t.Fatalf("text/xml to a JSON trigger: got %d %s, want 415 naming application/json", w.Code, w.Body.String())
		}
	})
}

// TestSalesforceOutboundMessageEndToEnd sends a recorded Salesforce
// Outbound Message (SOAP text/xml, Basic credentials in the endpoint URL)
// through the whole pipeline: it is answered with the SOAP
// acknowledgement, its two notifications are stored as two events, a
// resend is acknowledged again without a second run, and a wrong password
// is refused with hookflow's own 401.
func TestSalesforceOutboundMessageEndToEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.credential("sf-org", "salesforce", connectors.Values{"organization_id": "00D5g000004ABCDEAQ",
			"webhook_username": "salesforce", "webhook_password": "om-Pw-7Hq2xZ4rT9"})
		ep := e.workflow("sf", `{"type":"webhook","connector":"salesforce","credential":"sf-org"}`, store.NewEndpoint{})
		body, err := os.ReadFile("../connectors/salesforce/testdata/opportunity_batch.xml")
		if err != nil {
			t.Fatal(err)
		}
		post := func(password string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+ep.Token, bytes.NewReader(body))
			r.Header.Set("Content-Type", "text/xml; charset=utf-8")
			r.Header.Set("SOAPAction", `""`)
			r.SetBasicAuth("salesforce", password)
			return e.do(r)
		}
		for _, attempt := range []string{"first", "resent"} {
			w := post("om-Pw-7Hq2xZ4rT9")
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml; charset=utf-8" ||
				!strings.Contains(w.Body.String(), "<Ack>true</Ack>") {
				t.Fatalf("%s delivery: got %d %q %s, want the SOAP acknowledgement", attempt, w.Code, w.Header().Get("Content-Type"), w.Body.String())
			}
		}
		if w := post("guess"); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "<Ack>") {
			t.Fatalf("wrong password: got %d %s, want hookflow's 401 and no acknowledgement", w.Code, w.Body.String())
		}
		e.starter.waitRun(t) // one run per notification
		e.starter.waitRun(t)
		var stored []string
		for _, ev := range e.events(ep.ID) {
			if ev.EventType == "Opportunity" && ev.DedupeKey != "" {
				stored = append(stored, ev.DedupeKey)
			}
		}
		if len(stored) != 2 || e.starter.count() != 2 {
			t.Fatalf("stored %v and started %d runs, want the two notifications once each", stored, e.starter.count())
		}
	})
}
