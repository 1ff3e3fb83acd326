package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// DefaultPruneBatch is the batch size PruneEvents uses when given 0. Small
// batches keep each delete short, so ingestion never waits long for the
// write lock.
const DefaultPruneBatch = 500

var eventStatuses = map[string]bool{
	EventPending: true, EventDispatched: true, EventRunning: true, EventCompleted: true, EventFailed: true,
	EventIgnored: true, EventRejected: true, EventDuplicate: true, EventFiltered: true,
	EventUnparseable: true, EventStale: true, EventHeld: true, EventQueued: true,
}

// ValidEventStatus reports whether status is one of the Event* statuses.
func ValidEventStatus(status string) bool { return eventStatuses[status] }

type eventRow struct {
	ID               string         `db:"id"`
	EndpointID       string         `db:"endpoint_id"`
	WorkflowID       string         `db:"workflow_id"`
	WorkflowVersion  int            `db:"workflow_version"`
	Connector        string         `db:"connector"`
	ProviderEventID  string         `db:"provider_event_id"`
	DedupeKey        sql.NullString `db:"dedupe_key"`
	EventType        string         `db:"event_type"`
	ReceivedAt       int64          `db:"received_at"`
	Headers          string         `db:"headers"`
	Body             []byte         `db:"body"`
	Verification     string         `db:"verification"`
	Reason           string         `db:"reason"`
	Status           string         `db:"status"`
	RunID            string         `db:"run_id"`
	DispatchAttempts int            `db:"dispatch_attempts"`
	NextDispatchAt   nullMS         `db:"next_dispatch_at"`
	ReplayOf         string         `db:"replay_of"`
	DuplicateOf      string         `db:"duplicate_of"`
	UpdatedAt        int64          `db:"updated_at"`
	BatchID          string         `db:"batch_id"`
}

func (r eventRow) event() (Event, error) {
	e := Event{ID: r.ID, EndpointID: r.EndpointID, WorkflowID: r.WorkflowID, WorkflowVersion: r.WorkflowVersion,
		Connector: r.Connector, ProviderEventID: r.ProviderEventID, DedupeKey: r.DedupeKey.String, EventType: r.EventType,
		ReceivedAt: fromMS(r.ReceivedAt), Body: r.Body, Verification: r.Verification, Reason: r.Reason, Status: r.Status,
		RunID: r.RunID, DispatchAttempts: r.DispatchAttempts, NextDispatchAt: fromMSPtr(r.NextDispatchAt),
		ReplayOf: r.ReplayOf, DuplicateOf: r.DuplicateOf, UpdatedAt: fromMS(r.UpdatedAt), BatchID: r.BatchID}
	if r.Headers != "" && r.Headers != "{}" {
		if err := json.Unmarshal([]byte(r.Headers), &e.Headers); err != nil {
			return Event{}, fmt.Errorf("decoding headers of event %s: %w", r.ID, err)
		}
	}
	return e, nil
}

const eventColumns = `id, endpoint_id, workflow_id, workflow_version, connector, provider_event_id, dedupe_key, event_type,
	received_at, headers, body, verification, reason, status, run_id, dispatch_attempts, next_dispatch_at, replay_of,
	duplicate_of, updated_at, batch_id`

// eventSummaryColumns leaves out headers and body, for lists.
const eventSummaryColumns = `id, endpoint_id, workflow_id, workflow_version, connector, provider_event_id, dedupe_key, event_type,
	received_at, verification, reason, status, run_id, dispatch_attempts, next_dispatch_at, replay_of,
	duplicate_of, updated_at`

// prepareEvent fills defaults into e and returns its headers as JSON.
func prepareEvent(e *Event, t time.Time) (string, error) {
	if e.ID == "" {
		e.ID = NewID("evt")
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = t
	}
	e.ReceivedAt = e.ReceivedAt.UTC().Truncate(time.Millisecond)
	e.UpdatedAt = t
	if e.Status == "" {
		e.Status = EventPending
	}
	if !eventStatuses[e.Status] {
		return "", fmt.Errorf("event %s: unknown status %q: %w", e.ID, e.Status, ErrInvalidArgument)
	}
	if e.Verification == "" {
		e.Verification = VerificationSkipped
	}
	if e.Status == EventPending {
		if e.NextDispatchAt == nil {
			at := e.ReceivedAt
			e.NextDispatchAt = &at
		}
	} else {
		e.NextDispatchAt = nil
	}
	if len(e.Headers) == 0 {
		return "{}", nil
	}
	return marshalJSON(e.Headers)
}

const insertEventSQL = `INSERT INTO events (id, endpoint_id, workflow_id, workflow_version, connector, provider_event_id,
	dedupe_key, event_type, received_at, headers, body, verification, reason, status, run_id, dispatch_attempts,
	next_dispatch_at, replay_of, duplicate_of, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func eventArgs(e *Event, headers string, dedupe sql.NullString) []any {
	return []any{e.ID, e.EndpointID, e.WorkflowID, e.WorkflowVersion, e.Connector, e.ProviderEventID,
		dedupe, e.EventType, ms(e.ReceivedAt), headers, e.Body, e.Verification, e.Reason, e.Status, e.RunID,
		e.DispatchAttempts, msPtr(e.NextDispatchAt), e.ReplayOf, e.DuplicateOf, ms(e.UpdatedAt)}
}

// InsertEvents commits a batch of events in ONE transaction: the ingestion
// path group-commits concurrent requests through it, so a 2xx can be sent
// for every event of the batch once it returns nil. Missing ids, times,
// statuses and next-dispatch times are filled into the given events.
//
// An event with a DedupeKey that its endpoint has already seen is not
// inserted as a new pending event; its result has Duplicate set and the
// original's ID, and the delivery is still logged as a separate row with
// status "duplicate" (LogID). This holds within a batch, across batches and
// across concurrent transactions and processes (the UNIQUE (endpoint_id,
// dedupe_key) constraint with ON CONFLICT DO NOTHING decides).
//
// Any other failure rolls the whole batch back and returns an error; an
// event id that already exists gives ErrDuplicate.
func (s *Store) InsertEvents(ctx context.Context, events []*Event) ([]InsertResult, error) {
	if len(events) == 0 {
		return nil, nil
	}
	t := now()
	headers := make([]string, len(events))
	for i, e := range events {
		h, err := prepareEvent(e, t)
		if err != nil {
			return nil, fmt.Errorf("inserting events: %w", err)
		}
		headers[i] = h
	}
	// Insert in (endpoint, dedupe key) order: concurrent batches that share
	// keys then wait on each other's unique-index entries in the same order
	// and cannot deadlock (PostgreSQL would abort one with 40P01). The sort
	// is stable, so within a batch the first occurrence of a key wins.
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ea, eb := events[order[a]], events[order[b]]
		if ea.EndpointID != eb.EndpointID {
			return ea.EndpointID < eb.EndpointID
		}
		return ea.DedupeKey < eb.DedupeKey
	})
	results := make([]InsertResult, len(events))
	// A group commit of one event is the common case below a few hundred
	// events a second; its statements are prepared once (see prepared.go).
	if err := s.warm(ctx, insertEventSQL, insertKeyedEventSQL); err != nil {
		return nil, fmt.Errorf("inserting events: %w", err)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var plain, keyed []int
		for _, i := range order {
			if events[i].DedupeKey == "" {
				plain = append(plain, i)
			} else {
				keyed = append(keyed, i)
			}
		}
		// Multi-row statements: one round trip per chunk, not per event.
		for _, chunk := range chunks(plain) {
			if err := s.insertEventRows(ctx, tx, events, headers, chunk, false, nil); err != nil {
				return err
			}
			for _, i := range chunk {
				results[i] = InsertResult{ID: events[i].ID, LogID: events[i].ID}
			}
		}
		inserted := map[string]bool{}
		for _, chunk := range chunks(keyed) {
			if err := s.insertEventRows(ctx, tx, events, headers, chunk, true, inserted); err != nil {
				return err
			}
		}
		var dups []int
		for _, i := range keyed {
			if inserted[events[i].ID] {
				results[i] = InsertResult{ID: events[i].ID, LogID: events[i].ID}
			} else {
				dups = append(dups, i)
			}
		}
		if len(dups) == 0 {
			return nil
		}
		originals, err := s.findOriginals(ctx, tx, events, dups)
		if err != nil {
			return err
		}
		// Log each duplicate delivery as its own row pointing at the original.
		for _, i := range dups {
			e := events[i]
			original, ok := originals[[2]string{e.EndpointID, e.DedupeKey}]
			if !ok {
				return fmt.Errorf("finding original of duplicate event %s: not found", e.ID)
			}
			e.Status, e.DuplicateOf, e.NextDispatchAt = EventDuplicate, original, nil
			results[i] = InsertResult{ID: original, Duplicate: true, LogID: e.ID}
		}
		for _, chunk := range chunks(dups) {
			if err := s.insertEventRows(ctx, tx, events, headers, chunk, false, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inserting %d events: %w", len(events), err)
	}
	return results, nil
}

// insertChunk bounds the rows of one multi-row INSERT: 20 parameters a
// row stays far below both SQLite's and PostgreSQL's parameter limits.
const insertChunk = 200

func chunks(idx []int) [][]int {
	var out [][]int
	for len(idx) > insertChunk {
		out = append(out, idx[:insertChunk])
		idx = idx[insertChunk:]
	}
	if len(idx) > 0 {
		out = append(out, idx)
	}
	return out
}

// insertEventRows inserts events[idx...] in one statement. With dedupe,
// rows whose (endpoint_id, dedupe_key) exists are skipped and the ids of
// the inserted rows are added to inserted. Duplicate-status rows are
// written without their dedupe key.
func (s *Store) insertEventRows(ctx context.Context, tx *sqlx.Tx, events []*Event, headers []string, idx []int, dedupe bool, inserted map[string]bool) error {
	if len(idx) == 1 {
		return s.insertEventRow(ctx, tx, events[idx[0]], headers[idx[0]], dedupe, inserted)
	}
	var b strings.Builder
	b.WriteString(insertEventSQL)
	args := make([]any, 0, len(idx)*20)
	for n, i := range idx {
		if n > 0 {
			b.WriteString(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		}
		key := sql.NullString{}
		if dedupe {
			key = nullString(events[i].DedupeKey)
		}
		args = append(args, eventArgs(events[i], headers[i], key)...)
	}
	if !dedupe {
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return eventInsertErr(err)
		}
		return nil
	}
	b.WriteString(dedupeClause)
	var ids []string
	if err := tx.SelectContext(ctx, &ids, s.q(b.String()), args...); err != nil {
		return eventInsertErr(err)
	}
	for _, id := range ids {
		inserted[id] = true
	}
	return nil
}

// insertKeyedEventSQL inserts one event unless its endpoint has seen its
// dedupe key, and returns its id if it inserted it.
const insertKeyedEventSQL = insertEventSQL + dedupeClause

const dedupeClause = " ON CONFLICT (endpoint_id, dedupe_key) DO NOTHING RETURNING id"

// insertEventRow is insertEventRows for one event, with a prepared
// statement: compiling the 20-column INSERT each time was about 30% of
// InsertEvents' CPU at 50 events/s.
func (s *Store) insertEventRow(ctx context.Context, tx *sqlx.Tx, e *Event, headers string, dedupe bool, inserted map[string]bool) error {
	if !dedupe {
		if _, err := s.execPrepared(ctx, tx, insertEventSQL, eventArgs(e, headers, sql.NullString{})...); err != nil {
			return eventInsertErr(err)
		}
		return nil
	}
	var ids []string
	if err := s.selectPrepared(ctx, tx, &ids, insertKeyedEventSQL, eventArgs(e, headers, nullString(e.DedupeKey))...); err != nil {
		return eventInsertErr(err)
	}
	for _, id := range ids {
		inserted[id] = true
	}
	return nil
}

// findOriginals maps (endpoint, dedupe key) to the id of the event that
// holds it, for the duplicates events[idx...].
func (s *Store) findOriginals(ctx context.Context, tx *sqlx.Tx, events []*Event, idx []int) (map[[2]string]string, error) {
	out := map[[2]string]string{}
	for _, chunk := range chunks(idx) {
		var conds []string
		var args []any
		for _, i := range chunk {
			conds = append(conds, "(endpoint_id = ? AND dedupe_key = ?)")
			args = append(args, events[i].EndpointID, events[i].DedupeKey)
		}
		var rows []struct {
			ID         string `db:"id"`
			EndpointID string `db:"endpoint_id"`
			DedupeKey  string `db:"dedupe_key"`
		}
		q := `SELECT id, endpoint_id, dedupe_key FROM events WHERE ` + strings.Join(conds, " OR ")
		if err := tx.SelectContext(ctx, &rows, s.q(q), args...); err != nil {
			return nil, fmt.Errorf("finding originals of duplicate events: %w", err)
		}
		for _, r := range rows {
			out[[2]string{r.EndpointID, r.DedupeKey}] = r.ID
		}
	}
	return out, nil
}

func eventInsertErr(err error) error {
	if isUnique(err) {
		return fmt.Errorf("an event id in the batch already exists: %w", ErrDuplicate)
	}
	return err
}

// GetEvent returns one event with its headers and body.
func (s *Store) GetEvent(ctx context.Context, id string) (Event, error) {
	var r eventRow
	if err := s.rdb.GetContext(ctx, &r, s.q(`SELECT `+eventColumns+` FROM events WHERE id = ?`), id); err != nil {
		return Event{}, fmt.Errorf("getting event %s: %w", id, notFound(err))
	}
	return r.event()
}

// ListEvents lists events newest first (received_at DESC, id DESC).
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]Event, string, error) {
	var w where
	if f.WorkflowID != "" {
		w.add("workflow_id = ?", f.WorkflowID)
	}
	if f.EndpointID != "" {
		w.add("endpoint_id = ?", f.EndpointID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.EventType != "" {
		w.add("event_type = ?", f.EventType)
	}
	if f.ProviderEventID != "" {
		w.add("provider_event_id = ?", f.ProviderEventID)
	}
	if f.ReplayOf != "" {
		w.add("replay_of = ?", f.ReplayOf)
	}
	if !f.Since.IsZero() {
		w.add("received_at >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("received_at < ?", ms(f.Until))
	}
	suffix, limit, err := w.page("received_at", f.ListOptions)
	if err != nil {
		return nil, "", fmt.Errorf("listing events: %w", err)
	}
	cols := eventSummaryColumns
	if f.IncludeBody {
		cols = eventColumns
	}
	var rows []eventRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT `+cols+` FROM events`+w.sql()+suffix), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing events: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(rows[limit-1].ReceivedAt, rows[limit-1].ID)
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		e, err := r.event()
		if err != nil {
			return nil, "", fmt.Errorf("listing events: %w", err)
		}
		out = append(out, e)
	}
	return out, next, nil
}

// ClaimPendingEvents claims up to limit pending events whose
// next_dispatch_at <= now, oldest due first, for the dispatcher or the
// sweeper. Queued events a finished run woke (WakeQueued) are claimed the
// same way and keep their status until they get a slot (AcquireSlot);
// held events are released by ReleaseHeld instead, a key at a time. A claim is a lease: it moves next_dispatch_at to now+lease and
// counts a dispatch attempt, so no other claimer (goroutine or process)
// gets the same event until the lease runs out. The claimer must then call
// MarkDispatched or MarkDispatchFailed; if it crashes, the event becomes
// claimable again when the lease expires. Events come back with bodies.
func (s *Store) ClaimPendingEvents(ctx context.Context, limit int, now time.Time, lease time.Duration) ([]Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claiming events: lease must be positive: %w", ErrInvalidArgument)
	}
	lock := ""
	if s.dialect == DialectPostgres {
		// Rows another claimer has locked are skipped rather than waited
		// for; after its commit they no longer match next_dispatch_at <= now.
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := fmt.Sprintf(`UPDATE events SET next_dispatch_at = ?, dispatch_attempts = dispatch_attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM events WHERE status IN ('pending', 'queued') AND next_dispatch_at <= ?
			ORDER BY next_dispatch_at, id LIMIT %d%s)
		RETURNING `+eventColumns, limit, lock)
	var rows []eventRow
	if err := s.db.SelectContext(ctx, &rows, s.q(q), ms(now.Add(lease)), ms(now), ms(now)); err != nil {
		return nil, fmt.Errorf("claiming events: %w", err)
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		e, err := r.event()
		if err != nil {
			return nil, fmt.Errorf("claiming events: %w", err)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ReceivedAt.Equal(out[j].ReceivedAt) {
			return out[i].ReceivedAt.Before(out[j].ReceivedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// markDispatchedSQL moves a pending event to dispatched, or, when the run
// has already moved it on, only links the run if the event has none. SET
// expressions see the row as it was before the update.
const markDispatchedSQL = `UPDATE events SET
		run_id = CASE WHEN status = ? OR run_id = '' THEN ? ELSE run_id END,
		next_dispatch_at = CASE WHEN status = ? THEN NULL ELSE next_dispatch_at END,
		reason = CASE WHEN status = ? THEN '' ELSE reason END,
		status = CASE WHEN status = ? THEN ? ELSE status END,
		updated_at = ?
	WHERE id = ?`

func markDispatchedArgs(id, runID string) []any {
	return []any{EventPending, runID, EventPending, EventPending, EventPending, EventDispatched, ms(now()), id}
}

// MarkDispatched records that the event's run was started in Temporal as
// runID. It is idempotent. An event that has already moved past
// "dispatched" (its run reported first, as with respond: on_complete) keeps
// its status but still gets the run id when it has none, so the event log
// always links to the run.
func (s *Store) MarkDispatched(ctx context.Context, id, runID string) error {
	// One statement for both cases (a fast run saves its summary before
	// the dispatcher gets here); see markDispatchedSQL.
	res, err := s.execPrepared(ctx, nil, markDispatchedSQL, markDispatchedArgs(id, runID)...)
	if err != nil {
		return fmt.Errorf("marking event %s dispatched: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("marking event %s dispatched: %w", id, ErrNotFound)
	}
	return nil
}

// MarkDispatchedListed is MarkDispatched for a run whose starter lists it:
// in the same transaction it inserts run, a "running" summary, unless the
// run has written its own row already (a fast run may have ended before
// its dispatcher gets here; its row is left as it is).
func (s *Store) MarkDispatchedListed(ctx context.Context, id string, run Run) error {
	run.EventID = id
	if err := s.markListed(ctx, []Run{run}, true); err != nil {
		return fmt.Errorf("marking event %s dispatched: %w", id, err)
	}
	return nil
}

// MarkDispatchFailed keeps the event pending and schedules its next
// dispatch attempt at nextAttemptAt, recording why this one failed.
// An event that is no longer pending gives ErrConflict.
func (s *Store) MarkDispatchFailed(ctx context.Context, id string, nextAttemptAt time.Time, reason string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE events SET next_dispatch_at = ?, reason = ?, updated_at = ? WHERE id = ? AND status = ?`),
		ms(nextAttemptAt), reason, ms(now()), id, EventPending)
	if err != nil {
		return fmt.Errorf("recording failed dispatch of event %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetEvent(ctx, id); err != nil {
			return fmt.Errorf("recording failed dispatch of event %s: %w", id, err)
		}
		return fmt.Errorf("recording failed dispatch of event %s: not pending: %w", id, ErrConflict)
	}
	return nil
}

// SetEventStatus sets an event's status (and reason, when not empty), for
// example when its run completes or fails. Setting EventPending makes it
// due for dispatch now.
func (s *Store) SetEventStatus(ctx context.Context, id, status, reason string) error {
	if !eventStatuses[status] {
		return fmt.Errorf("setting status of event %s: unknown status %q: %w", id, status, ErrInvalidArgument)
	}
	t := ms(now())
	sets := []string{"status = ?", "updated_at = ?"}
	args := []any{status, t}
	if reason != "" {
		sets, args = append(sets, "reason = ?"), append(args, reason)
	}
	if status == EventPending {
		sets, args = append(sets, "next_dispatch_at = ?"), append(args, t)
	} else {
		sets = append(sets, "next_dispatch_at = NULL")
	}
	args = append(args, id)
	// A few fixed texts (with or without reason, pending or not).
	res, err := s.execPrepared(ctx, nil, `UPDATE events SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("setting status of event %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("setting status of event %s: %w", id, ErrNotFound)
	}
	return nil
}

// PruneEvents deletes events received before `before`, batch rows per
// statement (DefaultPruneBatch when batch <= 0), each batch its own short
// transaction so ingestion interleaves. Pending, held and queued events
// are never pruned: an event that was acknowledged but never dispatched
// is not lost to retention. It returns how many rows it deleted; on a cancelled context
// it stops between batches and returns the count so far with the error.
func (s *Store) PruneEvents(ctx context.Context, before time.Time, batch int) (int, error) {
	return s.pruneBatches(ctx, "events", "received_at", before, batch, "status NOT IN ('pending', 'held', 'queued')")
}

func (s *Store) pruneBatches(ctx context.Context, table, timeCol string, before time.Time, batch int, extra string) (int, error) {
	if batch <= 0 {
		batch = DefaultPruneBatch
	}
	cond := timeCol + " < ?"
	if extra != "" {
		cond += " AND " + extra
	}
	q := s.q(fmt.Sprintf(`DELETE FROM %s WHERE id IN (SELECT id FROM %s WHERE %s ORDER BY %s LIMIT %d)`,
		table, table, cond, timeCol, batch))
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("pruning %s: %w", table, err)
		}
		res, err := s.db.ExecContext(ctx, q, ms(before))
		if err != nil {
			return total, fmt.Errorf("pruning %s: %w", table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("pruning %s: %w", table, err)
		}
		total += int(n)
		if int(n) < batch {
			return total, nil
		}
	}
}
