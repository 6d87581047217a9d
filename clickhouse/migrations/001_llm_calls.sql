-- One row per priced call event, and one per correction (kind = 'correction',
-- the difference to what was stored before). Every measure is additive, so a
-- sum over any slice of rows is right without FINAL or updates.
CREATE TABLE IF NOT EXISTS {{local:llm_calls}} {{on_cluster}}
(
    event_id String,
    kind LowCardinality(String),
    corrects_event_id String DEFAULT '',
    occurred_at DateTime64(3, 'UTC'),
    ingested_at DateTime64(3, 'UTC'),
    tenant_id LowCardinality(String),
    user_id String,
    conversation_id String,
    touchpoint LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    service_tier LowCardinality(String),
    input_tokens Int64,
    cache_read_tokens Int64,
    cache_write_tokens Int64,
    cache_write_1h_tokens Int64,
    output_tokens Int64,
    reasoning_tokens Int64,
    audio_input_tokens Int64,
    audio_output_tokens Int64,
    request_count Int64,
    duration_ms Int64,
    success Bool,
    error_type LowCardinality(String),
    input_cost_usd Decimal(38, 18),
    cache_read_cost_usd Decimal(38, 18),
    cache_write_cost_usd Decimal(38, 18),
    cache_write_1h_cost_usd Decimal(38, 18),
    output_cost_usd Decimal(38, 18),
    reasoning_cost_usd Decimal(38, 18),
    audio_input_cost_usd Decimal(38, 18),
    audio_output_cost_usd Decimal(38, 18),
    request_cost_usd Decimal(38, 18),
    cost_usd Decimal(38, 18),
    pricing_status LowCardinality(String),
    price_version String,
    unpriced_reason String,
    -- Requests and tokens whose cost is unknown: +n on an unpriced call, -n on
    -- the correction that prices it later.
    unpriced_requests Int64,
    unpriced_tokens Int64,
    attributes Map(String, String)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, occurred_at, event_id)
TTL toDateTime(occurred_at) + INTERVAL {{retention_days}} DAY
SETTINGS {{dedup_window}};

-- On a cluster, rows go to the shard of their tenant.
{{distributed:llm_calls:cityHash64(tenant_id)}};

-- The event ids already stored, ordered by id so that the pricing consumer can
-- ask "which of these ids exist?" through the primary index before it inserts.
CREATE TABLE IF NOT EXISTS {{local:llm_call_ids}} {{on_cluster}}
(
    event_id String,
    occurred_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:MergeTree}}
ORDER BY event_id
TTL toDateTime(occurred_at) + INTERVAL {{retention_days}} DAY
SETTINGS {{dedup_window}};

{{distributed:llm_call_ids:cityHash64(event_id)}};

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_call_ids_mv {{on_cluster}} TO {{local:llm_call_ids}} AS
SELECT event_id, occurred_at FROM {{local:llm_calls}};
