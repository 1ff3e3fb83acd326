package triggers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// batchStarter is a recordingStarter that also starts batches, as
// Temporal does: the first start of a batch id runs its runs, a later one
// is a no-op success. It records every start call.
type batchStarter struct {
	*recordingStarter
	bmu       sync.Mutex
	batches   map[string]interpreter.BatchInput // by batch id, as first started
	order     []string                          // batch ids in start order
	calls     []string                          // every StartBatch call's batch id
	failBatch int                               // the next failBatch calls fail
}

func newBatchStarter() *batchStarter {
	return &batchStarter{recordingStarter: newRecordingStarter(), batches: map[string]interpreter.BatchInput{}}
}

func (b *batchStarter) StartBatch(_ context.Context, in interpreter.BatchInput) error {
	b.bmu.Lock()
	defer b.bmu.Unlock()
	b.calls = append(b.calls, in.BatchID)
	if b.failBatch > 0 {
		b.failBatch--
		return fmt.Errorf("dial tcp 127.0.0.1:7233: connect: connection refused")
	}
	if _, ok := b.batches[in.BatchID]; ok {
		return nil // WorkflowExecutionAlreadyStarted: the first start stands
	}
	b.batches[in.BatchID] = in
	b.order = append(b.order, in.BatchID)
	return nil
}

// started returns every run the batches carry, by run id, and fails the
// test when one run is in two batches.
func (b *batchStarter) started(t *testing.T) map[string]interpreter.BatchRun {
	t.Helper()
	b.bmu.Lock()
	defer b.bmu.Unlock()
	runs := map[string]interpreter.BatchRun{}
	for _, id := range b.order {
		for _, r := range b.batches[id].Runs {
			if _, dup := runs[r.RunID]; dup {
				t.Fatalf("run %s is in two batches", r.RunID)
			}
			runs[r.RunID] = r
		}
	}
	return runs
}

func (b *batchStarter) sizes() []int {
	b.bmu.Lock()
	defer b.bmu.Unlock()
	var out []int
	for _, id := range b.order {
		out = append(out, len(b.batches[id].Runs))
	}
	return out
}

// batchEnv is an env whose starter starts batches.
func batchEnv(t *testing.T, st *store.Store, tweak ...func(*Config)) (*env, *batchStarter) {
	bs := newBatchStarter()
	// One dispatch worker: events reach the batcher in the order sent.
	e := newEnv(t, st, append([]func(*Config){func(c *Config) { c.Starter, c.DispatchWorkers = bs, 1 }}, tweak...)...)
	e.starter = bs.recordingStarter
	return e, bs
}

func TestBatchesCarryTheEventsOfABusyEndpoint(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		// A batch waits for five events (BatchWait is long), except the
		// first, which finds the system quiet and goes at once, on its
		// own.
		e, bs := batchEnv(t, st, func(c *Config) { c.BatchSize, c.BatchWait = 5, time.Hour })
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		var ids []string
		for i := range 21 {
			w := e.do(e.stripeRequest(ep.Token, stripeBody(fmt.Sprintf("evt_b%02d", i), 500)))
			if w.Code != http.StatusAccepted {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			ids = append(ids, reply(t, w).EventID)
		}
		first := waitStatus(t, st, ids[0], store.EventDispatched)
		if first.BatchID != "" || e.starter.count() != 1 {
			t.Fatalf("the lone first event went into a batch: %+v", first)
		}
		for _, id := range ids[1:] {
			ev := waitStatus(t, st, id, store.EventDispatched)
			if ev.BatchID == "" {
				t.Fatalf("event %s dispatched outside a batch", id)
			}
			run, err := st.GetRun(ctx, ev.RunID)
			if err != nil {
				t.Fatalf("the run of %s is not listed: %v", id, err)
			}
			if run.Status != store.RunRunning || run.ExecutionID != interpreter.BatchWorkflowID(ev.BatchID) || run.Execution() == run.ID {
				t.Fatalf("listed run = %+v", run)
			}
		}
		if got := bs.sizes(); !slices.Equal(got, []int{5, 5, 5, 5}) {
			t.Fatalf("batch sizes %v, want [5 5 5 5]", got)
		}
		runs := bs.started(t)
		if len(runs) != 20 || e.starter.count() != 1 {
			t.Fatalf("%d runs in batches, %d started alone", len(runs), e.starter.count())
		}
		for i, id := range ids[1:] {
			i++
			want := RunWorkflowIDFor(store.Event{EndpointID: ep.ID, DedupeKey: fmt.Sprintf("evt_b%02d", i)})
			r, ok := runs[want]
			if !ok || r.Event.ID != id || !strings.Contains(string(r.Event.Body), fmt.Sprintf("evt_b%02d", i)) {
				t.Fatalf("run %s of event %s: %+v", want, id, r)
			}
		}
	})
}

func TestAFailedBatchStartIsRetriedAsTheSameBatch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, bs := batchEnv(t, st, func(c *Config) { c.BatchSize, c.BatchWait = 3, time.Hour })
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		bs.failBatch = 1 // the batch of three after the lone first event
		var ids []string
		for i := range 4 {
			ids = append(ids, reply(t, e.do(e.stripeRequest(ep.Token, stripeBody(fmt.Sprintf("evt_f%d", i), 500)))).EventID)
		}
		// Both failed starts leave their events pending, in their batch,
		// with a backoff and the reason.
		batchOf := map[string]string{}
		waitStatus(t, st, ids[0], store.EventDispatched) // alone, on its own
		for _, id := range ids[1:] {
			var ev store.Event
			for range 3000 {
				ev, _ = st.GetEvent(context.Background(), id)
				if strings.Contains(ev.Reason, "batch start attempt 1 failed") {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			if ev.Status != store.EventPending || ev.BatchID == "" || ev.NextDispatchAt == nil {
				t.Fatalf("after a failed batch start: %+v", ev)
			}
			batchOf[id] = ev.BatchID
		}
		if batchOf[ids[1]] != batchOf[ids[2]] || batchOf[ids[2]] != batchOf[ids[3]] {
			t.Fatalf("batches %v, want the three events together", batchOf)
		}
		// Temporal is back: the sweeper starts each batch again, under
		// its id and with exactly its events.
		e.clock.Add(time.Hour)
		if n := e.svc.Dispatcher.Sweep(context.Background()); n != 3 {
			t.Fatalf("swept %d, want 3", n)
		}
		for _, id := range ids[1:] {
			ev := waitStatus(t, st, id, store.EventDispatched)
			if ev.BatchID != batchOf[id] {
				t.Fatalf("event %s moved from batch %s to %s", id, batchOf[id], ev.BatchID)
			}
		}
		if got := bs.sizes(); !slices.Equal(got, []int{3}) {
			t.Fatalf("batch sizes %v after the retry", got)
		}
		if runs := bs.started(t); len(runs) != 3 {
			t.Fatalf("%d runs", len(runs))
		}
		// A sweep of an event whose batch did start (its mark was lost)
		// starts nothing new: Temporal refuses the batch id again.
		calls := len(bs.calls)
		e.svc.Dispatcher.batch.restartBatch(context.Background(), batchOf[ids[1]], nil)
		if len(bs.calls) != calls+1 || len(bs.started(t)) != 3 {
			t.Fatalf("a restart of a started batch: %d calls, %d runs", len(bs.calls)-calls, len(bs.started(t)))
		}
	})
}

func TestUnbatchableDefinitionsStartAlone(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e, bs := batchEnv(t, st)
		ordered := `{"type":"webhook","connector":"stripe","credential":"stripe-test","order_key":"data.object.customer"}`
		ep := e.workflow("ordered", ordered, store.NewEndpoint{})
		id := reply(t, e.do(e.stripeRequest(ep.Token, stripeBody("evt_o", 500)))).EventID
		e.starter.waitRun(t)
		ev := waitStatus(t, st, id, store.EventDispatched)
		if ev.BatchID != "" || len(bs.sizes()) != 0 {
			t.Fatalf("an ordered workflow's event went into a batch: %+v", ev)
		}
	})
}
