-- Event types some wait_for_event step has waited for. The dispatcher
-- offers an accepted event to waiting runs only when its type is listed,
-- which spares every other event a call to Temporal. Rows are never
-- removed: a type once waited for is always offered.
--
-- The type '*' stands for every type. It is listed when this migration
-- finds runs still running: such a run may be parked in a wait that
-- registered before this table existed, so the database keeps offering
-- every event, as before. Delete the row once those runs have ended.
CREATE TABLE wait_types (
    event_type    TEXT PRIMARY KEY,
    registered_at BIGINT NOT NULL
);
INSERT INTO wait_types (event_type, registered_at)
    SELECT '*', 0 WHERE EXISTS (SELECT 1 FROM runs WHERE status = 'running');
