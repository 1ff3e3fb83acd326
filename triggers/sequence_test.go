package triggers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/metrics"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestParseSequence(t *testing.T) {
	at := time.Date(2026, 12, 2, 3, 0, 5, 0, time.UTC)
	tests := []struct {
		name, in string
		want     int64
		wantErr  string
	}{
		{name: "unix seconds (Stripe created)", in: "1796180405", want: at.UnixNano()},
		{name: "unix milliseconds (HubSpot occurredAt)", in: "1796180405123", want: at.UnixNano() + 123e6},
		{name: "unix microseconds", in: "1796180405123456", want: at.UnixNano() + 123456e3},
		{name: "unix nanoseconds", in: "1796180405123456789", want: at.UnixNano() + 123456789},
		{name: "decimal seconds", in: "1796180405.5", want: at.UnixNano() + 5e8},
		{name: "RFC 3339 (Shopify X-Shopify-Triggered-At)", in: "2026-12-02T03:00:05.877041743Z", want: at.UnixNano() + 877041743},
		{name: "RFC 3339 with an offset", in: "2026-12-02T04:00:05+01:00", want: at.UnixNano()},
		{name: "a small counter reads as seconds and still orders", in: "7", want: 7e9},
		{name: "zero", in: "0", want: 0},
		{name: "spaces around", in: " 1796180405 ", want: at.UnixNano()},
		{name: "empty", in: "", wantErr: "it is empty"},
		{name: "negative", in: "-5", wantErr: "-5 is negative"},
		{name: "words", in: "yesterday", wantErr: `"yesterday" is neither a number nor an RFC 3339 time`},
		{name: "a date without a time", in: "2026-12-02", wantErr: `"2026-12-02" is neither a number nor an RFC 3339 time`},
		{name: "out of range", in: "9999-01-01T00:00:00Z", wantErr: `"9999-01-01T00:00:00Z" is outside the years 1678 to 2261`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSequence(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("parseSequence(%q) = %d, %v; want error %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseSequence(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSequenceOf(t *testing.T) {
	ev := store.Event{Headers: map[string]string{"X-Shopify-Triggered-At": "2026-12-02T03:00:05Z"},
		Body: []byte(`{"created": 1796180405, "occurredAt": "1796180405000", "gone": null, "obj": {}}`)}
	want := time.Date(2026, 12, 2, 3, 0, 5, 0, time.UTC).UnixNano()
	tests := []struct {
		name, source, wantErr string
	}{
		{name: "number in the body", source: "created"},
		{name: "numeric string in the body", source: "occurredAt"},
		{name: "header, any case", source: "header:x-shopify-triggered-at"},
		{name: "missing header", source: "header:X-Seq", wantErr: "the request has no X-Seq header"},
		{name: "missing path", source: "data.created", wantErr: `the body has no value at "data.created"`},
		{name: "null", source: "gone", wantErr: `the value at "gone" is null`},
		{name: "object", source: "obj", wantErr: `the value at "obj" is not a number or a time`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := definition.ParseSequenceSource(tc.source)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sequenceOf(src, ev)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("sequenceOf = %d, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != want {
				t.Fatalf("sequenceOf = %d, %v; want %d", got, err, want)
			}
		})
	}
}

// sequencedTrigger is a generic webhook whose events carry their order key
// in "customer" and their sequence in "created" (unix seconds, as Stripe).
func sequencedTrigger(extra string) string {
	return `{"type":"webhook","connector":"webhook","credential":"hook-bearer","options":{"id_path":"id"},
		"order_key":"customer","sequence":"created"` + extra + `}`
}

// shuffled is one delivery of the shuffled-delivery tests.
type shuffled struct {
	id, key string
	seq     int
}

// shuffledDeliveries is keys×perKey events, sequence 1..perKey within
// each key, in a random order from a fixed seed.
func shuffledDeliveries(keys, perKey int) []shuffled {
	var out []shuffled
	for k := range keys {
		for i := 1; i <= perKey; i++ {
			out = append(out, shuffled{id: fmt.Sprintf("e-%d-%02d", k, i), key: fmt.Sprintf("cus_%d", k), seq: i})
		}
	}
	r := rand.New(rand.NewPCG(16, 5))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

const seqBase = 1796180400 // 2026-12-02T03:00:00Z

func (s shuffled) body() string {
	return fmt.Sprintf(`{"id":%q,"customer":%q,"created":%d}`, s.id, s.key, seqBase+s.seq)
}

// TestShuffledDeliveriesRunOnlyInOrder delivers 50 events for 5 keys in a
// random order through the webhook handler: an event runs only when it is
// newer than every event of its key before it, the others end "stale"
// with the newer event named, and a replay of a stale event runs it.
func TestShuffledDeliveriesRunOnlyInOrder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("ordered", sequencedTrigger(""), store.NewEndpoint{})
		newest := map[string]int{}
		newestID := map[string]string{}
		wantRun := map[string]bool{}
		logID := map[string]string{}
		for _, d := range shuffledDeliveries(5, 10) {
			w := e.do(bearerPost(ep.Token, d.body()))
			if w.Code != http.StatusAccepted {
				t.Fatalf("%s: %d %s", d.id, w.Code, w.Body)
			}
			id := reply(t, w).EventID
			logID[d.id] = id
			if d.seq > newest[d.key] {
				newest[d.key], newestID[d.key] = d.seq, id
				wantRun[d.id] = true
				waitStatus(t, st, id, store.EventDispatched)
				continue
			}
			ev := waitStatus(t, st, id, store.EventStale)
			want := fmt.Sprintf("stale: sequence %s is older than %s of event %s, already processed for order key %q",
				formatSequence(int64(seqBase+d.seq)*1e9), formatSequence(int64(seqBase+newest[d.key])*1e9), newestID[d.key], d.key)
			if !strings.HasPrefix(ev.Reason, want) {
				t.Fatalf("%s: reason %q, want it to start %q", d.id, ev.Reason, want)
			}
		}
		runs := e.starter.startedRuns()
		if len(runs) != len(wantRun) {
			t.Fatalf("%d runs, want %d", len(runs), len(wantRun))
		}
		last := map[string]int64{}
		for _, r := range runs {
			created := gjson.GetBytes(r.in.Event.Body, "created").Int()
			if created <= last[r.orderKey] {
				t.Fatalf("key %s ran %d after %d", r.orderKey, created, last[r.orderKey])
			}
			last[r.orderKey] = created
			if !wantRun[gjson.GetBytes(r.in.Event.Body, "id").String()] {
				t.Fatalf("unexpected run of %s", r.in.Event.Body)
			}
		}
		stale := 50 - len(wantRun)
		if got := testutil.ToFloat64(metrics.SequenceEvents.WithLabelValues(ep.WorkflowID, seqStale)); got != float64(stale) {
			t.Fatalf("stale count %v, want %d", got, stale)
		}
		if got := testutil.ToFloat64(metrics.SequenceEvents.WithLabelValues(ep.WorkflowID, seqInOrder)); got != float64(len(wantRun)) {
			t.Fatalf("in-order count %v, want %d", got, len(wantRun))
		}
		// A replay of a stale event runs it: the operator asked for it.
		var staleID string
		for id, logged := range logID {
			if !wantRun[id] {
				staleID = logged
				break
			}
		}
		rep, err := e.svc.Replayer.Replay(context.Background(), staleID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := waitStatus(t, st, rep.ID, store.EventDispatched); got.ReplayOf != staleID {
			t.Fatalf("replay %+v", got)
		}
		if n := len(e.starter.startedRuns()); n != len(wantRun)+1 {
			t.Fatalf("%d runs after the replay, want %d", n, len(wantRun)+1)
		}
	})
}

// TestEventThatPassedIsNotLostWhenItsStartFails: the sequence check
// advanced the mark, the start failed, and a newer event ran meanwhile;
// the retry still starts the first event, since it passed.
func TestEventThatPassedIsNotLostWhenItsStartFails(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("retried", sequencedTrigger(""), store.NewEndpoint{})
		e.starter.failNext(1)
		first := reply(t, e.do(bearerPost(ep.Token, shuffled{id: "a", key: "k", seq: 1}.body()))).EventID
		for range 3000 { // until the failed attempt is recorded
			if ev, err := st.GetEvent(context.Background(), first); err == nil && ev.Reason != "" {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		second := reply(t, e.do(bearerPost(ep.Token, shuffled{id: "b", key: "k", seq: 2}.body()))).EventID
		waitStatus(t, st, second, store.EventDispatched)
		e.clock.Add(DefaultBackoffMax + DefaultSweepGrace)
		e.svc.Dispatcher.Sweep(context.Background())
		waitStatus(t, st, first, store.EventDispatched)
		if n := e.starter.count(); n != 2 {
			t.Fatalf("%d runs, want 2", n)
		}
	})
}

// TestUnsequencedEventsRunWithAReason: no value, an unparseable value or
// no order key: the event runs, and the log says why it was not ordered.
func TestUnsequencedEventsRunWithAReason(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("loose", sequencedTrigger(""), store.NewEndpoint{})
		tests := []struct{ body, reason string }{
			{`{"id":"n1","customer":"k"}`, `sequence not applied: the body has no value at "created"`},
			{`{"id":"n2","customer":"k","created":"soon"}`, `sequence not applied: the value at "created": "soon" is neither a number nor an RFC 3339 time`},
			{`{"id":"n3","created":5}`, `sequence not applied: the event has no order key at "customer"`},
		}
		for _, tc := range tests {
			id := reply(t, e.do(bearerPost(ep.Token, tc.body))).EventID
			waitStatus(t, st, id, store.EventDispatched)
			var ev store.Event
			for range 3000 { // the note follows the status
				ev, _ = st.GetEvent(context.Background(), id)
				if ev.Reason != "" {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			if ev.Reason != tc.reason {
				t.Fatalf("%s: reason %q, want %q", tc.body, ev.Reason, tc.reason)
			}
		}
		if got := testutil.ToFloat64(metrics.SequenceEvents.WithLabelValues(ep.WorkflowID, seqUnsequenced)); got != 3 {
			t.Fatalf("unsequenced count %v, want 3", got)
		}
	})
}

// TestShuffledDeliveriesWithAReorderWindowRunInSequenceOrder: with a
// reorder_window every event is held, then all of them run, each key in
// sequence order, and none is stale.
func TestShuffledDeliveriesWithAReorderWindowRunInSequenceOrder(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("reordered", sequencedTrigger(`,"reorder_window":"5s"`), store.NewEndpoint{})
		deliveries := shuffledDeliveries(5, 10)
		for _, d := range deliveries {
			w := e.do(bearerPost(ep.Token, d.body()))
			if w.Code != http.StatusAccepted {
				t.Fatalf("%s: %d %s", d.id, w.Code, w.Body)
			}
			ev := waitStatus(t, st, reply(t, w).EventID, store.EventHeld)
			if !strings.HasPrefix(ev.Reason, "held until ") || !strings.HasSuffix(ev.Reason, " to run in sequence order (reorder_window 5s)") {
				t.Fatalf("reason %q", ev.Reason)
			}
		}
		if n := e.starter.count(); n != 0 {
			t.Fatalf("%d runs started inside the window", n)
		}
		// Inside the window a sweep releases nothing.
		e.svc.Dispatcher.Sweep(context.Background())
		if n := e.starter.count(); n != 0 {
			t.Fatalf("%d runs started by a sweep inside the window", n)
		}
		e.clock.Add(6 * time.Second)
		e.svc.Dispatcher.Sweep(context.Background())
		runs := e.starter.startedRuns()
		if len(runs) != len(deliveries) {
			t.Fatalf("%d runs, want %d", len(runs), len(deliveries))
		}
		last := map[string]int64{}
		for _, r := range runs {
			created := gjson.GetBytes(r.in.Event.Body, "created").Int()
			if created <= last[r.orderKey] {
				t.Fatalf("key %s ran %d after %d", r.orderKey, created, last[r.orderKey])
			}
			last[r.orderKey] = created
		}
		for _, ev := range e.events(ep.ID) {
			if ev.Status != store.EventDispatched {
				t.Fatalf("event %s is %s (%s)", ev.ID, ev.Status, ev.Reason)
			}
		}
		if got := testutil.ToFloat64(metrics.SequenceEvents.WithLabelValues(ep.WorkflowID, seqStale)); got != 0 {
			t.Fatalf("stale count %v", got)
		}
	})
}

// TestConcurrencyLimit: never more than limit runs in flight, the rest
// queued in the event log, and every event runs once runs finish.
func TestConcurrencyLimit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		const limit, total = 3, 20
		e := newEnv(t, st)
		ep := e.workflow("limited", `{"type":"webhook","connector":"webhook","credential":"hook-bearer","options":{"id_path":"id"},
			"concurrency":{"limit":3}}`, store.NewEndpoint{})
		ctx := context.Background()
		ids := make([]string, total)
		for i := range total {
			w := e.do(bearerPost(ep.Token, fmt.Sprintf(`{"id":"c%d"}`, i)))
			if w.Code != http.StatusAccepted {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			ids[i] = reply(t, w).EventID
		}
		// Wait until the dispatcher has decided every event.
		queued := 0
		wasQueued := map[string]bool{}
		for _, id := range ids {
			for range 3000 {
				ev, err := st.GetEvent(ctx, id)
				if err == nil && ev.Status != store.EventPending {
					if ev.Status == store.EventQueued {
						queued++
						wasQueued[id] = true
						if !strings.HasPrefix(ev.Reason, "queued: this workflow has its limit of 3 runs in flight") {
							t.Fatalf("queued reason %q", ev.Reason)
						}
					}
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		if queued != total-limit || e.starter.count() != limit {
			t.Fatalf("%d queued and %d started, want %d and %d", queued, e.starter.count(), total-limit, limit)
		}
		finished := 0
		for finished < total {
			runs := e.starter.startedRuns()
			if inFlight := len(runs) - finished; inFlight > limit {
				t.Fatalf("%d runs in flight, limit %d", inFlight, limit)
			}
			if finished == len(runs) {
				t.Fatalf("nothing in flight, %d of %d finished", finished, total)
			}
			// The oldest run in flight ends (as its summary would say).
			r := runs[finished]
			end := e.clock.Now()
			if err := st.UpsertRun(ctx, store.Run{ID: r.in.RunID, WorkflowID: ep.WorkflowID, WorkflowVersion: 1, EventID: r.in.Event.ID,
				Status: store.RunCompleted, StartedAt: end, EndedAt: &end}); err != nil {
				t.Fatal(err)
			}
			finished++
			e.svc.Dispatcher.Sweep(ctx)
			if got := testutil.ToFloat64(metrics.WorkflowRunsInFlight.WithLabelValues(ep.WorkflowID)); got > limit {
				t.Fatalf("gauge says %v runs in flight", got)
			}
		}
		if n := e.starter.count(); n != total {
			t.Fatalf("%d runs, want %d", n, total)
		}
		// Queued events started in the order they arrived (the first
		// ones raced each other on the fast path).
		var wantOrder, gotOrder []string
		for _, id := range ids {
			if wasQueued[id] {
				wantOrder = append(wantOrder, id)
			}
		}
		for _, r := range e.starter.startedRuns() {
			if wasQueued[r.in.Event.ID] {
				gotOrder = append(gotOrder, r.in.Event.ID)
			}
		}
		if strings.Join(gotOrder, " ") != strings.Join(wantOrder, " ") {
			t.Fatalf("queued events started in the order\n%v, want\n%v", gotOrder, wantOrder)
		}
		e.svc.Dispatcher.Sweep(ctx)
		if got := testutil.ToFloat64(metrics.QueuedEvents.WithLabelValues(ep.WorkflowID)); got != 0 {
			t.Fatalf("queued gauge %v", got)
		}
	})
}

// TestHeldEventsSurviveACrash: the process that held the events goes
// away; another process on the same database releases them after the
// window, in sequence order.
func TestHeldEventsSurviveACrash(t *testing.T) {
	b := storetest.SQLite(t)
	first := newEnv(t, b.Store)
	ep := first.workflow("held", sequencedTrigger(`,"reorder_window":"30s"`), store.NewEndpoint{})
	for _, n := range []int{3, 1, 2} {
		id := reply(t, first.do(bearerPost(ep.Token, shuffled{id: fmt.Sprintf("h%d", n), key: "k", seq: n}.body()))).EventID
		waitStatus(t, b.Store, id, store.EventHeld)
	}
	_ = first.svc.Close() // the process ends with three events held
	other := newEnv(t, storetest.Open(t, b.URL))
	other.clock.Add(time.Minute)
	other.svc.Dispatcher.Sweep(context.Background())
	var got []int64
	for _, r := range other.starter.startedRuns() {
		got = append(got, gjson.GetBytes(r.in.Event.Body, "created").Int()-seqBase)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("runs after the restart: %v, want [1 2 3]", got)
	}
	if first.starter.count() != 0 {
		t.Fatalf("the first process started %d runs", first.starter.count())
	}
}
