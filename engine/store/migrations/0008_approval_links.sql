-- Spent one-time approval links. A link is a signed token (see
-- interpreter.ApprovalLink); using it inserts its id here, and the primary
-- key refuses a second use, across every server process. expires_at lets
-- the retention pruner drop rows whose links could no longer verify anyway.
-- A manual delivery retry that resumed its run records the run it started.
CREATE TABLE approval_links_used (
    id         TEXT   NOT NULL PRIMARY KEY,
    run_id     TEXT   NOT NULL,
    step       TEXT   NOT NULL,
    approver   TEXT   NOT NULL,
    approved   INTEGER NOT NULL,
    used_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX approval_links_used_expires ON approval_links_used (expires_at);
ALTER TABLE deliveries ADD COLUMN resumed_run_id TEXT NOT NULL DEFAULT '';
