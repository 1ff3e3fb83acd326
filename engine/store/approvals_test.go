package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestApprovalLinkDecidesOnce checks that a link is spent once, also when
// many requests race, and that pruning drops only expired links.
func TestApprovalLinkDecidesOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		use := store.ApprovalLinkUse{ID: "lnk_1", RunID: "run-1", Step: "ok", Approver: "alice@example.com", Approved: true,
			ExpiresAt: time.Now().Add(time.Hour)}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.UseApprovalLink(ctx, use)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("a losing use failed with %v, want ErrConflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d uses of one link succeeded, want 1", won)
		}
		if used, err := s.ApprovalLinkUsed(ctx, "lnk_1"); err != nil || !used {
			t.Fatalf("ApprovalLinkUsed = %v, %v", used, err)
		}
		old := use
		old.ID, old.ExpiresAt = "lnk_old", time.Now().Add(-time.Hour)
		if err := s.UseApprovalLink(ctx, old); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PruneApprovalLinks(ctx, time.Now()); err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want the expired one", n, err)
		}
		if used, _ := s.ApprovalLinkUsed(ctx, "lnk_1"); !used {
			t.Fatal("pruning dropped a link that has not expired")
		}
	})
}

// TestDeliveryResumedRunIsRecordedOnce checks that a delivery records the
// run it continued, and refuses a second, different one.
func TestDeliveryResumedRunIsRecordedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d, err := s.CreateDelivery(ctx, store.Delivery{ID: "dlv_r1", Destination: "https://example.com/hook", RunID: "run-1", StepID: "send"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDeliveryResumedRun(ctx, d.ID, "run-2"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDeliveryResumedRun(ctx, d.ID, "run-2"); err != nil {
			t.Fatalf("recording the same run again: %v", err)
		}
		if err := s.SetDeliveryResumedRun(ctx, d.ID, "run-3"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second run: %v, want ErrConflict", err)
		}
		if err := s.SetDeliveryResumedRun(ctx, "dlv_nope", "run-2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unknown delivery: %v, want ErrNotFound", err)
		}
		got, err := s.GetDelivery(ctx, d.ID)
		if err != nil || got.ResumedRunID != "run-2" {
			t.Fatalf("GetDelivery = %+v, %v", got, err)
		}
	})
}
