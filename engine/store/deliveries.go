package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

var deliveryStatuses = map[string]bool{
	DeliveryPending: true, DeliverySucceeded: true, DeliveryFailed: true, DeliveryDead: true,
}

type deliveryRow struct {
	ID             string `db:"id"`
	Destination    string `db:"destination"`
	WorkflowID     string `db:"workflow_id"`
	RunID          string `db:"run_id"`
	StepID         string `db:"step_id"`
	Headers        string `db:"headers"`
	Payload        []byte `db:"payload"`
	Attempts       int    `db:"attempts"`
	Status         string `db:"status"`
	LastError      string `db:"last_error"`
	LastStatus     int    `db:"last_status"`
	LatencyMS      int64  `db:"latency_ms"`
	TotalLatencyMS int64  `db:"total_latency_ms"`
	NextAttemptAt  nullMS `db:"next_attempt_at"`
	LastAttemptAt  nullMS `db:"last_attempt_at"`
	LastErrorAt    nullMS `db:"last_error_at"`
	CreatedAt      int64  `db:"created_at"`
	UpdatedAt      int64  `db:"updated_at"`
	ResumedRunID   string `db:"resumed_run_id"`
}

func (r deliveryRow) delivery() (Delivery, error) {
	d := Delivery{ID: r.ID, Destination: r.Destination, WorkflowID: r.WorkflowID, RunID: r.RunID, StepID: r.StepID,
		Payload: r.Payload, Attempts: r.Attempts, Status: r.Status, LastError: r.LastError, LastStatus: r.LastStatus,
		LatencyMS: r.LatencyMS, NextAttemptAt: fromMSPtr(r.NextAttemptAt), CreatedAt: fromMS(r.CreatedAt),
		UpdatedAt: fromMS(r.UpdatedAt), ResumedRunID: r.ResumedRunID}
	if r.Headers != "" && r.Headers != "{}" {
		if err := json.Unmarshal([]byte(r.Headers), &d.Headers); err != nil {
			return Delivery{}, fmt.Errorf("decoding headers of delivery %s: %w", r.ID, err)
		}
	}
	return d, nil
}

// CreateDelivery records a new outgoing delivery in status pending (unless
// d.Status says otherwise). When d.ID is set and already exists, the
// existing delivery is returned unchanged, so an activity that derives the
// id from run and step can retry safely.
func (s *Store) CreateDelivery(ctx context.Context, d Delivery) (Delivery, error) {
	if d.Destination == "" {
		return Delivery{}, fmt.Errorf("creating delivery: empty destination: %w", ErrInvalidArgument)
	}
	if d.ID == "" {
		d.ID = NewID("dlv")
	}
	if d.Status == "" {
		d.Status = DeliveryPending
	}
	if !deliveryStatuses[d.Status] {
		return Delivery{}, fmt.Errorf("creating delivery %s: unknown status %q: %w", d.ID, d.Status, ErrInvalidArgument)
	}
	headers := "{}"
	if len(d.Headers) > 0 {
		h, err := marshalJSON(d.Headers)
		if err != nil {
			return Delivery{}, fmt.Errorf("creating delivery %s: %w", d.ID, err)
		}
		headers = h
	}
	if d.Payload == nil {
		d.Payload = []byte{}
	}
	t := now()
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO deliveries (id, destination, workflow_id, run_id, step_id, headers, payload,
			attempts, status, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		d.ID, d.Destination, d.WorkflowID, d.RunID, d.StepID, headers, d.Payload, d.Status, msPtr(d.NextAttemptAt), ms(t), ms(t))
	if err != nil {
		return Delivery{}, fmt.Errorf("creating delivery %s: %w", d.ID, err)
	}
	return s.GetDelivery(ctx, d.ID)
}

// GetDelivery returns one delivery with its payload.
func (s *Store) GetDelivery(ctx context.Context, id string) (Delivery, error) {
	var r deliveryRow
	if err := s.rdb.GetContext(ctx, &r, s.q(`SELECT * FROM deliveries WHERE id = ?`), id); err != nil {
		return Delivery{}, fmt.Errorf("getting delivery %s: %w", id, notFound(err))
	}
	return r.delivery()
}

// ListDeliveries lists deliveries newest first; Status "dead" gives the
// dead-letter list.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, string, error) {
	var w where
	if f.Destination != "" {
		w.add("destination = ?", f.Destination)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.WorkflowID != "" {
		w.add("workflow_id = ?", f.WorkflowID)
	}
	if f.RunID != "" {
		w.add("run_id = ?", f.RunID)
	}
	suffix, limit, err := w.page("created_at", f.ListOptions)
	if err != nil {
		return nil, "", fmt.Errorf("listing deliveries: %w", err)
	}
	var rows []deliveryRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(`SELECT * FROM deliveries`+w.sql()+suffix), w.args...); err != nil {
		return nil, "", fmt.Errorf("listing deliveries: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(rows[limit-1].CreatedAt, rows[limit-1].ID)
	}
	out := make([]Delivery, 0, len(rows))
	for _, r := range rows {
		d, err := r.delivery()
		if err != nil {
			return nil, "", fmt.Errorf("listing deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, next, nil
}

// RecordDeliveryAttempt counts one attempt and stores its outcome: the new
// status, HTTP status, error, latency and when the next attempt is due.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, id string, a DeliveryAttempt) (Delivery, error) {
	if a.Status == "" || a.Status == DeliveryPending || !deliveryStatuses[a.Status] {
		return Delivery{}, fmt.Errorf("recording attempt of delivery %s: status %q must be succeeded, failed or dead: %w", id, a.Status, ErrInvalidArgument)
	}
	t := ms(now())
	lat := a.Latency.Milliseconds()
	next := msPtr(a.NextAttemptAt)
	if a.Status != DeliveryFailed {
		next = sql.NullInt64{}
	}
	errAt := sql.NullInt64{}
	if a.Error != "" {
		errAt = sql.NullInt64{Int64: t, Valid: true}
	}
	// The counter and the attempt's log row change together, so the log
	// numbers attempts exactly as the counter does.
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET attempts = attempts + 1, status = ?, last_error = ?, last_status = ?,
			latency_ms = ?, total_latency_ms = total_latency_ms + ?, next_attempt_at = ?, last_attempt_at = ?,
			last_error_at = COALESCE(?, last_error_at), updated_at = ?
		WHERE id = ?`),
			a.Status, a.Error, a.HTTPStatus, lat, lat, next, t, errAt, t, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.logDeliveryAttempt(ctx, tx, id, a, t)
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("recording attempt of delivery %s: %w", id, err)
	}
	return s.GetDelivery(ctx, id)
}

// RequeueDelivery moves a failed or dead delivery back to pending, due at
// `at` (a manual retry of a dead letter). A delivery in another state gives
// ErrConflict.
func (s *Store) RequeueDelivery(ctx context.Context, id string, at time.Time) (Delivery, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE deliveries SET status = ?, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND status IN (?, ?)`), DeliveryPending, ms(at), ms(now()), id, DeliveryFailed, DeliveryDead)
	if err != nil {
		return Delivery{}, fmt.Errorf("requeueing delivery %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		d, err := s.GetDelivery(ctx, id)
		if err != nil {
			return Delivery{}, fmt.Errorf("requeueing delivery %s: %w", id, err)
		}
		return Delivery{}, fmt.Errorf("requeueing delivery %s: status is %s: %w", id, d.Status, ErrConflict)
	}
	return s.GetDelivery(ctx, id)
}

type healthRow struct {
	Destination  string        `db:"destination"`
	Deliveries   int           `db:"deliveries"`
	Succeeded    int           `db:"succeeded"`
	Failed       int           `db:"failed"`
	Dead         int           `db:"dead"`
	Pending      int           `db:"pending"`
	Attempts     sql.NullInt64 `db:"attempts"`
	TotalLatency sql.NullInt64 `db:"total_latency"`
	LastAttempt  nullMS        `db:"last_attempt"`
	LastErrorAt  nullMS        `db:"last_error_at"`
}

const healthSelect = `SELECT destination,
	COUNT(*) AS deliveries,
	SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded,
	SUM(CASE WHEN status IN ('failed', 'dead') THEN 1 ELSE 0 END) AS failed,
	SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead,
	SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
	SUM(attempts) AS attempts,
	SUM(total_latency_ms) AS total_latency,
	MAX(last_attempt_at) AS last_attempt,
	MAX(last_error_at) AS last_error_at
	FROM deliveries`

// DestinationHealth aggregates every delivery to destination: counts by
// status, success rate over finished deliveries, average latency per
// attempt and the most recent error.
func (s *Store) DestinationHealth(ctx context.Context, destination string) (DestinationHealth, error) {
	hs, err := s.destinationHealth(ctx, destination)
	if err != nil {
		return DestinationHealth{}, err
	}
	if len(hs) == 0 {
		return DestinationHealth{}, fmt.Errorf("getting health of destination %q: %w", destination, ErrNotFound)
	}
	return hs[0], nil
}

// ListDestinationHealth returns DestinationHealth for every destination,
// ordered by destination.
func (s *Store) ListDestinationHealth(ctx context.Context) ([]DestinationHealth, error) {
	return s.destinationHealth(ctx, "")
}

func (s *Store) destinationHealth(ctx context.Context, destination string) ([]DestinationHealth, error) {
	var w where
	if destination != "" {
		w.add("destination = ?", destination)
	}
	var rows []healthRow
	if err := s.rdb.SelectContext(ctx, &rows, s.q(healthSelect+w.sql()+` GROUP BY destination ORDER BY destination`), w.args...); err != nil {
		return nil, fmt.Errorf("aggregating delivery health: %w", err)
	}
	out := make([]DestinationHealth, 0, len(rows))
	for _, r := range rows {
		h := DestinationHealth{Destination: r.Destination, Deliveries: r.Deliveries, Succeeded: r.Succeeded,
			Failed: r.Failed, Dead: r.Dead, Pending: r.Pending, Attempts: int(r.Attempts.Int64),
			LastAttempt: fromMSPtr(r.LastAttempt), LastErrorAt: fromMSPtr(r.LastErrorAt)}
		if finished := h.Succeeded + h.Failed; finished > 0 {
			h.SuccessRate = float64(h.Succeeded) / float64(finished)
		}
		if h.Attempts > 0 {
			h.AvgLatencyMS = float64(r.TotalLatency.Int64) / float64(h.Attempts)
		}
		if r.LastErrorAt.Valid {
			var msg string
			err := s.rdb.GetContext(ctx, &msg, s.q(`SELECT last_error FROM deliveries WHERE destination = ? AND last_error_at IS NOT NULL
				ORDER BY last_error_at DESC, id DESC LIMIT 1`), r.Destination)
			if err != nil {
				return nil, fmt.Errorf("reading last error of destination %q: %w", r.Destination, err)
			}
			h.LastError = msg
		}
		out = append(out, h)
	}
	return out, nil
}

// PruneDeliveries deletes succeeded and dead deliveries created before
// `before`, in batches; deliveries still being retried are kept.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time, batch int) (int, error) {
	return s.pruneBatches(ctx, "deliveries", "created_at", before, batch, "status IN ('succeeded', 'dead')")
}

// SetDeliveryResumedRun records the run that continues a delivery's failed
// run after a manual retry succeeded. A delivery records one such run: a
// second call with another run id gives ErrConflict, so two retries that
// both succeed cannot both continue the run.
func (s *Store) SetDeliveryResumedRun(ctx context.Context, id, runID string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE deliveries SET resumed_run_id = ?, updated_at = ?
		WHERE id = ? AND (resumed_run_id = '' OR resumed_run_id = ?)`), runID, ms(now()), id, runID)
	if err != nil {
		return fmt.Errorf("recording the run delivery %s resumed: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetDelivery(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("delivery %s has already resumed its run: %w", id, ErrConflict)
	}
	return nil
}
