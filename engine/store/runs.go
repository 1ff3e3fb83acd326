package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

var runStatuses = map[string]bool{
	RunRunning: true, RunCompleted: true, RunFailed: true, RunFiltered: true, RunCancelled: true, RunTimedOut: true,
}

// ValidRunStatus reports whether status is one of the Run* statuses.
func ValidRunStatus(status string) bool { return runStatuses[status] }

type runRow struct {
	ID              string `db:"id"`
	TemporalRunID   string `db:"temporal_run_id"`
	WorkflowID      string `db:"workflow_id"`
	WorkflowVersion int    `db:"workflow_version"`
	EventID         string `db:"event_id"`
	Status          string `db:"status"`
	StartedAt       int64  `db:"started_at"`
	EndedAt         nullMS `db:"ended_at"`
	Error           string `db:"error"`
	Output          string `db:"output"`
	Steps           string `db:"steps"`
	RetryOf         string `db:"retry_of"`
	UpdatedAt       int64  `db:"updated_at"`
	Name            string `db:"name"`
	NameWarning     string `db:"name_warning"`
	WorkflowName    string `db:"workflow_name"` // read through runSelect, not a column
	ExecutionID     string `db:"execution_id"`
}

func (r runRow) run() Run {
	return Run{ID: r.ID, TemporalRunID: r.TemporalRunID, WorkflowID: r.WorkflowID, WorkflowVersion: r.WorkflowVersion,
		EventID: r.EventID, Status: r.Status, StartedAt: fromMS(r.StartedAt), EndedAt: fromMSPtr(r.EndedAt),
		Error: r.Error, Output: rawJSON(r.Output), Steps: rawJSON(r.Steps), RetryOf: r.RetryOf, UpdatedAt: fromMS(r.UpdatedAt),
		Name: r.Name, NameWarning: r.NameWarning, WorkflowName: r.WorkflowName, ExecutionID: r.ExecutionID}
}

// runSelect reads runs with their workflow's name. A scalar subquery, not
// a join, keeps the unqualified id and started_at of the list's keyset
// conditions the run's own.
const runSelect = `SELECT runs.*, COALESCE((SELECT w.name FROM workflows w WHERE w.id = runs.workflow_id), '') AS workflow_name FROM runs`

func jsonColumn(field string, v json.RawMessage) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	if !json.Valid(v) {
		return "", fmt.Errorf("%s is not valid JSON: %w", field, ErrInvalidArgument)
	}
	return string(v), nil
}

// upsertRunSQL inserts or updates a run summary; see UpsertRun.
const upsertRunSQL = `INSERT INTO runs (id, temporal_run_id, workflow_id, workflow_version, event_id, status,
		started_at, ended_at, error, output, steps, retry_of, name, name_warning, execution_id, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		temporal_run_id = CASE WHEN excluded.temporal_run_id = '' THEN runs.temporal_run_id ELSE excluded.temporal_run_id END,
		status = excluded.status,
		started_at = CASE WHEN excluded.ended_at IS NOT NULL THEN excluded.started_at ELSE runs.started_at END,
		ended_at = COALESCE(excluded.ended_at, runs.ended_at),
		error = excluded.error,
		output = CASE WHEN excluded.output = '' THEN runs.output ELSE excluded.output END,
		steps = CASE WHEN excluded.steps = '' THEN runs.steps ELSE excluded.steps END,
		name = CASE WHEN excluded.name = '' THEN runs.name ELSE excluded.name END,
		name_warning = CASE WHEN excluded.name = '' THEN runs.name_warning ELSE excluded.name_warning END,
		execution_id = CASE WHEN excluded.execution_id = '' THEN runs.execution_id ELSE excluded.execution_id END,
		updated_at = excluded.updated_at
	WHERE runs.status = 'running' OR excluded.status <> 'running'`

// The other statements of SaveRunSummary.
const (
	runStatusSQL         = `SELECT status FROM runs WHERE id = ?`
	eventStatusSQL       = `UPDATE events SET status = ?, updated_at = ?, next_dispatch_at = NULL WHERE id = ?`
	eventStatusReasonSQL = `UPDATE events SET status = ?, updated_at = ?, reason = ?, next_dispatch_at = NULL WHERE id = ?`
)

// insertRunSQL writes a run summary that does not exist yet; an existing
// row is left alone. It takes the arguments of upsertRunSQL.
const insertRunSQL = `INSERT INTO runs (id, temporal_run_id, workflow_id, workflow_version, event_id, status,
		started_at, ended_at, error, output, steps, retry_of, name, name_warning, execution_id, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO NOTHING`

// upsertRunArgs checks r and returns the arguments of upsertRunSQL.
func upsertRunArgs(r Run) ([]any, error) {
	if r.ID == "" {
		return nil, fmt.Errorf("upserting run: empty id: %w", ErrInvalidArgument)
	}
	if !runStatuses[r.Status] {
		return nil, fmt.Errorf("upserting run %s: unknown status %q: %w", r.ID, r.Status, ErrInvalidArgument)
	}
	output, err := jsonColumn("output", r.Output)
	if err != nil {
		return nil, fmt.Errorf("upserting run %s: %w", r.ID, err)
	}
	steps, err := jsonColumn("steps", r.Steps)
	if err != nil {
		return nil, fmt.Errorf("upserting run %s: %w", r.ID, err)
	}
	t := now()
	if r.StartedAt.IsZero() {
		r.StartedAt = t
	}
	return []any{r.ID, r.TemporalRunID, r.WorkflowID, r.WorkflowVersion, r.EventID, r.Status, ms(r.StartedAt), msPtr(r.EndedAt),
		r.Error, output, steps, r.RetryOf, r.Name, r.NameWarning, r.ExecutionID, ms(t)}, nil // updated_at last: SaveRunSummary reads it
}

// UpsertRun inserts or updates a run summary by id. It is idempotent, so
// the end-of-run activity can be retried. A finished run is never moved
// back to "running" by a late or replayed start notification; apart from
// that, the latest call wins. A zero StartedAt means now.
//
// The write that sets EndedAt also sets StartedAt: a run is often listed
// first by its starter (the dispatcher, a retry), whose wall clock read
// after the start can be later than the run's own start in workflow time,
// and a start from one clock with an end from the other gave summaries
// that ended 14 ms before they started. The run's final summary carries
// both times from one clock, so its duration is never negative.
func (s *Store) UpsertRun(ctx context.Context, r Run) error {
	args, err := upsertRunArgs(r)
	if err != nil {
		return err
	}
	if _, err := s.execPrepared(ctx, nil, upsertRunSQL, args...); err != nil {
		return fmt.Errorf("upserting run %s: %w", r.ID, err)
	}
	return nil
}

// SaveRunSummary is what a run writes when it starts and when it ends, in
// one transaction: UpsertRun, and, when eventStatus is not empty, the
// status (and, when not empty, reason) of the event r.EventID, as
// SetEventStatus; an event that no longer exists is left alone. It reports
// whether the run was already finished before this call, so a retried or
// repeated end is counted once.
func (s *Store) SaveRunSummary(ctx context.Context, r Run, eventStatus, reason string) (wasFinal bool, err error) {
	final, err := s.SaveRunSummaries(ctx, []RunSummary{{Run: r, EventStatus: eventStatus, Reason: reason}})
	if err != nil {
		return false, err
	}
	return final[0], nil
}

// RunSummary is one SaveRunSummaries write: a run and, when EventStatus is
// set, its event's new status and reason.
type RunSummary struct {
	Run         Run
	EventStatus string
	Reason      string
}

// SaveRunSummaries is SaveRunSummary for several runs in one transaction,
// in order: the runs of a batch execution save together. wasFinal says,
// for each, whether its summary was already final before.
func (s *Store) SaveRunSummaries(ctx context.Context, sums []RunSummary) (wasFinal []bool, err error) {
	args := make([][]any, len(sums))
	for i, sum := range sums {
		if args[i], err = upsertRunArgs(sum.Run); err != nil {
			return nil, err
		}
		if sum.EventStatus != "" && (!eventStatuses[sum.EventStatus] || sum.EventStatus == EventPending) {
			return nil, fmt.Errorf("saving run %s: event status %q: %w", sum.Run.ID, sum.EventStatus, ErrInvalidArgument)
		}
	}
	if err := s.warm(ctx, runStatusSQL, upsertRunSQL, eventStatusSQL, eventStatusReasonSQL); err != nil {
		return nil, fmt.Errorf("saving run summaries: %w", err)
	}
	wasFinal = make([]bool, len(sums))
	failed := ""
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		for i, sum := range sums {
			r, a := sum.Run, args[i]
			var prev string
			err := s.getPrepared(ctx, tx, &prev, runStatusSQL, r.ID)
			switch {
			case err == nil:
				wasFinal[i] = prev != RunRunning
			case !errors.Is(err, sql.ErrNoRows):
				failed = r.ID
				return err
			}
			if _, err := s.execPrepared(ctx, tx, upsertRunSQL, a...); err != nil {
				failed = r.ID
				return err
			}
			if sum.EventStatus == "" || r.EventID == "" {
				continue
			}
			if sum.Reason != "" {
				_, err = s.execPrepared(ctx, tx, eventStatusReasonSQL, sum.EventStatus, a[len(a)-1], sum.Reason, r.EventID)
			} else {
				_, err = s.execPrepared(ctx, tx, eventStatusSQL, sum.EventStatus, a[len(a)-1], r.EventID)
			}
			if err != nil {
				failed = r.ID
				return err
			}
		}
		return nil
	})
	if err != nil {
		if len(sums) == 1 {
			return nil, fmt.Errorf("saving run %s: %w", sums[0].Run.ID, err)
		}
		return nil, fmt.Errorf("saving %d run summaries (at run %q): %w", len(sums), failed, err)
	}
	return wasFinal, nil
}

// GetRun returns a run summary with its output and step log.
func (s *Store) GetRun(ctx context.Context, id string) (Run, error) {
	var r runRow
	if err := s.rdb.GetContext(ctx, &r, s.q(runSelect+` WHERE id = ?`), id); err != nil {
		return Run{}, fmt.Errorf("getting run %s: %w", id, notFound(err))
	}
	return r.run(), nil
}

// ListRuns lists runs newest first (started_at DESC, id DESC), with their
// outputs, step logs and workflow names. It ignores f.Match (SearchRuns).
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, string, error) {
	var w where
	if f.WorkflowID != "" {
		w.add("workflow_id = ?", f.WorkflowID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.EventID != "" {
		w.add("event_id = ?", f.EventID)
	}
	if !f.Since.IsZero() {
		w.add("started_at >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("started_at < ?", ms(f.Until))
	}
	suffix, limit, err := w.page("started_at", f.ListOptions)
	if err != nil {
		return nil, "", fmt.Errorf("listing runs: %w", err)
	}
	var rows []runRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(runSelect+w.sql()+suffix), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing runs: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(rows[limit-1].StartedAt, rows[limit-1].ID)
	}
	out := make([]Run, len(rows))
	for i, r := range rows {
		out[i] = r.run()
	}
	return out, next, nil
}

// PruneRuns deletes finished runs that started before `before`, in
// batches like PruneEvents; running runs are kept.
//
// It also deletes the step attempts (RecordStepAttempt) made before
// `before`: they belong to runs that started earlier still, and a running
// run's attempts that old are of no use on its page.
func (s *Store) PruneRuns(ctx context.Context, before time.Time, batch int) (int, error) {
	n, err := s.pruneBatches(ctx, "runs", "started_at", before, batch, "status <> 'running'")
	if err != nil {
		return n, err
	}
	if _, err := s.pruneAttempts(ctx, before, batch); err != nil {
		return n, err
	}
	return n, nil
}

// EndStrandedRun ends the summary of a run that Temporal has closed
// without the run writing its end: terminated from Temporal's own UI or
// CLI, or cut off by its execution timeout. Such a summary would say
// "running" forever, keep the run's concurrency slot and count as in
// flight. Only a summary still "running" changes, so a run that wrote its
// own end in the meantime keeps it. It reports whether the summary
// changed.
func (s *Store) EndStrandedRun(ctx context.Context, id, status, reason string, endedAt time.Time) (bool, error) {
	if status == RunRunning || !runStatuses[status] {
		return false, fmt.Errorf("ending stranded run %s: status %q: %w", id, status, ErrInvalidArgument)
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE runs SET status = ?, error = ?, ended_at = ?, updated_at = ? WHERE id = ? AND status = ?`),
		status, reason, ms(endedAt), ms(now()), id, RunRunning)
	if err != nil {
		return false, fmt.Errorf("ending stranded run %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("ending stranded run %s: %w", id, err)
	}
	return n == 1, nil
}
