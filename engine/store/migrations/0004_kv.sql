-- The data store: durable key-value pairs shared across runs. store is a
-- named store shared by every workflow, or "workflow:<id>" for one
-- workflow's private store. value is JSON text. expires_at is 0 for a key
-- that never expires; an expired key reads as missing until the sweep
-- deletes it.
CREATE TABLE kv (
    store      TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (store, key)
);
CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at <> 0;
