package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Batches. The dispatcher starts the runs of many events of one workflow
// version in one Temporal execution (interpreter.BatchWorkflow). An event
// must run once whichever process starts its batch and however often,
// so the batch's membership is fixed in the store before the start:
//
//  1. AssignBatch writes the batch id into pending events that have none.
//     An event keeps that id for good.
//  2. The batch is started under a Temporal workflow id derived from the
//     batch id, with exactly the events BatchEvents lists. A second start
//     (a retry, the sweeper after a crash, another process) is refused by
//     Temporal, so no event runs twice; a start that never happened is
//     made by the next one, so no event is lost.
//  3. MarkBatchDispatched marks every event dispatched and lists its run
//     in one transaction, after the start.
//
// ClearBatch undoes step 1 only for a batch Temporal refused for good
// (nothing of it started), so its events can start one by one.

// AssignBatch writes batchID into those of ids that are pending and in no
// batch yet, and returns them. An event already in a batch (an earlier
// attempt's, or another process's) is left out: it belongs to that batch.
func (s *Store) AssignBatch(ctx context.Context, batchID string, ids []string) ([]string, error) {
	if batchID == "" {
		return nil, fmt.Errorf("assigning a batch: empty batch id: %w", ErrInvalidArgument)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`UPDATE events SET batch_id = ?, updated_at = ?
		WHERE id IN (?) AND status = 'pending' AND batch_id = '' RETURNING id`, batchID, ms(now()), ids)
	if err != nil {
		return nil, fmt.Errorf("assigning batch %s: %w", batchID, err)
	}
	var got []string
	if err := s.db.SelectContext(ctx, &got, s.q(q), args...); err != nil {
		return nil, fmt.Errorf("assigning batch %s: %w", batchID, err)
	}
	return got, nil
}

// BatchEvents returns the events of a batch, with bodies, oldest first
// (the order the batch runs them in). It reads the write pool: the
// dispatcher calls it right after AssignBatch.
func (s *Store) BatchEvents(ctx context.Context, batchID string) ([]Event, error) {
	var rows []eventRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+eventColumns+` FROM events WHERE batch_id = ? ORDER BY id`), batchID); err != nil {
		return nil, fmt.Errorf("reading batch %s: %w", batchID, err)
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		e, err := r.event()
		if err != nil {
			return nil, fmt.Errorf("reading batch %s: %w", batchID, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// ClearBatch takes the still pending events of batchID out of it. Only for
// a batch whose start Temporal refused for good: a batch that may have
// started must keep its events, or they could run twice.
func (s *Store) ClearBatch(ctx context.Context, batchID string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE events SET batch_id = '', updated_at = ? WHERE batch_id = ? AND status = 'pending'`),
		ms(now()), batchID); err != nil {
		return fmt.Errorf("clearing batch %s: %w", batchID, err)
	}
	return nil
}

// MarkBatchDispatched is MarkDispatchedListed for every run of one started
// batch, in one transaction: each event (run.EventID) is marked
// dispatched with its run, and each run is listed as running (unless it
// has already written its own row). Every run must be RunRunning. An
// event that no longer exists (pruned) is skipped: it must not keep the
// others of its batch unmarked.
func (s *Store) MarkBatchDispatched(ctx context.Context, runs []Run) error {
	if err := s.markListed(ctx, runs, false); err != nil {
		return fmt.Errorf("marking a batch of %d events dispatched: %w", len(runs), err)
	}
	return nil
}

// markListed marks each run's event dispatched and lists the run, in one
// transaction. requireEvent makes an event that does not exist an error
// (ErrNotFound) instead of being skipped.
func (s *Store) markListed(ctx context.Context, runs []Run, requireEvent bool) error {
	if len(runs) == 0 {
		return nil
	}
	args := make([][]any, len(runs))
	for i, run := range runs {
		if run.Status != RunRunning {
			return fmt.Errorf("listing run %s: status %q, want %q: %w", run.ID, run.Status, RunRunning, ErrInvalidArgument)
		}
		a, err := upsertRunArgs(run)
		if err != nil {
			return err
		}
		args[i] = a
	}
	if err := s.warm(ctx, markDispatchedSQL, insertRunSQL); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for i, run := range runs {
			res, err := s.execPrepared(ctx, tx, markDispatchedSQL, markDispatchedArgs(run.EventID, run.ID)...)
			if err != nil {
				return fmt.Errorf("event %s: %w", run.EventID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 && requireEvent {
				return ErrNotFound
			}
			if _, err := s.execPrepared(ctx, tx, insertRunSQL, args[i]...); err != nil {
				return fmt.Errorf("run %s: %w", run.ID, err)
			}
		}
		return nil
	})
}
