package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

func TestKVGetPutDelete(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		if _, err := s.GetKV(ctx, "shop", "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetKV(missing) = %v, want ErrNotFound", err)
		}
		if _, err := s.PutKV(ctx, "shop", "order:1", []byte(`{"notified": true,  "n": 2}`), 0); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetKV(ctx, "shop", "order:1")
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Value) != `{"notified":true,"n":2}` || got.ExpiresAt != nil {
			t.Fatalf("GetKV = %s (expires %v), want the compacted value and no expiry", got.Value, got.ExpiresAt)
		}
		// Another store is another namespace.
		if _, err := s.GetKV(ctx, store.PrivateStore("wf_1"), "order:1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetKV(other store) = %v, want ErrNotFound", err)
		}
		found, err := s.DeleteKV(ctx, "shop", "order:1")
		if err != nil || !found {
			t.Fatalf("DeleteKV = %v, %v; want true, nil", found, err)
		}
		found, err = s.DeleteKV(ctx, "shop", "order:1")
		if err != nil || found {
			t.Fatalf("DeleteKV again = %v, %v; want false, nil (a retried delete is harmless)", found, err)
		}
	})
}

func TestKVRefusesBadInput(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		big := `"` + strings.Repeat("x", store.MaxKVValueBytes) + `"`
		tests := []struct {
			name       string
			store, key string
			value      string
			want       string
		}{
			{"empty key", "shop", "", `1`, "key: is empty"},
			{"long key", "shop", strings.Repeat("k", store.MaxKVKeyBytes+1), `1`, "key: is 513 bytes, over the limit of 512"},
			{"not json", "shop", "k", `{nope`, "value: is not valid JSON"},
			{"too big", "shop", "k", big, "value: is 262146 bytes of JSON, over the limit of 262144"},
			{"no store", "", "k", `1`, "store: is required"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.PutKV(ctx, tt.store, tt.key, []byte(tt.value), 0)
				if !errors.Is(err, store.ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("PutKV = %v, want ErrInvalidArgument saying %q", err, tt.want)
				}
			})
		}
		if err := store.ValidStoreName("workflow:wf_1"); err == nil {
			t.Fatal("ValidStoreName accepted a private store's name")
		}
		if err := store.ValidStoreName("dedupe-flags.v2"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestKVTTLExpiresAndSweeps(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		// A TTL of 1ms has passed by the time of the next statement's
		// millisecond clock once we sleep past it; the sweep is driven by
		// the time given, so it needs no sleep.
		if _, err := s.PutKV(ctx, "cache", "short", []byte(`"v"`), time.Millisecond); err != nil {
			t.Fatal(err)
		}
		long, err := s.PutKV(ctx, "cache", "long", []byte(`"v"`), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if long.ExpiresAt == nil || long.ExpiresAt.Before(time.Now().Add(59*time.Minute)) {
			t.Fatalf("ExpiresAt = %v, want about an hour from now", long.ExpiresAt)
		}
		time.Sleep(5 * time.Millisecond)
		if _, err := s.GetKV(ctx, "cache", "short"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetKV(expired) = %v, want ErrNotFound", err)
		}
		keys, _, err := s.ListKV(ctx, "cache", store.KVListOptions{})
		if err != nil || len(keys) != 1 || keys[0].Key != "long" {
			t.Fatalf("ListKV = %v, %v; want only the live key", keys, err)
		}
		// An expired counter starts again from zero.
		if _, err := s.PutKV(ctx, "cache", "n", []byte(`40`), time.Millisecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if n, err := s.IncrementKV(ctx, "cache", "n", 2, 0); err != nil || n != 2 {
			t.Fatalf("IncrementKV(expired) = %d, %v; want 2", n, err)
		}
		swept, err := s.SweepKV(ctx, time.Now(), 100)
		if err != nil || swept != 1 {
			t.Fatalf("SweepKV = %d, %v; want 1 (the expired key)", swept, err)
		}
		swept, err = s.SweepKV(ctx, time.Now().Add(2*time.Hour), 100)
		if err != nil || swept != 1 {
			t.Fatalf("SweepKV(later) = %d, %v; want 1 (the hour-long key)", swept, err)
		}
	})
}

func TestKVIncrementIsAtomic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		const workers, each = 16, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if _, err := s.IncrementKV(ctx, "counters", "hits", 3, 0); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := s.GetKV(ctx, "counters", "hits")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint(workers * each * 3); string(got.Value) != want {
			t.Fatalf("after %d concurrent increments of 3 the value is %s, want %s", workers*each, got.Value, want)
		}
		if n, err := s.IncrementKV(ctx, "counters", "hits", -1200, 0); err != nil || n != 0 {
			t.Fatalf("IncrementKV(-1200) = %d, %v; want 0", n, err)
		}
		if _, err := s.PutKV(ctx, "counters", "name", []byte(`"ada"`), 0); err != nil {
			t.Fatal(err)
		}
		_, err = s.IncrementKV(ctx, "counters", "name", 1, 0)
		if !errors.Is(err, store.ErrInvalidArgument) || !strings.Contains(err.Error(), "not an integer") {
			t.Fatalf("IncrementKV(string) = %v, want ErrInvalidArgument: not an integer", err)
		}
		if got, _ := s.GetKV(ctx, "counters", "name"); string(got.Value) != `"ada"` {
			t.Fatalf("a refused increment changed the value to %s", got.Value)
		}
		// Overflow is refused on both databases and leaves the value.
		for _, tc := range []struct {
			start string
			by    int64
		}{{"9223372036854775807", 1}, {"-9223372036854775808", -1}} {
			if _, err := s.PutKV(ctx, "counters", "edge", []byte(tc.start), 0); err != nil {
				t.Fatal(err)
			}
			_, err = s.IncrementKV(ctx, "counters", "edge", tc.by, 0)
			if !errors.Is(err, store.ErrInvalidArgument) || !strings.Contains(err.Error(), "64-bit integer range") {
				t.Fatalf("IncrementKV(%s by %d) = %v, want ErrInvalidArgument naming the range", tc.start, tc.by, err)
			}
			if got, _ := s.GetKV(ctx, "counters", "edge"); string(got.Value) != tc.start {
				t.Fatalf("a refused overflow changed the value to %s", got.Value)
			}
		}
		if n, err := s.IncrementKV(ctx, "counters", "edge", 1, 0); err != nil || n != -9223372036854775807 {
			t.Fatalf("IncrementKV(min by 1) = %d, %v", n, err)
		}
	})
}

func TestKVAppend(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		const workers = 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.AppendKV(ctx, "log", "seen", []byte(fmt.Sprint(w)), 0, 0); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := s.GetKV(ctx, "log", "seen")
		if err != nil {
			t.Fatal(err)
		}
		var list []int
		if err := json.Unmarshal(got.Value, &list); err != nil || len(list) != workers {
			t.Fatalf("after %d concurrent appends the list is %s (%v), want %d items", workers, got.Value, err, workers)
		}
		// Bounded: the newest items stay.
		for i := 0; i < 5; i++ {
			if _, err := s.AppendKV(ctx, "log", "recent", []byte(fmt.Sprint(i)), 3, 0); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.GetKV(ctx, "log", "recent"); string(got.Value) != `[2,3,4]` {
			t.Fatalf("a list bounded to 3 is %s, want [2,3,4]", got.Value)
		}
		if _, err := s.PutKV(ctx, "log", "scalar", []byte(`7`), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendKV(ctx, "log", "scalar", []byte(`8`), 0, 0); !errors.Is(err, store.ErrInvalidArgument) {
			t.Fatalf("AppendKV(not an array) = %v, want ErrInvalidArgument", err)
		}
	})
}

func TestKVListAndStores(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)
		for _, k := range []string{"a:1", "a:2", "a:3", "a_%", "b:1"} {
			if _, err := s.PutKV(ctx, "shop", k, []byte(`true`), 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.PutKV(ctx, store.PrivateStore("wf_9"), "x", []byte(`1`), 0); err != nil {
			t.Fatal(err)
		}
		var keys []string
		cursor := ""
		for page := 0; ; page++ {
			got, next, err := s.ListKV(ctx, "shop", store.KVListOptions{Prefix: "a:", Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range got {
				keys = append(keys, kv.Key)
			}
			if next == "" {
				break
			}
			if page > 3 {
				t.Fatal("pagination does not end")
			}
			cursor = next
		}
		if strings.Join(keys, ",") != "a:1,a:2,a:3" {
			t.Fatalf("keys with prefix a: = %v, want a:1,a:2,a:3", keys)
		}
		if _, _, err := s.ListKV(ctx, "shop", store.KVListOptions{Cursor: "!!"}); !errors.Is(err, store.ErrInvalidCursor) {
			t.Fatalf("ListKV(bad cursor) = %v, want ErrInvalidCursor", err)
		}
		stores, err := s.ListKVStores(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(stores) != "[{shop 5} {workflow:wf_9 1}]" {
			t.Fatalf("ListKVStores = %v", stores)
		}
	})
}
