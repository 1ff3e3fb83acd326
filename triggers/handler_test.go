package triggers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

const stripeTrigger = `{"type":"webhook","connector":"stripe","credential":"stripe-test","events":["payment_intent.*"],"filter":"trigger.data.object.amount >= 100 && event.provider_id == trigger.id"}`

func TestAcceptedEventIsCommittedThenStarted(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_ok", 5000)))
		if w.Code != http.StatusAccepted {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		rep := reply(t, w)
		if rep.Status != StatusAccepted || !strings.HasPrefix(rep.EventID, "evt_") {
			t.Fatalf("reply = %+v", rep)
		}
		runID := e.starter.waitRun(t)
		in := e.starter.runs[runID]
		if in.Event.ID != rep.EventID || in.Event.Type != "payment_intent.succeeded" || in.Version != 1 || len(in.Definition) == 0 {
			t.Fatalf("run input = %+v", in)
		}
		if want := RunWorkflowIDFor(store.Event{EndpointID: ep.ID, DedupeKey: "evt_ok"}); runID != want {
			t.Fatalf("run id %q, want the deterministic %q", runID, want)
		}
		// MarkDispatched follows the start; wait for it through the store.
		var got store.Event
		for i := 0; i < 3000; i++ {
			got, _ = st.GetEvent(context.Background(), rep.EventID)
			if got.Status == store.EventDispatched {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if got.Status != store.EventDispatched || got.RunID != runID || got.ProviderEventID != "evt_ok" || got.Verification != store.VerificationOK {
			t.Fatalf("stored event = %+v", got)
		}
		if got.Headers["Stripe-Signature"] != redactedValue {
			t.Fatalf("signature header not redacted: %q", got.Headers["Stripe-Signature"])
		}
	})
}

func TestPipelineRejections(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{MaxBodyBytes: 4096})
		disabled := e.workflow("off", stripeTrigger, store.NewEndpoint{Disabled: true})
		bearer := e.workflow("generic", `{"type":"webhook","connector":"webhook","credential":"hook-bearer"}`, store.NewEndpoint{})
		// No credential: auth "none", so nothing authenticates a delivery
		// and a body that cannot be parsed is refused.
		open := e.workflow("open", `{"type":"webhook","connector":"webhook"}`, store.NewEndpoint{})
		limited := e.workflow("limited", stripeTrigger, store.NewEndpoint{RateLimit: 1, RateBurst: 1})
		fenced := e.workflow("fenced", stripeTrigger, store.NewEndpoint{IPAllowlist: []string{"10.0.0.0/8", "2001:db8::1"}})

		generic := func(body, ct, auth string) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/hooks/"+bearer.Token, strings.NewReader(body))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			if auth != "" {
				r.Header.Set("Authorization", "Bearer "+auth)
			}
			r.Header.Set("Cookie", "session=s3cr3t-cookie")
			return r
		}
		stale := stripeSigned(ep.Token, stripeBody("evt_stale", 500), e.clock.Now().Add(-10*time.Minute), stripeSecret)
		unsigned := e.stripeRequest(ep.Token, stripeBody("evt_nosig", 500))
		unsigned.Header.Del("Stripe-Signature")
		from := func(r *http.Request, addr string) *http.Request { r.RemoteAddr = addr; return r }

		cases := []struct {
			name       string
			req        *http.Request
			endpoint   string
			wantCode   int
			wantBody   string // substring of the reply
			wantLogged string // reason logged; "" when nothing is logged
			wantStored string // substring of the logged body
		}{
			{name: "oversized body", req: e.stripeRequest(ep.Token, bytes.Repeat([]byte("a"), 5000)), endpoint: ep.ID,
				wantCode: 413, wantBody: "limit of 4096 bytes", wantLogged: "request body is larger than this endpoint's limit of 4096 bytes"},
			{name: "oversized chunked body", req: func() *http.Request {
				r := e.stripeRequest(ep.Token, bytes.Repeat([]byte("a"), 5000))
				r.ContentLength = -1
				return r
			}(), endpoint: ep.ID, wantCode: 413, wantBody: "limit of 4096 bytes", wantLogged: "request body is larger"},
			{name: "bad signature", req: stripeSigned(ep.Token, stripeBody("evt_bad", 500), e.clock.Now(), "whsec_wrong"), endpoint: ep.ID,
				wantCode: 401, wantBody: "bad signature", wantLogged: "verification failed: bad signature", wantStored: "evt_bad"},
			{name: "stale timestamp", req: stale, endpoint: ep.ID, wantCode: 401, wantBody: "stale timestamp", wantLogged: "verification failed: stale timestamp"},
			{name: "missing header", req: unsigned, endpoint: ep.ID, wantCode: 401, wantLogged: "verification failed: missing header Stripe-Signature"},
			{name: "wrong bearer", req: generic(`{"a":1}`, "application/json", "nope"), endpoint: bearer.ID, wantCode: 401,
				wantLogged: "verification failed: bad credentials"},
			{name: "malformed JSON keeps the raw body", req: openReq(open.Token, `{"order": 12,`), endpoint: open.ID,
				wantCode: 400, wantBody: "malformed JSON body", wantLogged: "malformed JSON body", wantStored: `{"order": 12,`},
			{name: "nesting deeper than the limit", req: openReq(open.Token, strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)), endpoint: open.ID,
				wantCode: 400, wantBody: "nests deeper than 64 levels", wantLogged: "nests deeper than 64 levels (at byte 64)"},
			{name: "number beyond float64", req: openReq(open.Token, `{"n": 1e400}`), endpoint: open.ID,
				wantCode: 400, wantBody: "the number 1e400 at byte 6 is out of range", wantLogged: "numbers must fit a 64-bit float", wantStored: "1e400"},
			{name: "wrong content type", req: generic(`order=12`, "text/plain", webhookBearer), endpoint: bearer.ID, wantCode: 415,
				wantBody: "accepts application/json", wantLogged: `unsupported content type "text/plain"`, wantStored: "order=12"},
			{name: "form body to a JSON trigger", req: generic(`order=12`, "application/x-www-form-urlencoded", webhookBearer), endpoint: bearer.ID,
				wantCode: 415, wantLogged: "unsupported content type"},
			{name: "GET to a POST endpoint", req: httptest.NewRequest(http.MethodGet, "/hooks/"+bearer.Token, nil), endpoint: bearer.ID,
				wantCode: 405, wantLogged: "method GET not allowed; send POST"},
			{name: "address outside the allowlist", req: from(e.stripeRequest(fenced.Token, stripeBody("evt_ip1", 500)), "192.0.2.7:4000"),
				endpoint: fenced.ID, wantCode: 403, wantBody: "not allowed"},
			{name: "address inside the allowlist", req: from(e.stripeRequest(fenced.Token, stripeBody("evt_ip2", 500)), "10.20.30.40:4000"),
				endpoint: fenced.ID, wantCode: 202, wantBody: `"accepted"`},
			{name: "IPv6 address on the allowlist", req: from(e.stripeRequest(fenced.Token, stripeBody("evt_ip3", 500)), "[2001:db8::1]:4000"),
				endpoint: fenced.ID, wantCode: 202, wantBody: `"accepted"`},
			{name: "disabled endpoint", req: e.stripeRequest(disabled.Token, stripeBody("evt_d", 500)), endpoint: disabled.ID,
				wantCode: 404, wantBody: notFoundBody},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := len(e.events(tc.endpoint))
				w := e.do(tc.req)
				if w.Code != tc.wantCode || !strings.Contains(w.Body.String(), tc.wantBody) {
					t.Fatalf("got %d %s, want %d containing %q", w.Code, w.Body, tc.wantCode, tc.wantBody)
				}
				evs := e.events(tc.endpoint)
				if tc.wantLogged == "" {
					if tc.wantCode >= 400 && len(evs) != before {
						t.Fatalf("logged %d rows, want none", len(evs)-before)
					}
					return
				}
				if len(evs) != before+1 {
					t.Fatalf("logged %d rows, want 1", len(evs)-before)
				}
				got := evs[len(evs)-1]
				if got.Status != store.EventRejected || !strings.Contains(got.Reason, tc.wantLogged) {
					t.Fatalf("logged status %q reason %q, want rejected with %q", got.Status, got.Reason, tc.wantLogged)
				}
				if !strings.Contains(string(got.Body), tc.wantStored) {
					t.Fatalf("logged body %q does not contain %q", got.Body, tc.wantStored)
				}
				for k, v := range got.Headers {
					for _, secret := range []string{stripeSecret, webhookBearer, "nope", "s3cr3t-cookie"} {
						if strings.Contains(v, secret) {
							t.Fatalf("header %s logged with a secret: %q", k, v)
						}
					}
				}
				if strings.Contains(got.Reason, stripeSecret) || strings.Contains(got.Reason, webhookBearer) {
					t.Fatalf("reason leaks a secret: %q", got.Reason)
				}
			})
		}

		t.Run("unknown and disabled tokens answer alike", func(t *testing.T) {
			a := e.do(e.stripeRequest("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", stripeBody("evt_x", 500)))
			b := e.do(e.stripeRequest(disabled.Token, stripeBody("evt_x", 500)))
			c := e.do(e.stripeRequest("../../etc/passwd", stripeBody("evt_x", 500)))
			if a.Code != 404 || b.Code != 404 || c.Code != 404 || a.Body.String() != b.Body.String() || a.Body.String() != c.Body.String() {
				t.Fatalf("unknown %d %q, disabled %d %q, bad %d %q", a.Code, a.Body, b.Code, b.Body, c.Code, c.Body)
			}
			if len(e.events(disabled.ID)) != 0 {
				t.Fatal("a delivery to a disabled endpoint was logged")
			}
		})

		t.Run("rate limit answers 429 with Retry-After", func(t *testing.T) {
			first := e.do(e.stripeRequest(limited.Token, stripeBody("evt_r1", 500)))
			second := e.do(e.stripeRequest(limited.Token, stripeBody("evt_r2", 500)))
			if first.Code != 202 || second.Code != 429 || second.Header().Get("Retry-After") != "1" {
				t.Fatalf("first %d, second %d Retry-After %q", first.Code, second.Code, second.Header().Get("Retry-After"))
			}
			e.clock.Add(time.Second)
			if third := e.do(e.stripeRequest(limited.Token, stripeBody("evt_r3", 500))); third.Code != 202 {
				t.Fatalf("after a second: %d %s", third.Code, third.Body)
			}
		})
	})
}

func TestIgnoredAndDuplicate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		inactive := e.workflow("inactive", stripeTrigger, store.NewEndpoint{})
		if err := st.SetWorkflowActive(context.Background(), inactive.WorkflowID, false); err != nil {
			t.Fatal(err)
		}
		otherType := []byte(strings.Replace(string(stripeBody("evt_cust", 500)), "payment_intent.succeeded", "customer.created", 1))
		cases := []struct {
			name       string
			req        *http.Request
			endpoint   string
			wantStatus string
			wantReason string
		}{
			{"type not in the trigger's events", e.stripeRequest(ep.Token, otherType), ep.ID, StatusIgnored, `event type "customer.created" is not one the trigger listens for`},
			{"filter expression false", e.stripeRequest(ep.Token, stripeBody("evt_small", 99)), ep.ID, StatusIgnored, "trigger filter is false"},
			{"inactive workflow", e.stripeRequest(inactive.Token, stripeBody("evt_in", 500)), inactive.ID, StatusIgnored, "workflow is not active"},
			{"first delivery", e.stripeRequest(ep.Token, stripeBody("evt_dup", 500)), ep.ID, StatusAccepted, ""},
			{"provider retry", e.stripeRequest(ep.Token, stripeBody("evt_dup", 500)), ep.ID, StatusDuplicate, ""},
		}
		var firstID string
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := e.do(tc.req)
				if w.Code != http.StatusAccepted {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				rep := reply(t, w)
				if rep.Status != tc.wantStatus {
					t.Fatalf("status %q, want %q", rep.Status, tc.wantStatus)
				}
				evs := e.events(tc.endpoint)
				last := evs[len(evs)-1]
				switch tc.wantStatus {
				case StatusIgnored:
					if last.Status != store.EventIgnored || last.Reason != tc.wantReason {
						t.Fatalf("logged %q %q, want ignored %q", last.Status, last.Reason, tc.wantReason)
					}
				case StatusAccepted:
					firstID = rep.EventID
				case StatusDuplicate:
					if rep.EventID != firstID || last.Status != store.EventDuplicate || last.DuplicateOf != firstID {
						t.Fatalf("duplicate reply %+v, logged %+v, want original %s", rep, last, firstID)
					}
				}
			})
		}
		e.starter.waitRun(t)
		if n := e.starter.count(); n != 1 {
			t.Fatalf("%d runs started, want 1", n)
		}
	})
}

func TestHandshakes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		slack := e.workflow("slack", `{"type":"webhook","connector":"slack","credential":"slack-test"}`, store.NewEndpoint{})
		meta := e.workflow("meta", `{"type":"webhook","connector":"whatsapp","credential":"meta-test"}`, store.NewEndpoint{})

		body := `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
		ts := fmt.Sprint(e.clock.Now().Unix())
		m := hmac.New(sha256.New, []byte(slackSecret))
		m.Write([]byte("v0:" + ts + ":" + body))
		sr := httptest.NewRequest(http.MethodPost, "/hooks/"+slack.Token, strings.NewReader(body))
		sr.Header.Set("Content-Type", "application/json")
		sr.Header.Set("X-Slack-Request-Timestamp", ts)
		sr.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
		forged := httptest.NewRequest(http.MethodPost, "/hooks/"+slack.Token, strings.NewReader(body))
		forged.Header.Set("Content-Type", "application/json")

		cases := []struct {
			name     string
			req      *http.Request
			wantCode int
			wantBody string
		}{
			{"slack url_verification echoes the challenge", sr, 200, `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`},
			{"unsigned slack url_verification is refused", forged, 401, "verification failed: missing header"},
			{"meta subscribe with the right token", httptest.NewRequest(http.MethodGet, "/hooks/"+meta.Token+"?hub.mode=subscribe&hub.verify_token="+metaVerifyTok+"&hub.challenge=1158201444", nil), 200, "1158201444"},
			{"meta subscribe with a wrong token", httptest.NewRequest(http.MethodGet, "/hooks/"+meta.Token+"?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444", nil), 403, "verify token does not match"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := e.do(tc.req)
				if w.Code != tc.wantCode || !strings.Contains(w.Body.String(), tc.wantBody) {
					t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tc.wantCode, tc.wantBody)
				}
			})
		}
		if n := e.starter.count(); n != 0 {
			t.Fatalf("handshakes started %d runs", n)
		}
	})
}

func TestStoreFailureAnswers503(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.RouteCacheTTL = time.Hour })
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		// Warm the route cache, so the failure hits the commit itself.
		if w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_warm", 500))); w.Code != 202 {
			t.Fatalf("warm-up: %d %s", w.Code, w.Body)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_lost", 500)))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "not accepted") {
			t.Fatalf("got %d %q Retry-After %q, want 503 with Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
		}
		// A cold lookup against the closed store is 503 too, never 404.
		e.svc.Invalidate()
		if w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_lost2", 500))); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("cold lookup: %d %s", w.Code, w.Body)
		}
	})
}

func TestDedupeConcurrentThenAnHourLater(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ep := e.workflow("pay", stripeTrigger, store.NewEndpoint{})
		body := stripeBody("evt_same", 12345)
		const n = 20
		codes := make([]Reply, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				w := e.do(e.stripeRequest(ep.Token, body))
				if w.Code != http.StatusAccepted {
					t.Errorf("request %d: %d %s", i, w.Code, w.Body)
					return
				}
				codes[i] = reply(t, w)
			})
		}
		wg.Wait()
		accepted := 0
		for _, r := range codes {
			if r.Status == StatusAccepted {
				accepted++
			}
			if r.EventID != codes[0].EventID {
				t.Fatalf("replies name different events: %s and %s", r.EventID, codes[0].EventID)
			}
		}
		if accepted != 1 {
			t.Fatalf("%d concurrent deliveries accepted, want 1", accepted)
		}
		e.starter.waitRun(t)
		// Stripe retries for days; an hour later the same event arrives
		// signed afresh.
		e.clock.Add(time.Hour)
		w := e.do(e.stripeRequest(ep.Token, body))
		if rep := reply(t, w); w.Code != 202 || rep.Status != StatusDuplicate || rep.EventID != codes[0].EventID {
			t.Fatalf("an hour later: %d %+v", w.Code, rep)
		}
		// The sweeper, an hour on, must not start it again either.
		e.svc.Dispatcher.Sweep(context.Background())
		pending := 0
		for _, ev := range e.events(ep.ID) {
			if ev.Status != store.EventDuplicate {
				pending++
			}
		}
		if pending != 1 || e.starter.count() != 1 {
			t.Fatalf("%d inbox rows and %d runs, want 1 and 1", pending, e.starter.count())
		}
	})
}

// Issue 11: a trigger filter runs under the expression budget on the
// ingest path. A costly one logs the event as ignored with the budget's
// message instead of holding the request (and a CPU) for as long as the
// expression runs.
func TestTriggerFilterBudget(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		bomb := `{"type":"webhook","connector":"stripe","credential":"stripe-test","filter":"len(reduce(1..400000, upper(toJSON(trigger)), '')) > 0"}`
		ep := e.workflow("bomb", bomb, store.NewEndpoint{})
		w := e.do(e.stripeRequest(ep.Token, stripeBody("evt_bomb", 500)))
		if w.Code != http.StatusAccepted {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		evs := e.events(ep.ID)
		last := evs[len(evs)-1]
		if last.Status != store.EventIgnored || !strings.HasPrefix(last.Reason, "trigger filter failed: expression needs more than 1000000 units of work") {
			t.Fatalf("logged %q %q, want ignored by the filter's budget", last.Status, last.Reason)
		}
	})
}

// openReq is a JSON delivery to an endpoint whose webhook trigger
// authenticates nobody (auth "none").
func openReq(token, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/"+token, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}
