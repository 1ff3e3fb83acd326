-- hookflow initial schema.
-- Portable DDL for SQLite and PostgreSQL. Times are BIGINT unix milliseconds
-- (UTC); JSON is TEXT; {{bytes}} becomes BLOB on SQLite and BYTEA on
-- PostgreSQL, the one type that differs.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_created ON api_keys (created_at, id);

CREATE TABLE workflows (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT FALSE,
    current_version INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    deleted_at      BIGINT
);
-- Names are unique among live workflows; a deleted name can be reused.
CREATE UNIQUE INDEX workflows_live_name ON workflows (name) WHERE deleted_at IS NULL;
CREATE INDEX workflows_created ON workflows (created_at, id);

CREATE TABLE workflow_versions (
    workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    hash        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

CREATE TABLE endpoints (
    id             TEXT PRIMARY KEY,
    workflow_id    TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    token          TEXT NOT NULL UNIQUE,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    max_body_bytes BIGINT NOT NULL,
    rate_limit     DOUBLE PRECISION NOT NULL DEFAULT 0,
    rate_burst     INTEGER NOT NULL DEFAULT 0,
    ip_allowlist   TEXT NOT NULL DEFAULT '[]',
    sample         {{bytes}},
    sample_at      BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX endpoints_workflow ON endpoints (workflow_id, created_at);

CREATE TABLE credentials (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    connector  TEXT NOT NULL,
    ciphertext {{bytes}} NOT NULL,
    key_id     TEXT NOT NULL,
    hint       TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX credentials_created ON credentials (created_at, id);

-- The event inbox and log. endpoint_id is '' for manual/API events; it has
-- no foreign key so that the log outlives deleted endpoints.
CREATE TABLE events (
    id                TEXT PRIMARY KEY,
    endpoint_id       TEXT NOT NULL DEFAULT '',
    workflow_id       TEXT NOT NULL DEFAULT '',
    workflow_version  INTEGER NOT NULL DEFAULT 0,
    connector         TEXT NOT NULL DEFAULT '',
    provider_event_id TEXT NOT NULL DEFAULT '',
    dedupe_key        TEXT,
    event_type        TEXT NOT NULL DEFAULT '',
    received_at       BIGINT NOT NULL,
    headers           TEXT NOT NULL DEFAULT '{}',
    body              {{bytes}},
    verification      TEXT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    run_id            TEXT NOT NULL DEFAULT '',
    dispatch_attempts INTEGER NOT NULL DEFAULT 0,
    next_dispatch_at  BIGINT,
    replay_of         TEXT NOT NULL DEFAULT '',
    duplicate_of      TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL,
    CONSTRAINT events_dedupe UNIQUE (endpoint_id, dedupe_key)
);
CREATE INDEX events_received ON events (received_at, id);
CREATE INDEX events_workflow ON events (workflow_id, received_at);
CREATE INDEX events_provider_id ON events (provider_event_id);
CREATE INDEX events_pending ON events (next_dispatch_at) WHERE status = 'pending';

CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    temporal_run_id  TEXT NOT NULL DEFAULT '',
    workflow_id      TEXT NOT NULL,
    workflow_version INTEGER NOT NULL,
    event_id         TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    started_at       BIGINT NOT NULL,
    ended_at         BIGINT,
    error            TEXT NOT NULL DEFAULT '',
    output           TEXT NOT NULL DEFAULT '',
    steps            TEXT NOT NULL DEFAULT '',
    retry_of         TEXT NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL
);
CREATE INDEX runs_started ON runs (started_at, id);
CREATE INDEX runs_workflow ON runs (workflow_id, started_at);
CREATE INDEX runs_event ON runs (event_id);

CREATE TABLE blobs (
    id         TEXT PRIMARY KEY,
    data       {{bytes}} NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    destination      TEXT NOT NULL,
    workflow_id      TEXT NOT NULL DEFAULT '',
    run_id           TEXT NOT NULL DEFAULT '',
    step_id          TEXT NOT NULL DEFAULT '',
    headers          TEXT NOT NULL DEFAULT '{}',
    payload          {{bytes}} NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    last_error       TEXT NOT NULL DEFAULT '',
    last_status      INTEGER NOT NULL DEFAULT 0,
    latency_ms       BIGINT NOT NULL DEFAULT 0,
    total_latency_ms BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    last_attempt_at  BIGINT,
    last_error_at    BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX deliveries_created ON deliveries (created_at, id);
CREATE INDEX deliveries_destination ON deliveries (destination, created_at);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
