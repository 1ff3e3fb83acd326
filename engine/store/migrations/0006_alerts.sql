-- Health alerts. An alert rule watches one signal (an endpoint's rejected
-- deliveries, a workflow's failed runs or a destination's dead letters)
-- over a sliding window and names the workflow to run when the count
-- reaches its threshold. window_ms and cooldown_ms are milliseconds.
CREATE TABLE alert_rules (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    target       TEXT NOT NULL,
    threshold    INTEGER NOT NULL,
    window_ms    BIGINT NOT NULL,
    cooldown_ms  BIGINT NOT NULL DEFAULT 0,
    workflow_id  TEXT NOT NULL,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX alert_rules_created ON alert_rules (created_at, id);

-- One incident per rule and target while it fires. The partial unique
-- index is the atomic transition between processes: of two evaluators
-- that see the threshold passed at once, exactly one INSERT succeeds, and
-- only that one starts the alert run. Resolving is a compare-and-set on
-- resolved_at IS NULL, with the same effect. fired_event_id and
-- resolved_event_id are the inbox events of the two alert runs;
-- notice_until is the lease of the process sending the pending notice,
-- so a notice a crashed process never sent is sent by another once the
-- lease has passed, and never by two.
CREATE TABLE alert_incidents (
    id                TEXT PRIMARY KEY,
    rule_id           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    target            TEXT NOT NULL,
    threshold         INTEGER NOT NULL,
    window_ms         BIGINT NOT NULL,
    count             INTEGER NOT NULL,
    resolved_count    INTEGER NOT NULL DEFAULT 0,
    started_at        BIGINT NOT NULL,
    resolved_at       BIGINT,
    fired_event_id    TEXT NOT NULL DEFAULT '',
    resolved_event_id TEXT NOT NULL DEFAULT '',
    notice_until      BIGINT NOT NULL DEFAULT 0,
    notice_attempts   INTEGER NOT NULL DEFAULT 0,
    notice_error      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (rule_id, target) WHERE resolved_at IS NULL;
CREATE INDEX alert_incidents_started ON alert_incidents (started_at, id);
CREATE INDEX alert_incidents_rule ON alert_incidents (rule_id, target, resolved_at);

-- What the evaluator counts in a window, and the gauges.
CREATE INDEX events_status_received ON events (status, received_at);
CREATE INDEX runs_status_ended ON runs (status, ended_at);
CREATE INDEX deliveries_status_updated ON deliveries (status, updated_at);
