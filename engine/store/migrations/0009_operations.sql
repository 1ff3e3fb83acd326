-- Rotating an endpoint's URL with a grace period: the token it had keeps
-- working until previous_token_until (milliseconds), so a sender can be
-- moved to the new URL without losing events. NULL when there is none.
ALTER TABLE endpoints ADD COLUMN previous_token TEXT;
ALTER TABLE endpoints ADD COLUMN previous_token_until BIGINT;
CREATE UNIQUE INDEX endpoints_previous_token ON endpoints (previous_token) WHERE previous_token IS NOT NULL;

-- One row per HTTP attempt of an outgoing delivery: the deliveries row
-- only keeps the last one, and an operator deciding whether to retry a
-- dead letter needs the whole story. response is the start of the
-- receiver's reply body. Rows go with their delivery when it is pruned.
CREATE TABLE delivery_attempts (
    delivery_id  TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    http_status  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    response     TEXT NOT NULL DEFAULT '',
    latency_ms   BIGINT NOT NULL DEFAULT 0,
    attempted_at BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- Who saved each workflow version (the API key's name), for the version
-- history; '' for versions saved before this column or without a key.
ALTER TABLE workflow_versions ADD COLUMN author TEXT NOT NULL DEFAULT '';
