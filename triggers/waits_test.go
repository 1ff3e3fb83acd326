package triggers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// qualifyTrigger is the feeding side of the "wait for a qualified event"
// pattern: a generic webhook naming the type and the correlation key.
const qualifyTrigger = `{"type":"webhook","connector":"webhook","credential":"hook-bearer","events":["qualified"],
"options":{"type_path":"event"},"correlation_key":"contact_id"}`

func bearerPost(token, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/"+token, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+webhookBearer)
	return r
}

func TestAcceptedEventsAreOfferedToWaitingRuns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("qualified", qualifyTrigger, store.NewEndpoint{})
		markWaited(t, st, "qualified")
		body := `{"event":"qualified","contact_id":42,"stage":"sql"}`

		w := e.do(bearerPost(ep.Token, body))
		rep := reply(t, w)
		if w.Code != http.StatusAccepted || rep.Status != StatusAccepted {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		ev := waitStatus(t, st, rep.EventID, store.EventDispatched)
		want := []interpreter.EventSignal{
			{Type: "qualified", Key: "42", EventID: ev.ID, Payload: json.RawMessage(body)},
			{Type: "qualified", Key: "", EventID: ev.ID, Payload: json.RawMessage(body)}, // waits without a key
		}
		if got := e.starter.signals(); !sameSignals(got, want) {
			t.Fatalf("signals %+v, want %+v", got, want)
		}

		// The provider's retry is a duplicate: no run, no second offer.
		w = e.do(bearerPost(ep.Token, body))
		if rep := reply(t, w); rep.Status != StatusDuplicate {
			t.Fatalf("second delivery: %d %s", w.Code, w.Body)
		}
		// An event the trigger does not want is ignored and offered to nobody.
		w = e.do(bearerPost(ep.Token, `{"event":"unqualified","contact_id":42}`))
		if rep := reply(t, w); rep.Status != StatusIgnored {
			t.Fatalf("other type: %d %s", w.Code, w.Body)
		}
		// A rejected (unauthenticated) delivery is offered to nobody.
		r := bearerPost(ep.Token, `{"event":"qualified","contact_id":7}`)
		r.Header.Set("Authorization", "Bearer wrong")
		if w := e.do(r); w.Code != http.StatusUnauthorized {
			t.Fatalf("forged delivery: %d %s", w.Code, w.Body)
		}
		// A later accepted event proves the dispatcher has caught up: had
		// the duplicate, ignored or rejected ones been offered, they would
		// be listed before it.
		w = e.do(bearerPost(ep.Token, `{"event":"qualified","contact_id":"c-7"}`))
		last := waitStatus(t, st, reply(t, w).EventID, store.EventDispatched)
		got := e.starter.signals()
		if len(got) != 4 || got[2].EventID != last.ID || got[2].Key != "c-7" || got[3].Key != "" {
			t.Fatalf("signals after the other deliveries: %+v", got)
		}
		if e.starter.count() != 2 {
			t.Fatalf("%d runs, want 2 (each accepted event also starts its own workflow)", e.starter.count())
		}
	})
}

func markWaited(t *testing.T, st *store.Store, typ string) {
	t.Helper()
	if err := st.MarkWaitedFor(context.Background(), typ); err != nil {
		t.Fatal(err)
	}
}

// TestEventsNobodyWaitsForAreNotOffered checks the dispatcher skips the
// offer for a type no wait_for_event step has registered, and makes it
// for the next event once a wait has (store.MarkWaitedFor), although the
// first answer was no.
func TestEventsNobodyWaitsForAreNotOffered(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("qualified", qualifyTrigger, store.NewEndpoint{})
		w := e.do(bearerPost(ep.Token, `{"event":"qualified","contact_id":1}`))
		waitStatus(t, st, reply(t, w).EventID, store.EventDispatched)
		if got := e.starter.signals(); len(got) != 0 {
			t.Fatalf("an event nobody waits for was offered: %+v", got)
		}
		markWaited(t, st, "qualified")
		w = e.do(bearerPost(ep.Token, `{"event":"qualified","contact_id":2}`))
		ev := waitStatus(t, st, reply(t, w).EventID, store.EventDispatched)
		if got := e.starter.signals(); len(got) != 2 || got[0].EventID != ev.ID || got[0].Key != "2" || got[1].Key != "" {
			t.Fatalf("signals once a wait registered the type: %+v", got)
		}
		if e.starter.count() != 2 {
			t.Fatalf("%d runs, want 2: skipping the offer must not skip the run", e.starter.count())
		}
	})
}

// TestFailedSignalKeepsTheEventPending checks the offer is as durable as
// the start: when signalling fails the event stays pending with the
// reason, and the sweeper's retry (whose start is a no-op) offers it again
// before the event is marked dispatched.
func TestFailedSignalKeepsTheEventPending(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("qualified", qualifyTrigger, store.NewEndpoint{})
		markWaited(t, st, "qualified")
		e.starter.mu.Lock()
		e.starter.failSignals = 1
		e.starter.mu.Unlock()
		w := e.do(bearerPost(ep.Token, `{"event":"qualified","contact_id":42}`))
		id := reply(t, w).EventID
		var ev store.Event
		for range 3000 {
			ev, _ = st.GetEvent(context.Background(), id)
			if strings.Contains(ev.Reason, "signal attempt 1 failed") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if ev.Status != store.EventPending || !strings.Contains(ev.Reason, "signal attempt 1 failed (the run started)") || ev.NextDispatchAt == nil {
			t.Fatalf("after a failed signal: %+v", ev)
		}
		if len(e.starter.signals()) != 0 || e.starter.count() != 1 {
			t.Fatalf("signals %v, runs %d", e.starter.signals(), e.starter.count())
		}
		e.clock.Add(e.svc.Dispatcher.cfg.BackoffMax)
		if n := e.svc.Dispatcher.Sweep(context.Background()); n != 1 {
			t.Fatalf("swept %d, want 1", n)
		}
		waitStatus(t, st, id, store.EventDispatched)
		if got := e.starter.signals(); len(got) != 2 || got[0].EventID != id || got[0].Key != "42" {
			t.Fatalf("signals after the retry: %+v", got)
		}
		if e.starter.count() != 1 {
			t.Fatalf("%d runs after the retry, want 1", e.starter.count())
		}
	})
}

func TestWaitSignals(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		body     string
		evType   string
		wantKeys []string // Key of each signal, in order
	}{
		{name: "number key", path: "contact_id", body: `{"contact_id":42}`, evType: "qualified", wantKeys: []string{"42", ""}},
		{name: "number in JSON form", path: "amount", body: `{"amount":1.50}`, evType: "t", wantKeys: []string{"1.5", ""}},
		{name: "large id keeps its digits", path: "objectId", body: `{"objectId":12345678901}`, evType: "t", wantKeys: []string{"12345678901", ""}},
		{name: "string key", path: "data.contact", body: `{"data":{"contact":"c-42"}}`, evType: "t", wantKeys: []string{"c-42", ""}},
		{name: "boolean key", path: "vip", body: `{"vip":true}`, evType: "t", wantKeys: []string{"true", ""}},
		{name: "query", path: "contacts.#(role==\"owner\").id", body: `{"contacts":[{"role":"cc","id":1},{"role":"owner","id":2}]}`, evType: "t", wantKeys: []string{"2", ""}},
		{name: "missing value is no key", path: "contact_id", body: `{"other":1}`, evType: "t", wantKeys: []string{""}},
		{name: "object is no key", path: "contact", body: `{"contact":{"id":1}}`, evType: "t", wantKeys: []string{""}},
		{name: "no correlation_key", path: "", body: `{"contact_id":42}`, evType: "t", wantKeys: []string{""}},
		{name: "no type is offered to nobody", path: "contact_id", body: `{"contact_id":42}`, evType: "", wantKeys: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := waitSignals(store.Event{ID: "evt_1", EventType: tt.evType, Body: []byte(tt.body)}, tt.path, nil)
			var keys []string
			for _, s := range got {
				keys = append(keys, s.Key)
				if s.EventID != "evt_1" || s.Type != tt.evType || string(s.Payload) != tt.body {
					t.Errorf("signal %+v does not carry the event", s)
				}
			}
			if strings.Join(keys, "|") != strings.Join(tt.wantKeys, "|") || len(keys) != len(tt.wantKeys) {
				t.Errorf("keys %q, want %q", keys, tt.wantKeys)
			}
		})
	}
	// The trigger side and the wait side agree on numbers: the wait's key
	// is the JSON form of the decoded value (interpreter keyString).
	var decoded any
	_ = json.Unmarshal([]byte(`12345678901`), &decoded)
	waitSide, _ := json.Marshal(decoded)
	if got := CorrelationKey(gjson.Parse(`12345678901`)); got != string(waitSide) {
		t.Errorf("trigger key %q, wait key %q", got, waitSide)
	}
}

func sameSignals(a, b []interpreter.EventSignal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].Key != b[i].Key || a[i].EventID != b[i].EventID || string(a[i].Payload) != string(b[i].Payload) {
			return false
		}
	}
	return true
}
