package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestRotateEndpointGrace: a rotation with a grace period keeps the old
// URL working until it ends; one without ends it at once, also for a
// token still in its grace period.
func TestRotateEndpointGrace(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		w := mustWorkflow(t, s, "grace")
		e, err := s.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: w.ID})
		if err != nil {
			t.Fatal(err)
		}
		rot, err := s.RotateEndpointToken(ctx, e.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if rot.Token == e.Token || rot.PreviousToken != e.Token || rot.PreviousTokenUntil == nil {
			t.Fatalf("rotated with grace = %+v", rot)
		}
		if left := time.Until(*rot.PreviousTokenUntil); left <= 59*time.Minute || left > time.Hour {
			t.Fatalf("previous_token_until is %v from now, want about 1h", left)
		}
		for _, tok := range []string{e.Token, rot.Token} {
			got, err := s.GetEndpointByToken(ctx, tok)
			if err != nil || got.ID != e.ID || got.Token != rot.Token {
				t.Fatalf("GetEndpointByToken(during grace) = %+v, %v", got, err)
			}
		}
		// A second rotation without grace ends the first one's grace.
		rot2, err := s.RotateEndpointToken(ctx, e.ID, 0)
		if err != nil || rot2.PreviousToken != "" || rot2.PreviousTokenUntil != nil {
			t.Fatalf("rotated without grace = %+v, %v", rot2, err)
		}
		for _, tok := range []string{e.Token, rot.Token} {
			if _, err := s.GetEndpointByToken(ctx, tok); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("old token after rotation without grace: %v, want ErrNotFound", err)
			}
		}
		// An expired grace period is neither shown nor accepted.
		rot3, err := s.RotateEndpointToken(ctx, e.ID, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if _, err := s.GetEndpointByToken(ctx, rot2.Token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("token after its grace ended: %v, want ErrNotFound", err)
		}
		got, err := s.GetEndpoint(ctx, e.ID)
		if err != nil || got.PreviousToken != "" || got.Token != rot3.Token {
			t.Fatalf("endpoint after grace ended = %+v, %v", got, err)
		}
	})
}

// TestDeliveryAttemptLog: every recorded attempt is kept in order with its
// status, HTTP status, error, reply excerpt and latency.
func TestDeliveryAttemptLog(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		d, err := s.CreateDelivery(ctx, store.Delivery{Destination: "https://example.test/in", Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		next := time.Now().Add(time.Minute)
		long := strings.Repeat("é", store.MaxAttemptResponseBytes)
		for _, a := range []store.DeliveryAttempt{
			{Status: store.DeliveryFailed, HTTPStatus: 503, Error: "receiver answered HTTP 503", Latency: 12 * time.Millisecond, NextAttemptAt: &next, Response: "busy"},
			{Status: store.DeliveryDead, HTTPStatus: 500, Error: "receiver answered HTTP 500", Latency: 7 * time.Millisecond, Response: long},
			{Status: store.DeliverySucceeded, HTTPStatus: 200, Latency: 3 * time.Millisecond, Response: "ok"},
		} {
			if _, err := s.RecordDeliveryAttempt(ctx, d.ID, a); err != nil {
				t.Fatal(err)
			}
		}
		log, err := s.ListDeliveryAttempts(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 3 {
			t.Fatalf("got %d attempts, want 3: %+v", len(log), log)
		}
		want := []struct {
			n      int
			status string
			code   int
			err    string
			lat    int64
		}{
			{1, store.DeliveryFailed, 503, "receiver answered HTTP 503", 12},
			{2, store.DeliveryDead, 500, "receiver answered HTTP 500", 7},
			{3, store.DeliverySucceeded, 200, "", 3},
		}
		for i, w := range want {
			g := log[i]
			if g.Attempt != w.n || g.Status != w.status || g.HTTPStatus != w.code || g.Error != w.err || g.LatencyMS != w.lat || g.AttemptedAt.IsZero() {
				t.Errorf("attempt %d = %+v", i+1, g)
			}
		}
		if log[0].Response != "busy" || log[2].Response != "ok" {
			t.Errorf("responses = %q, %q", log[0].Response, log[2].Response)
		}
		if r := log[1].Response; len(r) > store.MaxAttemptResponseBytes || !strings.HasPrefix(long, r) || len(r) < store.MaxAttemptResponseBytes-1 {
			t.Errorf("long response kept as %d bytes, want it cut at a character boundary under %d", len(r), store.MaxAttemptResponseBytes)
		}
		if _, err := s.ListDeliveryAttempts(ctx, "dlv_nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown delivery: %v, want ErrNotFound", err)
		}
	})
}

// TestVersionAuthor: a version records the author in its context, and
// none without one.
func TestVersionAuthor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithAuthor(ctxT(t), "ci-deploy")
		w, err := s.CreateWorkflow(ctx, "authored", []byte(`{"name":"authored"}`), "h1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateWorkflow(ctxT(t), w.ID, "authored", []byte(`{"name":"authored","x":1}`), "h2"); err != nil {
			t.Fatal(err)
		}
		vs, _, err := s.ListVersions(ctxT(t), w.ID, store.ListOptions{})
		if err != nil || len(vs) != 2 {
			t.Fatalf("ListVersions = %+v, %v", vs, err)
		}
		if vs[0].Author != "" || vs[1].Author != "ci-deploy" {
			t.Fatalf("authors = %q (v2), %q (v1); want \"\" and \"ci-deploy\"", vs[0].Author, vs[1].Author)
		}
		v1, err := s.GetVersion(ctxT(t), w.ID, 1)
		if err != nil || v1.Author != "ci-deploy" {
			t.Fatalf("GetVersion(1) = %+v, %v", v1, err)
		}
	})
}
