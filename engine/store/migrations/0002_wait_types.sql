-- Event types some wait_for_event step has waited for. The dispatcher
-- offers an accepted event to waiting runs only when its type is listed,
-- which spares every other event a call to Temporal. Rows are never
-- removed: a type once waited for is always offered.
CREATE TABLE wait_types (
    event_type    TEXT PRIMARY KEY,
    registered_at BIGINT NOT NULL
);
