package connectortest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/signature"
)

// Deliveries is a trigger's deliveries file (connectors.DeliveriesFile,
// testdata/<trigger>.deliveries.json) as the trigger suite reads it.
// Signatures in it must come from the provider itself (a delivery recorded
// in its test mode) or from an implementation independent of the
// connector's own code; the built-ins' were computed with Python's hmac
// module.
type Deliveries struct {
	// About says where the vectors come from.
	About string `json:"about"`
	// Trigger is the trigger's name, as a check that the file is the
	// right one.
	Trigger string `json:"trigger"`
	// Credential is what the deliveries are signed with.
	Credential connectors.Values `json:"credential"`
	// SecretField names the credential field the verifier is keyed by. It
	// must be a secret field of the connector's credential.
	SecretField string `json:"secret_field"`
	// WrongSecret replaces the secret in the wrong-secret case. The
	// default is the secret with its last character changed, which keeps
	// its shape (whsec_ and base64) and so tests the signature, not the
	// parsing of the secret.
	WrongSecret string `json:"wrong_secret,omitempty"`
	// Tolerance is set when the scheme signs a timestamp ("5m0s"): a
	// delivery verified that long after it arrived, plus a second, must
	// be refused as stale, and as far before as being from the future.
	Tolerance string `json:"tolerance,omitempty"`
	// TimestampHeader names the header that carries the signed timestamp,
	// when it has one of its own; a delivery without it is refused.
	TimestampHeader string `json:"timestamp_header,omitempty"`
	// UnsignedBody is true for schemes that authenticate the sender but
	// sign no body (Telegram's secret token): a changed body then still
	// verifies, and the suite checks that it does, so the flag cannot hide
	// a broken signature check.
	UnsignedBody bool `json:"unsigned_body,omitempty"`
	// Deliveries are the recorded requests, each with the events it must
	// yield. There must be deliveries of at least two different provider
	// events and at least one retry (SameEventAs).
	Deliveries []Delivery `json:"deliveries"`
	// Handshakes are provider handshakes (Slack's url_verification, Meta's
	// hub.challenge). A trigger with a Handshaker needs at least one.
	Handshakes []Handshake `json:"handshakes,omitempty"`
}

// Delivery is one recorded delivery with what it must yield.
type Delivery struct {
	connectors.RecordedDelivery
	// SameEventAs names an earlier delivery of the same provider event (a
	// provider retry): both must give the same dedupe keys.
	SameEventAs string `json:"same_event_as,omitempty"`
	// Options are the trigger options the extractor gets.
	Options connectors.Values `json:"options,omitempty"`
	// Events are the events it must extract, in order.
	Events []Event `json:"events"`
}

// Event is one event a delivery must yield: the provider's event id (the
// dedupe key) and type, and, where the provider documents one, when the
// event happened, at a gjson path of the body the workflow sees.
type Event struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Timestamp *BodyValue `json:"timestamp,omitempty"`
	// Fields are other values the body must hold, for extractors that
	// reshape it (a batch split into events, form fields made JSON).
	Fields []BodyValue `json:"fields,omitempty"`
}

// BodyValue is the value expected at a gjson path of an event's body, as
// gjson renders it with String.
type BodyValue struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// Handshake is a recorded handshake request and the answer it must get.
type Handshake struct {
	connectors.RecordedDelivery
	// Handled is whether the Handshaker answers it; a false case is one
	// that must fall through to verification (a forged challenge).
	Handled     bool   `json:"handled"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Response    string `json:"response,omitempty"`
}

// ReadDeliveries reads and checks the deliveries file of trigger from the
// test's working directory (the connector's package folder).
func ReadDeliveries(t testing.TB, trigger string) *Deliveries {
	t.Helper()
	file := connectors.DeliveriesFile(trigger)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("trigger %s has no golden deliveries (%v); record them in %s", trigger, err, file)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Deliveries
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &d
}

// RunTriggers runs the trigger conformance suite for every trigger of c
// against its deliveries file: one call in a connector's test file.
//
//	func TestTriggerConformance(t *testing.T) {
//		connectortest.RunTriggers(t, stripe.New())
//	}
//
// For every recorded delivery it checks that the delivery verifies, and
// that a wrong secret, a tampered body, a missing signature header, a
// credential without its secret and, where the scheme signs a timestamp, a
// missing timestamp header and a stale or future timestamp are each
// refused with a *connectors.VerifyError whose reason is the one the
// signature kit defines (signature.Reason…), never containing the secret.
// It checks that each delivery extracts the documented events (id, type,
// timestamp), that a provider retry gives the same dedupe keys and
// different events different ones, that the trigger's Samples are the
// recorded events and listed in its Events, that a truncated body is
// refused, and that handshakes get their documented answers while
// ordinary deliveries are not taken for handshakes.
func RunTriggers(t *testing.T, c connectors.Connector) {
	t.Helper()
	spec := c.Spec()
	if len(spec.Triggers) == 0 {
		t.Fatalf("%s has no triggers; RunTriggers is for connectors that receive webhooks", spec.Name)
	}
	for _, tr := range spec.Triggers {
		t.Run("trigger_"+tr.Name, func(t *testing.T) {
			s := &triggerSuite{spec: spec, tr: tr, d: ReadDeliveries(t, tr.Name), fsys: os.DirFS("."),
				dir: path.Dir(connectors.DeliveriesFile(tr.Name))}
			s.checkFile(t)
			for i := range s.d.Deliveries {
				d := &s.d.Deliveries[i]
				t.Run(d.Name, func(t *testing.T) { s.delivery(t, d) })
			}
			t.Run("dedupe_keys", s.dedupeKeys)
			t.Run("samples", s.samples)
			switch {
			case tr.JSONBody():
				t.Run("truncated_body_is_refused", s.truncated)
			case len(tr.BodyTypes) > 0:
				t.Run("truncated_body_is_refused", s.truncatedDocument)
			}
			for i := range s.d.Handshakes {
				h := &s.d.Handshakes[i]
				t.Run("handshake/"+h.Name, func(t *testing.T) { s.handshake(t, h) })
			}
		})
	}
}

type triggerSuite struct {
	spec *connectors.Spec
	tr   *connectors.Trigger
	d    *Deliveries
	fsys fs.FS
	dir  string
}

// checkFile fails on a deliveries file that could not test what the suite
// promises: too few events, no retry, an unknown or non-secret secret
// field, handshakes that do not match the trigger.
func (s *triggerSuite) checkFile(t *testing.T) {
	t.Helper()
	d := s.d
	if d.Trigger != s.tr.Name {
		t.Fatalf("deliveries file says trigger %q, want %q", d.Trigger, s.tr.Name)
	}
	var secret *connectors.Field
	for i, f := range s.spec.Credential {
		if f.Name == d.SecretField {
			secret = &s.spec.Credential[i]
		}
	}
	switch {
	case d.SecretField == "":
		t.Fatal("deliveries file names no secret_field")
	case secret == nil:
		t.Fatalf("secret_field %q is not a credential field of %s", d.SecretField, s.spec.Name)
	case !secret.Secret:
		t.Fatalf("credential field %q keys the verifier but is not marked Secret, so it would be stored and shown in clear", d.SecretField)
	case d.Credential.String(d.SecretField) == "":
		t.Fatalf("the deliveries' credential has no %s", d.SecretField)
	}
	if _, err := connectors.ValidateCredential(s.spec.Credential, d.Credential); err != nil {
		t.Fatalf("the deliveries' credential does not validate against the spec: %v", err)
	}
	if d.Tolerance != "" {
		if _, err := time.ParseDuration(d.Tolerance); err != nil {
			t.Fatalf("tolerance: %v", err)
		}
	}
	names := map[string]bool{}
	events, retries := 0, 0
	for _, dl := range d.Deliveries {
		if dl.Name == "" || names[dl.Name] {
			t.Fatalf("delivery names must be unique and not empty: %q", dl.Name)
		}
		if len(dl.Events) == 0 {
			t.Fatalf("delivery %q documents no events", dl.Name)
		}
		if dl.SameEventAs == "" {
			events++
		} else if !names[dl.SameEventAs] {
			t.Fatalf("delivery %q: same_event_as %q names no earlier delivery", dl.Name, dl.SameEventAs)
		} else {
			retries++
		}
		names[dl.Name] = true
	}
	if events < 2 || retries < 1 {
		t.Fatalf("record deliveries of at least two different events and one retry (same_event_as), to test dedupe keys; have %d events and %d retries", events, retries)
	}
	switch {
	case s.tr.Handshaker != nil && len(d.Handshakes) == 0:
		t.Fatal("the trigger has a Handshaker but the deliveries file records no handshakes")
	case s.tr.Handshaker == nil && len(d.Handshakes) > 0:
		t.Fatal("the deliveries file records handshakes but the trigger has no Handshaker")
	}
}

func (s *triggerSuite) request(t *testing.T, d *connectors.RecordedDelivery) *connectors.Request {
	t.Helper()
	r, err := d.Request(s.fsys, s.dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (s *triggerSuite) credential() connectors.Values { return clone(s.d.Credential) }

// refused checks err is a rejection whose reason is one of want, or starts
// with one of the prefixes ending in a space, and names no secret.
func (s *triggerSuite) refused(t *testing.T, err error, want ...string) {
	t.Helper()
	got := Reason(t, err)
	if got == "" {
		t.Fatalf("accepted, want a refusal with reason %s", strings.Join(want, " or "))
	}
	ok := false
	for _, w := range want {
		if got == w || (strings.HasSuffix(w, " ") && strings.HasPrefix(got, w)) {
			ok = true
		}
	}
	if !ok {
		t.Fatalf("reason = %q, want %s", got, strings.Join(want, " or "))
	}
	for _, f := range s.spec.Credential {
		if v := s.d.Credential.String(f.Name); f.Secret && len(v) >= 4 && strings.Contains(got, v) {
			t.Fatalf("reason %q contains the secret %s", got, f.Name)
		}
	}
}

func (s *triggerSuite) delivery(t *testing.T, d *Delivery) {
	v := s.tr.Verifier
	at := d.ReceivedAt
	t.Run("verifies", func(t *testing.T) {
		if got := Reason(t, v.Verify(s.request(t, &d.RecordedDelivery), s.credential(), at)); got != "" {
			t.Fatalf("the recorded delivery is refused: %s", got)
		}
		if !connectors.Authenticates(v, s.credential()) {
			t.Fatal("the verifier says the credential authenticates nobody")
		}
	})
	t.Run("wrong_secret_is_refused", func(t *testing.T) {
		cred := s.credential()
		cred[s.d.SecretField] = s.wrongSecret()
		s.refused(t, v.Verify(s.request(t, &d.RecordedDelivery), cred, at), signature.ReasonBadSignature, signature.ReasonBadCredentials)
	})
	if s.d.UnsignedBody {
		t.Run("changed_body_still_verifies_unsigned_scheme", func(t *testing.T) {
			r := s.request(t, &d.RecordedDelivery)
			r.Body = tamper(r.Body)
			if got := Reason(t, v.Verify(r, s.credential(), at)); got != "" {
				t.Fatalf("unsigned_body is set, but a changed body is refused (%s): remove the flag", got)
			}
		})
	} else {
		t.Run("tampered_body_is_refused", func(t *testing.T) {
			r := s.request(t, &d.RecordedDelivery)
			r.Body = tamper(r.Body)
			s.refused(t, v.Verify(r, s.credential(), at), signature.ReasonBadSignature)
		})
	}
	t.Run("missing_signature_header_is_refused", func(t *testing.T) {
		if len(s.tr.SignatureHeaders) == 0 {
			t.Fatal("the trigger declares no SignatureHeaders")
		}
		r := s.request(t, &d.RecordedDelivery)
		for _, h := range s.tr.SignatureHeaders {
			r.Header.Del(h)
		}
		s.refused(t, v.Verify(r, s.credential(), at), signature.ReasonMissingHeader+" ")
	})
	t.Run("missing_secret_is_refused", func(t *testing.T) {
		cred := s.credential()
		delete(cred, s.d.SecretField)
		s.refused(t, v.Verify(s.request(t, &d.RecordedDelivery), cred, at), signature.ReasonMissingSecret+" ")
	})
	if h := s.d.TimestampHeader; h != "" {
		t.Run("missing_timestamp_header_is_refused", func(t *testing.T) {
			r := s.request(t, &d.RecordedDelivery)
			r.Header.Del(h)
			got := Reason(t, v.Verify(r, s.credential(), at))
			if want := signature.ReasonMissingHeader + " " + h; !strings.EqualFold(got, want) {
				t.Fatalf("reason = %q, want %q", got, want)
			}
		})
	}
	if s.d.Tolerance != "" {
		tol, _ := time.ParseDuration(s.d.Tolerance)
		t.Run("within_tolerance_verifies", func(t *testing.T) {
			if got := Reason(t, v.Verify(s.request(t, &d.RecordedDelivery), s.credential(), at.Add(tol-time.Second))); got != "" {
				t.Fatalf("refused %s after arrival, within the %s tolerance: %s", tol-time.Second, tol, got)
			}
		})
		t.Run("stale_timestamp_is_refused", func(t *testing.T) {
			s.refused(t, v.Verify(s.request(t, &d.RecordedDelivery), s.credential(), at.Add(tol+time.Second)), signature.ReasonStaleTimestamp)
		})
		t.Run("future_timestamp_is_refused", func(t *testing.T) {
			s.refused(t, v.Verify(s.request(t, &d.RecordedDelivery), s.credential(), at.Add(-tol-time.Second)), signature.ReasonFutureTimestamp)
		})
	}
	t.Run("extracts_the_documented_events", func(t *testing.T) {
		events, err := s.tr.Extractor.Extract(s.request(t, &d.RecordedDelivery), d.Options)
		if err != nil {
			t.Fatalf("extracting: %v", err)
		}
		if len(events) != len(d.Events) {
			t.Fatalf("extracted %d events, the file documents %d: %s", len(events), len(d.Events), describe(events))
		}
		for i, want := range d.Events {
			got := events[i]
			if got.ID != want.ID || got.Type != want.Type {
				t.Errorf("event %d = id %q type %q, want id %q type %q", i, got.ID, got.Type, want.ID, want.Type)
			}
			if !json.Valid(got.Body) {
				t.Errorf("event %d: body is not JSON: %s", i, got.Body)
			}
			checks := want.Fields
			if want.Timestamp != nil {
				checks = append([]BodyValue{*want.Timestamp}, checks...)
			}
			for _, c := range checks {
				if v := gjson.GetBytes(got.Body, c.Path); !v.Exists() || v.String() != c.Value {
					t.Errorf("event %d: %s = %q, want %q", i, c.Path, v.String(), c.Value)
				}
			}
		}
	})
	if s.tr.Handshaker != nil {
		t.Run("is_not_a_handshake", func(t *testing.T) {
			if _, handled := s.tr.Handshaker.Handshake(s.request(t, &d.RecordedDelivery), s.credential()); handled {
				t.Fatal("an ordinary delivery was answered as a handshake and would start no run")
			}
		})
	}
}

// wrongSecret is the secret the wrong-secret case verifies with.
func (s *triggerSuite) wrongSecret() string {
	if s.d.WrongSecret != "" {
		return s.d.WrongSecret
	}
	secret := s.d.Credential.String(s.d.SecretField)
	last := secret[len(secret)-1]
	repl := byte('x')
	if last == 'x' {
		repl = 'y'
	}
	return secret[:len(secret)-1] + string(repl)
}

// tamper changes the last digit of body, as a forger raising an amount
// would, keeping JSON and form bodies parseable; a body without digits
// gets a trailing space.
func tamper(body []byte) []byte {
	out := bytes.Clone(body)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] >= '0' && out[i] <= '9' {
			out[i] = '0' + (out[i]-'0'+1)%10
			return out
		}
	}
	return append(out, ' ')
}

func describe(events []connectors.Event) string {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = e.ID + " " + e.Type
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// extracted returns the ids each delivery yields, by delivery name.
func (s *triggerSuite) extracted(t *testing.T) map[string][]string {
	t.Helper()
	ids := map[string][]string{}
	for i := range s.d.Deliveries {
		d := &s.d.Deliveries[i]
		events, err := s.tr.Extractor.Extract(s.request(t, &d.RecordedDelivery), d.Options)
		if err != nil {
			t.Fatalf("delivery %q: extracting: %v", d.Name, err)
		}
		for _, e := range events {
			ids[d.Name] = append(ids[d.Name], e.ID)
		}
	}
	return ids
}

// dedupeKeys checks that a retried delivery gives the same keys as the
// delivery it repeats, and that deliveries of different events share none.
func (s *triggerSuite) dedupeKeys(t *testing.T) {
	ids := s.extracted(t)
	// group names each delivery's original.
	group := map[string]string{}
	for _, d := range s.d.Deliveries {
		group[d.Name] = d.Name
		if d.SameEventAs != "" {
			group[d.Name] = group[d.SameEventAs]
		}
	}
	owner := map[string]string{}
	for _, d := range s.d.Deliveries {
		if d.SameEventAs != "" {
			if !slices.Equal(ids[d.Name], ids[d.SameEventAs]) {
				t.Errorf("%q is a retry of %q but its dedupe keys %v differ from %v, so the retry would run again",
					d.Name, d.SameEventAs, ids[d.Name], ids[d.SameEventAs])
			}
			continue
		}
		for _, id := range ids[d.Name] {
			if id == "" {
				t.Errorf("%q yields an event with an empty id", d.Name)
			}
			if o, dup := owner[id]; dup && group[o] != group[d.Name] {
				t.Errorf("%q and %q are different events but share the dedupe key %q, so one would be dropped", o, d.Name, id)
			}
			owner[id] = d.Name
		}
	}
}

// samples checks the trigger's Samples are the first event of each type
// the recorded deliveries yield without options, as
// connectors.RecordedSamples builds them, and that the UI's event picker
// lists each.
func (s *triggerSuite) samples(t *testing.T) {
	want := map[string]json.RawMessage{}
	var order []string
	for i := range s.d.Deliveries {
		events, err := s.tr.Extractor.Extract(s.request(t, &s.d.Deliveries[i].RecordedDelivery), nil)
		if err != nil {
			t.Fatalf("delivery %q without options: %v", s.d.Deliveries[i].Name, err)
		}
		for _, e := range events {
			if _, ok := want[e.Type]; !ok {
				want[e.Type] = e.Body
				order = append(order, e.Type)
			}
		}
	}
	for _, typ := range order {
		got, ok := s.tr.Samples[typ]
		switch {
		case !ok:
			t.Errorf("no sample for %s; build Samples with connectors.RecordedSamples from %s", typ, connectors.DeliveriesFile(s.tr.Name))
		case !bytes.Equal(got, want[typ]):
			t.Errorf("sample for %s is not the recorded event:\n%s\nwant\n%s", typ, got, want[typ])
		}
		if len(s.tr.Events) > 0 && !slices.Contains(s.tr.Events, typ) {
			t.Errorf("sample type %s is not among the trigger's Events, which the UI's event picker offers", typ)
		}
	}
	for typ := range s.tr.Samples {
		if _, ok := want[typ]; !ok {
			t.Errorf("sample for %s comes from no recorded delivery", typ)
		}
	}
}

// truncated checks a JSON trigger refuses half a body with the JSON
// checker's message, which the pipeline answers 400 with.
func (s *triggerSuite) truncated(t *testing.T) {
	r := s.request(t, &s.d.Deliveries[0].RecordedDelivery)
	r.Body = r.Body[:len(r.Body)/2]
	_, err := s.tr.Extractor.Extract(r, s.d.Deliveries[0].Options)
	if err == nil || !strings.Contains(err.Error(), "malformed JSON body") {
		t.Fatalf("half a body gave %v, want an error saying the JSON body is malformed", err)
	}
}

// truncatedDocument checks a trigger of another body type (BodyTypes:
// Salesforce's SOAP) refuses half a body: a cut XML document, unlike a
// cut form, is never a complete one.
func (s *triggerSuite) truncatedDocument(t *testing.T) {
	r := s.request(t, &s.d.Deliveries[0].RecordedDelivery)
	r.Body = r.Body[:len(r.Body)/2]
	if events, err := s.tr.Extractor.Extract(r, s.d.Deliveries[0].Options); err == nil {
		t.Fatalf("half a body gave %d events and no error, want it refused as malformed", len(events))
	}
}

func (s *triggerSuite) handshake(t *testing.T, h *Handshake) {
	resp, handled := s.tr.Handshaker.Handshake(s.request(t, &h.RecordedDelivery), s.credential())
	if handled != h.Handled {
		t.Fatalf("handled = %v, want %v", handled, h.Handled)
	}
	if !handled {
		return
	}
	if resp == nil {
		t.Fatal("handled with no response")
	}
	if resp.Status != h.Status || resp.ContentType != h.ContentType || string(resp.Body) != h.Response {
		t.Fatalf("response = %d %q %q, want %d %q %q", resp.Status, resp.ContentType, resp.Body, h.Status, h.ContentType, h.Response)
	}
}
