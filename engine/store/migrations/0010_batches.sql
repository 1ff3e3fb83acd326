-- Runs carried by a shared Temporal execution (a batch, see
-- engine/store/batches.go and interpreter.BatchWorkflow).
--
-- events.batch_id names the batch an event was assigned to before its
-- batch execution was started. Once set it never changes, so every start
-- of the batch (the dispatcher's, the sweeper's after a crash) carries the
-- same events under the same Temporal workflow id, and Temporal refuses
-- the second: an event runs once whichever process starts its batch.
ALTER TABLE events ADD COLUMN batch_id TEXT NOT NULL DEFAULT '';
CREATE INDEX events_batch ON events (batch_id) WHERE batch_id <> '';

-- runs.execution_id is the Temporal workflow id that carries the run when
-- it is not the run's own id (a batch); '' for a run with its own
-- execution. Cancel, the live log and resume address the run through it.
ALTER TABLE runs ADD COLUMN execution_id TEXT NOT NULL DEFAULT '';
