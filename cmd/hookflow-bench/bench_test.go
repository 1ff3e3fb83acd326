package main

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/stripe"
)

// The generator's signature must be one hookflow's own Stripe verifier
// accepts; otherwise every bench run would measure 401s.
func TestStripeSignatureVerifies(t *testing.T) {
	body := stripeEvent(EventID("run", 7), 7)
	now := time.Unix(1_700_000_000, 0)
	h := http.Header{}
	h.Set("Stripe-Signature", StripeSignature("whsec_x", now, body))
	req := &connectors.Request{Method: "POST", Header: h, Body: body}
	if err := (stripe.Verifier{}).Verify(req, connectors.Values{"webhook_secret": "whsec_x"}, now); err != nil {
		t.Fatalf("hookflow's Stripe verifier rejects the generator's signature: %v", err)
	}
	evs, err := stripe.Extract(req, nil)
	if err != nil || len(evs) != 1 || evs[0].ID != "evt_run_7" || evs[0].Type != "payment_intent.succeeded" {
		t.Fatalf("extract = %+v, %v; want one payment_intent.succeeded with id evt_run_7", evs, err)
	}
}

func TestPercentiles(t *testing.T) {
	l := &Latencies{}
	for i := 1; i <= 100; i++ {
		l.Add(time.Duration(i) * time.Millisecond)
	}
	s := l.Summary()
	want := Summary{Count: 100, P50: 50, P90: 90, P99: 99, Max: 100}
	if s != want {
		t.Fatalf("summary = %+v, want %+v", s, want)
	}
	if (&Latencies{}).Summary() != (Summary{}) {
		t.Fatal("an empty distribution must summarise to zeros")
	}
}

func TestSinkCountsDuplicatesAndOutages(t *testing.T) {
	s, err := StartSink()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	post := func(key string, event ...string) int {
		req, _ := http.NewRequest("POST", s.URL(), strings.NewReader(`{"event_id":"`+key+`"}`))
		if key == "hdr" {
			req.Header.Set("Idempotency-Key", "from-header")
		}
		if len(event) > 0 {
			req.Header.Set(HeaderEvent, event[0])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, k := range []string{"a", "b", "a", "hdr"} {
		if code := post(k); code != 200 {
			t.Fatalf("POST %s = %d", k, code)
		}
	}
	s.SetDown(true)
	if code := post("c"); code != http.StatusServiceUnavailable {
		t.Fatalf("a down sink answered %d, want 503", code)
	}
	s.SetDown(false)
	distinct, dups := s.Count()
	if distinct != 3 || dups != 1 {
		t.Fatalf("count = %d distinct, %d duplicates; want 3 and 1 (c was refused while down)", distinct, dups)
	}
	if s.Resent() != 0 {
		t.Fatalf("resent = %d before any resend", s.Resent())
	}
	// One event's step sending its key again (a crash hid the first
	// outcome) is a resend; a second event with the same key is a
	// duplicate side effect.
	post("e", "evt_1")
	post("e", "evt_1")
	post("e", "evt_1")
	if _, dups = s.Count(); dups != 1 || s.Resent() != 2 {
		t.Fatalf("after one event resent its key twice: %d duplicates, %d resent; want 1 and 2", dups, s.Resent())
	}
	post("e", "evt_2")
	if _, dups = s.Count(); dups != 2 || s.Resent() != 2 {
		t.Fatalf("after a second event sent the same key: %d duplicates, %d resent; want 2 and 2", dups, s.Resent())
	}
	if _, ok := s.Arrived("from-header"); !ok {
		t.Fatal("the Idempotency-Key header must win over the body's event_id")
	}
	missing := missingAt(s, map[string]time.Time{"a": {}, "zzz": {}}, 0)
	if len(missing) != 1 || missing[0] != "zzz" {
		t.Fatalf("missing = %v, want [zzz]", missing)
	}
}

func TestChartIsWellFormedSVG(t *testing.T) {
	var buf bytes.Buffer
	pts := []Point{{T: 1, Accepted: 100, Completed: 80, Backlog: 20}, {T: 2, Accepted: 120, Completed: 130, Backlog: 10}}
	if err := WriteChart(&buf, "a & b", pts); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&buf)
	paths := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			paths++
		}
	}
	if paths != 3 {
		t.Fatalf("chart has %d series paths, want 3 (accepted, completed, backlog)", paths)
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		pg      string
		want    int
		wantErr string
	}{
		{name: "one mode", mode: "kill-server", want: 1},
		{name: "list", mode: "load,sink-down", want: 2},
		{name: "smoke without PostgreSQL leaves out db-restart", mode: "smoke", want: len(ChaosOrder) - 1},
		{name: "smoke with PostgreSQL runs everything and one topology mode", mode: "smoke", pg: "postgres://x", want: len(ChaosOrder) + 1},
		{name: "topology-all", mode: "topology-all", pg: "postgres://x", want: len(TopologyOrder)},
		{name: "topology-all without PostgreSQL", mode: "topology-all", wantErr: "topology-all needs PostgreSQL"},
		{name: "unknown", mode: "nope", wantErr: `unknown mode "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Options{Mode: tt.mode, PostgresURL: tt.pg, Conns: 50}
			got, err := expandModes(o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("modes = %v, %v; want %d", got, err, tt.want)
			}
			for _, m := range got {
				if Scenarios(o)[m] == nil {
					t.Fatalf("mode %q has no scenario", m)
				}
			}
		})
	}
}

func TestWithDatabase(t *testing.T) {
	got, err := withDatabase("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "bench_1")
	if err != nil || got != "postgres://postgres@127.0.0.1:5432/bench_1?sslmode=disable" {
		t.Fatalf("withDatabase = %q, %v", got, err)
	}
}

func TestReferenceWorkflowPointsAtTheSink(t *testing.T) {
	def, err := referenceWorkflow("../../"+DefaultWorkflowFile, "cred-x", "http://127.0.0.1:1/sink")
	if err != nil {
		t.Fatal(err)
	}
	if def["vars"].(map[string]any)["sink"] != "http://127.0.0.1:1/sink" || def["trigger"].(map[string]any)["credential"] != "cred-x" {
		t.Fatalf("sink or credential not set: %v", def)
	}
	if _, err := referenceWorkflow("no-such-file.json", "c", "s"); err == nil || !strings.Contains(err.Error(), "reading the reference workflow") {
		t.Fatalf("err = %v", err)
	}
}
