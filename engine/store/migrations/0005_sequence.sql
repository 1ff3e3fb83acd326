-- Out-of-order events and per-workflow concurrency (the trigger options
-- sequence, reorder_window and concurrency).
--
-- events.order_key and events.seq record an event's order key and its
-- sequence value (unix nanoseconds) once the dispatcher has read them;
-- seq_checked is 1 once the event passed the sequence check, so a retried
-- dispatch after a crash is never judged against the mark it advanced
-- itself. Queued events that a finished run woke are claimed by the
-- sweeper like pending ones, so the partial index on due events covers
-- both; held events are released by key (events_held_due, events_held).
ALTER TABLE events ADD COLUMN order_key TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN seq BIGINT;
ALTER TABLE events ADD COLUMN seq_checked INTEGER NOT NULL DEFAULT 0;
DROP INDEX events_pending;
CREATE INDEX events_due ON events (next_dispatch_at) WHERE status IN ('pending', 'queued');
CREATE INDEX events_held_due ON events (next_dispatch_at) WHERE status = 'held';
CREATE INDEX events_held ON events (workflow_id, order_key, seq) WHERE status = 'held';
CREATE INDEX events_queued ON events (workflow_id, received_at) WHERE status = 'queued';

-- The high-water mark of each order key: the newest sequence value
-- already processed, and the event that carried it.
CREATE TABLE sequence_marks (
    workflow_id TEXT   NOT NULL,
    order_key   TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    event_id    TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, order_key)
);
CREATE INDEX sequence_marks_updated ON sequence_marks (updated_at);

-- Per-workflow concurrency: one row per workflow with a limit (its
-- in-flight count, updated atomically with the slots) and one slot per
-- run in flight.
CREATE TABLE workflow_concurrency (
    workflow_id TEXT    PRIMARY KEY,
    in_flight   INTEGER NOT NULL DEFAULT 0,
    slot_limit  INTEGER NOT NULL DEFAULT 0,
    updated_at  BIGINT  NOT NULL
);
CREATE TABLE run_slots (
    workflow_id TEXT   NOT NULL,
    run_id      TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    acquired_at BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, run_id)
);
CREATE INDEX run_slots_run ON run_slots (run_id);
