package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// stripeOrderEvent is a Stripe event of customer cus with the given
// created time (unix seconds).
func stripeOrderEvent(id, cus string, created int64) string {
	return fmt.Sprintf(`{"id":%q,"object":"event","type":"payment_intent.succeeded","created":%d,
"data":{"object":{"id":"pi_%s","amount":4200,"currency":"usd","customer":%q}}}`, id, created, id, cus)
}

// eventStatusOf waits (bounded, a hang guard) until the event leaves the
// statuses in `not` and returns it.
func eventStatusOf(t *testing.T, st *store.Store, id string, not ...string) store.Event {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ev, err := st.GetEvent(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		waiting := false
		for _, s := range not {
			waiting = waiting || ev.Status == s
		}
		if !waiting {
			return ev
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s is still %s (%s)", id, ev.Status, ev.Reason)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestShuffledStripeEventsOnTheRealStack sends 20 Stripe events of 4
// customers in a random order through the webhook handler, with
// sequence "created" and order_key the customer, on the embedded Temporal
// server: each event newer than every earlier one of its customer runs to
// completion; the others end stale and start nothing.
func TestShuffledStripeEventsOnTheRealStack(t *testing.T) {
	s := startIngestStack(t)
	def := fmt.Sprintf(`{"name":"sequenced","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e",
"events":["payment_intent.succeeded"],"order_key":"data.object.customer","sequence":"created"},
"steps":[{"id":"post","type":"http","method":"POST","url":%q,"headers":{"Content-Type":"application/json","X-Event":"{{ event.provider_id }}"},
"body":{"created":"{{ trigger.created }}"}}]}`, s.sink.URL+"/sink")
	ep := seedWorkflow(t, s.st, s.kr, "sequenced", def)
	type delivery struct {
		id, cus string
		n       int
	}
	var ds []delivery
	for c := range 4 {
		for n := 1; n <= 5; n++ {
			ds = append(ds, delivery{id: fmt.Sprintf("evt_c%d_%d", c, n), cus: fmt.Sprintf("cus_%d", c), n: n})
		}
	}
	rand.New(rand.NewPCG(5, 16)).Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	newest := map[string]int{}
	var ran []string
	stale := 0
	for _, d := range ds {
		code, body := send(t, signedStripeBody(s.hooks.URL+"/hooks/"+ep.Token, stripeOrderEvent(d.id, d.cus, 1796180400+int64(d.n))))
		if code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", d.id, code, body)
		}
		var rep struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		// One at a time, so that the order of the checks is the order sent.
		ev := eventStatusOf(t, s.st, rep.EventID, store.EventPending)
		if d.n > newest[d.cus] {
			newest[d.cus] = d.n
			ran = append(ran, d.id)
			if ev.Status == store.EventStale {
				t.Fatalf("%s is stale although newest: %s", d.id, ev.Reason)
			}
			continue
		}
		stale++
		if ev.Status != store.EventStale {
			t.Fatalf("%s (older than %d) is %s, want stale", d.id, newest[d.cus], ev.Status)
		}
	}
	got := s.sink.waitAll(t, ran, 2*time.Minute)
	for _, d := range ds {
		want := 0
		for _, id := range ran {
			if id == d.id {
				want = 1
			}
		}
		if got[d.id] != want {
			t.Fatalf("%s ran %d times, want %d", d.id, got[d.id], want)
		}
	}
	if stale == 0 || len(ran)+stale != len(ds) {
		t.Fatalf("%d ran and %d stale of %d", len(ran), stale, len(ds))
	}
}

// TestConcurrencyLimitOnTheRealStack: a workflow limited to 2 runs at
// once, each waiting 1 s in a delay before it posts: 6 events all run,
// never more than 2 runs are running at the same time, and the others
// wait as "queued" in the event log.
func TestConcurrencyLimitOnTheRealStack(t *testing.T) {
	s := startIngestStack(t)
	def := fmt.Sprintf(`{"name":"limited","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e",
"events":["payment_intent.succeeded"],"concurrency":{"limit":2}},
"steps":[{"id":"wait","type":"delay","duration":"1s"},
{"id":"post","type":"http","method":"POST","url":%q,"headers":{"Content-Type":"application/json","X-Event":"{{ event.provider_id }}"},"body":{"n":1}}]}`,
		s.sink.URL+"/sink")
	ep := seedWorkflow(t, s.st, s.kr, "limited", def)
	var ids []string
	for i := range 6 {
		id := fmt.Sprintf("evt_lim_%d", i)
		ids = append(ids, id)
		if code, body := send(t, signedStripe(s.hooks.URL+"/hooks/"+ep.Token, id)); code != http.StatusAccepted {
			t.Fatalf("%d %s", code, body)
		}
	}
	ctx := context.Background()
	sawQueued := false
	deadline := time.Now().Add(2 * time.Minute)
	for {
		running, _, err := s.st.ListRuns(ctx, store.RunFilter{WorkflowID: ep.WorkflowID, Status: store.RunRunning})
		if err != nil {
			t.Fatal(err)
		}
		if len(running) > 2 {
			t.Fatalf("%d runs running at once, limit 2", len(running))
		}
		queued, _, err := s.st.ListEvents(ctx, store.EventFilter{WorkflowID: ep.WorkflowID, Status: store.EventQueued})
		if err != nil {
			t.Fatal(err)
		}
		sawQueued = sawQueued || len(queued) > 0
		done, _, err := s.st.ListRuns(ctx, store.RunFilter{WorkflowID: ep.WorkflowID, Status: store.RunCompleted})
		if err != nil {
			t.Fatal(err)
		}
		if len(done) == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d runs completed", len(done), len(ids))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sawQueued {
		t.Fatal("no event was ever queued with 6 events and a limit of 2")
	}
	if got := s.sink.waitAll(t, ids, time.Minute); len(got) != len(ids) {
		t.Fatalf("sink saw %v", got)
	}
	stats, err := s.st.ConcurrencyStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stats {
		if st.WorkflowID == ep.WorkflowID && st.Queued != 0 {
			t.Fatalf("stats after the end: %+v", st)
		}
	}
}
