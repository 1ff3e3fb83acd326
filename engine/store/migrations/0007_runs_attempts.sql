-- Runs you can understand (interpreter attempts, run names).
--
-- name is the run's rendered trigger.run_name ("Order 1001"); empty when
-- the trigger has none. name_warning says why the template could not be
-- rendered and the fallback name was used instead.
ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN name_warning TEXT NOT NULL DEFAULT '';

-- step_attempts keeps the attempts of http and action steps that did not
-- succeed at once: every failed attempt, and the successful attempt that
-- followed failures. A step that succeeds at its first attempt writes
-- nothing here (its step record in runs.steps is that attempt). step is
-- the step's path in the run ("notify[2].send"); attempt counts from 1
-- across the local attempt and the regular activity that continues it.
-- next_attempt_at is when the next attempt is due (NULL: none follows).
CREATE TABLE step_attempts (
    run_id          TEXT    NOT NULL,
    step            TEXT    NOT NULL,
    attempt         INTEGER NOT NULL,
    max_attempts    INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL,
    started_at      BIGINT  NOT NULL,
    duration_ms     BIGINT  NOT NULL DEFAULT 0,
    error           TEXT    NOT NULL DEFAULT '',
    error_class     TEXT    NOT NULL DEFAULT '',
    http_status     INTEGER NOT NULL DEFAULT 0,
    host            TEXT    NOT NULL DEFAULT '',
    next_attempt_at BIGINT,
    PRIMARY KEY (run_id, step, attempt)
);
CREATE INDEX step_attempts_started ON step_attempts (started_at);
