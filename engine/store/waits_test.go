package store_test

import (
	"testing"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestWaitTypes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		waited := func(typ string) bool {
			t.Helper()
			ok, err := s.WaitedFor(ctx, typ)
			if err != nil {
				t.Fatalf("WaitedFor(%q): %v", typ, err)
			}
			return ok
		}
		if waited("order.paid") {
			t.Fatal("a fresh store lists order.paid as waited for")
		}
		for range 2 { // the second mark is a no-op, not a conflict
			if err := s.MarkWaitedFor(ctx, "order.paid"); err != nil {
				t.Fatal(err)
			}
		}
		if !waited("order.paid") {
			t.Error("order.paid is not waited for after MarkWaitedFor")
		}
		if waited("order.refunded") {
			t.Error("order.refunded is waited for, though only order.paid was marked")
		}
	})
}
