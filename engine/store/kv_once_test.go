package store_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// recordAs encodes a once-only write's result the way a caller would.
func recordAs(tag string) store.EffectRecord {
	return func(result any) ([]byte, error) { return json.Marshal(map[string]any{"by": tag, "result": result}) }
}

// An increment or append repeated with its effect id (an activity retried
// after a crash) writes nothing and returns the first call's record, even
// when the repeats race each other.
func TestKVOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := ctxT(t)

		n, prior, err := s.IncrementKVOnce(ctx, "effect-inc-1", recordAs("first"), "counters", "once", 5, 0)
		if err != nil || prior != nil || n != 5 {
			t.Fatalf("first IncrementKVOnce = %d, %s, %v; want 5, no prior record", n, prior, err)
		}
		n, prior, err = s.IncrementKVOnce(ctx, "effect-inc-1", recordAs("second"), "counters", "once", 5, 0)
		if err != nil || n != 0 || string(prior) != `{"by":"first","result":5}` {
			t.Fatalf("repeated IncrementKVOnce = %d, %s, %v; want the first call's record", n, prior, err)
		}

		// Sixteen racing calls with one effect id and sixteen with their
		// own: the first group counts once, the second sixteen times.
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 16 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, _, err := s.IncrementKVOnce(ctx, "effect-inc-shared", recordAs("racer"), "counters", "once", 100, 0); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				if _, _, err := s.IncrementKVOnce(ctx, fmt.Sprintf("effect-inc-own-%d", i), recordAs("own"), "counters", "once", 1, 0); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := s.GetKV(ctx, "counters", "once")
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Value) != "121" {
			t.Fatalf("after 5, one shared effect of 100 and 16 own effects of 1 the value is %s, want 121", got.Value)
		}

		list, prior, err := s.AppendKVOnce(ctx, "effect-app-1", recordAs("first"), "lists", "once", []byte(`"a"`), 0, 0)
		if err != nil || prior != nil || len(list) != 1 {
			t.Fatalf("first AppendKVOnce = %s, %s, %v; want [\"a\"]", list, prior, err)
		}
		list, prior, err = s.AppendKVOnce(ctx, "effect-app-1", recordAs("second"), "lists", "once", []byte(`"a"`), 0, 0)
		if err != nil || list != nil || string(prior) != `{"by":"first","result":["a"]}` {
			t.Fatalf("repeated AppendKVOnce = %s, %s, %v; want the first call's record", list, prior, err)
		}
		got, err = s.GetKV(ctx, "lists", "once")
		if err != nil || string(got.Value) != `["a"]` {
			t.Fatalf("list after a repeated append = %s, %v; want [\"a\"]", got.Value, err)
		}

		// A refused write records nothing: the same effect id may try again.
		if _, err := s.PutKV(ctx, "counters", "text", []byte(`"x"`), 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.IncrementKVOnce(ctx, "effect-inc-refused", recordAs("refused"), "counters", "text", 1, 0); err == nil {
			t.Fatal("IncrementKVOnce of a string value succeeded")
		}
		if _, err := s.GetBlob(ctx, "effect-inc-refused"); err == nil {
			t.Fatal("a refused increment left an effect record behind")
		}
	})
}
