package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// BenchmarkInsertEvents measures the inbox group commit: one InsertEvents
// transaction per batch of deduplicated events with 1 KiB bodies, as the
// ingestion path issues them. It reports events/s.
func BenchmarkInsertEvents(b *testing.B) {
	body := make([]byte, 1024)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	var seq atomic.Int64
	for _, be := range storetest.Backends(b) {
		for _, size := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("%s/batch=%d", be.Name, size), func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					batch := make([]*store.Event, size)
					for j := range batch {
						key := fmt.Sprintf("evt_%d", seq.Add(1))
						batch[j] = &store.Event{EndpointID: "ep_bench", WorkflowID: "wf_bench", Connector: "stripe",
							ProviderEventID: key, DedupeKey: key, EventType: "payment_intent.succeeded",
							Headers: map[string]string{"Content-Type": "application/json"}, Body: body,
							Verification: store.VerificationOK}
					}
					if _, err := be.Store.InsertEvents(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
