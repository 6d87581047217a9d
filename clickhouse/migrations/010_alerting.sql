-- Budgets: one row per change, the latest version of an id wins; a delete is
-- a version with deleted = 1. Read with argMax(…, version) and GROUP BY id,
-- because replacing merges are eventual. Money stays the decimal text that
-- was written, so a limit is never rounded.
CREATE TABLE IF NOT EXISTS {{local:budgets}} {{on_cluster}}
(
    id String,
    scope String,
    period LowCardinality(String),
    time_zone LowCardinality(String),
    limit_usd String,
    warn_at Array(String),
    deleted UInt8,
    version UInt64,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree}}(version)
ORDER BY id;

{{distributed:budgets:cityHash64(id)}};

-- Every alert raised, by id: what keeps an alert from being raised twice
-- across restarts and instances, and what the API lists. Kept past the
-- longest period (a month) so that a monthly alert is never raised again.
CREATE TABLE IF NOT EXISTS {{local:alert_log}} {{on_cluster}}
(
    alert_id String,
    dedupe_key String,
    type LowCardinality(String),
    severity LowCardinality(String),
    scope String,
    tenant_id String,
    summary String,
    raised_at DateTime64(3, 'UTC'),
    alert String
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY alert_id
TTL toDateTime(raised_at) + INTERVAL 400 DAY;

{{distributed:alert_log:cityHash64(alert_id)}};

-- The delivery outbox: one row per change of an (alert, channel) delivery,
-- the latest version wins. `owner` and `lease_until` say which instance is
-- working on a pending delivery, so that another takes it over only once
-- the lease has run out.
CREATE TABLE IF NOT EXISTS {{local:alert_deliveries}} {{on_cluster}}
(
    alert_id String,
    channel LowCardinality(String),
    status LowCardinality(String),
    attempts UInt32,
    next_attempt_at DateTime64(3, 'UTC'),
    owner String,
    lease_until DateTime64(3, 'UTC'),
    last_error String,
    alert String,
    version UInt64,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree}}(version)
ORDER BY (alert_id, channel)
TTL toDateTime(updated_at) + INTERVAL 30 DAY;

{{distributed:alert_deliveries:cityHash64(alert_id)}};
