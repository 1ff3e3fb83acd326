package triggers

import (
	"context"
	"fmt"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// Pruner keeps the store within the retention: events received more than
// Config.Retention ago go, and with them the finished runs, finished
// outgoing deliveries and stored blobs of the same age. It deletes in
// small batches (Config.PruneBatch rows per statement), so ingestion
// interleaves with it.
type Pruner struct {
	cfg   Config
	store *store.Store
}

// Run prunes at once and then every Config.PruneInterval until ctx ends.
// A failed round is logged and tried again at the next tick. Service.Start
// runs it.
func (p *Pruner) Run(ctx context.Context) {
	t := time.NewTicker(p.cfg.PruneInterval)
	defer t.Stop()
	for {
		if _, err := p.Prune(ctx); err != nil && ctx.Err() == nil {
			p.cfg.Logger.Warn("pruning events", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Prune deletes events received more than Config.Retention ago (pending
// events are kept whatever their age), with the finished runs, finished
// deliveries and stored blobs of the same age, and returns how many events
// it deleted. An error names what could not be pruned; what was deleted
// before it stays deleted. Logging is only for pruned events, so an idle
// store says nothing.
func (p *Pruner) Prune(ctx context.Context) (int, error) {
	before := p.cfg.Now().Add(-p.cfg.Retention)
	n, err := p.store.PruneEvents(ctx, before, p.cfg.PruneBatch)
	if err != nil {
		return n, fmt.Errorf("pruning events: %w", err)
	}
	// Run summaries, finished deliveries and stored step outputs (large
	// outputs and recorded call results) age out with the events, so the
	// store does not grow without bound.
	others := []struct {
		what  string
		prune func(context.Context, time.Time, int) (int, error)
	}{
		{"runs", p.store.PruneRuns},
		{"deliveries", p.store.PruneDeliveries},
		{"blobs", p.store.PruneBlobs},
	}
	pruned := []any{"events", n}
	for _, o := range others {
		m, err := o.prune(ctx, before, p.cfg.PruneBatch)
		if err != nil {
			return n, fmt.Errorf("pruning %s: %w", o.what, err)
		}
		pruned = append(pruned, o.what, m)
	}
	// Expired data-store keys already read as missing; sweeping reclaims
	// their space on the same schedule.
	m, err := p.store.SweepKV(ctx, p.cfg.Now(), p.cfg.PruneBatch)
	if err != nil {
		return n, fmt.Errorf("sweeping expired data-store keys: %w", err)
	}
	pruned = append(pruned, "data_keys", m)
	// The sequence marks of order keys silent for the whole retention
	// go too: they would only compare events older than any kept.
	m, err = p.store.PruneSequenceMarks(ctx, before)
	if err != nil {
		return n, fmt.Errorf("pruning sequence marks: %w", err)
	}
	pruned = append(pruned, "sequence_marks", m)
	if n > 0 {
		p.cfg.Logger.Info("pruned old records", append(pruned, "retention", p.cfg.Retention)...)
	}
	return n, nil
}
