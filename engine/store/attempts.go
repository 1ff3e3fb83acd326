package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Step attempt statuses.
const (
	AttemptFailed    = "failed"
	AttemptSucceeded = "succeeded"
)

// MaxAttemptsPerStep is how many attempts of one step ListStepAttempts
// returns: the newest ones. StepAttempts.Count still counts them all.
const MaxAttemptsPerStep = 20

// maxAttemptRowsPerRun bounds the attempt rows one ListStepAttempts call
// reads, so a run with a long foreach of failing steps cannot make the run
// page read an unbounded number of rows.
const maxAttemptRowsPerRun = 5000

// StepAttempt is one attempt of an http or action step (see migration
// 0007 for which attempts are kept).
type StepAttempt struct {
	RunID       string        `json:"-"`
	Step        string        `json:"-"` // the step's path in the run
	Attempt     int           `json:"attempt"`
	MaxAttempts int           `json:"max_attempts,omitempty"` // 0: unlimited
	Status      string        `json:"status"`                 // AttemptFailed or AttemptSucceeded
	StartedAt   time.Time     `json:"started_at"`
	Duration    time.Duration `json:"-"`
	DurationMS  int64         `json:"duration_ms"`
	Error       string        `json:"error,omitempty"`
	ErrorClass  string        `json:"error_class,omitempty"`
	HTTPStatus  int           `json:"http_status,omitempty"`
	Host        string        `json:"host,omitempty"`
	// NextAttemptAt is when the next attempt is due; nil when none follows.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// StepAttempts are the kept attempts of one step, oldest first, at most
// MaxAttemptsPerStep of them (the newest); Count is how many there are.
type StepAttempts struct {
	Attempts []StepAttempt
	Count    int
}

type attemptRow struct {
	RunID         string `db:"run_id"`
	Step          string `db:"step"`
	Attempt       int    `db:"attempt"`
	MaxAttempts   int    `db:"max_attempts"`
	Status        string `db:"status"`
	StartedAt     int64  `db:"started_at"`
	DurationMS    int64  `db:"duration_ms"`
	Error         string `db:"error"`
	ErrorClass    string `db:"error_class"`
	HTTPStatus    int    `db:"http_status"`
	Host          string `db:"host"`
	NextAttemptAt nullMS `db:"next_attempt_at"`
}

// upsertAttemptSQL writes one attempt; the activity that recorded it may
// run again after a crash and write the same attempt, which replaces it.
const upsertAttemptSQL = `INSERT INTO step_attempts (run_id, step, attempt, max_attempts, status, started_at,
		duration_ms, error, error_class, http_status, host, next_attempt_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (run_id, step, attempt) DO UPDATE SET
		max_attempts = excluded.max_attempts, status = excluded.status, started_at = excluded.started_at,
		duration_ms = excluded.duration_ms, error = excluded.error, error_class = excluded.error_class,
		http_status = excluded.http_status, host = excluded.host, next_attempt_at = excluded.next_attempt_at`

// RecordStepAttempt keeps one attempt of a step. It is idempotent per
// (run, step, attempt). A status other than AttemptFailed or
// AttemptSucceeded, or a missing run, step or attempt number, gives
// ErrInvalidArgument.
func (s *Store) RecordStepAttempt(ctx context.Context, a StepAttempt) error {
	if a.RunID == "" || a.Step == "" || a.Attempt < 1 {
		return fmt.Errorf("recording step attempt: run, step and attempt (from 1) are required: %w", ErrInvalidArgument)
	}
	if a.Status != AttemptFailed && a.Status != AttemptSucceeded {
		return fmt.Errorf("recording step attempt: unknown status %q: %w", a.Status, ErrInvalidArgument)
	}
	if a.StartedAt.IsZero() {
		a.StartedAt = now()
	}
	_, err := s.execPrepared(ctx, nil, upsertAttemptSQL, a.RunID, a.Step, a.Attempt, a.MaxAttempts, a.Status,
		ms(a.StartedAt), a.Duration.Milliseconds(), a.Error, a.ErrorClass, a.HTTPStatus, a.Host, msPtr(a.NextAttemptAt))
	if err != nil {
		return fmt.Errorf("recording attempt %d of step %s of run %s: %w", a.Attempt, a.Step, a.RunID, err)
	}
	return nil
}

// ListStepAttempts returns the kept attempts of a run's steps by step
// path, each step's newest MaxAttemptsPerStep oldest first. A run without
// kept attempts gives an empty map.
func (s *Store) ListStepAttempts(ctx context.Context, runID string) (map[string]StepAttempts, error) {
	var rows []attemptRow
	err := s.rdb.SelectContext(ctx, &rows, s.q(fmt.Sprintf(`SELECT * FROM step_attempts WHERE run_id = ?
		ORDER BY step, attempt DESC LIMIT %d`, maxAttemptRowsPerRun)), runID)
	if err != nil {
		return nil, fmt.Errorf("listing attempts of run %s: %w", runID, err)
	}
	out := map[string]StepAttempts{}
	for _, r := range rows {
		sa := out[r.Step]
		sa.Count++
		if len(sa.Attempts) < MaxAttemptsPerStep {
			sa.Attempts = append(sa.Attempts, StepAttempt{RunID: r.RunID, Step: r.Step, Attempt: r.Attempt,
				MaxAttempts: r.MaxAttempts, Status: r.Status, StartedAt: fromMS(r.StartedAt),
				Duration: time.Duration(r.DurationMS) * time.Millisecond, DurationMS: r.DurationMS, Error: r.Error,
				ErrorClass: r.ErrorClass, HTTPStatus: r.HTTPStatus, Host: r.Host, NextAttemptAt: fromMSPtr(r.NextAttemptAt)})
		}
		out[r.Step] = sa
	}
	for step, sa := range out {
		// Read newest first to keep the newest; shown oldest first.
		for i, j := 0, len(sa.Attempts)-1; i < j; i, j = i+1, j-1 {
			sa.Attempts[i], sa.Attempts[j] = sa.Attempts[j], sa.Attempts[i]
		}
		out[step] = sa
	}
	return out, nil
}

// pruneAttempts deletes attempts that started before `before`, batch runs'
// worth per statement, like pruneBatches (the table has no id column).
func (s *Store) pruneAttempts(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultPruneBatch
	}
	q := s.q(fmt.Sprintf(`DELETE FROM step_attempts WHERE run_id IN
		(SELECT run_id FROM step_attempts WHERE started_at < ? ORDER BY started_at LIMIT %d) AND started_at < ?`, batch))
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("pruning step attempts: %w", err)
		}
		res, err := s.db.ExecContext(ctx, q, ms(before), ms(before))
		if err != nil {
			return total, fmt.Errorf("pruning step attempts: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("pruning step attempts: %w", err)
		}
		total += int(n)
		if n == 0 {
			return total, nil
		}
	}
}

// DerivedID is an id like NewID whose time part is t and whose other bits
// derive from key, so the same (t, key) always gives the same id. The
// interpreter names the event row of a scheduled run with it, in workflow
// code, where nothing random may be drawn.
func DerivedID(prefix string, t time.Time, key string) string {
	var b [16]byte
	sum := sha256.Sum256([]byte(key))
	copy(b[6:], sum[:10])
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16|uint64(binary.BigEndian.Uint16(sum[:2])))
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return prefix + "_" + string(out[:])
}

// RecordRunEvent logs the event row of a run that no delivery started (a
// scheduled run), linked to its run, unless a row with e.ID exists. It is
// idempotent, so the run's summary saves may repeat it.
func (s *Store) RecordRunEvent(ctx context.Context, e Event) error {
	if e.ID == "" || e.RunID == "" {
		return fmt.Errorf("recording run event: id and run id are required: %w", ErrInvalidArgument)
	}
	headers, err := prepareEvent(&e, now())
	if err != nil {
		return fmt.Errorf("recording run event: %w", err)
	}
	_, err = s.execPrepared(ctx, nil, insertEventSQL+` ON CONFLICT (id) DO NOTHING`, eventArgs(&e, headers, nullString(e.DedupeKey))...)
	if err != nil {
		return fmt.Errorf("recording event %s of run %s: %w", e.ID, e.RunID, err)
	}
	return nil
}
