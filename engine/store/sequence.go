package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
)

// Event statuses of the trigger options sequence, reorder_window and
// concurrency (see package triggers, "Out-of-order events").
const (
	// EventStale is an event older than the newest one already processed
	// for its order key: not run. Reason names that event. A replay runs it
	// deliberately.
	EventStale = "stale"
	// EventHeld is an event waiting out its trigger's reorder_window, to be
	// run in sequence order with the other events of its key. It is due at
	// next_dispatch_at; ReleaseHeld hands it back as pending.
	EventHeld = "held"
	// EventQueued is an event waiting for a free run slot of its workflow
	// (concurrency.limit). A finished run wakes the oldest (WakeQueued).
	EventQueued = "queued"
)

// SequenceMark is the high-water mark of one order key of a workflow: the
// newest sequence value processed, and the event that carried it.
type SequenceMark struct {
	WorkflowID string
	OrderKey   string
	// Seq is the sequence value in unix nanoseconds.
	Seq       int64
	EventID   string
	UpdatedAt time.Time
}

// SequenceResult is the outcome of CheckSequence.
type SequenceResult struct {
	// Stale is true when the key's mark is newer than the event; Mark is
	// then that mark. The event is left as it was: MarkEventStale records
	// the outcome (the check does not advance anything, so it can be made
	// again after a crash and gives the same answer).
	Stale bool
	Mark  SequenceMark
}

// CheckSequence is the atomic compare-and-advance of an order key's
// high-water mark. In one transaction it advances the mark of
// (workflowID, orderKey) to seq when seq is newer than the mark (or there
// is none), and records on the event that it passed. An event whose seq
// equals the mark passes too without moving it: two events of the same
// instant are both run. An event that passed before (a dispatch retried
// after a crash between this check and the start) passes again whatever
// the mark says now, so the check never loses an event it let through;
// an event that has already left pending, held and queued (another
// process dispatched it) passes as well, since its start is a no-op.
//
// Concurrent callers, in this process or another, are serialised on the
// mark's row, so of two events of one key exactly the newer advances it.
func (s *Store) CheckSequence(ctx context.Context, eventID, workflowID, orderKey string, seq int64) (SequenceResult, error) {
	var out SequenceResult
	t := ms(now())
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var ev struct {
			Status  string `db:"status"`
			Checked int    `db:"seq_checked"`
		}
		if err := tx.GetContext(ctx, &ev, s.q(`SELECT status, seq_checked FROM events WHERE id = ?`+s.forUpdate()), eventID); err != nil {
			return notFound(err)
		}
		if ev.Checked == 1 || !waitingStatus(ev.Status) {
			return nil
		}
		var advanced []string
		err := tx.SelectContext(ctx, &advanced, s.q(`INSERT INTO sequence_marks (workflow_id, order_key, seq, event_id, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (workflow_id, order_key) DO UPDATE SET seq = excluded.seq, event_id = excluded.event_id, updated_at = excluded.updated_at
			WHERE sequence_marks.seq < excluded.seq
			RETURNING event_id`), workflowID, orderKey, seq, eventID, t)
		if err != nil {
			return err
		}
		if len(advanced) == 0 {
			// The row is locked by the upsert (PostgreSQL locks the
			// conflicting row even when the update's WHERE is false), so
			// this read sees the mark that refused the event.
			m, err := s.sequenceMark(ctx, tx, workflowID, orderKey)
			if err != nil {
				return err
			}
			if m.Seq > seq {
				out = SequenceResult{Stale: true, Mark: m}
				return nil
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE events SET seq_checked = 1, order_key = ?, seq = ?, updated_at = ? WHERE id = ?`),
			orderKey, seq, t, eventID)
		return err
	})
	if err != nil {
		return SequenceResult{}, fmt.Errorf("checking the sequence of event %s: %w", eventID, err)
	}
	return out, nil
}

// waitingStatus reports whether an event with status has not been
// dispatched yet: pending, held or queued.
func waitingStatus(status string) bool {
	return status == EventPending || status == EventHeld || status == EventQueued
}

// forUpdate locks the selected rows until the transaction ends on
// PostgreSQL; SQLite's write transaction already excludes every writer.
func (s *Store) forUpdate() string {
	if s.dialect == DialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

func (s *Store) sequenceMark(ctx context.Context, q sqlx.QueryerContext, workflowID, orderKey string) (SequenceMark, error) {
	var r struct {
		Seq       int64  `db:"seq"`
		EventID   string `db:"event_id"`
		UpdatedAt int64  `db:"updated_at"`
	}
	err := sqlx.GetContext(ctx, q, &r, s.q(`SELECT seq, event_id, updated_at FROM sequence_marks WHERE workflow_id = ? AND order_key = ?`),
		workflowID, orderKey)
	if err != nil {
		return SequenceMark{}, notFound(err)
	}
	return SequenceMark{WorkflowID: workflowID, OrderKey: orderKey, Seq: r.Seq, EventID: r.EventID, UpdatedAt: fromMS(r.UpdatedAt)}, nil
}

// GetSequenceMark returns the high-water mark of one order key, or
// ErrNotFound when no event of the key has passed yet.
func (s *Store) GetSequenceMark(ctx context.Context, workflowID, orderKey string) (SequenceMark, error) {
	m, err := s.sequenceMark(ctx, s.rdb, workflowID, orderKey)
	if err != nil {
		return SequenceMark{}, fmt.Errorf("getting the sequence mark of %s/%s: %w", workflowID, orderKey, err)
	}
	return m, nil
}

// MarkEventStale ends a pending, held or queued event as EventStale with
// reason. An event that has moved on (another process dispatched it)
// gives ErrConflict and is left alone.
func (s *Store) MarkEventStale(ctx context.Context, id, reason string) error {
	return s.moveWaiting(ctx, id, EventStale, reason, nil, "marking event %s stale")
}

// HoldEvent moves a pending event to EventHeld until `until`, recording
// its order key and sequence value (ReleaseHeld groups by them) and
// reason. An event that is no longer pending gives ErrConflict.
func (s *Store) HoldEvent(ctx context.Context, id, orderKey string, seq int64, until time.Time, reason string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE events SET status = ?, order_key = ?, seq = ?, next_dispatch_at = ?, reason = ?, updated_at = ?
		WHERE id = ? AND status = ?`), EventHeld, orderKey, seq, ms(until), reason, ms(now()), id, EventPending)
	if err != nil {
		return fmt.Errorf("holding event %s: %w", id, err)
	}
	return s.changedOne(ctx, res, id, "holding event %s")
}

// QueueEvent moves a pending or queued event to EventQueued, with no
// dispatch time: WakeQueued gives it one when a run slot frees. An event
// that has moved on gives ErrConflict.
func (s *Store) QueueEvent(ctx context.Context, id, reason string) error {
	return s.moveWaiting(ctx, id, EventQueued, reason, nil, "queueing event %s")
}

// moveWaiting sets a waiting (pending, held, queued) event's status,
// reason and next dispatch time.
func (s *Store) moveWaiting(ctx context.Context, id, status, reason string, next *time.Time, what string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE events SET status = ?, reason = ?, next_dispatch_at = ?, updated_at = ?
		WHERE id = ? AND status IN (?, ?, ?)`), status, reason, msPtr(next), ms(now()), id, EventPending, EventHeld, EventQueued)
	if err != nil {
		return fmt.Errorf(what+": %w", id, err)
	}
	return s.changedOne(ctx, res, id, what)
}

// changedOne turns an update that matched no row into ErrNotFound (no
// such event) or ErrConflict (the event is in another state).
func (s *Store) changedOne(ctx context.Context, res sql.Result, id, what string) error {
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := s.GetEvent(ctx, id); err != nil {
		return fmt.Errorf(what+": %w", id, err)
	}
	return fmt.Errorf(what+": its status changed: %w", id, ErrConflict)
}

// ReleaseHeld hands back the held events that are due, a whole order key
// at a time, as pending events under a dispatch lease (like
// ClaimPendingEvents: next_dispatch_at moves to now+lease and an attempt
// is counted). For each key with a due event it releases every held event
// of that key up to the highest due sequence value, including ones that
// arrived later and are not due yet: they are older than an event about
// to run, and would only be stale after it. Each group comes back in
// sequence order (then received order), to be started one after another;
// at most limit keys are released per call.
func (s *Store) ReleaseHeld(ctx context.Context, now time.Time, lease time.Duration, limit int) ([][]Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("releasing held events: lease must be positive: %w", ErrInvalidArgument)
	}
	// A read first: the sweeper calls this every tick, and an idle tick
	// must not take SQLite's write lock.
	var due int
	if err := s.rdb.GetContext(ctx, &due, s.q(`SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE status = 'held' AND next_dispatch_at <= ? LIMIT 1) d`),
		ms(now)); err != nil {
		return nil, fmt.Errorf("releasing held events: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var groups [][]Event
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var keys []struct {
			WorkflowID string `db:"workflow_id"`
			OrderKey   string `db:"order_key"`
			MaxSeq     int64  `db:"max_seq"`
		}
		err := tx.SelectContext(ctx, &keys, s.q(fmt.Sprintf(`SELECT workflow_id, order_key, MAX(seq) AS max_seq FROM events
			WHERE status = 'held' AND next_dispatch_at <= ? GROUP BY workflow_id, order_key ORDER BY MIN(next_dispatch_at) LIMIT %d`, limit)),
			ms(now))
		if err != nil {
			return err
		}
		for _, k := range keys {
			// The status condition makes each held event released once,
			// however many processes release at the same moment.
			var rows []struct {
				eventRow
				Seq int64 `db:"seq"`
			}
			err := tx.SelectContext(ctx, &rows, s.q(`UPDATE events SET status = ?, next_dispatch_at = ?, dispatch_attempts = dispatch_attempts + 1,
				reason = '', updated_at = ?
				WHERE status = 'held' AND workflow_id = ? AND order_key = ? AND seq <= ?
				RETURNING `+eventColumns+`, seq`), EventPending, ms(now.Add(lease)), ms(now), k.WorkflowID, k.OrderKey, k.MaxSeq)
			if err != nil {
				return err
			}
			sort.Slice(rows, func(i, j int) bool {
				a, b := rows[i], rows[j]
				if a.Seq != b.Seq {
					return a.Seq < b.Seq
				}
				if a.ReceivedAt != b.ReceivedAt {
					return a.ReceivedAt < b.ReceivedAt
				}
				return a.ID < b.ID
			})
			group := make([]Event, 0, len(rows))
			for _, r := range rows {
				e, err := r.event()
				if err != nil {
					return err
				}
				group = append(group, e)
			}
			if len(group) > 0 {
				groups = append(groups, group)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("releasing held events: %w", err)
	}
	return groups, nil
}

// AcquireSlot takes a run slot of workflowID for the run runID of event
// eventID, when fewer than limit runs of the workflow are in flight and no
// queued event received before receivedAt waits for one (so queued events
// start in the order received, and a stream of new events cannot starve
// them). A run that holds its slot already (a retried dispatch) gets it
// again. It reports whether the slot was taken; on success a queued event
// moves back to pending, ready to start.
//
// The count and the slot change in one transaction that locks the
// workflow's row, so several server processes never exceed the limit.
func (s *Store) AcquireSlot(ctx context.Context, workflowID, runID, eventID string, receivedAt time.Time, limit int) (bool, error) {
	if limit <= 0 {
		return false, fmt.Errorf("acquiring a run slot of %s: limit must be positive: %w", workflowID, ErrInvalidArgument)
	}
	ok := false
	t := ms(now())
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO workflow_concurrency (workflow_id, in_flight, slot_limit, updated_at) VALUES (?, 0, ?, ?)
			ON CONFLICT (workflow_id) DO UPDATE SET slot_limit = excluded.slot_limit`), workflowID, limit, t); err != nil {
			return err
		}
		var held int
		if err := tx.GetContext(ctx, &held, s.q(`SELECT COUNT(*) FROM run_slots WHERE workflow_id = ? AND run_id = ?`), workflowID, runID); err != nil {
			return err
		}
		if held == 0 {
			var older int
			if err := tx.GetContext(ctx, &older, s.q(`SELECT COUNT(*) FROM events WHERE workflow_id = ? AND status = ? AND received_at < ? AND id <> ?`),
				workflowID, EventQueued, ms(receivedAt), eventID); err != nil {
				return err
			}
			if older > 0 {
				return nil
			}
			res, err := tx.ExecContext(ctx, s.q(`UPDATE workflow_concurrency SET in_flight = in_flight + 1, updated_at = ?
				WHERE workflow_id = ? AND in_flight < ?`), t, workflowID, limit)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO run_slots (workflow_id, run_id, event_id, acquired_at) VALUES (?, ?, ?, ?)`),
				workflowID, runID, eventID, t); err != nil {
				return err
			}
		}
		ok = true
		_, err := tx.ExecContext(ctx, s.q(`UPDATE events SET status = ?, reason = '', updated_at = ? WHERE id = ? AND status = ?`),
			EventPending, t, eventID, EventQueued)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("acquiring a run slot of %s: %w", workflowID, err)
	}
	return ok, nil
}

// ReleaseFinishedSlots frees the slots of runs that are no longer in
// flight: their run summary has a final status (completed, failed,
// filtered, cancelled), or their event failed before any run was listed
// (its start was refused for good). A run still "running" keeps its slot,
// waiting in a delay, wait_for_event or approval included. It returns how
// many slots it freed. The sweeper calls it every tick, so a slot frees
// within a sweep interval of its run's end, in whichever process.
func (s *Store) ReleaseFinishedSlots(ctx context.Context) (int, error) {
	// Found with a read, so that a tick with nothing to free takes no
	// write lock; the delete below decides, so a slot another process
	// freed meanwhile is not counted twice. Sorted, so that two processes
	// freeing the same slots lock them in one order and cannot deadlock.
	var done []struct {
		WorkflowID string `db:"workflow_id"`
		RunID      string `db:"run_id"`
	}
	err := s.rdb.SelectContext(ctx, &done, s.q(`SELECT s.workflow_id, s.run_id FROM run_slots s
		LEFT JOIN runs r ON r.id = s.run_id
		LEFT JOIN events e ON e.id = s.event_id
		WHERE (r.id IS NOT NULL AND r.status <> ?) OR (r.id IS NULL AND (e.id IS NULL OR e.status IN (?, ?)))
		ORDER BY s.workflow_id, s.run_id`),
		RunRunning, EventFailed, EventStale)
	if err != nil {
		return 0, fmt.Errorf("releasing run slots: %w", err)
	}
	if len(done) == 0 {
		return 0, nil
	}
	freed := 0
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, d := range done {
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM run_slots WHERE workflow_id = ? AND run_id = ?`), d.WorkflowID, d.RunID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // another process freed it
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE workflow_concurrency SET in_flight = in_flight - 1, updated_at = ?
				WHERE workflow_id = ? AND in_flight > 0`), ms(now()), d.WorkflowID); err != nil {
				return err
			}
			freed++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("releasing run slots: %w", err)
	}
	return freed, nil
}

// WakeQueued makes the oldest queued events of each workflow due now, as
// many as the workflow has free slots, and returns how many it woke. A
// woken event stays queued until AcquireSlot gives it a slot; one that
// loses the race for it is queued again. An event already woken (due, or
// claimed under a lease) takes one of the free slots and is not woken
// twice.
func (s *Store) WakeQueued(ctx context.Context, now time.Time) (int, error) {
	var free []struct {
		WorkflowID string `db:"workflow_id"`
		Free       int    `db:"free"`
	}
	err := s.rdb.SelectContext(ctx, &free, s.q(`SELECT workflow_id, slot_limit - in_flight AS free FROM workflow_concurrency c
		WHERE slot_limit > in_flight AND EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = c.workflow_id AND e.status = ?)`), EventQueued)
	if err != nil {
		return 0, fmt.Errorf("waking queued events: %w", err)
	}
	if len(free) == 0 {
		return 0, nil
	}
	woken := 0
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, f := range free {
			res, err := tx.ExecContext(ctx, s.q(fmt.Sprintf(`UPDATE events SET next_dispatch_at = ?, updated_at = ?
				WHERE id IN (SELECT id FROM events WHERE workflow_id = ? AND status = ? ORDER BY received_at, id LIMIT %d)
				AND next_dispatch_at IS NULL`, f.Free)),
				ms(now), ms(now), f.WorkflowID, EventQueued)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			woken += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("waking queued events: %w", err)
	}
	return woken, nil
}

// SetEventReason records why an event went as it did without changing
// its status, for example that its sequence option could not be applied.
func (s *Store) SetEventReason(ctx context.Context, id, reason string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE events SET reason = ?, updated_at = ? WHERE id = ?`), reason, ms(now()), id)
	if err != nil {
		return fmt.Errorf("noting on event %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("noting on event %s: %w", id, ErrNotFound)
	}
	return nil
}

// PruneSequenceMarks deletes the high-water marks of order keys that no
// event has advanced since before, with the events of that age: an event
// older than the retention is not compared with anything any more. It
// returns how many marks it deleted.
func (s *Store) PruneSequenceMarks(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sequence_marks WHERE updated_at < ?`), ms(before))
	if err != nil {
		return 0, fmt.Errorf("pruning sequence marks: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ConcurrencyStat is one workflow's run slots: its limit, the runs in
// flight and the events queued for a slot.
type ConcurrencyStat struct {
	WorkflowID string
	Limit      int
	InFlight   int
	Queued     int
}

// ConcurrencyStats lists every workflow that has had a concurrency limit,
// for the gauges in /metrics.
func (s *Store) ConcurrencyStats(ctx context.Context) ([]ConcurrencyStat, error) {
	var rows []struct {
		WorkflowID string `db:"workflow_id"`
		Limit      int    `db:"slot_limit"`
		InFlight   int    `db:"in_flight"`
		Queued     int    `db:"queued"`
	}
	err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT c.workflow_id, c.slot_limit, c.in_flight,
		(SELECT COUNT(*) FROM events e WHERE e.workflow_id = c.workflow_id AND e.status = ?) AS queued
		FROM workflow_concurrency c ORDER BY c.workflow_id`), EventQueued)
	if err != nil {
		return nil, fmt.Errorf("reading concurrency stats: %w", err)
	}
	out := make([]ConcurrencyStat, len(rows))
	for i, r := range rows {
		out[i] = ConcurrencyStat{WorkflowID: r.WorkflowID, Limit: r.Limit, InFlight: r.InFlight, Queued: r.Queued}
	}
	return out, nil
}
