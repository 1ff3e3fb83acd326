package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/platform/config"
	"github.com/hookflow/hookflow/engine/platform/devserver"
	"github.com/hookflow/hookflow/engine/secrets"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/triggers"
)

// The Stripe signing secret of the ingestion tests' credential.
const ingestStripeSecret = "whsec_e2e_ingest_Qz81mT0pVv3c"

// runSink counts runs per provider event: every run's http step POSTs with
// X-Event set to the provider's event id and an Idempotency-Key derived
// from the run id and the step, so distinct keys under one X-Event are
// distinct runs of that event (an activity retry repeats its key).
type runSink struct {
	*httptest.Server
	mu   sync.Mutex
	runs map[string]map[string]bool // provider event id → idempotency keys
}

func newRunSink(t testing.TB) *runSink {
	s := &runSink{runs: map[string]map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		ev, key := r.Header.Get("X-Event"), r.Header.Get("Idempotency-Key")
		if ev == "" || key == "" {
			http.Error(w, "missing X-Event or Idempotency-Key", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		if s.runs[ev] == nil {
			s.runs[ev] = map[string]bool{}
		}
		s.runs[ev][key] = true
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// counts returns the number of runs of each provider event seen so far.
func (s *runSink) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.runs))
	for ev, keys := range s.runs {
		out[ev] = len(keys)
	}
	return out
}

// waitAll waits (bounded, as a hang guard) until every event in want has
// at least one run.
func (s *runSink) waitAll(t *testing.T, want []string, bound time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		got := s.counts()
		missing := 0
		for _, id := range want {
			if got[id] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged events never ran", missing, len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ingestDefinition posts each Stripe payment to the sink.
func ingestDefinition(sinkURL string) string {
	return fmt.Sprintf(`{"name":"ingest e2e","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e","events":["payment_intent.succeeded"]},
"steps":[{"id":"post","type":"http","method":"POST","url":%q,"headers":{"Content-Type":"application/json","X-Event":"{{ event.provider_id }}"},
"body":{"amount":"{{ trigger.data.object.amount }}"},"retry":{"max_attempts":20,"initial_interval":"200ms","backoff":2,"max_interval":"2s"}}]}`, sinkURL+"/sink")
}

// seedIngest stores the Stripe credential (encrypted under kr), an active
// workflow posting to sinkURL and its endpoint.
func seedIngest(t *testing.T, st *store.Store, kr *secrets.Keyring, sinkURL string) store.Endpoint {
	t.Helper()
	return seedWorkflow(t, st, kr, "ingest e2e", ingestDefinition(sinkURL))
}

// seedWorkflow stores the Stripe credential (once), an active workflow
// with definition def and its endpoint.
func seedWorkflow(t *testing.T, st *store.Store, kr *secrets.Keyring, name, def string) store.Endpoint {
	t.Helper()
	ctx := context.Background()
	plain, _ := json.Marshal(map[string]string{"webhook_secret": ingestStripeSecret})
	ct, err := kr.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCredential(ctx, store.Credential{Name: "stripe-e2e", Connector: "stripe", Ciphertext: ct,
		KeyID: kr.CurrentKeyID(), Hint: json.RawMessage(`{}`)}); err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	wf, err := st.CreateWorkflow(ctx, name, []byte(def), "e2e-"+name)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetWorkflowActive(ctx, wf.ID, true); err != nil {
		t.Fatal(err)
	}
	ep, err := st.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: wf.ID})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// signedStripe builds a Stripe delivery of event id, signed now.
func signedStripe(url, id string) *http.Request {
	body := fmt.Sprintf(`{"id":%q,"object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_%s","amount":4200,"currency":"usd"}}}`, id, id)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	m := hmac.New(sha256.New, []byte(ingestStripeSecret))
	m.Write([]byte(ts + "." + body))
	r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Stripe-Signature", "t="+ts+",v1="+hex.EncodeToString(m.Sum(nil)))
	return r
}

// ingestStack is an embedded Temporal server that can be stopped and
// started again on the same data folder and port, a worker, a SQLite
// store, the real triggers Service behind an httptest server, and a sink.
type ingestStack struct {
	tcfg devserver.Config
	srv  *devserver.Server
	st   *store.Store
	kr   *secrets.Keyring
	svc  *triggers.Service
	// temporal and queue are the Temporal client and task queue of the
	// service and the worker.
	temporal client.Client
	queue    string
	hooks    *httptest.Server
	sink     *runSink
}

func startIngestStack(t *testing.T) *ingestStack {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s := &ingestStack{tcfg: devserver.Config{DataDir: filepath.Join(dir, "temporal"), Port: FreePort(t), LogLevel: "error"}}
	var err error
	if s.srv, err = devserver.Start(ctx, s.tcfg); err != nil {
		t.Fatalf("starting embedded Temporal: %v", err)
	}
	t.Cleanup(func() { _ = s.srv.Stop() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := client.Dial(client.Options{HostPort: s.srv.Address(), Namespace: devserver.DefaultNamespace,
		Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatalf("dialling Temporal: %v", err)
	}
	t.Cleanup(c.Close)
	if s.st, err = store.Open(ctx, "sqlite:"+filepath.Join(dir, "hookflow.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.st.Close() })
	if err := s.st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, _ := secrets.GenerateKey()
	s.kr = secrets.NewKeyring(key)
	reg, err := all.New(all.Options{Allow: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	s.sink = newRunSink(t)
	queue := fmt.Sprintf("e2e-ingest-%d", time.Now().UnixNano())
	w := worker.New(c, queue, worker.Options{WorkerStopTimeout: 5 * time.Second})
	interpreter.Register(w, interpreter.Deps{Store: s.st, Registry: reg, Keyring: s.kr, Temporal: c, TaskQueue: queue, Logger: quiet})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	s.svc, err = triggers.New(triggers.Config{TaskQueue: queue, Keyring: s.kr, Logger: quiet, StartTimeout: 2 * time.Second,
		BackoffBase: 200 * time.Millisecond, BackoffMax: 2 * time.Second, SweepInterval: 200 * time.Millisecond,
		SweepGrace: time.Second}, s.st, reg, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.svc.Close() })
	if err := s.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.temporal, s.queue = c, queue
	s.hooks = httptest.NewServer(s.svc.Ingestor)
	t.Cleanup(s.hooks.Close)
	return s
}

// TestTemporalDownEveryAcknowledgedEventRunsOnce stops the embedded
// Temporal server, sends events (each acknowledged from the inbox), starts
// Temporal again on the same data folder, and checks every event runs
// exactly once, including events delivered twice.
func TestTemporalDownEveryAcknowledgedEventRunsOnce(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	st, sink := s.st, s.sink
	ep := seedIngest(t, st, s.kr, sink.URL)
	url := s.hooks.URL + "/hooks/" + ep.Token

	send := func(id string) triggers.Reply {
		t.Helper()
		resp, err := http.DefaultClient.Do(signedStripe(url, id))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep triggers.Reply
		if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&rep) != nil {
			t.Fatalf("delivery %s: status %d", id, resp.StatusCode)
		}
		return rep
	}

	// Temporal up: the pipeline runs an event.
	send("evt_before")
	sink.waitAll(t, []string{"evt_before"}, 2*time.Minute)

	if err := s.srv.Stop(); err != nil {
		t.Fatalf("stopping Temporal: %v", err)
	}
	var ids []string
	for i := range 10 {
		id := fmt.Sprintf("evt_down_%d", i)
		ids = append(ids, id)
		if rep := send(id); rep.Status != triggers.StatusAccepted {
			t.Fatalf("%s while Temporal is down: %+v", id, rep)
		}
		// Stripe retries; the retry is a duplicate even with Temporal down.
		if rep := send(id); rep.Status != triggers.StatusDuplicate {
			t.Fatalf("retry of %s: %+v", id, rep)
		}
	}
	pending, _, err := st.ListEvents(ctx, store.EventFilter{EndpointID: ep.ID, Status: store.EventPending})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != len(ids) {
		t.Fatalf("%d events pending while Temporal is down, want %d", len(pending), len(ids))
	}

	srv, err := devserver.Start(ctx, s.tcfg)
	if err != nil {
		t.Fatalf("restarting embedded Temporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })

	got := sink.waitAll(t, append(ids, "evt_before"), 3*time.Minute)
	for _, id := range append(ids, "evt_before") {
		if got[id] != 1 {
			t.Errorf("event %s ran %d times, want once", id, got[id])
		}
	}
	for _, id := range ids {
		evs, _, _ := st.ListEvents(ctx, store.EventFilter{EndpointID: ep.ID, ProviderEventID: id})
		for _, ev := range evs {
			if ev.Status == store.EventPending {
				t.Errorf("event %s still pending after its run", ev.ID)
			}
		}
	}
}

// hookflowBinary builds cmd/hookflow once into a temp folder.
func hookflowBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hookflow")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/hookflow")
	cmd.Dir = filepath.Join("..", "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/hookflow: %v\n%s", err, out)
	}
	return bin
}

// devProcess is one `hookflow dev` subprocess.
type devProcess struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

func startDev(t *testing.T, bin, dataDir, httpAddr string, temporalPort int, secretKey string) *devProcess {
	t.Helper()
	cmd := exec.Command(bin, "dev", "--data-dir", dataDir, "--http-addr", httpAddr,
		"--temporal-port", strconv.Itoa(temporalPort), "--log-level", "warn", "--ssrf-allow", "127.0.0.1")
	cmd.Env = append(os.Environ(), config.EnvName("secret-key")+"="+secretKey)
	p := &devProcess{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "hookflow dev ready") {
				close(ready)
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.stop() })
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("hookflow dev exited: %v\n%s", err, p.stderr)
	case <-time.After(3 * time.Minute):
		t.Fatalf("hookflow dev not ready\n%s", p.stderr)
	}
	return p
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *devProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.done <- nil
}

func (p *devProcess) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// TestCrashMidBurstEveryAcknowledgedEventRunsOnce runs `hookflow dev` as a
// subprocess, fires a burst of signed deliveries from 20 connections,
// kills the process with SIGKILL in the middle of the burst, restarts it
// on the same data folder and checks that every delivery that got a 2xx
// produced exactly one run, and no event ran twice.
func TestCrashMidBurstEveryAcknowledgedEventRunsOnce(t *testing.T) {
	bin := hookflowBinary(t)
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	key, _ := secrets.GenerateKey()
	kr := secrets.NewKeyring(key)
	sink := newRunSink(t)

	// Seed the store the dev process will open.
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dataDir, config.SQLiteFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ep := seedIngest(t, st, kr, sink.URL)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	httpAddr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	temporalPort := FreePort(t)
	dev := startDev(t, bin, dataDir, httpAddr, temporalPort, key.Encode())
	url := "http://" + httpAddr + "/hooks/" + ep.Token

	const total, conns, killAfter = 600, 20, 150
	var (
		next     atomic.Int64
		acked    sync.Map // provider id → true
		ackCount atomic.Int64
		killOnce sync.Once
		wg       sync.WaitGroup
	)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
	for range conns {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				id := fmt.Sprintf("evt_crash_%04d", i)
				resp, err := hc.Do(signedStripe(url, id))
				if err != nil {
					continue // the process is gone: not acknowledged
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					acked.Store(id, true)
					if ackCount.Add(1) == killAfter {
						killOnce.Do(dev.kill)
					}
				}
			}
		})
	}
	wg.Wait()
	killOnce.Do(dev.kill) // in case fewer than killAfter were acknowledged
	var ids []string
	acked.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
	if len(ids) < killAfter {
		t.Fatalf("only %d deliveries were acknowledged before the crash", len(ids))
	}
	if len(ids) == total {
		t.Fatalf("all %d deliveries were acknowledged: the kill did not land mid-burst", total)
	}
	t.Logf("%d of %d deliveries acknowledged before SIGKILL", len(ids), total)

	startDev(t, bin, dataDir, httpAddr, temporalPort, key.Encode())
	got := sink.waitAll(t, ids, 4*time.Minute)
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("acknowledged event %s ran %d times, want once", id, got[id])
		}
	}
	for id, n := range got {
		if n > 1 {
			t.Errorf("event %s ran %d times", id, n)
		}
	}
	t.Logf("%d events ran (%d acknowledged, the rest committed just before the kill)", len(got), len(ids))
}

// TestRespondOnCompleteShapesTheReply checks respond: on_complete on the
// real stack: the respond step's status, headers and body reach the
// caller, the event is committed and marked dispatched; and when the
// reply takes longer than respond_timeout the caller gets 202 with the
// event id while the run goes on.
func TestRespondOnCompleteShapesTheReply(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	fast := seedWorkflow(t, s.st, s.kr, "respond fast", `{"name":"respond fast","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e","respond":"on_complete","respond_timeout":"30s"},
"steps":[{"id":"reply","type":"respond","status":201,"headers":{"X-Order":"{{ trigger.data.object.id }}"},"body":{"received":"{{ event.provider_id }}"}}]}`)
	slow := seedWorkflow(t, s.st, s.kr, "respond slow", fmt.Sprintf(`{"name":"respond slow","trigger":{"type":"webhook","connector":"stripe","credential":"stripe-e2e","respond":"on_complete","respond_timeout":"1s"},
"steps":[{"id":"wait","type":"delay","duration":"3s"},
{"id":"post","type":"http","method":"POST","url":%q,"headers":{"X-Event":"{{ event.provider_id }}"},"body":{}},
{"id":"reply","type":"respond","status":200,"body":{"late":true}}]}`, s.sink.URL+"/sink"))

	resp, err := http.DefaultClient.Do(signedStripe(s.hooks.URL+"/hooks/"+fast.Token, "evt_sync"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Order") != "pi_evt_sync" || !strings.Contains(string(body), `"received":"evt_sync"`) {
		t.Fatalf("reply %d %v %s", resp.StatusCode, resp.Header, body)
	}
	evs, _, err := s.st.ListEvents(ctx, store.EventFilter{EndpointID: fast.ID})
	if err != nil || len(evs) != 1 || evs[0].Status == store.EventPending {
		t.Fatalf("logged events %+v (%v)", evs, err)
	}
	// The run's summary may reach the store before the start is marked;
	// either way exactly one run belongs to the event.
	if runs, _, err := s.st.ListRuns(ctx, store.RunFilter{EventID: evs[0].ID}); err != nil || len(runs) != 1 {
		t.Fatalf("runs of the event: %+v (%v)", runs, err)
	}

	resp, err = http.DefaultClient.Do(signedStripe(s.hooks.URL+"/hooks/"+slow.Token, "evt_slow"))
	if err != nil {
		t.Fatal(err)
	}
	var rep triggers.Reply
	_ = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || rep.Status != triggers.StatusAccepted || rep.EventID == "" {
		t.Fatalf("timed-out reply %d %+v", resp.StatusCode, rep)
	}
	// The run goes on after the caller got its 202.
	if got := s.sink.waitAll(t, []string{"evt_slow"}, 2*time.Minute); got["evt_slow"] != 1 {
		t.Fatalf("slow event ran %d times", got["evt_slow"])
	}
}

// TestScheduleFollowsTheWorkflow drives Scheduler.Sync through a workflow's
// life on the real server: activation creates one schedule that starts
// runs, a new version updates it, deactivation pauses it, deletion
// removes it.
func TestScheduleFollowsTheWorkflow(t *testing.T) {
	ctx := context.Background()
	s := startIngestStack(t)
	def := func(every string) string {
		return fmt.Sprintf(`{"name":"every","trigger":{"type":"schedule","schedule":{"every":%q,"timezone":"Europe/Paris"}},
"steps":[{"id":"post","type":"http","method":"POST","url":%q,"headers":{"X-Event":"{{ event.type }}"},"body":{}}]}`, every, s.sink.URL+"/sink")
	}
	wf, err := s.st.CreateWorkflow(ctx, "every", []byte(def("1s")), "v1")
	if err != nil {
		t.Fatal(err)
	}
	// Inactive: nothing is created.
	if err := s.svc.Scheduler.Sync(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
	h := s.temporal.ScheduleClient().GetHandle(ctx, triggers.ScheduleID(wf.ID))
	if _, err := h.Describe(ctx); err == nil {
		t.Fatal("a schedule exists for an inactive workflow")
	}
	if err := s.st.SetWorkflowActive(ctx, wf.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Scheduler.Sync(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
	s.sink.waitAll(t, []string{triggers.ScheduleEventType}, 2*time.Minute)

	// Each scheduled run logged its own event row, linked both ways, as a
	// webhook delivery is; the row replays like one.
	var tick store.Event
	eventually(t, "a finished scheduled run's event row", func() bool {
		evs, _, err := s.st.ListEvents(ctx, store.EventFilter{WorkflowID: wf.ID, Status: store.EventCompleted})
		if err != nil || len(evs) == 0 {
			return false
		}
		tick = evs[0]
		return true
	})
	run, err := s.st.GetRun(ctx, tick.RunID)
	if err != nil || run.EventID != tick.ID || tick.Connector != interpreter.ScheduleEventConnector ||
		tick.EventType != triggers.ScheduleEventType || !strings.HasPrefix(tick.ID, "evt_") {
		t.Fatalf("scheduled event %+v, its run %+v (%v)", tick, run, err)
	}
	replay, err := s.svc.Replayer.Replay(ctx, tick.ID, 0)
	if err != nil || replay.ReplayOf != tick.ID {
		t.Fatalf("replaying the scheduled event: %+v, %v", replay, err)
	}
	eventually(t, "the replay of the scheduled event to complete", func() bool {
		ev, err := s.st.GetEvent(ctx, replay.ID)
		return err == nil && ev.Status == store.EventCompleted
	})

	if _, err := s.st.UpdateWorkflow(ctx, wf.ID, "every", []byte(def("1h")), "v2"); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Scheduler.Sync(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Schedule.State.Paused || len(d.Schedule.Spec.Intervals) != 1 || d.Schedule.Spec.Intervals[0].Every != time.Hour ||
		d.Schedule.Spec.TimeZoneName != "Europe/Paris" {
		t.Fatalf("after the new version: paused=%t spec=%+v", d.Schedule.State.Paused, d.Schedule.Spec)
	}

	if err := s.st.SetWorkflowActive(ctx, wf.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Scheduler.Sync(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
	if d, err := h.Describe(ctx); err != nil || !d.Schedule.State.Paused {
		t.Fatalf("after deactivation: %+v, %v", d, err)
	}

	if err := s.st.DeleteWorkflow(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Scheduler.Sync(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Describe(ctx); err == nil {
		t.Fatal("the schedule outlived its workflow")
	}
	// Idempotent: syncing a deleted workflow again is fine.
	if err := s.svc.Scheduler.Sync(ctx, wf.ID); err != nil {
		t.Fatal(err)
	}
}
